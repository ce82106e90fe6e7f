#!/usr/bin/env python3
"""The whole-process `preload scan` against the safe-floor program over the
same files (issue 16, goal 2). For each kind of plugin (a tiny one, one
linked against Abseil's shared libraries) and each count, a directory of
that many copies (each its own inode) is made; `preload scan DIR` and
`bench_scan_floor DIR` are started in turn, interleaved, and the median wall
time from fork to exit, the child's CPU time (user + system, wait4) and its
peak RSS (ru_maxrss), measured by bench_spawn_measure, are kept. With strace
installed, the system calls per file are counted too (the difference between two counts, so the process's
own start-up drops out).

  cli_scan.py --preload PRELOAD --floor FLOOR
              --launcher bench_spawn_measure --tiny TINY.so --deps DEPS.so
              --counts 1000,10000 --runs 7 --out FILE.json
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile


def spawn(launcher, argv):
    """(wall s, CPU s, peak RSS KiB) of one run, stdout to /dev/null,
    measured by bench_spawn_measure (Python's own peak would count)."""
    run = subprocess.run([launcher] + argv, capture_output=True, text=True)
    if run.returncode != 0:
        raise SystemExit(f"cli_scan: {argv}: {run.stderr[:2000]}")
    wall, cpu, rss = run.stdout.split()
    return float(wall), float(cpu), int(rss)


def make_copies(source, directory, n):
    os.makedirs(directory)
    os.chmod(directory, 0o755)
    data = open(source, "rb").read()
    stem = os.path.basename(directory).split("_")[0]
    for i in range(n):
        path = os.path.join(directory, f"{stem}_{i:05d}.so")
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, 0o755)


def check_scan(preload, directory, n):
    """Every copy must be found compatible: the scan did the whole check."""
    run = subprocess.run([preload, "scan", directory], capture_output=True, text=True)
    last = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else ""
    if run.returncode != 0 or last != f"{n} files: {n} compatible":
        raise SystemExit(f"cli_scan: preload scan {directory}: exit {run.returncode}, "
                         f"'{last}'; {run.stderr[:2000]}")


def syscalls(argv, out):
    """Total system calls of one run under strace -c -f."""
    subprocess.run(["strace", "-f", "-c", "-o", out] + argv,
                   stdout=subprocess.DEVNULL, check=True)
    for line in open(out):
        f = line.split()
        if f and f[-1] == "total":
            return int(f[2] if len(f) == 4 else f[3])
    return 0


def main():
    parser = argparse.ArgumentParser()
    for name in ("preload", "floor", "launcher", "tiny", "deps", "out"):
        parser.add_argument(f"--{name}", required=True)
    parser.add_argument("--counts", default="1000,10000")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    counts = [int(c) for c in args.counts.split(",")]
    work = tempfile.mkdtemp(prefix="preload-cli-scan-", dir="/tmp")
    os.chmod(work, 0o755)
    try:
        dirs = {}
        for kind, source in (("tiny", args.tiny), ("deps", args.deps)):
            for n in counts + [100]:
                dirs[(kind, n)] = os.path.join(work, f"{kind}_{n}")
                make_copies(source, dirs[(kind, n)], n)
        variants = {}
        for kind in ("tiny", "deps"):
            for n in counts:
                check_scan(args.preload, dirs[(kind, n)], n)
                variants[f"floor/{kind}/{n}"] = [args.floor, dirs[(kind, n)]]
                variants[f"scan/{kind}/{n}"] = [args.preload, "scan", dirs[(kind, n)]]
        for argv in variants.values():  # warm the page cache
            spawn(args.launcher, argv)
        samples = {label: [] for label in variants}
        for _ in range(args.runs):
            for label, argv in variants.items():
                samples[label].append(spawn(args.launcher, argv))
        result = {"runs": args.runs, "counts": counts, "variants": {}}
        for label, runs in samples.items():
            result["variants"][label] = {
                "wall_s_median": statistics.median(r[0] for r in runs),
                "cpu_s_median": statistics.median(r[1] for r in runs),
                "peak_rss_kib": max(r[2] for r in runs),
            }
        if shutil.which("strace"):
            per_file = {}
            low, high = 100, counts[0]
            for kind in ("tiny", "deps"):
                for tool in ("floor", "scan"):
                    def run(n):
                        argv = ([args.floor] if tool == "floor"
                                else [args.preload, "scan"]) + [dirs[(kind, n)]]
                        return syscalls(argv, os.path.join(work, "strace.txt"))
                    per_file[f"{tool}/{kind}"] = (run(high) - run(low)) / (high - low)
            result["syscalls_per_file"] = per_file
        json.dump(result, open(args.out, "w"), indent=1)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
