"""python3 -m preload_codegen <command> ..."""

import argparse
import sys

from . import abi_hash, fingerprint, new_plugin


def main(argv=None):
    parser = argparse.ArgumentParser(prog="preload_codegen")
    commands = parser.add_subparsers(dest="command", required=True)
    fingerprint.add_parser(commands)
    abi_hash.add_parser(commands)
    new_plugin.add_parser(commands)
    args = parser.parse_args(argv)
    try:
        args.run(args)
    except fingerprint.UsageError as error:
        sys.stderr.write("preload_codegen %s: %s\n" % (args.command, error))
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
