#!/usr/bin/env python3
"""Fails when one Loader::Verify of a plugin built like its host (file trust
check off) costs more than 1.5 times the user-space instructions that
docs/performance.md records for it.

callgrind counts instructions, not time, so the figure is the same on an idle
and on a loaded machine. As scripts/bench does, the loop runs twice, with two
counts of verifications, and the difference is divided by the difference of
the counts: what the process's start-up costs cancels out.

  verify_instructions_guard.py --valgrind V --loop L --plugin P --doc D
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

MARGIN = 1.5
LOW, HIGH = 1, 21
# The row scripts/bench (tests/bench/report.py) writes.
ROW = re.compile(r"^\| `Loader::Verify`, trust check off \| ([0-9,]+) \|", re.M)


def recorded(doc):
    with open(doc) as f:
        match = ROW.search(f.read())
    if not match:
        sys.exit(f"{doc} records no instructions per verification (the row "
                 "\"`Loader::Verify`, trust check off\"): run scripts/bench")
    return int(match.group(1).replace(",", ""))


def instructions(valgrind, loop, plugin, count):
    run = subprocess.run(
        [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null",
         loop, plugin, str(count), "no-trust"],
        capture_output=True, text=True, timeout=100)
    if run.returncode != 0:
        sys.exit(f"{loop} under callgrind failed ({run.returncode}):\n{run.stderr}")
    match = re.search(r"Collected : (\d+)", run.stderr)
    if not match:
        sys.exit(f"callgrind printed no count:\n{run.stderr}")
    return int(match.group(1))


def main():
    parser = argparse.ArgumentParser()
    for name in ("valgrind", "loop", "plugin", "doc"):
        parser.add_argument("--" + name, required=True)
    args = parser.parse_args()
    if not args.valgrind or not os.path.exists(args.valgrind):
        sys.exit("valgrind is not installed; scripts/deps installs it "
                 "(apt-get install valgrind)")
    limit = recorded(args.doc) * MARGIN
    # A plugin file of its own in a directory only its owner writes, as the
    # benchmark has it.
    with tempfile.TemporaryDirectory() as work:
        plugin = os.path.join(work, "tiny.so")
        shutil.copy(args.plugin, plugin)
        low = instructions(args.valgrind, args.loop, plugin, LOW)
        high = instructions(args.valgrind, args.loop, plugin, HIGH)
    per = (high - low) / (HIGH - LOW)
    print(f"{per:,.0f} user-space instructions per verification; "
          f"recorded {limit / MARGIN:,.0f}, limit {limit:,.0f} ({MARGIN}x)")
    if per > limit:
        sys.exit(f"FAIL: Loader::Verify costs {per:,.0f} instructions, over "
                 f"{MARGIN} times the {limit / MARGIN:,.0f} that "
                 "docs/performance.md records: profile bench_verify_loop "
                 "(docs/performance.md, 'Instructions and system calls') and "
                 "find what grew")


if __name__ == "__main__":
    main()
