#!/usr/bin/env python3
"""The mismatch matrix: one host, and a family of plugins that each differ
from it in exactly one thing, judged by the loader under both policies.

    matrix_test.py list                    the rows' names, one a line, each
                                           followed by " batch" when the
                                           batch builds its plugin
    matrix_test.py host --prefix DIR ...   build the host (once)
    matrix_test.py batch --prefix DIR ...  build the plugins of the rows that
                                           share the host's toolchain and
                                           settings, in one project
    matrix_test.py row NAME --prefix ...   build one row's plugin (or take it
                                           from the batch) and check it
    matrix_test.py table --work DIR        the results so far, as markdown
    matrix_test.py prebuilt NAME --work DIR --host HOST --plugin PLUGIN
                   [--as-host FILE] [--force-host HOST]
                                           check a row built in the SDK's own
                                           tree (in_tree/: the sanitizer rows)

Every plugin and the host are built from tests/matrix/project with the
installed SDK's own add_preload_plugin / target_preload_host /
add_preload_abi. For each row, the host's `verify` mode asks
preload::Loader::Verify for the verdict under `strict` and `compatible`; the
row states which it expects and which fields the refusal must name. Where a
policy accepts, the host's `load` mode opens the plugin with Loader::Open and
runs its probe, which must compute the right values. Where both refuse, the
host's `force` mode loads the plugin anyway with a plain dlopen in a child
process and this driver records what goes wrong: the evidence that the
refusal is deserved. A row whose prerequisite is missing (clang++, libc++, a
multilib g++) exits with 77, which ctest reports as skipped, with the reason.

docs/abi-rules.md holds the table `table` printed after a full run.
"""

import argparse
import dataclasses
import json
import os
import re
import subprocess
import sys
import time

from matrix_build import (batch_dir, batched, build_batch, build_host,
                          build_plugin, differences_missing, fail, host_path,
                          missing_prerequisite, results_dir,
                          sanitizers_missing)
from matrix_host import (HOST_CORRECT, describe_forced, message_of,
                         refused_fields, run_host, value_of)
from matrix_rows import (POLICIES, REFUSED, ROWS, ROWS_BY_NAME, SKIPPED,
                         expected_verdict)


# ------------------------------------------------------- one row


@dataclasses.dataclass
class Hosts:
    """Which host does what for a row: `main` verifies and loads, `force`
    loads without the check; `as_host`, when set, is the binary whose note
    `main` verifies against (matrix_host's HOST_FILE); `note` is the binary
    whose note is the host's fingerprint."""
    main: str
    force: str
    as_host: str = ""

    @property
    def note(self):
        return self.as_host or self.main


def check_row(args, row, plugin, hosts):
    """Checks the row's built plugin; returns (result dict, failures)."""
    result = {"name": row.name, "group": row.group, "change": row.change,
              "verdicts": {}, "loads": {}, "forced": None}
    failures = []
    missing = (sanitizers_missing(row, hosts, plugin) if row.in_tree
               else differences_missing(row, plugin))
    for text in missing:
        failures.append("the plugin is not built as the row says: " + text)

    as_host = [hosts.as_host] if hosts.as_host else []
    for policy in POLICIES:
        outcome = run_host(hosts.main, "verify", policy, plugin, *as_host)
        verdict = value_of(outcome["stdout"], "verdict") or "crash"
        message = message_of(outcome["stdout"])
        fields = refused_fields(message)
        result["verdicts"][policy] = {"verdict": verdict, "fields": fields,
                                      "message": message}
        expected = expected_verdict(row, policy)
        if verdict != expected:
            failures.append("%s: expected %s, got %s %s" % (
                policy, expected, verdict, message.strip()))
            continue
        # Start-up code is judged once the fingerprint is accepted: a
        # policy that refuses fields names those.
        expects_message = not row.fields.get(policy)
        if (verdict == "refused" and expects_message and
                row.message not in message):
            failures.append("%s: the refusal does not say %r:\n%s" % (
                policy, row.message, message))
        for field in row.fields.get(policy, []) if verdict == "refused" else []:
            if field not in fields:
                failures.append("%s: the refusal does not name %s:\n%s" % (
                    policy, field, message))
        if verdict == "accepted":
            load = run_host(hosts.main, "load", policy, plugin)
            result["loads"][policy] = value_of(load["stdout"], "result")
            if load["status"] != HOST_CORRECT:
                kind, text = describe_forced(load, plugin)
                failures.append("%s: accepted, but the probe failed through "
                                "Loader::Open: %s %s" % (
                                    policy, text, message_of(load["stdout"])))

    if row.group == REFUSED:
        kind, text = describe_forced(run_host(hosts.force, "force", plugin),
                                     plugin)
        result["forced"] = {"kind": kind, "text": text}
        if kind == "none":
            failures.append("forced load: no failure observed, so this row "
                            "shows no evidence for its refusal")
    return result, failures


def command_row(args):
    row = ROWS_BY_NAME[args.name]
    os.makedirs(results_dir(args), exist_ok=True)
    result_path = os.path.join(results_dir(args), row.name + ".json")
    if os.path.exists(result_path):
        os.remove(result_path)
    if not os.path.exists(host_path(args)):
        fail("no host at %s: run `matrix_test.py host` (ctest: matrix.host)" %
             host_path(args))

    missing = missing_prerequisite(row)
    if missing:
        with open(result_path, "w") as out:
            json.dump({"name": row.name, "group": row.group,
                       "change": row.change, "skipped": missing}, out)
        print("skipped:", missing, flush=True)
        sys.exit(SKIPPED)

    started = time.monotonic()
    try:
        plugin = build_plugin(args, row)
        host = host_path(args)
        result, failures = check_row(args, row, plugin, Hosts(host, host))
    except subprocess.CalledProcessError as error:
        fail("command exited with %d: %s" % (error.returncode, error.cmd))
    record(args, row, result, failures, started)


def command_prebuilt(args):
    row = ROWS_BY_NAME[args.name]
    if not row.in_tree:
        fail("%s is built by this driver: use `row`" % row.name)
    os.makedirs(results_dir(args), exist_ok=True)
    started = time.monotonic()
    hosts = Hosts(args.host, args.force_host or args.host, args.as_host)
    try:
        result, failures = check_row(args, row, args.plugin, hosts)
    except subprocess.CalledProcessError as error:
        fail("command exited with %d: %s" % (error.returncode, error.cmd))
    record(args, row, result, failures, started)


def record(args, row, result, failures, started):
    """Writes the row's result for `table`, prints its line, exits on failure."""
    result_path = os.path.join(results_dir(args), row.name + ".json")
    result["failures"] = failures
    result["seconds"] = round(time.monotonic() - started, 1)
    with open(result_path, "w") as out:
        json.dump(result, out, indent=1)
    print(table_line(result), flush=True)
    if failures:
        fail("\n  ".join([row.name] + failures))
    print("PASSED:", row.name)


# ------------------------------------------------------- the table


def verdict_cell(result, policy):
    verdict = result["verdicts"][policy]
    if verdict["verdict"] != "refused":
        return verdict["verdict"]
    if not verdict["fields"]:
        # A refusal of the file's start-up code names no fingerprint field.
        cause = re.search(r"that is (\S+), ", verdict["message"])
        return "refused: start-up code (`%s`)" % (
            cause.group(1) if cause else "?")
    return "refused: " + ", ".join("`%s`" % f for f in verdict["fields"])


def evidence_cell(result):
    if result.get("forced"):
        return "forced load: " + result["forced"]["text"].replace("|", "\\|")
    works = [p for p in POLICIES if result["loads"].get(p) == "correct"]
    if works:
        return "probe correct through `Loader::Open` (%s)" % ", ".join(works)
    return "no probe run"


def table_line(result):
    name = "`%s`" % result["name"]
    if "skipped" in result:
        return "| %s | %s | %s | skipped | skipped | skipped: %s |" % (
            name, result["change"], result["group"], result["skipped"])
    status = " **FAILED**" if result.get("failures") else ""
    return "| %s | %s | %s | %s | %s | %s%s |" % (
        name, result["change"], result["group"],
        verdict_cell(result, "strict"), verdict_cell(result, "compatible"),
        evidence_cell(result), status)


def command_table(args):
    print("| row | plugin differs from the host by | expected | strict | "
          "compatible | evidence |")
    print("|---|---|---|---|---|---|")
    for row in ROWS:
        path = os.path.join(results_dir(args), row.name + ".json")
        if not os.path.exists(path):
            print("| `%s` | %s | %s | not run | not run | not run |" % (
                row.name, row.change, row.group))
            continue
        with open(path) as data:
            print(table_line(json.load(data)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("command",
                        choices=("list", "host", "batch", "row", "table",
                                 "prebuilt"))
    parser.add_argument("name", nargs="?", choices=sorted(ROWS_BY_NAME))
    parser.add_argument("--prefix", default="",
                        help="the installed SDK (consumer.install's prefix)")
    parser.add_argument("--work", default="")
    parser.add_argument("--source", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "project"))
    parser.add_argument("--generator", default="Ninja")
    parser.add_argument("--host", help="prebuilt: the host that verifies and "
                        "loads")
    parser.add_argument("--plugin", help="prebuilt: the row's plugin")
    parser.add_argument("--as-host", default="", help="prebuilt: verify "
                        "against this binary's note instead of the host's")
    parser.add_argument("--force-host", default="",
                        help="prebuilt: the host of the forced load")
    args = parser.parse_args()

    if args.command == "list":
        # "<name> batch" for a row whose plugin matrix.batch builds.
        print("\n".join(row.name + (" batch" if batched(row) else "")
                        for row in ROWS if not row.in_tree))
        return
    if not args.work:
        parser.error("--work is required")
    if args.command == "table":
        command_table(args)
        return
    if args.command == "prebuilt":
        if not (args.name and args.host and args.plugin):
            parser.error("prebuilt needs NAME, --host and --plugin")
        command_prebuilt(args)
        return
    if not args.prefix:
        parser.error("--prefix is required")
    os.makedirs(args.work, exist_ok=True)
    if args.command == "batch":
        try:
            build_batch(args)
        except subprocess.CalledProcessError as error:
            fail("command exited with %d: %s" % (error.returncode, error.cmd))
        print("PASSED: batch configured in", batch_dir(args))
        return
    if args.command == "host":
        try:
            build_host(args)
        except subprocess.CalledProcessError as error:
            fail("command exited with %d: %s" % (error.returncode, error.cmd))
        print("PASSED: host built at", host_path(args))
        return
    if not args.name:
        parser.error("row needs a NAME")
    command_row(args)


if __name__ == "__main__":
    main()
