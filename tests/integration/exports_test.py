#!/usr/bin/env python3
"""What a plugin exports, as docs/getting-started.md says: its descriptor, the
bounds of its entries section, and weak instantiations of standard-library
templates, which libstdc++ declares with default visibility whatever
-fvisibility says. Nothing of the plugin's own code.

    exports_test.py PLUGIN.so...
"""

import re
import subprocess
import sys

# The SDK's own symbols, and the ODR indicator AddressSanitizer adds beside
# an exported global (the descriptor) in an instrumented build.
OWN = re.compile(
    r"^(__odr_asan\.)?preload_descriptor_\w+$"
    r"|^__start_preload_entries_v1$|^__stop_preload_entries_v1$")
# A standard-library template instance: weak (W, V) or unique (u), and named
# in std:: or __gnu_cxx::, after a return type or not ("void std::...").
LIBRARY = re.compile(r"(^|[ ])((typeinfo|typeinfo name|vtable|guard variable) "
                     r"for )?(std|__gnu_cxx)::")


def allowed(kind, name):
    if OWN.match(name):
        return True
    return kind in ("W", "V", "u") and LIBRARY.search(name) is not None


def main():
    bad = []
    for plugin in sys.argv[1:]:
        listing = subprocess.run(["nm", "-D", "--defined-only", "-C", plugin],
                                 check=True, capture_output=True, text=True)
        for line in listing.stdout.splitlines():
            _, kind, name = line.split(" ", 2)
            print("%s: %s %s" % (plugin, kind, name))
            if not allowed(kind, name):
                bad.append("%s exports %s" % (plugin, name))
    if bad:
        print("FAILED:\n" + "\n".join(bad))
        sys.exit(1)
    print("PASSED")


if __name__ == "__main__":
    main()
