#!/usr/bin/env python3
"""add_preload_plugin's REQUIRES grammar at configure time (docs/cmake.md):
each good list accepted, each bad one refused with the message that says
what is wrong. Runs cmake -P on check_requirements.cmake, so no project is
configured.

    requirements_cmake_test.py CMAKE
"""

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

GOOD = ["a", "a>=1.2", "a==1.2.3", "a^0.1", "codec_core.v2-x>=10.0.0",
        "a;b>=1.0;c^2.3.4", "A9==0.0"]

BAD = {
    "a>1.2": "'>1.2' after the name 'a' does not start with >=, == or ^",
    "a=1.2": "'=1.2' after the name 'a' does not start with >=, == or ^",
    "a>=": "the version after the operator is missing",
    "a^1": "'1' is not a version",
    "a>=1.2.3.4": "'1.2.3.4' is not a version",
    "a==01.2": "'01.2' is not a version",
    "a>=1.x": "'1.x' is not a version",
    "a>=1234567890.0": "'1234567890.0' is not a version",
    "1a": "a requirement starts with a plugin's name, which starts with a letter",
    ">=1.2": "a requirement starts with a plugin's name",
    "a >=1.2": "does not start with >=, == or ^",
    "p>=1.0": "a plugin cannot require itself",
    "a;b;a>=1.0": "REQUIRES names 'a' twice",
}


def check(cmake, requires):
    result = subprocess.run(
        [cmake, "-DREQUIRES=" + requires, "-P",
         os.path.join(HERE, "check_requirements.cmake")],
        text=True, capture_output=True)
    return result.returncode, " ".join(result.stderr.split())


def main():
    cmake = sys.argv[1]
    failures = []
    for requires in GOOD:
        code, output = check(cmake, requires)
        if code != 0:
            failures.append("%r refused: %s" % (requires, output))
    for requires, expected in BAD.items():
        code, output = check(cmake, requires)
        if code == 0:
            failures.append("%r accepted" % requires)
        elif "add_preload_plugin(p): REQUIRES" not in output or expected not in output:
            failures.append("%r: expected %r in: %s" % (requires, expected, output))
    for failure in failures:
        print("FAILED:", failure)
    print("%d good, %d bad checked" % (len(GOOD), len(BAD)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
