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


class RequiresTest(unittest.TestCase):
    def render(self, kind, requires):
        ctx = fingerprint.context(kind, "b", "1.0.0", [], "flags.h",
                                  requires=requires)
        template = render.environment(
            os.path.join(ROOT, "templates")).get_template("fingerprint.cc.j2")
        return template.render(**ctx)

    def test_requirements_become_one_field(self):
        text = self.render("plugin", ["a>=1.2", "c", "d^0.1.2", "e==2.0"])
        self.assertIn('b.Field("requires", "a>=1.2 c d^0.1.2 e==2.0");', text)

    def test_no_requirements_no_field(self):
        self.assertNotIn('"requires"', self.render("plugin", []))

    def test_a_static_plugin_records_them_too(self):
        self.assertIn('b.Field("requires", "a");', self.render("static-plugin", ["a"]))

    def test_bad_requirements_are_refused(self):
        for bad, why in [("a>1.2", "expected NAME"), ("a>=1", "expected NAME"),
                         ("a>=01.0", "expected NAME"), ("1a", "expected NAME"),
                         ("a b", "expected NAME"), ("b", "cannot require itself"),
                         ("a\n", "expected NAME")]:
            with self.assertRaisesRegex(fingerprint.UsageError, why, msg=bad):
                self.render("plugin", [bad])
        with self.assertRaisesRegex(fingerprint.UsageError, "twice"):
            self.render("plugin", ["a", "a>=1.0"])


if __name__ == "__main__":
    unittest.main()
