"""python3 -m preload_codegen <command> ..."""

import argparse
import sys

from . import abi_hash, fingerprint, manpage, new_plugin


def main(argv=None):
    parser = argparse.ArgumentParser(prog="preload_codegen")
    # A tool that runs us names itself in our errors: `preload new` says
    # "preload new: ...", not this module's name.
    parser.add_argument("--error-prefix", default=None,
                        help="what errors start with (default: "
                             "'preload_codegen COMMAND')")
    commands = parser.add_subparsers(dest="command", required=True)
    fingerprint.add_parser(commands)
    abi_hash.add_parser(commands)
    new_plugin.add_parser(commands)
    manpage.add_parser(commands)
    args = parser.parse_args(argv)
    try:
        args.run(args)
    except fingerprint.UsageError as error:
        prefix = args.error_prefix or "preload_codegen " + args.command
        sys.stderr.write("%s: %s\n" % (prefix, error))
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
