"""The fingerprint source's context and rendering: a static plugin's differs
from a shared one's only in how it is found."""

import os
import sys
import unittest

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
sys.path.insert(0, os.path.join(ROOT, "codegen"))
from preload_codegen import fingerprint, render  # noqa: E402


def rendered(kind, name):
    ctx = fingerprint.context(kind, name, "1.0.0", [], "flags.h")
    template = render.environment(os.path.join(ROOT, "templates")).get_template(
        "fingerprint.cc.j2")
    return ctx, template.render(**ctx)


class StaticPluginContextTest(unittest.TestCase):
    def test_a_static_plugin_is_a_plugin_with_its_own_entry_section(self):
        ctx, text = rendered("static-plugin", "my-plugin")
        self.assertEqual(ctx["kind"], "plugin")
        self.assertEqual(ctx["linkage"], "static")
        self.assertEqual(ctx["descriptor"], "preload_descriptor_my_plugin")
        self.assertEqual(ctx["entry_section"], "preload_entries_v1_my_plugin")
        self.assertIn('b.Field("kind", "plugin");', text)
        self.assertIn('section(".note.preload.static")', text)
        self.assertIn("PRELOAD_STATIC_NOTE_TYPE", text)
        self.assertIn("section(PRELOAD_STATIC_PLUGIN_SECTION)", text)
        self.assertIn("__start_preload_entries_v1_my_plugin", text)
        self.assertNotIn('visibility("default")', text)

    def test_a_shared_plugin_keeps_the_shared_layout(self):
        ctx, text = rendered("plugin", "my-plugin")
        self.assertEqual(ctx["linkage"], "shared")
        self.assertEqual(ctx["entry_section"], "preload_entries_v1")
        self.assertIn('section(".note.preload")', text)
        self.assertNotIn("PRELOAD_STATIC_PLUGIN_SECTION", text)
        self.assertNotIn("PRELOAD_STATIC_NOTE_TYPE", text)

    def test_a_host_has_no_descriptor(self):
        ctx, text = rendered("host", "app")
        self.assertEqual(ctx["descriptor"], "")
        self.assertNotIn("preload_descriptor_", text)


if __name__ == "__main__":
    unittest.main()
