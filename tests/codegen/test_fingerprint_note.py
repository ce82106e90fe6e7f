"""The generated fingerprint source, compiled: the note it makes is exactly
the payload it counted (the template counts the payload in one pass and
writes it into the note in another), and a payload over the limit stops the
build. Needs the C++ compiler (PRELOAD_TEST_CXX) and objcopy."""

import os
import struct
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
sys.path.insert(0, os.path.join(ROOT, "codegen"))
from preload_codegen import fingerprint, render  # noqa: E402

CXX = os.environ.get("PRELOAD_TEST_CXX", "c++")
FLAGS = """#define PRELOAD_FP_BUILD_CONFIG R"preload(Release)preload"
#define PRELOAD_FP_FLAGS_CXX R"preload( -O2   -g )preload"
#define PRELOAD_FP_FLAGS_OPTIONS R"preload({options})preload"
#define PRELOAD_FP_FLAGS_DEFINITIONS R"preload({definitions})preload"
#define PRELOAD_FP_FLAGS_FEATURES R"preload(cxx_std_17)preload"
"""


def compile_note(work, options="", definitions="", metadata=None):
    """Renders and compiles a plugin's fingerprint source; returns the
    compiler's result and the .note.preload section's bytes (None if the
    compile failed)."""
    with open(os.path.join(work, "flags.h"), "w") as f:
        f.write(FLAGS.format(options=options, definitions=definitions))
    ctx = fingerprint.context("plugin", "note-test", "1.2.3", [], "flags.h",
                              metadata=metadata)
    source = os.path.join(work, "fp.cc")
    with open(source, "w") as f:
        f.write(render.environment(os.path.join(ROOT, "templates"))
                .get_template("fingerprint.cc.j2").render(**ctx))
    obj = os.path.join(work, "fp.o")
    result = subprocess.run(
        [CXX, "-std=c++17", "-fPIC", "-I", work, "-isystem",
         os.path.join(ROOT, "sdk", "include"), "-c", source, "-o", obj],
        capture_output=True, text=True)
    if result.returncode != 0:
        return result, None
    note = os.path.join(work, "note.bin")
    subprocess.run(["objcopy", "-O", "binary", "--only-section=.note.preload",
                    obj, note], check=True)
    with open(note, "rb") as f:
        return result, f.read()


class NoteTest(unittest.TestCase):
    def check_note(self, note):
        namesz, descsz, kind = struct.unpack_from("<III", note)
        self.assertEqual(namesz, len(b"PreloadSDK\0"))
        self.assertEqual(kind, 0x46505250)
        owner_end = 12 + (namesz + 3) // 4 * 4
        self.assertEqual(note[12:12 + namesz], b"PreloadSDK\0")
        desc = note[owner_end:owner_end + descsz]
        padding = note[owner_end + descsz:]
        # The size counted is the text written: no NUL inside, no byte cut.
        self.assertNotIn(b"\0", desc)
        self.assertTrue(desc.startswith(b"preload-fingerprint/1\nkind=plugin\n"))
        self.assertTrue(desc.endswith(b"\nflags.features=cxx_std_17\n"))
        self.assertEqual(padding, b"\0" * ((4 - descsz % 4) % 4))
        return desc.decode()

    def test_the_note_holds_exactly_the_payload(self):
        with tempfile.TemporaryDirectory() as work:
            result, note = compile_note(work)
            self.assertIsNotNone(note, result.stderr)
            desc = self.check_note(note)
            self.assertIn("\nflags.cxx=-O2   -g\n", desc)
            self.assertIn("\nsanitizers=", desc)

    def test_a_long_value_is_cut_and_says_so(self):
        with tempfile.TemporaryDirectory() as work:
            result, note = compile_note(work, options="x" * 3100)
            self.assertIsNotNone(note, result.stderr)
            desc = self.check_note(note)
            self.assertIn("\nflags.options=" + "x" * 3000 + "...(cut)\n", desc)

    def test_a_payload_over_16_kib_stops_the_build(self):
        long = "v" * 2990
        metadata = {"description": long, "license": long, "author": long,
                    "url": long}
        with tempfile.TemporaryDirectory() as work:
            result, note = compile_note(work, options=long, definitions=long,
                                        metadata=metadata)
            self.assertIsNone(note, "a payload of %d bytes was accepted"
                              % len(note or b""))
            self.assertIn("the fingerprint payload exceeds 16 KiB", result.stderr)
            # That one message, not errors of a note sized by a bad count.
            self.assertEqual(result.stderr.count("error:"), 1, result.stderr)


if __name__ == "__main__":
    unittest.main()
