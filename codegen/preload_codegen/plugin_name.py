"""The one rule for a plugin's name, as preload/plugin_name.h states it and
add_preload_plugin applies it (tests/unit/plugin_name_test.cc gives the same
names to this, to CMake and to the SDK's IsPluginName)."""

import re

MAX_LENGTH = 252  # <name>.so fits in one path component
# fullmatch, not match with "$": "$" also matches before a final newline.
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*", re.ASCII)
RULE = ("start with a letter and hold only letters, digits, '_', '.' and '-', "
        "at most %d of them" % MAX_LENGTH)


def is_plugin_name(name):
    """True for a str that add_preload_plugin would accept as a NAME; its
    length counts UTF-8 bytes, as CMake's does."""
    return (len(name.encode("utf-8", "surrogateescape")) <= MAX_LENGTH
            and _NAME.fullmatch(name) is not None)
