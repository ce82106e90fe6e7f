#!/usr/bin/env python3
"""A fresh configure of a one-plugin project against the installed SDK, side
by side with a plain CMake project of one MODULE library (issue 15, item 3).

  configure_speed.py --prefix SDK_PREFIX --work DIR --runs N --out FILE.json

Each run deletes the build tree first, as a new user's first configure; the
two projects alternate, so a change in the machine's load falls on both.
Wall time and the CPU time of cmake and everything it started (user +
system) are recorded; then one more profiled run of the SDK project says
where its time goes (cmake --profiling-format=google-trace).
"""
import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import time

SOURCE = "int answer() { return 42; }\n"
PROJECTS = {
    "add_library_module": "add_library(hello MODULE hello.cc)\n",
    "add_preload_plugin":
        "find_package(PreloadSDK 0.1 REQUIRED)\n"
        "add_preload_plugin(hello SOURCES hello.cc)\n",
}


def write_project(work, name, body):
    source = os.path.join(work, name)
    os.makedirs(source, exist_ok=True)
    with open(os.path.join(source, "CMakeLists.txt"), "w") as f:
        f.write("cmake_minimum_required(VERSION 3.25)\n"
                f"project({name} CXX)\n" + body)
    with open(os.path.join(source, "hello.cc"), "w") as f:
        f.write(SOURCE)
    return source


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def configure(source, build, prefix, extra=()):
    shutil.rmtree(build, ignore_errors=True)
    # Nothing of the caller's choosing: no Python3_EXECUTABLE, no cache.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRELOAD_")}
    cpu, wall = children_cpu(), time.monotonic()
    subprocess.run(["cmake", "-S", source, "-B", build, "-G", "Ninja",
                    "-DCMAKE_BUILD_TYPE=Release", "-DCMAKE_PREFIX_PATH=" + prefix,
                    *extra], check=True, env=env, stdout=subprocess.DEVNULL)
    return time.monotonic() - wall, children_cpu() - cpu


def breakdown(trace):
    """Milliseconds spent in the calls that matter, from a google-trace."""
    with open(trace) as f:
        events = json.load(f)
    wanted = {"project": "project()",
              "find_package PreloadSDK": "find_package(PreloadSDK)",
              "find_package absl": "  of it find_package(absl)",
              "find_package Threads": "  of it find_package(Threads)",
              "_preload_find_python": "  of it choosing the Python",
              "_preload_render_fingerprints": "the fingerprint codegen"}
    found, stack = {}, []
    for event in events:
        if event.get("ph") == "B":
            stack.append(event)
        elif event.get("ph") == "E" and stack:
            begin = stack.pop()
            key = (begin["name"] + " " +
                   begin.get("args", {}).get("functionArgs", "")).strip()
            for prefix, label in wanted.items():
                if key == prefix or key.startswith(prefix + " "):
                    found[label] = found.get(label, 0) + (event["ts"] - begin["ts"]) / 1e3
    return {label: round(found[label]) for label in wanted.values() if label in found}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    sources = {name: write_project(args.work, name, body)
               for name, body in PROJECTS.items()}
    times = {name: {"wall": [], "cpu": []} for name in PROJECTS}
    for _ in range(args.runs):
        for name, source in sources.items():
            wall, cpu = configure(source, os.path.join(args.work, "build-" + name),
                                  args.prefix)
            times[name]["wall"].append(wall)
            times[name]["cpu"].append(cpu)
    trace = os.path.join(args.work, "trace.json")
    configure(sources["add_preload_plugin"], os.path.join(args.work, "build-profiled"),
              args.prefix, ["--profiling-format=google-trace",
                            "--profiling-output=" + trace])
    median = {name: {kind: statistics.median(values) for kind, values in t.items()}
              for name, t in times.items()}
    plain, sdk = median["add_library_module"], median["add_preload_plugin"]
    result = {"runs": args.runs, "times": times, "median": median,
              "ratio_wall": sdk["wall"] / plain["wall"],
              "ratio_cpu": sdk["cpu"] / plain["cpu"],
              "breakdown_ms": breakdown(trace)}
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)
    print(json.dumps({k: result[k] for k in ("median", "ratio_wall", "ratio_cpu",
                                             "breakdown_ms")}, indent=1))


if __name__ == "__main__":
    main()
