"""``abi-hash``: the content hash of a host ABI's headers.

The hash covers the tokens of each header, not its bytes: comments and the
amount of white space do not change it; any token that could change what the
compiler sees does. Preprocessor lines keep their line ends, because a line
end ends a directive. Headers are taken in order of their path relative to the
ABI's include directory, and that path is hashed too (it is how code includes
them), so the result does not depend on where the sources live.
"""

import hashlib
import os
import re

# One token: a string or character literal (with an optional encoding prefix),
# an identifier or keyword, a number, or one punctuation character. Runs of
# punctuation are split into characters, which compares the same either way.
_TOKEN = re.compile(r"""
    (?:u8|[uUL])?R"(?P<delim>[^ ()\\\t\n]{0,16})\(.*?\)(?P=delim)"   # raw string
  | (?:u8|[uUL])?"(?:\\.|[^"\\\n])*"                                 # string
  | (?:u8|[uUL])?'(?:\\.|[^'\\\n])*'                                 # character
  | [A-Za-z_]\w*                                                     # identifier
  | \.?\d(?:[\w.']|[eEpP][+-])*                                      # number
  | \S                                                               # punctuation
""", re.VERBOSE | re.DOTALL)

_COMMENT_OR_LITERAL = re.compile(r"""
    //[^\n]*                       # line comment
  | /\*.*?\*/                      # block comment
  | (?:u8|[uUL])?R"(?P<delim>[^ ()\\\t\n]{0,16})\(.*?\)(?P=delim)"
  | (?:u8|[uUL])?"(?:\\.|[^"\\\n])*"
  | (?:u8|[uUL])?'(?:\\.|[^'\\\n])*'
""", re.VERBOSE | re.DOTALL)

HEX_DIGITS = 16  # 64 bits: plenty to notice a change, short enough to read


def _strip_comments(text):
    def replace(match):
        token = match.group(0)
        if token.startswith("//"):
            return " "
        if token.startswith("/*"):
            return "\n" * token.count("\n") or " "
        return token
    return _COMMENT_OR_LITERAL.sub(replace, text)


def tokens(text):
    """The tokens of a header, with '\\n' after each preprocessor line."""
    text = text.replace("\\\r\n", "").replace("\\\n", "")
    out = []
    for line in _strip_comments(text).split("\n"):
        line_tokens = [m.group(0) for m in _TOKEN.finditer(line)]
        out.extend(line_tokens)
        if line_tokens and line_tokens[0] == "#":
            out.append("\n")
    return out


def content_hash(include_dir, headers):
    digest = hashlib.sha256()
    named = sorted(
        (os.path.relpath(os.path.abspath(h), os.path.abspath(include_dir))
         .replace(os.sep, "/"), h) for h in headers)
    for name, path in named:
        with open(path, encoding="utf-8", errors="surrogateescape") as header:
            body = " ".join(tokens(header.read()))
        digest.update(("%s\0%d\0%s\0" % (name, len(body), body))
                      .encode("utf-8", "surrogateescape"))
    return digest.hexdigest()[:HEX_DIGITS]


def run(args):
    missing = [h for h in args.headers if not os.path.isfile(h)]
    if missing:
        from .fingerprint import UsageError
        raise UsageError("no such header: %s" % ", ".join(missing))
    print(content_hash(args.include_dir, args.headers))


def add_parser(subparsers):
    p = subparsers.add_parser(
        "abi-hash", help="print the content hash of a host ABI's headers")
    p.add_argument("--include-dir", required=True,
                   help="the directory the headers are included from")
    p.add_argument("headers", nargs="+")
    p.set_defaults(run=run)
