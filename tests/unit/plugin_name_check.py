"""python3 plugin_name_check.py <codegen dir> <names> <verdicts>

The Python codegen's naming rule (what `preload new` renders with) applied
to each name of <names>, one a line as "n:" and its bytes in hexadecimal, decoded as the command
line decodes arguments; writes 1 or 0 a line to <verdicts>."""

import os
import sys

sys.path.insert(0, sys.argv[1])
from preload_codegen import plugin_name  # noqa: E402

with open(sys.argv[2]) as names, open(sys.argv[3], "w") as verdicts:
    for line in names.read().split("\n"):
        if not line:
            continue
        name = os.fsdecode(bytes.fromhex(line[2:]))
        verdicts.write("1\n" if plugin_name.is_plugin_name(name) else "0\n")
