#!/usr/bin/env python3
"""Gathers scripts/bench's "batched" part into one JSON object on stdout:
the medians of BatchedScan/* (batched-bench.json, Google Benchmark) per
method and number of files, in µs per file, and the system calls per file of
each batched-strace-<method>.txt (strace -c -f of one scan of 1,000 files),
less the safe floor's run plus the floor's own four calls.

  batched_results.py RESULTS_DIR
"""
import json
import os
import re
import sys

UNITS = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}
FLOOR_CALLS = {"openat": 1, "newfstatat": 1, "pread64": 1, "close": 1}


def medians(path):
    runs = {}
    for b in json.load(open(path))["benchmarks"]:
        if b.get("run_type") != "aggregate" or b.get("aggregate_name") != "median":
            continue
        m = re.match(r"BatchedScan/([^/]+)/(\d+)", b["run_name"])
        if not m:
            continue
        n = int(m.group(2))
        unit = UNITS[b["time_unit"]]
        runs.setdefault(m.group(1), {})[str(n)] = {
            "wall_us_per_file": b["real_time"] * unit / n,
            "cpu_us_per_file": b["cpu_time"] * unit / n,
        }
    return runs


def strace_table(path):
    calls = {}
    for line in open(path):
        f = line.split()
        if len(f) >= 5 and f[0][0].isdigit() and f[-1] != "total":
            calls[f[-1]] = int(f[3])
    return calls


def main():
    results = sys.argv[1]
    out = {"runs": medians(os.path.join(results, "batched-bench.json")),
           "syscalls_per_file": {}}
    floor_path = os.path.join(results, "batched-strace-safe_floor.txt")
    if os.path.exists(floor_path):
        floor = strace_table(floor_path)
        for name in sorted(os.listdir(results)):
            m = re.match(r"batched-strace-(.+)\.txt$", name)
            if not m:
                continue
            table = strace_table(os.path.join(results, name))
            per = {}
            for call in set(table) | set(floor) | set(FLOOR_CALLS):
                v = (table.get(call, 0) - floor.get(call, 0)) / 1000 + FLOOR_CALLS.get(call, 0)
                if abs(v) >= 0.005:
                    per[call] = round(v, 3)
            out["syscalls_per_file"][m.group(1)] = per
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
