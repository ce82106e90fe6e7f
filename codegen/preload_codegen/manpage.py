"""``man``: the `preload` tool's manual pages, made from its own --help text,
so that the two never say different things.

    python3 -m preload_codegen man --tool bin/preload --version 0.1.0 --out DIR

writes DIR/preload.1 (from `preload --help`) and DIR/preload-COMMAND.1 (from
`preload help COMMAND`) for every command `preload --help` lists.
"""

import os
import re
import subprocess

from . import render


def roff_text(text):
    """`text` safe in a roff line: backslashes, hyphens, leading dots."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\\&" + text if text.startswith((".", "'")) else text


def paragraphs(lines):
    """Blank-line separated groups of lines."""
    group = []
    for line in lines:
        if line.strip():
            group.append(line)
        elif group:
            yield group
            group = []
    if group:
        yield group


def to_roff(title, summary, version, help_text):
    """A man page: NAME, SYNOPSIS (the usage line), DESCRIPTION, then one
    section per 'heading:' block of the help (options, commands), each
    indented line an item, and EXIT STATUS."""
    lines = help_text.splitlines()
    usage = lines[0][len("usage: "):] if lines[0].startswith("usage: ") else ""
    out = ['.TH %s 1 "" "PreloadSDK %s" "PreloadSDK"' % (title.upper(), version),
           ".SH NAME", roff_text("%s \\- %s" % (title, summary)).replace("\\e\\-", "\\-"),
           ".SH SYNOPSIS", roff_text(usage), ".SH DESCRIPTION"]
    for group in paragraphs(lines[1:]):
        heading = group[0].strip()
        if heading.endswith(":") and heading[:-1].isalpha():
            out.append(".SH " + heading[:-1].upper())
            for item in group[1:]:
                match = re.match(r"^\s+(\S+)\s+(.*)$", item)
                if match:
                    out += [".TP", roff_text(match.group(1)), roff_text(match.group(2))]
            continue
        if heading.lower().startswith("exit status:"):
            out += [".SH EXIT STATUS",
                    roff_text(" ".join(group)[len("exit status:"):].strip())]
            continue
        out += [".PP", roff_text(" ".join(l.strip() for l in group))]
    out += [".SH SEE ALSO", roff_text("preload(1); docs/cli.md of PreloadSDK")]
    return "\n".join(out) + "\n"


def run_tool(tool, *args):
    return subprocess.run([tool] + list(args), capture_output=True, text=True,
                          check=True).stdout


def commands(tool_help):
    """(name, summary) of each command `preload --help` lists."""
    found, listing = [], False
    for line in tool_help.splitlines():
        if line.strip() == "commands:":
            listing = True
        elif listing and line.startswith("  ") and line.strip():
            name, summary = line.split(None, 1)
            found.append((name, summary))
        elif listing and not line.strip():
            listing = False
    return found


def run(args):
    tool_help = run_tool(args.tool, "--help")
    pages = {"preload.1": to_roff(
        "preload", "inspect and check PreloadSDK plugins without loading them",
        args.version, tool_help)}
    for name, summary in commands(tool_help):
        pages["preload-%s.1" % name] = to_roff(
            "preload-" + name, summary, args.version,
            run_tool(args.tool, "help", name))
    os.makedirs(args.out, exist_ok=True)
    for file_name, text in pages.items():
        render.write_if_changed(os.path.join(args.out, file_name), text)


def add_parser(subparsers):
    p = subparsers.add_parser(
        "man", help="write the preload tool's man pages from its --help text")
    p.add_argument("--tool", required=True, help="the preload executable")
    p.add_argument("--version", required=True, help="the SDK version")
    p.add_argument("--out", required=True, help="the folder to write into")
    p.set_defaults(run=run)
