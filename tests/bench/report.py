#!/usr/bin/env python3
"""Writes docs/performance.md and its plot from the results scripts/bench
collected in one directory: bench.json (Google Benchmark), startup.json,
build.json, configure.json, instructions.json, hashing.json, cli_scan.json,
batched.json, machine.json.

  report.py RESULTS_DIR DOCS_DIR [PARTS_RUN]

PARTS_RUN (default: all) names the parts this run measured, of "suite startup
instructions build configure hashing cli_scan batched". Each part's figures
are also kept in DOCS_DIR/performance-results.json with the date and load they
were measured under; a part this run left out is taken from there and the
page says when it was measured. When a part was left out and no earlier
figures are kept, the page would lose a section: it is then written into
RESULTS_DIR only, and docs/ is left alone. The configure, hashing, cli_scan
and batched parts came later: a page without their figures lacks only their
sections.
"""
import glob
import json
import os
import re
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

PLOT = "performance_scan.png"
KEPT = "performance-results.json"
PARTS = ("suite", "startup", "instructions", "build")
# Parts added later: a page without their figures only lacks their sections.
LATER_PARTS = ("configure", "hashing", "cli_scan", "batched")
ALL_PARTS = PARTS + LATER_PARTS
# The goal of issue 16: user-space instructions per Loader::Verify of a
# plugin built like its host, file trust check off.
VERIFY_INSTRUCTIONS_GOAL = 3000
GUARD_MARGIN = 1.5  # tests/perf/verify_instructions_guard.py


# Issue 16's build-cost goals: CPU time of configure + build against plain
# add_library(MODULE), for one-function plugins and for the realistic set.
BUILD_GOAL = 1.25
BUILD_GOAL_REALISTIC = 1.10


def build_ratios(b):
    """One line: the CPU-time ratios of a build-cost set, configure and build
    together and each alone."""
    mp, ml = b["median"]["add_preload_plugin"], b["median"]["add_library_module"]
    part = lambda k: f"{mp[k] / ml[k]:.2f}×" if ml[k] else "n/a"
    return (f"CPU-time ratios, `add_preload_plugin` ÷ `add_library_module`: "
            f"configure + build {part('total_cpu')}, configure alone {part('configure_cpu')}, "
            f"build alone {part('build_cpu')}.")


def load(results, name):
    path = os.path.join(results, name)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def to_us(value, unit):
    return value * {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}[unit]


def medians(bench):
    """run name -> {cpu, wall (µs), counters} from the median aggregates."""
    out = {}
    for b in bench["benchmarks"]:
        if b.get("run_type") != "aggregate" or b.get("aggregate_name") != "median":
            continue
        name = re.sub(r"/iterations:\d+$", "", b["run_name"])
        out[name] = {"cpu": to_us(b["cpu_time"], b["time_unit"]),
                     "wall": to_us(b["real_time"], b["time_unit"]),
                     "files": b.get("files")}
    for b in bench["benchmarks"]:  # largest peak growth over the repetitions
        if b.get("run_type") == "iteration" and "peak_rss_growth_kib" in b:
            name = b["run_name"]
            if name in out:
                out[name]["rss"] = max(out[name].get("rss", 0), b["peak_rss_growth_kib"])
    return out


def fmt(x, digits=2):
    if x is None:
        return "n/a"
    if x >= 100:
        return f"{x:,.0f}"
    if x >= 10:
        return f"{x:.1f}"
    return f"{x:.{digits}f}"


def verdict(ok):
    return "**met**" if ok else "**not met**"


def this_run(results, part):
    """The figures of `part` this run measured, or None."""
    if part == "suite":
        bench = load(results, "bench.json")
        if bench is None:
            return None
        # The load benchmarks, each run in a process of its own (scripts/bench).
        for extra in sorted(glob.glob(os.path.join(results, "bench-load-*.json"))):
            bench["benchmarks"] += load(results, os.path.basename(extra))["benchmarks"]
        return medians(bench)
    return load(results, f"{part}.json")


def gather(results, docs, ran, machine):
    """part -> {"data", "measured", "load_start", "busy", "earlier"}: this
    run's figures where it measured the part, else those kept in docs/."""
    kept = load(docs, KEPT) or {}
    parts = {}
    for part in ALL_PARTS:
        data = this_run(results, part) if part in ran else None
        if data is not None:
            parts[part] = {"data": data, "measured": machine.get("date", "?"),
                           "load_start": machine.get("load_start", "?"),
                           "busy": bool(machine.get("busy")), "earlier": False}
        elif part in kept:
            parts[part] = dict(kept[part], earlier=True)
    return parts


CLI_SCAN_GOAL = 1.3  # issue 16, goal 2: whole process, against the safe floor


def cli_scan_ratio(variants, kind, n):
    """(scan, floor, CPU ratio, wall ratio) of `kind` at `n` files, or None."""
    scan, floor = variants.get(f"scan/{kind}/{n}"), variants.get(f"floor/{kind}/{n}")
    if not scan or not floor:
        return None
    return (scan, floor, scan["cpu_s_median"] / floor["cpu_s_median"],
            scan["wall_s_median"] / floor["wall_s_median"])


def cli_scan_rows(cli, met, w):
    """The goals table's rows for the whole-process `preload scan`."""
    if not cli:
        w("| `preload scan` of 1,000 and 10,000 plugins, whole process, ≤ 1.3× the "
          "safe-floor program (issue 16, goal 2) | not measured (no cli_scan results) "
          "| | not measured |")
        return
    v = cli["variants"]
    label = {"tiny": "a tiny plugin", "deps": "a plugin needing Abseil's shared libraries"}
    for kind in ("tiny", "deps"):
        for n in cli["counts"]:
            r = cli_scan_ratio(v, kind, n)
            if r is None:
                continue
            scan, floor, cpu, wall = r
            ok = cpu <= CLI_SCAN_GOAL
            met[f"cli_scan_{kind}_{n}"] = ok
            w(f"| `preload scan` of {n:,} copies of {label[kind]}, whole process, ≤ "
              f"{CLI_SCAN_GOAL}× the safe-floor program (CPU) | {fmt(scan['cpu_s_median'] * 1e3)} ms "
              f"vs {fmt(floor['cpu_s_median'] * 1e3)} ms CPU ({fmt(scan['wall_s_median'] * 1e3)} ms "
              f"vs {fmt(floor['wall_s_median'] * 1e3)} ms wall, {fmt(wall)}×) | {fmt(cpu)}× | "
              f"{verdict(ok)} |")
    for kind in ("tiny", "deps"):
        low, high = (v.get(f"scan/{kind}/{n}") for n in (min(cli["counts"]), max(cli["counts"])))
        if low and high:
            # Flat: 10× the files may cost at most 1 MiB more, noise.
            flat = high["peak_rss_kib"] <= low["peak_rss_kib"] + 1024
            met[f"cli_scan_rss_{kind}"] = flat
            w(f"| `preload scan` ({kind}): peak memory flat in the number of files | "
              f"{low['peak_rss_kib']:,} KiB ({min(cli['counts']):,}), {high['peak_rss_kib']:,} KiB "
              f"({max(cli['counts']):,}) | | {verdict(flat)} |")


def cli_scan_section(cli, when):
    """The "preload scan, whole process" section's lines."""
    lines = []
    w = lines.append
    w("## `preload scan`, whole process")
    w("")
    w("`preload scan DIR` (text output to `/dev/null`) against `bench_scan_floor DIR`,")
    w("the safe floor as a program (`openat` on the directory's descriptor, `fstat`,")
    w("one 4 KiB `pread`, `close` for every entry), over the same directory of")
    w("copies, each started by `bench_spawn_measure` (fork, exec, `wait4`), the")
    w(f"variants interleaved, {cli['runs']} runs each (medians; the peak RSS is the")
    w(f"largest of the runs). Measured {when}.")
    w("")
    w("| variant | files | wall ms | CPU ms | peak RSS KiB | CPU × floor |")
    w("|---|---|---|---|---|---|")
    v = cli["variants"]
    for kind in ("tiny", "deps"):
        for n in cli["counts"]:
            r = cli_scan_ratio(v, kind, n)
            if r is None:
                continue
            scan, floor, cpu, _ = r
            for tool, e in (("floor", floor), ("scan", scan)):
                w(f"| {tool} ({kind}) | {n:,} | {fmt(e['wall_s_median'] * 1e3)} | "
                  f"{fmt(e['cpu_s_median'] * 1e3)} | {e['peak_rss_kib']:,} | "
                  f"{fmt(cpu) + '×' if tool == 'scan' else ''} |")
    w("")
    per = cli.get("syscalls_per_file")
    if per:
        w("System calls per file (`strace -c -f`, the difference between 1,000 and 100")
        w("files): " + ", ".join(f"{k} {x:.1f}" for k, x in per.items()) + ".")
        w("")
    w("How a scan reads a plugin file: its directory is opened once (the trust")
    w("walk above it once), and each plugin file of it is opened relative to it,")
    w("`fstat`'ed and its first 4 KiB read once, by the tool; that descriptor, `fstat`")
    w("and page go to the loader's own verification as a batched scan hands them")
    w("over (`PluginChecker::CheckAccepted`), which reads the dynamic section for the")
    w("dependency check through the same reader. Before, the tool read the file")
    w("itself (open, three `fstat`, two 4 KiB reads) and the loader opened it again;")
    w("anything but an accepted plugin still goes that way, for its own words. The")
    w("two reads per file beyond the floor's one are the loader's start-up code")
    w("check (the dynamic segment and the code at `DT_INIT`). The walk stats no")
    w("entry its directory records as a regular file (fts stat'ed each one) and")
    w("keeps only the names of the directories being walked, about 20 bytes an")
    w("entry where `fts` kept an `FTSENT` and a `struct stat` (some 300): the peak")
    w("RSS is flat. `RLIMIT_NOFILE` and the working directory are asked once per")
    w("scan. The tool links Abseil, libsodium, liburing and libstdc++ statically:")
    w("loading some forty shared libraries was most of a short scan's instructions.")
    w("")
    w("What a scan keeps ([cli.md](cli.md#scan)): each directory's trust is checked")
    w("once; each library a plugin needs is found, read and checked for who else")
    w("could write it once per scan, and a plugin's whole dependency report once")
    w("per directory and dynamic section. What is left per file is the loader's")
    w("verification (its note, start-up code and dynamic section readers: about")
    w("13,000 of the 21,000 user-space instructions a file costs, callgrind) and the")
    w("line printed; the rest of the gap is the process itself.")
    w("")
    return lines


def best_batched(runs, n):
    """The batched VerifyDirectory with the least wall time on `n` files:
    (method, wall ratio, CPU ratio, text), ratios to the safe floor."""
    floor = runs.get("safe_floor", {}).get(n)
    batched = {k: v[n] for k, v in runs.items()
               if k.startswith("verify_batched_") and n in v}
    if not floor or not batched:
        return None, None, None, "not measured"
    best = min(batched, key=lambda k: batched[k]["wall_us_per_file"])
    e = batched[best]
    r_wall = e["wall_us_per_file"] / floor["wall_us_per_file"]
    r_cpu = e["cpu_us_per_file"] / floor["cpu_us_per_file"]
    text = (f"best `{best}`: {fmt(e['wall_us_per_file'])} µs wall per file vs "
            f"{fmt(floor['wall_us_per_file'])} µs (CPU {fmt(e['cpu_us_per_file'])} vs "
            f"{fmt(floor['cpu_us_per_file'])} µs)")
    return best, r_wall, r_cpu, text


BATCHED_NOTES = """\
`safe_floor` is the sequential safe floor over the same directory: `readdir`,
then per file `openat` on the directory's descriptor, `fstat`, one 4 KiB
`pread`, `close`. `verify_sequential` is `Loader::VerifyDirectory` (file trust
checked) reading one file at a time; `verify_batched_*` the same with
`LoaderOptions::directory_reads` batched. `b64` is the default: 64 files per
batch, each one's first 4 KiB read and its `fstat` taken by io_uring's
`STATX`, and the ranges its start-up check reads past them fetched in a
third submission. The others vary from it: `bN` files per batch; `fstat` an
`fstat(2)` per file instead of `STATX`; `no_ranges` the start-up check's two
reads made by `pread`; `as_before` both (the batched scan as it was before
issue 16's fourth round); `16k` 16 KiB read per file instead of the ranges;
`registered` buffers registered once; `sqpoll` a kernel thread polling the
submission queue. `ring_fetch_*` is the batch reader alone
(`base/internal/batch_reader.h`: opens, `fstat`s, first bytes; no ranges),
verifying nothing. Wall time and the process's CPU time
(`MeasureProcessCPUTime`), which includes the kernel's io-wq worker threads
that run `STATX`; medians of the repetitions. The machine is shared: compare
within the table, whose lines ran interleaved in one process. On a busy
machine the wall times of the methods that make several system calls per
file (the floor, `fstat`, `as_before`) grow far more than their CPU times,
and the wall ratios of the others fall with them: trust the CPU ratio there.

How a batch goes: `readdir` gathers up to N names; one `io_uring_enter` opens
them all (`openat` relative to the directory, `O_NOFOLLOW`) and closes the
previous batch's descriptors; a second takes each opened descriptor's `STATX`
(`AT_EMPTY_PATH`: the descriptor itself) and reads its first 4 KiB; a third
reads, for each file whose program headers lie in that page, its dynamic
section with the 256 bytes before it (where the init arrays usually are) and
the first 2 KiB of its code segment, where they lie past the page. Each file
is then verified by the very steps a file-by-file scan takes, on that
descriptor, that `stat` and those bytes: the same trust check, the same
refusals in the same words. The ELF reader serves every range it needs from
the fetched bytes (`ElfFile::UsePrefetched`, `UsePrefetchedRange`), and the
first page only when it is all a read of it could return for the size `STATX`
gave; whatever was not fetched is read from the descriptor as usual, so a
plugin laid out otherwise is only slower. For the tiny plugin the scan makes
no system call of its own per file. Symlinks fail the `O_NOFOLLOW` open and go
the whole way by path, as they do file by file. Where io_uring cannot be set
up (`ENOSYS`, `EPERM`: seccomp, containers, `kernel.io_uring_disabled`) or
cannot open, read and close (its probe), the scan reads one file at a time,
and says so in the verify trace; setup flags the kernel refuses (`EINVAL`)
are dropped one at a time (deferred task work, then cooperative, then none),
and a `STATX` it refuses is replaced by `fstat(2)` from the next batch on.
Within 16 descriptors of `RLIMIT_NOFILE` the scan goes on file by file, since
a batch holds descriptors a file-by-file scan never holds.

Where the time goes (`perf record` of a batched verification of 10,000
files): most of the process's time is the kernel running the ring's
requests — `openat`'s path walk and file set-up, the reads (page-cache
lookups and the copy into the buffers: a 16 KiB read per file cost more than
the first page and two small ranges), the io-wq workers' `STATX` and their
hand-off, the deferred `close` — and about an eighth is verification in user
space. The ring removes the floor's system-call entries (costly on this VM),
not the work behind them: `openat`, the `fstat`, the first page and the
`close` remain, as do the start-up check's two small reads, and that bounds a
verifying batched scan to the floor less its entries plus verification."""


def batched_section(batched, part):
    out = ["## Batched scan through io_uring", ""]
    if part.get("earlier"):
        out += [f"Measured {part.get('measured', '?')} (load {part.get('load_start', '?')}).", ""]
    runs = batched["runs"]
    out += ["| method | files | wall µs per file | CPU µs per file | × floor (wall) | × floor (CPU) |",
            "|---|---|---|---|---|---|"]
    order = ["safe_floor", "verify_sequential"] + sorted(
        k for k in runs if k.startswith("ring_fetch_")) + sorted(
        k for k in runs if k.startswith("verify_batched_"))
    for method in order:
        for n in sorted(runs.get(method, {}), key=int):
            e, floor = runs[method][n], runs.get("safe_floor", {}).get(n)
            rw = e["wall_us_per_file"] / floor["wall_us_per_file"] if floor else None
            rc = e["cpu_us_per_file"] / floor["cpu_us_per_file"] if floor else None
            out.append(f"| `{method}` | {int(n):,} | {fmt(e['wall_us_per_file'])} | "
                       f"{fmt(e['cpu_us_per_file'])} | {fmt(rw)} | {fmt(rc)} |")
    out.append("")
    calls = batched.get("syscalls_per_file", {})
    if calls:
        out += ["System calls per file (`strace -c -f`, one scan of 1,000 files):", "",
                "| method | per file | of which |", "|---|---|---|"]
        for method, per in calls.items():
            total = sum(v for v in per.values() if v > 0)
            detail = ", ".join(f"{k} {v:g}" for k, v in sorted(per.items(), key=lambda kv: -kv[1])
                               if v > 0)
            out.append(f"| `{method}` | {total:.2f} | {detail} |")
        out.append("")
    out += [BATCHED_NOTES, ""]
    return out


CONFIGURE_HEADING = "## Configure speed"


def configure_section(conf, machine):
    """The "Configure speed" section's lines, from configure.json."""
    lines = []
    w = lines.append
    md = conf["median"]
    w(CONFIGURE_HEADING)
    w("")
    w("A new user's first configure (the build tree deleted first; Release, Ninja,")
    w("no `Python3_EXECUTABLE` given) of a project with one plugin,")
    w("`find_package(PreloadSDK)` + `add_preload_plugin(hello SOURCES hello.cc)`,")
    w("against the installed SDK, beside the same project with")
    w("`add_library(hello MODULE hello.cc)` and nothing else; "
      f"{conf['runs']} runs each,")
    w("alternating (medians; CPU is that of cmake and everything it started).")
    w("Goal: at most 2× the plain project.")
    w("")
    w("| project | wall s | CPU s |")
    w("|---|---|---|")
    for name in ("add_library_module", "add_preload_plugin"):
        w(f"| `{name}` | {fmt(md[name]['wall'])} | {fmt(md[name]['cpu'])} |")
    w(f"| ratio | {conf['ratio_wall']:.2f}× | {conf['ratio_cpu']:.2f}× |")
    w("")
    w(f"Goal (≤ 2×): {verdict(conf['ratio_wall'] <= 2 and conf['ratio_cpu'] <= 2)}"
      f" (measured {machine.get('date', '?')}, load average "
      f"{machine.get('load_start', '?')} at the start).")
    w("")
    if conf.get("breakdown_ms"):
        w("Where one profiled configure of the plugin project spends its time")
        w("(`cmake --profiling-format=google-trace`, ms wall):")
        w("")
        for label, ms in conf["breakdown_ms"].items():
            if label.startswith(" "):  # a part of the line above it
                w(f"  - {label.strip().replace('of it ', '', 1)}: {ms}")
            else:
                w(f"- {label}: {ms}")
        w("")
    w("It was 7.6–9 s against 0.97 s. What went: `find_package(Python3)` (4.6 s;")
    w("FindPython starts the interpreter many times) and the Jinja2 check (1.0 s)")
    w("no longer run, because the package remembers the Python it was built with")
    w("(`PRELOAD_SDK_BUILD_PYTHON` in `PreloadSDKConfig.cmake`, already checked")
    w("then); the search and the check run only when that interpreter is gone or")
    w("`Python3_EXECUTABLE` names another. Abseil's config looks for Threads, whose")
    w("check compiles and links a program; the package carries the answer the")
    w("SDK's own build found. What is left is `project()` itself, which both")
    w("projects pay, and one Python start for the codegen, most of it the")
    w("interpreter starting and importing Jinja2.")
    w("")
    return lines


def main():
    results, docs = sys.argv[1], sys.argv[2]
    ran = set(sys.argv[3].split()) if len(sys.argv) > 3 else set(ALL_PARTS)
    machine = load(results, "machine.json") or {}
    parts = gather(results, docs, ran, machine)
    missing = [p for p in PARTS if p not in parts]
    out_dir = docs
    if missing:
        out_dir = results
        print(f"report: no figures for {', '.join(missing)} (left out of this run, "
              f"none kept in {os.path.join(docs, KEPT)}): docs/performance.md is "
              f"not rewritten; the report is in {out_dir}", file=sys.stderr)
    data = lambda part: parts[part]["data"] if part in parts else None
    m = data("suite") or {}
    startup, build, instr = data("startup"), data("build"), data("instructions")

    def cpu(name):
        return m[name]["cpu"] if name in m else None

    def ratio(a, b):
        return a / b if a is not None and b else None

    lines = []
    w = lines.append
    w("# Performance")
    w("")
    w("What verification costs next to what any reader of a file must pay, next to")
    w("loading, and next to what other plugin systems do, each measured in the same")
    w("run on the same files. Written by `scripts/bench` (issue 6); do not edit by")
    w("hand — re-run it. Benchmarks report figures: no test asserts a time.")
    w("")
    w("## The machine")
    w("")
    for key in ("cpu", "cores", "kernel", "compiler", "qt", "boost", "date"):
        if key in machine:
            w(f"- {key}: {machine[key]}")
    w(f"- load average (1 min) at the start of the measurements: {machine.get('load_start', '?')},"
      f" at the end: {machine.get('load_end', '?')} (this one counts the benchmarks' own"
      " processes: the build-cost part runs two compilers)")
    if machine.get("busy"):
        w("- **Other work was running on this machine during the measurements** (the")
        w("  1-minute load was still above 0.6 when they started): wall-clock times are inflated; the ratios")
        w("  below use process CPU time (user + system), which other work disturbs less,")
        w("  and the instruction counts (callgrind) are not affected at all.")
    w("")
    w("When each part was measured (a part a run leaves out keeps its earlier")
    w("figures, `docs/performance-results.json`):")
    w("")
    for part in ALL_PARTS:
        if part in parts:
            e = parts[part]
            w(f"- {part}: {e['measured']}, load {e['load_start']} at the start"
              + (" (**busy machine: wall times inflated**)" if e["busy"] else "")
              + (" — from an earlier run" if e["earlier"] else " — this run"))
        else:
            w(f"- {part}: not measured")
    w("")
    w("Times are medians over the repetitions (Google Benchmark, repetitions")
    w("interleaved at random), per plugin file, in µs of process CPU time (user +")
    w("system, what the work itself costs); wall-clock medians beside them. The")
    w("files are copies of one tiny plugin (18 KB) and of one with real")
    w("dependencies (Abseil random, time and synchronization libraries), each copy")
    w("its own inode, in a directory three levels below `/`, page cache warm.")
    w("")

    # Goals first: what a reader wants.
    w("## Goals")
    w("")
    w("| goal | measured | ratio | |")
    w("|---|---|---|---|")
    floor = cpu("Floor/open_pread4k_close")
    v = cpu("Verify/tiny")
    vnt = cpu("Verify/tiny_no_trust_check")
    qt = cpu("Other/qt_metadata/tiny")
    dl = cpu("Other/dlopen_dlsym_dlclose/tiny")
    met = {}
    r = ratio(v, floor)
    met["verify"] = r is not None and r <= 1.2
    w(f"| Verify ≤ 1.2× open + 4 KiB pread + close | {fmt(v)} µs vs {fmt(floor)} µs | "
      f"{fmt(r)}× | {verdict(met['verify'])} |")
    r2 = ratio(vnt, floor)
    w(f"| (the same, file trust check off) | {fmt(vnt)} µs vs {fmt(floor)} µs | {fmt(r2)}× | "
      f"{verdict(r2 is not None and r2 <= 1.2)} |")
    # Issue 16, goal 1: against the safe floor, which must fstat.
    safe = cpu("Floor/open_fstat_pread4k_close")
    r3 = ratio(vnt, safe)
    met["verify_safe_floor"] = r3 is not None and r3 <= 1.15
    w(f"| Verify, trust check off, ≤ 1.15× the safe floor (open + fstat + 4 KiB pread + close) | "
      f"{fmt(vnt)} µs vs {fmt(safe)} µs | {fmt(r3)}× | {verdict(met['verify_safe_floor'])} |")
    if instr:
        per = instr["instructions_per_verify_no_trust"]
        met["verify_instructions"] = per <= VERIFY_INSTRUCTIONS_GOAL
        w(f"| Verify of a plugin built like its host, trust check off, ≤ "
          f"{VERIFY_INSTRUCTIONS_GOAL:,} user-space instructions (callgrind) | {per:,.0f} | "
          f"{per / VERIFY_INSTRUCTIONS_GOAL:.2f}× | {verdict(met['verify_instructions'])} |")
        w(f"| Guard: `perf.verify_instructions_guard` (main stage) fails above "
          f"{GUARD_MARGIN}× the figure of the row above | limit {per * GUARD_MARGIN:,.0f} | | in place |")
        if "syscalls_per_load" in instr:
            a, b = instr["syscalls_per_load"], instr["syscalls_per_dlopen"]
            met["load_syscalls"] = a <= b
            w(f"| System calls per `Loader::Open` (fresh copy) against a plain `dlopen` | "
              f"{a:.0f} vs {b:.0f} | {a / b:.2f}× | {verdict(met['load_syscalls'])} |")
    if qt is not None:
        r = ratio(qt, v)
        met["qt"] = r is not None and r >= 10
        w(f"| Verify ≥ 10× faster than Qt 6 `metaData()` | {fmt(qt)} µs vs {fmt(v)} µs | "
          f"{fmt(r)}× | {verdict(met['qt'])} |")
        w(f"| (the most any reader of the file could be: Qt ÷ the floor) | "
          f"{fmt(qt)} µs vs {fmt(floor)} µs | {fmt(ratio(qt, floor))}× | |")
    else:
        w("| Verify ≥ 10× faster than Qt 6 `metaData()` | Qt 6 not installed | | not measured |")
    r = ratio(dl, v)
    met["dlopen"] = r is not None and r >= 15
    w(f"| Verify ≥ 15× faster than dlopen + dlsym + dlclose | {fmt(dl)} µs vs {fmt(v)} µs | "
      f"{fmt(r)}× | {verdict(met['dlopen'])} |")
    w(f"| (the most any reader of the file could be: dlopen ÷ the floor) | "
      f"{fmt(dl)} µs vs {fmt(floor)} µs | {fmt(ratio(dl, floor))}× | |")
    for n in (1000, 10000):
        sv, sf = m.get(f"Scan/verify/{n}"), m.get(f"Scan/floor_openat_pread4k_close/{n}")
        if sv and sf:
            pv, pf = sv["cpu"] / n, sf["cpu"] / n
            r = pv / pf
            met[f"scan{n}"] = r <= 1.2
            w(f"| Scan of {n:,} plugins: per file ≤ 1.2× the floor | {fmt(pv)} µs vs {fmt(pf)} µs | "
              f"{fmt(r)}× | {verdict(r <= 1.2)} |")
    for n in (1000, 10000):
        sv = m.get(f"Scan/verify_no_trust_check/{n}")
        sf = m.get(f"Scan/floor_openat_pread4k_close/{n}")
        if sv and sf:
            pv, pf = sv["cpu"] / n, sf["cpu"] / n
            w(f"| (scan of {n:,}, file trust check off) | {fmt(pv)} µs vs {fmt(pf)} µs | "
              f"{fmt(pv / pf)}× | {verdict(pv / pf <= 1.2)} |")
    rss = [(n, m.get(f"Scan/verify/{n}", {}).get("rss")) for n in (1000, 10000)]
    if all(x is not None for _, x in rss):
        flat = rss[1][1] <= max(rss[0][1] * 1.5, rss[0][1] + 256)
        met["rss"] = flat
        w(f"| Scan: peak memory flat in the number of files | growth {rss[0][1]:.0f} KiB (1,000), "
          f"{rss[1][1]:.0f} KiB (10,000) | | {verdict(flat)} |")
    for kind in ("tiny", "deps"):
        a, b = cpu(f"Load/verify_and_load/{kind}"), cpu(f"Load/dlopen/{kind}")
        r = ratio(a, b)
        met[f"load_{kind}"] = r is not None and r <= 1.1
        w(f"| Verify and load ≤ 1.1× plain dlopen ({kind}) | {fmt(a)} µs vs {fmt(b)} µs | "
          f"{fmt(r)}× | {verdict(met[f'load_{kind}'])} |")
    if startup:
        sv = startup["variants"]
        for n in (10, 100):
            a, b = sv.get(f"preload_plugins/{n}"), sv.get(f"ld_preload/{n}")
            if a and b:
                r = a["wall_ms_median"] / b["wall_ms_median"]
                met[f"start{n}"] = r <= 1.1
                w(f"| Start-up, {n} plugins: PRELOAD_PLUGINS ≤ 1.1× LD_PRELOAD | "
                  f"{fmt(a['wall_ms_median'])} ms vs {fmt(b['wall_ms_median'])} ms (wall) | "
                  f"{fmt(r)}× | {verdict(r <= 1.1)} |")
    else:
        w("| Start-up ≤ 1.1× LD_PRELOAD | not measured (no start-up results) | | not measured |")
    lk = cpu("Lookup/hit")
    if lk is not None:
        met["lookup"] = lk < 0.5
        w(f"| `Lookup<T>` well under 1 µs | {fmt(lk * 1e3)} ns | | {verdict(met['lookup'])} |")
        a, b, d = cpu("Call/through_lookup_pointer"), cpu("Call/host_function_pointer"), cpu("Call/direct_in_host")
        r = ratio(a, b)
        met["call"] = r is not None and r <= 1.1
        w(f"| A call through `Lookup`'s pointer costs what a call through a pointer to the host's "
          f"own function does | {fmt(a * 1e3)} ns vs {fmt(b * 1e3)} ns (a direct call: {fmt(d * 1e3)} ns) | "
          f"{fmt(r)}× | {verdict(met['call'])} |")
    if build:
        # Issue 16 restated the goals: CPU time (user + system) of configure
        # and build together; each part alone is in the build section.
        sets = [("build", build, f"{build['plugins']} one-function plugins",
                 BUILD_GOAL)]
        if build.get("realistic"):
            rs = build["realistic"]
            sets.append(("build_realistic", rs,
                         f"{rs['plugins']} plugins of {rs['units']} units (`<string>`, "
                         f"`<vector>`, an Abseil header each)", BUILD_GOAL_REALISTIC))
        for key, b, what, goal in sets:
            mp, ml = b["median"]["add_preload_plugin"], b["median"]["add_library_module"]
            r = mp["total_cpu"] / ml["total_cpu"]
            rw = mp["total"] / ml["total"]
            met[key] = r <= goal
            w(f"| Configure + build of {what} ≤ {goal:.2f}× `add_library(MODULE)`, CPU | "
              f"{fmt(mp['total_cpu'])} s vs {fmt(ml['total_cpu'])} s CPU "
              f"({fmt(mp['total'])} s vs {fmt(ml['total'])} s wall, {fmt(rw)}×) | {fmt(r)}× | "
              f"{verdict(met[key])} |")
        ps = build.get("python_starts", {}).get("add_preload_plugin", {})
        if "noop_build" not in ps:
            w("| Python not started per plugin per build | not counted in this run | | not measured |")
        else:
            none_in_build = ps["build"][0] == 0 and ps["noop_build"][0] == 0 and ps["one_source_edited_build"][0] == 0
            w(f"| Python not started per plugin per build | builds: {ps['build'][0]} starts; "
              f"fresh configure: {ps['fresh_configure'][1]} codegen runs ({ps['fresh_configure'][0]} starts in all); "
              f"re-configure: {ps['reconfigure'][1]} codegen runs ({ps['reconfigure'][0]} in all) | | "
              f"{verdict(none_in_build and ps['reconfigure'][1] == 0)} |")
    else:
        w("| Build ≤ 1.25× | not measured | | not measured |")
    if instr:
        w(f"| Instructions per verified plugin recorded (callgrind) | "
          f"{instr['instructions_per_verify']:,.0f} (trust check off: "
          f"{instr['instructions_per_verify_no_trust']:,.0f}) | | recorded |")
    cli_scan_rows(data("cli_scan"), met, w)
    batched = data("batched")
    if batched:
        best, r_wall, r_cpu, figures = best_batched(batched["runs"], "10000")
        met["batched_scan"] = r_wall is not None and r_wall <= 0.7
        w("| Batched scan through io_uring ≤ 0.7× the sequential safe floor, wall, "
          f"10,000 files (issue 16, goal 3) | {figures} | {fmt(r_wall)}× "
          f"(CPU {fmt(r_cpu)}×) | {verdict(met['batched_scan'])} |")
    else:
        w("| Batched scan through io_uring ≤ 0.7× the sequential floor (issue 16, goal 3) | "
          "not measured | | **not measured** |")
    w("")
    good = sorted(k for k, ok in met.items() if ok)
    bad = sorted(k for k, ok in met.items() if not ok)
    w(f"Met: {', '.join(good) or 'none'}. Not met: {', '.join(bad) or 'none'}.")
    w("")

    w("## Per plugin file")
    w("")
    w("| method | CPU µs | wall µs | × floor (CPU) |")
    w("|---|---|---|---|")
    order = ["Floor/open_fstat_close", "Floor/open_pread4k_close", "Floor/openat_pread4k_close",
             "Floor/open_fstat_pread4k_close", "Floor/open_3preads_close", "Floor/open_mmap_close",
             "Verify/tiny", "Verify/tiny_no_trust_check", "Verify/deps",
             "VerifyPart/open_read_note_close", "VerifyPart/parse", "VerifyPart/compare",
             "Other/boost_dll_sections/tiny", "Other/qt_metadata/tiny",
             "Other/dlopen_dlsym_dlclose/tiny", "Other/dlopen_dlsym_dlclose/deps",
             "Load/dlopen/tiny", "Load/fd_dlopen/tiny", "Load/verify_and_load/tiny",
             "Load/sealed_copy_and_load/tiny", "Load/dlopen/deps", "Load/fd_dlopen/deps",
             "Load/verify_and_load/deps", "Load/sealed_copy_and_load/deps",
             "Lookup/hit", "Lookup/miss",
             "Call/through_lookup_pointer", "Call/host_function_pointer", "Call/direct_in_host"]
    for name in order:
        if name in m:
            e = m[name]
            w(f"| `{name}` | {fmt(e['cpu'], 3)} | {fmt(e['wall'], 3)} | {fmt(ratio(e['cpu'], floor))} |")
    w("")
    w("`Floor/*` are the physical floor on the same files; `VerifyPart/*` split")
    w("`Verify/tiny_no_trust_check` into its file part (open, the note reader, close),")
    w("`Fingerprint::Parse` and `Compare`. `Load/*` take a copy never loaded before")
    w("at each iteration; `Load/verify_and_load` uses a fresh `Loader` per copy (made")
    w("outside the timed loop), because a `Loader` loads one plugin per name and every")
    w("copy has the same name — building distinct names would need a build per copy")
    w("and would no longer compare the very bytes `dlopen` gets.")
    w("`Load/sealed_copy_and_load` is the same with `LoaderOptions::sealed_copy`: each")
    w("plugin is copied into a sealed memfd, which is verified and mapped.")
    w("`Load/fd_dlopen` opens the file and maps it through `/proc/self/fd/N`, as the")
    w("loader does, without verifying: the price of mapping the verified descriptor")
    w("rather than the path. Each `Load/*` line is measured in a process of its own:")
    w("a `dlopen` costs more the more libraries are loaded already (glibc compares")
    w("each new one with every loaded one), so methods run in one process would be")
    w("charged for each other's plugins.")
    w("")

    w("## Directory scan")
    w("")
    w(f"![per-file cost against the number of plugins]({PLOT})")
    w("")
    w("| method | files | CPU µs per file | wall µs per file | peak RSS growth KiB |")
    w("|---|---|---|---|---|")
    series = {}
    for name, e in sorted(m.items()):
        mt = re.match(r"Scan/(.+)/(\d+)$", name)
        if not mt:
            continue
        method, n = mt.group(1), int(mt.group(2))
        series.setdefault(method, []).append((n, e["cpu"] / n))
        w(f"| {method} | {n:,} | {fmt(e['cpu'] / n)} | {fmt(e['wall'] / n)} | {e.get('rss', 0):.0f} |")
    w("")
    w("Each method reads every `.so` of one directory per iteration (`readdir`, then the")
    w("method on `dir/name`; the floor uses `openat` on the directory's descriptor).")
    w("`verify` is `Loader::VerifyDirectory`, what `preload scan` uses: the trust of the")
    w("directory and of every directory above it checked once, each file opened with")
    w("`openat` on the directory's descriptor (`verify_no_trust_check`: the same with")
    w("`check_file_trust` off); `verify_each` is `Loader::Verify(dir + \"/\" + name)` per")
    w("file, which walks every directory from `/` down again for each file.")
    w("Peak RSS growth: `VmHWM` after the scans minus `VmRSS` before, the peak reset")
    w("through `/proc/self/clear_refs`.")
    w("")
    if series:
        plt.figure(figsize=(7, 4.5))
        for method, pts in sorted(series.items()):
            pts.sort()
            plt.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=method)
        plt.xscale("log")
        plt.yscale("log")
        plt.xlabel("plugin files in the directory")
        plt.ylabel("CPU µs per file (median)")
        plt.title("Directory scan: cost per file")
        plt.grid(True, which="both", alpha=0.3)
        plt.legend(fontsize=8)
        plt.tight_layout()
        plt.savefig(os.path.join(out_dir, PLOT), dpi=100)

    if startup:
        w("## Start-up with real processes")
        w("")
        w(f"A host linked with `PreloadSDK::autoload` (`main` returns at once), started "
          f"{startup['runs']} times per variant, the variants interleaved; median wall time "
          f"from spawn to exit, and the child's CPU time. A trace run confirmed "
          f"{startup['loaded_check']} plugins loaded for the smallest count.")
        w("")
        w("| variant | wall ms | CPU ms | system calls |")
        w("|---|---|---|---|")
        for label, e in startup["variants"].items():
            calls = e.get("system_calls")
            w(f"| {label} | {fmt(e['wall_ms_median'], 3)} | {fmt(e['cpu_ms_median'], 3)} | "
              f"{calls if calls is not None else 'not counted'} |")
        w("")
        w("System calls per process (strace -f -c, one run each) do not depend on the")
        w("machine's load. On a virtual machine each costs microseconds, so they are")
        w("most of what start-up with verification adds: every file listed by path is")
        w("opened once, verified, and mapped from that descriptor, and the files of one")
        w("directory share one trust walk of the directories above them.")
        w("")

    if build:
        w("## Build cost")
        w("")
        n = build["plugins"]
        w(f"Two generated projects of {n} one-function plugins (the SDK's CMake functions set up from the source tree as its package config does),"
          f" Release, Ninja, `-j2`, each configured and built from scratch "
          f"{build['reps']} time(s), alternating (medians):")
        w("")
        w("| project | configure s (CPU) | build s (CPU) | total s (CPU) | re-configure s | no-op build s | one source edited s |")
        w("|---|---|---|---|---|---|---|")
        for name in ("add_preload_plugin", "add_library_module"):
            md = build["median"][name]
            ag = build.get("again", {}).get(name) or {
                k: None for k in ("reconfigure_s", "noop_build_s", "one_source_edited_build_s")}
            w(f"| `{name}` | {fmt(md['configure'])} ({fmt(md['configure_cpu'])}) | "
              f"{fmt(md['build'])} ({fmt(md['build_cpu'])}) | {fmt(md['total'])} ({fmt(md['total_cpu'])}) | "
              f"{fmt(ag['reconfigure_s'])} | {fmt(ag['noop_build_s'])} | {fmt(ag['one_source_edited_build_s'])} |")
        w("")
        w(build_ratios(build))
        w("")
        rs = build.get("realistic")
        if rs:
            w(f"The realistic set (issue 16): {rs['plugins']} plugins of {rs['units']} translation")
            w("units each, every unit including `<string>`, `<vector>` and")
            w("`absl/strings/str_cat.h` (and linking `absl::strings`), the first unit")
            w("exporting a function; the same two projects otherwise:")
            w("")
            w("| project | configure s (CPU) | build s (CPU) | total s (CPU) |")
            w("|---|---|---|---|")
            for name in ("add_preload_plugin", "add_library_module"):
                md = rs["median"][name]
                w(f"| `{name}` | {fmt(md['configure'])} ({fmt(md['configure_cpu'])}) | "
                  f"{fmt(md['build'])} ({fmt(md['build_cpu'])}) | {fmt(md['total'])} ({fmt(md['total_cpu'])}) |")
            w("")
            w(build_ratios(rs))
            w("")
        if build.get("load"):
            w(f"1-minute load average at the start of the build-cost part: "
              f"{build['load'][0]:.1f}, at its end: {build['load'][1]:.1f} (CPU-time ratios")
            w("within one run are what count on a shared machine).")
            w("")
        ps = build.get("python_starts", {}).get("add_preload_plugin", {})
        if ps:
            w("Python starts (all / of them the fingerprint codegen), counted through a")
            w("wrapper given as `Python3_EXECUTABLE`:")
            w("")
            for k, (total, codegen) in ps.items():
                w(f"- {k.replace('_', ' ')}: {total} / {codegen}")
            w("")
        else:
            w("Python starts, re-configure, no-op and one-edit builds: not measured in")
            w("this run (only the from-scratch configure and build of each set).")
            w("")
        w("The generator renders every target's fingerprint source in one run at the")
        w("end of configuration, and is skipped (one stamp) when its inputs are")
        w("unchanged; builds never start it. Each plugin compiles one more translation")
        w("unit, its fingerprint, which is where the extra build time goes: nearly all")
        w("of it is parsing the standard headers its layout probes need (`<string>`,")
        w("`<vector>` and `std::function`'s `<bits/std_function.h>`).")
        w("")

    conf = data("configure")
    if conf:
        # When and under what load the configure part was measured, which
        # may be an earlier run than this one.
        lines.extend(configure_section(conf, {"date": parts["configure"]["measured"],
                                              "load_start": parts["configure"]["load_start"]}))

    if instr:
        w("## Instructions and system calls per verified plugin")
        w("")
        w("`valgrind --tool=callgrind` on `bench_verify_loop FILE N` (one `Loader`, N")
        w("calls of `Verify`), the difference between N = "
          f"{instr['counts'][1]} and N = {instr['counts'][0]} divided by the difference; the same "
          "with `strace -c -f` for system calls. Repeatable on a busy machine: a")
        w("regression shows here first.")
        w("")
        w("| | user-space instructions | system calls |")
        w("|---|---|---|")
        w(f"| `Loader::Verify` (file trust checked) | {instr['instructions_per_verify']:,.0f} | "
          f"{instr['syscalls_per_verify']:.0f} |")
        w(f"| `Loader::Verify`, trust check off | {instr['instructions_per_verify_no_trust']:,.0f} | "
          f"{instr['syscalls_per_verify_no_trust']:.0f} |")
        w("| the ideal | | 4 (open, fstat, pread, close) |")
        if "instructions_per_load" in instr:
            loader = instr.get("instructions_per_loader")
            made = f" (of which making the `Loader`: {loader:,.0f})" if loader else ""
            w(f"| `Loader::Open` of a fresh copy, with a `Loader` of its own | "
              f"{instr['instructions_per_load']:,.0f}{made} | {instr['syscalls_per_load']:.0f} |")
            w(f"| plain `dlopen` of a fresh copy | {instr['instructions_per_dlopen']:,.0f} | "
              f"{instr['syscalls_per_dlopen']:.0f} |")
        w("")
        if "instructions_per_load" in instr:
            w("The loads are `bench_load_loop DIR N` (N copies of the tiny plugin, each")
            w("loaded once), counted the same way.")
            w("")
        if instr.get("syscalls_detail_load"):
            w("System calls of one `Loader::Open` (fresh copy, trust check on): " +
              ", ".join(f"{k} {v:g}" for k, v in sorted(instr["syscalls_detail_load"].items(),
                                                         key=lambda kv: -kv[1])) + ".")
            w("")
        if instr.get("syscalls_detail"):
            w("System calls of one verification (trust check on): " +
              ", ".join(f"{k} {v:g}" for k, v in sorted(instr["syscalls_detail"].items(),
                                                         key=lambda kv: -kv[1])) + ".")
            w("")

    cli = data("cli_scan")
    if cli:
        lines.extend(cli_scan_section(cli, parts["cli_scan"]["measured"]))

    hashing = data("hashing")
    if hashing:
        w("## Reading and hashing a plugin, per MB")
        w("")
        w("What a `Loader` with trusted keys or allowed digests adds to every `Open`")
        w("and `Verify` ([signing.md](signing.md)): the whole file read through its")
        w("descriptor (`pread`, 256 KiB at a time, page cache warm) into the hashes the")
        w("loader checks (`bench_hash_cost`, median of "
          f"{hashing['repetitions']}): BLAKE2b-512 for signatures, SHA-256 for a")
        w("digest list, both when both are configured; and each hash alone over memory.")
        w("")
        alone = "hash_file_blake2b_ms_per_mib" in hashing["files"][0]
        if alone:
            w("| file | read + both hashes | read + BLAKE2b-512 (signatures) | "
              "read + SHA-256 (digests) | SHA-256 alone | BLAKE2b-512 alone |")
            w("|---|---|---|---|---|---|")
        else:
            w("| file | read + both hashes | SHA-256 alone | BLAKE2b-512 alone |")
            w("|---|---|---|---|")
        for f in hashing["files"]:
            read_one = (f"{f['hash_file_blake2b_ms_per_mib']:.2f} ms/MiB | "
                        f"{f['hash_file_sha256_ms_per_mib']:.2f} ms/MiB | "
                        if alone else "")
            w(f"| {f['mib']} MiB | {f['hash_file_ms_per_mib']:.2f} ms/MiB | {read_one}"
              f"{f['sha256_ms_per_mib']:.2f} ms/MiB | {f['blake2b_ms_per_mib']:.2f} ms/MiB |")
        w("")
        w(f"About {hashing['hash_file_mib_per_s']:,.0f} MiB/s with both hashes: a 1 MiB plugin costs about "
          f"{hashing['files'][0]['hash_file_ms_per_mib']:.1f} ms more to open when signatures and")
        w("digests are required; nothing is read when neither is.")
        w("")

    if batched:
        lines.extend(batched_section(batched, parts["batched"]))

    notes = os.path.join(os.path.dirname(os.path.abspath(__file__)), "findings.md")
    if os.path.exists(notes):
        w(open(notes).read().rstrip())
        w("")
    w("## Reproducing")
    w("")
    w("`scripts/bench` (installs what it needs from Debian, builds its own Release tree")
    w("with `-DPRELOAD_BUILD_BENCHMARKS=ON`, waits for a quiet machine, runs everything")
    w("and rewrites this page). The raw results (Google Benchmark JSON and the rest)")
    w("are kept in the results directory it names.")
    with open(os.path.join(out_dir, "performance.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    if not missing:
        keep = {part: {k: v for k, v in e.items() if k != "earlier"}
                for part, e in parts.items()}
        with open(os.path.join(docs, KEPT), "w") as f:
            # Insertion order kept: some figures are ordered lists of labels
            # (the configure breakdown).
            json.dump(keep, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
