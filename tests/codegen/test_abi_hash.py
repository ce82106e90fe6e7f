"""The content hash of host ABI headers: what changes it and what does not."""

import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "codegen"))
from preload_codegen import abi_hash  # noqa: E402

BASE = """// The plugin interface.
#ifndef API_H_
#define API_H_
#include <string>
namespace api {
struct Request { int id; std::string text; };  /* the request */
int Priority(const Request& request);
}
#endif
"""


class AbiHashTest(unittest.TestCase):
    def hash_of(self, text, name="api.h"):
        with tempfile.TemporaryDirectory() as root:
            path = os.path.join(root, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as header:
                header.write(text)
            return abi_hash.content_hash(root, [path])

    def test_is_sixteen_hex_digits(self):
        self.assertRegex(self.hash_of(BASE), r"^[0-9a-f]{16}$")

    def test_comments_and_whitespace_do_not_change_it(self):
        reformatted = BASE.replace("// The plugin interface.", "/* v1.1 */") \
            .replace("struct Request { int id;", "struct Request {\n  int   id;") \
            .replace("  /* the request */", "   // the request")
        self.assertEqual(self.hash_of(BASE), self.hash_of(reformatted))

    def test_a_changed_type_changes_it(self):
        self.assertNotEqual(self.hash_of(BASE),
                            self.hash_of(BASE.replace("int id", "long id")))

    def test_a_changed_string_literal_changes_it(self):
        a = BASE + 'inline const char* kName = "a // b";\n'
        b = BASE + 'inline const char* kName = "a  // b";\n'
        self.assertNotEqual(self.hash_of(a), self.hash_of(b))

    def test_comment_markers_inside_strings_are_not_comments(self):
        self.assertEqual(
            abi_hash.tokens('const char* s = "/* not a comment */";'),
            ["const", "char", "*", "s", "=", '"/* not a comment */"', ";"])

    def test_a_line_end_that_ends_a_directive_matters(self):
        a = BASE.replace("#define API_H_", "#define API_H_\nint x;")
        b = BASE.replace("#define API_H_", "#define API_H_ int x;")
        self.assertNotEqual(self.hash_of(a), self.hash_of(b))

    def test_a_continued_directive_equals_the_joined_line(self):
        a = BASE.replace("#define API_H_", "#define API_H_ \\\n  1")
        b = BASE.replace("#define API_H_", "#define API_H_ 1")
        self.assertEqual(self.hash_of(a), self.hash_of(b))

    def test_the_header_path_relative_to_the_include_dir_counts(self):
        self.assertNotEqual(self.hash_of(BASE, "api.h"),
                            self.hash_of(BASE, "v1/api.h"))

    def test_header_order_on_the_command_line_does_not_matter(self):
        with tempfile.TemporaryDirectory() as root:
            paths = []
            for name, body in (("a.h", "int a;"), ("b.h", "int b;")):
                paths.append(os.path.join(root, name))
                with open(paths[-1], "w") as header:
                    header.write(body)
            self.assertEqual(abi_hash.content_hash(root, paths),
                             abi_hash.content_hash(root, paths[::-1]))


if __name__ == "__main__":
    unittest.main()
