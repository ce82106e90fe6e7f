#!/usr/bin/env python3
"""Start-up with real processes: a host linked with PreloadSDK::autoload,
started with N plugins in PRELOAD_PLUGINS, against the same host started with
the same files in LD_PRELOAD (and with none). Runs are interleaved, so drift
on a busy machine falls on every variant alike; the median wall time of each
is reported, with the children's CPU time (user + system) from wait4.
System calls per process, which do not depend on the machine's load, are
counted once per variant with strace -f -c where strace is installed.

  startup.py --host HOST --plugins DIR --counts 10,100 --runs 60 --out FILE.json
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import sys
import time


def spawn(host, env):
    start = time.perf_counter()
    pid = os.posix_spawn(host, [host], env, file_actions=[
        (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)])
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"startup: {host} exited with status {status}")
    return wall, usage.ru_utime + usage.ru_stime


def count_system_calls(host, env):
    """The system calls one start of `host` makes (strace -f -c), or None."""
    if shutil.which("strace") is None:
        return None
    with tempfile.NamedTemporaryFile("r", suffix=".strace") as out:
        subprocess.run(["strace", "-f", "-c", "-o", out.name, host], env=env,
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        total = [l for l in out.read().splitlines() if l.rstrip().endswith("total")]
    return int(total[-1].split()[3]) if total else None


def check_quiet(host, env, label):
    """Each variant must load every plugin without a word on stderr."""
    run = subprocess.run([host], env=env, capture_output=True, text=True)
    # The one line PRELOAD_ALLOW_INSECURE=1 always prints is expected.
    stderr = "".join(l for l in run.stderr.splitlines(True)
                     if "PRELOAD_ALLOW_INSECURE=1" not in l)
    if run.returncode != 0 or stderr:
        raise SystemExit(f"startup: {label}: exit {run.returncode}: {run.stderr[:2000]}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", required=True)
    parser.add_argument("--plugins", required=True)
    parser.add_argument("--counts", default="10,100")
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    files = sorted(os.path.join(args.plugins, f)
                   for f in os.listdir(args.plugins) if f.endswith(".so"))
    base = {k: v for k, v in os.environ.items()
            if not k.startswith("PRELOAD_") and k != "LD_PRELOAD"}
    variants = {"none": dict(base)}
    for n in [int(c) for c in args.counts.split(",")]:
        if n > len(files):
            raise SystemExit(f"startup: {n} plugins asked for, {len(files)} built")
        chosen = ":".join(files[:n])
        variants[f"preload_plugins/{n}"] = dict(base, PRELOAD_PLUGINS=chosen)
        variants[f"preload_plugins_no_trust_check/{n}"] = dict(
            base, PRELOAD_PLUGINS=chosen, PRELOAD_ALLOW_INSECURE="1")
        variants[f"ld_preload/{n}"] = dict(base, LD_PRELOAD=chosen)
    # A run with PRELOAD_DEBUG=load proves the plugins are really loaded.
    for label, env in variants.items():
        check_quiet(args.host, env, label)
    probe = subprocess.run([args.host], capture_output=True, text=True,
                           env=dict(variants[f"preload_plugins/{args.counts.split(',')[0]}"],
                                    PRELOAD_DEBUG="load"))
    loaded = probe.stderr.count("loaded plugin")

    system_calls = {label: count_system_calls(args.host, env)
                    for label, env in variants.items()}

    samples = {label: ([], []) for label in variants}
    for _ in range(5):  # warm-up
        for env in variants.values():
            spawn(args.host, env)
    for _ in range(args.runs):
        for label, env in variants.items():
            wall, cpu = spawn(args.host, env)
            samples[label][0].append(wall)
            samples[label][1].append(cpu)
    result = {
        "runs": args.runs,
        "loaded_check": loaded,
        "variants": {
            label: {"wall_ms_median": statistics.median(w) * 1e3,
                    "cpu_ms_median": statistics.median(c) * 1e3,
                    "wall_ms_min": min(w) * 1e3,
                    "system_calls": system_calls[label]}
            for label, (w, c) in samples.items()
        },
    }
    with open(args.out, "w") as out:
        json.dump(result, out, indent=1)
    json.dump(result, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
