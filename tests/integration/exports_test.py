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

ALLOWED = re.compile(
    r"^(preload_descriptor_\w+|__start_preload_entries_v1|__stop_preload_entries_v1"
    r"|((typeinfo|typeinfo name|vtable|guard variable) for )?(std|__gnu_cxx)::.*)$")


def main():
    bad = []
    for plugin in sys.argv[1:]:
        listing = subprocess.run(["nm", "-D", "--defined-only", "-C", plugin],
                                 check=True, capture_output=True, text=True)
        for line in listing.stdout.splitlines():
            name = line.split(" ", 2)[2]
            print("%s: %s" % (plugin, name))
            if not ALLOWED.match(name):
                bad.append("%s exports %s" % (plugin, name))
    if bad:
        print("FAILED:\n" + "\n".join(bad))
        sys.exit(1)
    print("PASSED")


if __name__ == "__main__":
    main()
