"""The Jinja2 environment shared by every command."""

import os
import sys



def _jinja2_missing_fix():
    """How to give this interpreter Jinja2: pip inside a virtual
    environment, Debian's package for Debian's own Python."""
    python = sys.executable or "python3"
    if sys.prefix != sys.base_prefix:
        return ("%s is a virtual environment without Jinja2: "
                "'%s -m pip install jinja2'" % (python, python))
    if sys.prefix == "/usr":
        return ("%s cannot import jinja2: on Debian, "
                "'apt-get install python3-jinja2'" % python)
    return ("%s cannot import jinja2: install Jinja2 for it "
            "('%s -m pip install jinja2')" % (python, python))


try:
    import jinja2
except ImportError:  # pragma: no cover - depends on the machine
    sys.stderr.write("preload_codegen: the Python module 'jinja2' is missing: "
                     + _jinja2_missing_fix() + "\n")
    sys.exit(3)


def cpp_string(value):
    """A C++ string literal holding exactly `value` (UTF-8 bytes escaped)."""
    out = ['"']
    for byte in str(value).encode("utf-8"):
        char = chr(byte)
        if char in '"\\':
            out.append("\\" + char)
        elif 0x20 <= byte < 0x7F and char != "?":  # '?' would risk trigraphs
            out.append(char)
        else:
            out.append("\\%03o" % byte)
    out.append('"')
    return "".join(out)


def environment(templates_dir):
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["cpp_string"] = cpp_string
    return env


def write_if_changed(path, text):
    """Writes `text` to `path` unless it already holds exactly that, so an
    unchanged output keeps its timestamp and nothing is rebuilt."""
    try:
        with open(path, encoding="utf-8") as existing:
            if existing.read() == text:
                return False
    except FileNotFoundError:
        pass
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    temporary = path + ".tmp"
    with open(temporary, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(temporary, path)
    return True
