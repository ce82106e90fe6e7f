#!/usr/bin/env python3
"""PRELOAD_PLUGINS with requirements, end to end (docs/requirements.md):

    autoload_test.py CHECK --host HOST --plugins DIR

any_order  the diamond listed by path in reverse dependency order, without
           PRELOAD_PLUGIN_PATH: loaded requirements first, each once.
by_name    only the top of the diamond listed, by name: its requirements are
           found in PRELOAD_PLUGIN_PATH and loaded first.
missing    a plugin whose requirement is nowhere: the error names the chain,
           the program goes on without it.
cycle      a plugin of a cycle: refused, naming the cycle.

Exits 0 when the check passes, 1 with the reason when it fails.
"""

import argparse
import os
import subprocess
import sys


def run(host, **variables):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRELOAD_")}
    env.update(variables)
    print("+", " ".join("%s=%s" % kv for kv in sorted(variables.items())), host)
    result = subprocess.run([host], env=env, text=True, capture_output=True,
                            timeout=30)
    print(result.stdout + result.stderr)
    if result.returncode != 0:
        raise SystemExit("the host exited with %d" % result.returncode)
    loaded = [line.split()[2] for line in result.stdout.splitlines()
              if line.startswith("main: loaded ")]
    return loaded, result.stdout, result.stderr


def expect(condition, message):
    if not condition:
        raise SystemExit("FAILED: " + message)


def check_diamond(loaded):
    expect(sorted(loaded) == ["rq_base", "rq_left", "rq_right", "rq_top"],
           "each plugin of the diamond loaded once, got %s" % loaded)
    expect(loaded[0] == "rq_base" and loaded[-1] == "rq_top",
           "requirements before their dependents, got %s" % loaded)


def any_order(args):
    listed = ["rq_top", "rq_right", "rq_left", "rq_base"]
    paths = ":".join(os.path.join(args.plugins, n + ".so") for n in listed)
    loaded, out, _ = run(args.host, PRELOAD_PLUGINS=paths)
    expect("main: failures=0" in out, "no failures")
    check_diamond(loaded)
    expect("main: loaded rq_top depth 3" in out, "rq_top's init saw depth 2")


def by_name(args):
    loaded, out, _ = run(args.host, PRELOAD_PLUGINS="rq_top",
                         PRELOAD_PLUGIN_PATH=args.plugins)
    expect("main: failures=0" in out, "no failures")
    check_diamond(loaded)


def missing(args):
    loaded, out, err = run(args.host, PRELOAD_PLUGINS="rq_outer:rq_c",
                           PRELOAD_PLUGIN_PATH=args.plugins)
    expect("main: failures=1" in out, "one failure")
    expect(loaded == ["rq_c"], "only rq_c loaded, got %s" % loaded)
    expect("rq_outer → rq_wants_missing → rq_nowhere" in err,
           "the chain named on stderr")
    expect("the program goes on without it" in err, "the program goes on")


def cycle(args):
    loaded, out, err = run(args.host, PRELOAD_PLUGINS="rq_cyc_y",
                           PRELOAD_PLUGIN_PATH=args.plugins)
    expect(loaded == [], "nothing loaded, got %s" % loaded)
    expect("rq_cyc_y → rq_cyc_z → rq_cyc_x → rq_cyc_y" in err,
           "the cycle named on stderr")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("check", choices=["any_order", "by_name", "missing", "cycle"])
    parser.add_argument("--host", required=True)
    parser.add_argument("--plugins", required=True)
    args = parser.parse_args()
    globals()[args.check](args)
    print("PASSED")


if __name__ == "__main__":
    sys.exit(main())
