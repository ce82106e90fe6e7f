#!/usr/bin/env python3
"""Drives the `preload` tool as users do and checks what it prints.

    cli_test.py golden|json|requirements|exit_status|color|deps|scan|new|
                host_without_note|usability
                FIXTURES.json

FIXTURES.json (written by CMake) names the tool, the fixture plugins and the
folders. Golden files live in tests/cli/golden/; run with
PRELOAD_UPDATE_GOLDENS=1 to rewrite them after an intended change of output
(e.g. a new fingerprint field), then review the diff.
"""

import gzip
import json
import os
import pty
import re
import shutil
import subprocess
import sys
import tempfile

FX = {}
# Fields whose values depend on the machine or the build type, not on the
# tool: golden files hold <varies> instead.
VARYING = ("compiler.version", "stdlib.release", "build.config", "flags.")
OUTCOMES = ("equal", "allowed", "refused", "info")


def fail(message):
    print("FAILED:", message, flush=True)
    sys.exit(1)


def preload(*args, env=None, tool=None):
    command = [tool or FX["preload"]] + list(args)
    full_env = dict(os.environ, **(env or {}))
    full_env.pop("LD_LIBRARY_PATH", None) if env is None else None
    result = subprocess.run(command, capture_output=True, text=True,
                            env=full_env)
    print("+ preload", " ".join(args), "->", result.returncode, flush=True)
    return result


def expect_status(result, status, what):
    if result.returncode != status:
        fail("%s: exit status %d, expected %d\nstdout:\n%s\nstderr:\n%s" % (
            what, result.returncode, status, result.stdout, result.stderr))


def normalise(text):
    text = text.replace(FX["build"], "<build>").replace(FX["source"], "<source>")
    out = []
    for line in text.splitlines():
        match = re.match(r"^(\s*)(\S+)(\s+)(\S+)?", line)
        if match and match.group(2).startswith(VARYING):
            outcome = match.group(4) if match.group(4) in OUTCOMES else None
            line = "%s%s %s<varies>" % (match.group(1), match.group(2),
                                        outcome + " " if outcome else "")
        line = re.sub(r"(GNU build-id) [0-9a-f]+", r"\1 <hex>", line)
        out.append(line.rstrip())
    return "\n".join(out) + "\n"


def compare_golden(name, result):
    path = os.path.join(FX["goldens"], name)
    actual = normalise(result.stdout)
    if os.environ.get("PRELOAD_UPDATE_GOLDENS"):
        with open(path, "w") as out:
            out.write(actual)
        return
    with open(path) as golden:
        expected = golden.read()
    if actual != expected:
        import difflib
        fail("%s differs from the golden file:\n%s" % (name, "".join(
            difflib.unified_diff(expected.splitlines(True),
                                 actual.splitlines(True), "golden", "actual"))))


def corrupt_copy():
    """fx_good with its payload's format version changed to 9: ELF intact,
    fingerprint note unreadable."""
    os.makedirs(FX["work"], exist_ok=True)
    path = os.path.join(FX["work"], "fx_corrupt.so")
    with open(FX["good"], "rb") as good:
        data = good.read()
    assert b"preload-fingerprint/1\n" in data
    with open(path, "wb") as out:
        out.write(data.replace(b"preload-fingerprint/1\n",
                               b"preload-fingerprint/9\n"))
    return path


def check_golden():
    host = FX["host"]
    for name, args, status in (
            ("check_accepted.txt", ["check", FX["good"], "--against", host], 0),
            ("check_refused.txt", ["check", FX["legacy"], "--against", host], 1),
            ("check_accepted_all.txt", ["check", FX["good"], "--against", host, "--all"], 0),
            ("check_refused_all.txt", ["check", FX["legacy"], "--against", host, "--all"], 1),
            ("check_not_plugin.txt", ["check", FX["plain"]], 1),
            ("check_corrupt.txt", ["check", corrupt_copy()], 1),
            ("inspect_good.txt", ["inspect", FX["good"]], 0),
            ("inspect_metadata.txt", ["inspect", FX["metadata"]], 0),
            ("deps_origin.txt", ["deps", "--direct", FX["origin"]], 0),
            ("deps_missing.txt", ["deps", "--direct", FX["missing"]], 1)):
        result = preload(*args)
        expect_status(result, status, name)
        compare_golden(name, result)


def load_json(result):
    try:
        return json.loads(result.stdout)
    except ValueError as error:
        fail("not JSON (%s):\n%s" % (error, result.stdout))


def payload_of(path):
    """The fingerprint as objcopy extracts it: an independent reader."""
    out = os.path.join(FX["work"], os.path.basename(path) + ".note")
    os.makedirs(FX["work"], exist_ok=True)
    subprocess.run(["objcopy", "-O", "binary", "--only-section=.note.preload",
                    path, out], check=True)
    with open(out, "rb") as note:
        raw = note.read()
    text = raw[raw.index(b"preload-fingerprint/1"):].rstrip(b"\0").decode()
    return [tuple(line.split("=", 1)) for line in text.splitlines()[1:]]


def check_json():
    host = FX["host"]
    # inspect: every field of the note, in order, and the build-id.
    doc = load_json(preload("inspect", "--json", FX["good"]))
    entry = doc["files"][0]
    if doc["command"] != "inspect" or doc["exit_status"] != 0:
        fail("inspect header: %r" % doc)
    fields = [(f["key"], f["value"]) for f in entry["fields"]]
    if fields != payload_of(FX["good"]):
        fail("inspect fields differ from the note objcopy extracts")
    if (entry["result"], entry["kind"], entry["name"], entry["version"]) != (
            "ok", "plugin", "fx_good", "1.2.0"):
        fail("inspect identity: %r" % entry)
    if entry["host_abis"] != {"testhost": "2.1"}:
        fail("host_abis: %r" % entry["host_abis"])
    readelf = subprocess.run(["readelf", "-n", FX["good"]], capture_output=True,
                             text=True).stdout
    if "Build ID: %s" % entry["build_id"] not in readelf:
        fail("build_id %r is not readelf's" % entry["build_id"])
    groups = {f["key"]: f["group"] for f in entry["fields"]}
    for key, group in (("name", "identity"), ("compiler.id", "toolchain"),
                       ("layout.std_string", "abi"), ("abi.testhost", "host_abis"),
                       ("flags.cxx", "build"), ("sdk.abi", "sdk")):
        if groups.get(key) != group:
            fail("group of %s is %r, expected %s" % (key, groups.get(key), group))

    # NAME is the plugin's identity and its file name; the metadata is a
    # group of its own.
    entry = load_json(preload("inspect", "--json", FX["metadata"]))["files"][0]
    if os.path.basename(FX["metadata"]) != "fx_cli_metadata.so":
        fail("NAME did not name the file: %s" % FX["metadata"])
    if (entry["name"], entry["version"]) != ("fx_cli_metadata", "2.0.1"):
        fail("NAME/VERSION: %r" % entry)
    metadata = {f["key"]: f["value"] for f in entry["fields"]
                if f["group"] == "metadata"}
    if metadata != {"description": "Doubles integers; a fixture of the CLI tests",
                    "license": "MIT OR Apache-2.0",
                    "author": "PreloadSDK authors <dev@example.org>",
                    "url": "https://example.org/fx?a=1&b=2"}:
        fail("metadata: %r" % metadata)
    if any(f["group"] == "metadata" for f in
           load_json(preload("inspect", "--json", FX["good"]))["files"][0]["fields"]):
        fail("a plugin without metadata shows some")

    # check, refused: the verdict field by field.
    result = preload("check", "--json", FX["legacy"], "--against", host)
    expect_status(result, 1, "check --json refused")
    doc = load_json(result)
    if (doc["command"], doc["policy"], doc["exit_status"]) != ("check", "strict", 1):
        fail("check header: %r" % {k: doc[k] for k in ("command", "policy")})
    if doc["host"] != {"path": host, "source": "file", "kind": "host",
                       "name": "cli_test_host", "version": "",
                       "trusted_keys": []}:
        fail("host: %r" % doc["host"])
    r = doc["results"][0]
    if r["result"] != "refused" or r["plugin"]["name"] != "fx_legacy_abi":
        fail("result: %r" % r["result"])
    verdict = r["verdict"]
    comparisons = {c["field"]: c for c in verdict["comparisons"]}
    refused = [c["field"] for c in verdict["comparisons"] if c["outcome"] == "refused"]
    if refused != ["glibcxx.cxx11_abi", "layout.std_string"]:
        fail("refused fields: %r" % refused)
    if verdict["accepted"] or verdict["refused_count"] != 2:
        fail("accepted/refused_count: %r" % verdict)
    abi = comparisons["glibcxx.cxx11_abi"]
    if (abi["plugin"], abi["host"]) != ({"present": True, "value": "0"},
                                        {"present": True, "value": "1"}):
        fail("glibcxx.cxx11_abi sides: %r" % abi)
    if "_GLIBCXX_USE_CXX11_ABI=0" not in abi["hint"]:
        fail("hint: %r" % abi["hint"])
    if comparisons["abi.testhost"]["plugin"] != {"present": False, "value": None}:
        fail("a field the plugin lacks: %r" % comparisons["abi.testhost"])
    if not r["reason"].startswith("glibcxx.cxx11_abi: plugin has 0, host has 1"):
        fail("reason: %r" % r["reason"])
    plugin_keys = [k for k, _ in payload_of(FX["legacy"])]
    if [c["field"] for c in verdict["comparisons"]][:len(plugin_keys)] != plugin_keys:
        fail("comparisons do not follow the plugin's fields")
    if any(c["outcome"] not in OUTCOMES for c in verdict["comparisons"]):
        fail("unknown outcome")
    if r["dependencies"]["missing"] != []:
        fail("fx_legacy_abi's libraries: %r" % r["dependencies"]["missing"])

    # check, accepted, and the not-a-plugin one in the same run.
    result = preload("check", "--json", FX["good"], FX["plain"], "--against", host)
    doc = load_json(result)
    good, plain = doc["results"]
    if good["result"] != "compatible" or not good["verdict"]["accepted"]:
        fail("fx_good: %r" % good["result"])
    if good["reason"] is not None or good["dependencies"]["all_found"] is not True:
        fail("fx_good reason/deps: %r" % good)
    if plain["result"] != "not_plugin" or plain["verdict"] is not None:
        fail("fx_plain_module: %r" % plain)
    if "carries no PreloadSDK fingerprint note" not in plain["reason"]:
        fail("fx_plain_module reason: %r" % plain["reason"])
    expect_status(result, 1, "check good + plain")

    # the tool's own fingerprint, the default host.
    doc = load_json(preload("fingerprint", "--json"))
    if (doc["kind"], doc["name"]) != ("host", "preload"):
        fail("fingerprint: %r" % doc)
    doc = load_json(preload("check", "--json", FX["no_init"]))
    if doc["host"]["source"] != "tool" or doc["host"]["path"] is not None:
        fail("default host: %r" % doc["host"])
    if doc["results"][0]["result"] != "compatible":
        fail("fx_no_init against the tool: %r" % doc["results"][0]["reason"])


def check_exit_status():
    good, plain, host = FX["good"], FX["plain"], FX["host"]
    cases = [
        ([], 2), (["--help"], 0), (["frobnicate"], 2), (["--version"], 0),
        (["check"], 2), (["check", good, "--colour"], 2),
        (["check", good, "--policy", "lenient"], 2),
        (["check", good, "--against", "/nonexistent/host"], 2),
        (["check", good, "--against", plain], 2),
        (["check", good, "--against", good], 2),
        (["check", "/nonexistent/plugin.so"], 2),
        (["check", good, "--against", host], 0),
        (["check", good, "--against=" + host, "--policy=compatible"], 0),
        (["check", good], 1),  # the tool provides no testhost ABI
        (["check", FX["legacy"], "--against", host], 1),
        (["check", plain], 1), (["check", host], 1),
        (["check", FX["missing"], "--against", host], 1),
        (["check", FX["origin"], "--against", host], 0),
        (["inspect", good, host], 0), (["inspect", plain], 1),
        (["inspect", good, "/nonexistent"], 2), (["inspect", "--against", host, good], 2),
        (["deps", FX["origin"]], 0), (["deps", FX["missing"]], 1),
        (["deps", "/nonexistent"], 2), (["deps", FX["source"] + "/README.md"], 1),
        (["fingerprint"], 0), (["fingerprint", good], 2),
        (["new"], 2), (["new", "widget", "x"], 2),
        (["new", "plugin", "bad name!", "--dir", FX["work"] + "/bad"], 2),
        (["scan", "/nonexistent-dir"], 2),
    ]
    for args, status in cases:
        expect_status(preload(*args), status, " ".join(args) or "(no arguments)")
    for command in ("inspect", "check", "scan", "deps", "fingerprint", "new"):
        result = preload(command, "--help")
        expect_status(result, 0, command + " --help")
        if not result.stdout.startswith("usage: preload " + command):
            fail("%s --help: %r" % (command, result.stdout[:80]))
    result = preload("check", good, "--bogus")
    if "unknown option --bogus" not in result.stderr:
        fail("unknown option message: %r" % result.stderr)


def check_host_without_note():
    """A host built without target_preload_host: `check --against` it and the
    loader inside it name the mistake and its fix in the same words."""
    result = preload("check", FX["good"], "--against", FX["host_without_note"])
    expect_status(result, 2, "check --against a host without a note")
    match = re.search(r"the host has no fingerprint of its own.*", result.stderr)
    if not match or "target_preload_host(<target> ...)" not in match.group(0):
        fail("check does not name the fix: %r" % result.stderr)
    hint = match.group(0)
    loaded = subprocess.run([FX["host_without_note"], FX["good"]],
                            capture_output=True, text=True)
    if loaded.returncode != 1 or "abi.testhost" not in loaded.stderr:
        fail("the host without a note loaded fx_good: %r" % loaded.stderr)
    if hint not in loaded.stderr:
        fail("the loader's refusal words it otherwise:\n%s\nnot in:\n%s" % (
            hint, loaded.stderr))


def check_usability():
    """help CMD, usage errors as JSON, untrusted files and --allow-insecure,
    `new`'s errors in its own name."""
    result = preload("help", "check")
    expect_status(result, 0, "help check")
    if result.stdout != preload("check", "--help").stdout:
        fail("'help check' is not 'check --help':\n" + result.stdout)
    expect_status(preload("help", "bogus"), 2, "help of an unknown command")
    for args, command in ((["check", FX["good"], "--policy", "lenient", "--json"], "check"),
                          (["check", "--json", FX["good"], "--bogus"], "check"),
                          (["frobnicate", "--json"], None)):
        result = preload(*args)
        expect_status(result, 2, " ".join(args))
        doc = load_json(result)
        if doc.get("command") != command or doc.get("exit_status") != 2 or not doc.get("error"):
            fail("usage error as JSON: %r" % doc)
    # A plugin others may write: untrusted, apart from refused.
    tree = os.path.join(FX["work"], "untrusted")
    shutil.rmtree(tree, ignore_errors=True)
    os.makedirs(tree)
    os.chmod(tree, 0o755)
    plugin = os.path.join(tree, "fx_good.so")
    shutil.copy(FX["good"], plugin)
    os.chmod(plugin, 0o664)
    result = preload("check", "--json", plugin, "--against", FX["host"])
    expect_status(result, 1, "check of a group-writable plugin")
    r = load_json(result)["results"][0]
    if r["result"] != "untrusted" or "chmod go-w" not in r["reason"]:
        fail("a group-writable plugin: %r" % r)
    result = preload("check", plugin, "--against", FX["host"], "--allow-insecure")
    expect_status(result, 0, "check --allow-insecure")
    result = preload("scan", tree, "--against", FX["host"])
    expect_status(result, 1, "scan of a group-writable plugin")
    if not result.stdout.startswith("untrusted"):
        fail("scan: %r" % result.stdout)
    expect_status(preload("scan", tree, "--against", FX["host"], "--allow-insecure"),
                  0, "scan --allow-insecure")
    result = preload("new", "plugin", "bad name!", "--dir", os.path.join(FX["work"], "bad"))
    expect_status(result, 2, "new with a bad name")
    if not result.stderr.startswith("preload new: "):
        fail("new's error is not in its own name: %r" % result.stderr)


def check_man_pages():
    """Each command's man page carries its --help's synopsis and options, in
    the build tree and installed."""
    def unroff(text):
        return text.replace("\\-", "-").replace("\\e", "\\").replace("\\&", "")
    for command in ("inspect", "check", "scan", "deps", "fingerprint", "new"):
        help_text = preload("help", command).stdout
        usage = help_text.splitlines()[0][len("usage: "):]
        options = re.findall(r"^  (--[a-z-]+)", help_text, re.M)
        # Installed compressed, as Debian's policy asks.
        installed = os.path.join(FX["prefix"], "share", "man", "man1")
        for path in (os.path.join(FX["man"], "preload-%s.1" % command),
                     os.path.join(installed, "preload-%s.1.gz" % command)):
            if not os.path.isfile(path):
                fail("no man page %s" % path)
            with (gzip.open(path, "rt") if path.endswith(".gz") else open(path)) as page:
                text = unroff(page.read())
            if usage not in text or any(o not in text for o in options):
                fail("%s does not say what 'preload help %s' says" % (path, command))
    if not os.path.isfile(os.path.join(FX["man"], "preload.1")):
        fail("no preload.1")


def run_on_terminal(args, env):
    """stdout on a pseudo-terminal, as a user sees it."""
    master, slave = pty.openpty()
    process = subprocess.Popen([FX["preload"]] + args, stdout=slave,
                               stderr=subprocess.DEVNULL, env=env)
    os.close(slave)
    output = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    process.wait()
    os.close(master)
    return output.decode()


def check_color():
    args = ["check", FX["legacy"], "--against", FX["host"]]
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env["TERM"] = "xterm"
    if "\033[31m" not in run_on_terminal(args, env):
        fail("no colour on a terminal")
    if "\033[" in run_on_terminal(args, dict(env, NO_COLOR="1")):
        fail("colour despite NO_COLOR")
    if "\033[" in preload(*args).stdout:
        fail("colour when stdout is not a terminal")


def check_deps():
    doc = load_json(preload("deps", "--json", FX["origin"]))
    lib = doc["files"][0]["libraries"][0]
    expected_path = os.path.realpath(FX["origin_dep"])
    if (lib["name"], lib["found"], lib["via"], lib["search_entry"]) != (
            "libcli_dep.so", True, "runpath", "$ORIGIN"):
        fail("libcli_dep.so: %r" % lib)
    if os.path.realpath(lib["path"]) != expected_path:
        fail("libcli_dep.so found at %s, expected %s" % (lib["path"], expected_path))
    if doc["files"][0]["runpath"] != "$ORIGIN" or doc["exit_status"] != 0:
        fail("origin file: %r" % doc["files"][0])
    # Through a symlinked copy elsewhere, $ORIGIN is the symlink's directory.
    link_dir = os.path.join(FX["work"], "elsewhere")
    shutil.rmtree(link_dir, ignore_errors=True)
    os.makedirs(link_dir)
    os.symlink(FX["origin"], os.path.join(link_dir, "fx_cli_origin.so"))
    result = preload("deps", os.path.join(link_dir, "fx_cli_origin.so"))
    expect_status(result, 1, "deps of a symlink away from its library")

    result = preload("deps", "--json", FX["missing"])
    expect_status(result, 1, "deps missing")
    entry = load_json(result)["files"][0]
    if entry["missing"] != ["libcli_gone.so"] or entry["result"] != "missing":
        fail("missing: %r" % entry["missing"])
    gone = [l for l in entry["libraries"] if l["name"] == "libcli_gone.so"][0]
    if gone["found"] or gone["path"] is not None or not gone["searched"]:
        fail("libcli_gone.so: %r" % gone)
    # LD_LIBRARY_PATH finds it, as it would for the dynamic loader.
    gone_dir = os.path.join(os.path.dirname(os.path.dirname(FX["missing"])), "gone")
    result = preload("deps", "--json", FX["missing"],
                     env={"LD_LIBRARY_PATH": gone_dir})
    expect_status(result, 0, "deps with LD_LIBRARY_PATH")
    lib = load_json(result)["files"][0]["libraries"][0]
    if lib["via"] != "ld_library_path":
        fail("via: %r" % lib)
    # check includes deps: a plugin the policy accepts is still reported.
    result = preload("check", FX["missing"], "--against", FX["host"])
    expect_status(result, 1, "check of a plugin with a missing library")
    if "missing_libraries" not in result.stdout or "libcli_gone.so => not found" not in result.stdout:
        fail("check output lacks the missing library:\n" + result.stdout)


def check_scan():
    tree = os.path.join(FX["work"], "scan")
    shutil.rmtree(tree, ignore_errors=True)
    os.makedirs(os.path.join(tree, "sub"))
    for name, source in (("a_good.so", FX["good"]), ("b_legacy.so", FX["legacy"]),
                         ("sub/c_plain.so", FX["plain"]),
                         ("sub/d_missing.so", FX["missing"])):
        shutil.copy(source, os.path.join(tree, name))
    with open(os.path.join(tree, "notes.txt"), "w") as text:
        text.write("not a .so, not scanned\n")
    os.symlink("..", os.path.join(tree, "sub", "loop"))  # a symlink loop
    result = preload("scan", tree, "--against", FX["host"])
    expect_status(result, 1, "scan")
    compare_golden("scan.txt", result)
    # Named by its path, and by the directory it leads back to.
    loop = "not following %s/sub/loop: it leads back to %s (a symlink loop)" % (tree, tree)
    if loop not in result.stderr:
        fail("the loop was not reported as %r: %r" % (loop, result.stderr))
    doc = load_json(preload("scan", "--json", tree, "--against", FX["host"]))
    results = {os.path.basename(r["path"]): r["result"] for r in doc["results"]}
    if results != {"a_good.so": "compatible", "b_legacy.so": "refused",
                   "c_plain.so": "not_plugin", "d_missing.so": "missing_libraries"}:
        fail("scan results: %r" % results)
    if doc["files"] != 4 or doc["summary"]["refused"] != 1 or doc["exit_status"] != 1:
        fail("scan summary: %r" % doc)
    os.remove(os.path.join(tree, "b_legacy.so"))
    os.remove(os.path.join(tree, "sub", "c_plain.so"))
    os.remove(os.path.join(tree, "sub", "d_missing.so"))
    expect_status(preload("scan", tree, "--against", FX["host"]), 0, "clean scan")


def check_requirements():
    """deps shows the plugin graph, text and JSON; scan reports requirements
    missing or unsatisfied in the scanned directory."""
    plugins = FX["requirement_plugins"]
    so = lambda name: os.path.join(plugins, name + ".so")  # noqa: E731
    env = {"PRELOAD_PLUGIN_PATH": ""}
    result = preload("deps", "--direct", so("rq_top"), so("rq_outer"),
                     so("rq_cyc_x"), so("rq_wants_new"), env=env)
    expect_status(result, 1, "deps of plugins with requirements")
    compare_golden("deps_requirements.txt", result)

    doc = load_json(preload("deps", "--json", "--direct", so("rq_top"),
                            so("rq_cyc_x"), env=env))
    top, cyc = doc["files"]
    if top["result"] != "found" or cyc["result"] != "missing_requirements":
        fail("deps results: %r, %r" % (top["result"], cyc["result"]))
    left, right = top["plugins"]["requires"]
    if (left["name"], left["result"], left["version"]) != ("rq_left", "found", "1.0.0"):
        fail("rq_left: %r" % left)
    base = left["requires"][0]
    if (base["requirement"], base["result"], base["path"]) != (
            "rq_base^2.0", "found", so("rq_base")):
        fail("rq_base under rq_left: %r" % base)
    if right["requires"][0]["result"] != "seen":
        fail("rq_base under rq_right is shown once: %r" % right)
    chain = cyc["plugins"]["requires"][0]["requires"][0]["requires"][0]
    if chain["result"] != "cycle" or "rq_cyc_x → rq_cyc_y → rq_cyc_z → rq_cyc_x" not in chain["detail"]:
        fail("cycle: %r" % chain)

    tree = os.path.join(FX["work"], "scan_requirements")
    shutil.rmtree(tree, ignore_errors=True)
    os.makedirs(tree)
    for name in ("rq_a", "rq_b", "rq_c", "rq_wants_new", "rq_wants_missing",
                 "rq_outer"):
        shutil.copy(so(name), tree)
    result = preload("scan", tree, "--against", FX["host"])
    expect_status(result, 1, "scan with requirements")
    compare_golden("scan_requirements.txt", result)
    doc = load_json(preload("scan", "--json", tree, "--against", FX["host"]))
    results = {os.path.basename(r["path"]): r["result"] for r in doc["results"]}
    if results != {"rq_a.so": "compatible", "rq_b.so": "compatible",
                   "rq_c.so": "compatible",
                   "rq_wants_new.so": "unsatisfied_requirements",
                   "rq_wants_missing.so": "missing_requirements",
                   "rq_outer.so": "compatible"}:
        fail("scan results: %r" % results)
    os.remove(os.path.join(tree, "rq_c.so"))
    doc = load_json(preload("scan", "--json", tree, "--against", FX["host"]))
    results = {os.path.basename(r["path"]): r for r in doc["results"]}
    if (results["rq_a.so"]["result"] != "missing_requirements"
            or "no rq_c.so in" not in results["rq_a.so"]["reason"]):
        fail("rq_a without rq_c: %r" % results["rq_a.so"])


def check_unsafe():
    """Libraries and search entries in places others could write are flagged
    by deps, check and scan (docs/security.md)."""
    # A DT_RUNPATH entry under /tmp that does not exist: anyone may create it.
    result = preload("deps", "--json", FX["tmp_runpath"])
    expect_status(result, 1, "deps of a plugin with a /tmp RUNPATH")
    entry = load_json(result)["files"][0]
    unsafe = entry["unsafe_search_entries"]
    if (entry["result"] != "unsafe" or len(unsafe) != 1 or
            unsafe[0]["entry"] != "/tmp/preload-cli-runpath-never-created" or
            "lets anyone create it" not in unsafe[0]["reason"]):
        fail("the /tmp RUNPATH entry was not flagged: %r" % entry)
    result = preload("check", FX["tmp_runpath"], "--against", FX["host"])
    expect_status(result, 1, "check of a plugin with a /tmp RUNPATH")
    if ("unsafe_libraries" not in result.stdout or
            "DT_RUNPATH entry /tmp/preload-cli-runpath-never-created" not in result.stdout):
        fail("check did not flag the RUNPATH entry:\n" + result.stdout)

    # The plugin's library writable by others, in a private copy of origin/.
    tree = tempfile.mkdtemp(prefix="preload-cli-unsafe.")
    try:
        os.chmod(tree, 0o755)
        plugin = os.path.join(tree, os.path.basename(FX["origin"]))
        library = os.path.join(tree, os.path.basename(FX["origin_dep"]))
        shutil.copy(FX["origin"], plugin)
        shutil.copy(FX["origin_dep"], library)
        os.chmod(plugin, 0o755)
        os.chmod(library, 0o755)
        expect_status(preload("deps", plugin), 0, "deps of a safe copy")
        os.chmod(library, 0o666)
        result = preload("deps", "--json", plugin)
        expect_status(result, 1, "deps of a library writable by others")
        libraries = load_json(result)["files"][0]["libraries"]
        lib = next(l for l in libraries
                   if l["name"] == os.path.basename(FX["origin_dep"]))
        if "the file is writable by others" not in (lib["writable_by_others"] or ""):
            fail("the library was not flagged: %r" % lib)
        result = preload("check", plugin, "--against", FX["host"])
        expect_status(result, 1, "check of a library writable by others")
        if ("unsafe_libraries" not in result.stdout or
                "1 in a place others could write" not in result.stdout):
            fail("check did not flag the library:\n" + result.stdout)
        doc = load_json(preload("scan", "--json", tree, "--against", FX["host"]))
        results = {os.path.basename(r["path"]): r["result"] for r in doc["results"]}
        if results.get(os.path.basename(plugin)) != "unsafe_libraries":
            fail("scan did not flag the library: %r" % doc["results"])
    finally:
        shutil.rmtree(tree, ignore_errors=True)


def check_control_bytes():
    """Note values with control bytes are escaped in text output and exact in
    JSON (docs/security.md)."""
    os.makedirs(FX["work"], exist_ok=True)
    patched = os.path.join(FX["work"], "escape.so")
    with open(FX["good"], "rb") as source:
        data = source.read()
    changed = data.replace(b"\nglibcxx.cxx11_abi=1\n", b"\nglibcxx.cxx11_abi=\x1b\n")
    if changed == data:
        fail("the fixture's payload has no glibcxx.cxx11_abi=1")
    with open(patched, "wb") as out:
        out.write(changed)
    os.chmod(patched, 0o755)
    for args in (["inspect", patched], ["check", patched, "--against", FX["host"]],
                 ["scan", FX["work"], "--against", FX["host"]]):
        result = preload(*args)
        if "\x1b" in result.stdout + result.stderr:
            fail("%s printed a raw ESC:\n%r" % (args[0], result.stdout))
        if args[0] != "scan" and "\\x1b" not in result.stdout:
            fail("%s does not show the escaped value:\n%s" % (args[0], result.stdout))
    doc = load_json(preload("inspect", "--json", patched))
    values = {f["key"]: f["value"] for f in doc["files"][0]["fields"]}
    if values.get("glibcxx.cxx11_abi") != "\x1b":
        fail("JSON does not keep the value exact: %r" % values.get("glibcxx.cxx11_abi"))


def readelf_export_records(path):
    """(kind, name, type) of each export record, as readelf -n shows the
    notes: an independent reader."""
    out = subprocess.run(["readelf", "-nW", path], capture_output=True,
                         text=True, check=True).stdout
    records = []
    for line in out.splitlines():
        if "0x45505250" not in line or "description data:" not in line:
            continue
        desc = bytes.fromhex(line.split("description data:")[1].replace(" ", ""))
        name, type_, _ = desc[2:].split(b"\0")
        if desc[1:2] != b"T":
            records.append((desc[1:2].decode(), name.decode(), type_.decode()))
    return records


def check_exports():
    """inspect lists a plugin's exports from its file: name, kind and type,
    text and JSON, stripped or not; says so for a plugin without records; and
    refuses corrupt records with one clear error."""
    kinds = {"F": "function", "V": "variable", "I": "init"}
    expected = sorted(readelf_export_records(FX["typed_exports"]),
                      key=lambda r: (r[0] == "I", r[1]))
    if len(expected) != 10:
        fail("readelf finds %d export records, expected 10" % len(expected))
    os.makedirs(FX["work"], exist_ok=True)
    stripped = os.path.join(FX["work"], "typed_exports_stripped.so")
    subprocess.run(["strip", "--strip-all", "-o", stripped,
                    FX["typed_exports"]], check=True)
    for path in (FX["typed_exports"], stripped):
        result = preload("inspect", "--json", path)
        expect_status(result, 0, "inspect --json " + path)
        entry = load_json(result)["files"][0]
        listed = [(e["kind"], e["name"], e["type"]) for e in entry["exports"]]
        want = [(kinds[k], n, t if k != "I" else None) for k, n, t in expected]
        if listed != want:
            fail("inspect --json exports of %s:\n%r\nreadelf:\n%r" %
                 (path, listed, want))
        text = preload("inspect", path).stdout
        for kind, name, type_ in expected:
            if not re.search(r"^    %s +%s *%s$" % (re.escape(name), kinds[kind],
                                                   re.escape(type_)),
                             text, re.M):
                fail("inspect text lacks %s %s %s:\n%s" % (name, kind, type_, text))

    # Built without records: listed as unknown, with the reason; not an error.
    result = preload("inspect", "--json", FX["typed_exports_v1"])
    expect_status(result, 0, "inspect of a plugin without records")
    entry = load_json(result)["files"][0]
    if entry["exports"] is not None or "not recorded" not in entry.get(
            "exports_message", ""):
        fail("a plugin without records: %r" % entry.get("exports"))
    if "Exports not recorded in the file" not in preload(
            "inspect", FX["typed_exports_v1"]).stdout:
        fail("inspect text does not say the exports are not recorded")

    # A record whose name runs into its type: the error and nothing else.
    with open(FX["typed_exports"], "rb") as source:
        data = source.read()
    corrupt = data.replace(b"\x01FJoin\x00", b"\x01FJoinX", 1)
    if corrupt == data:
        fail("the fixture has no record of Join")
    bad = os.path.join(FX["work"], "bad_record.so")
    with open(bad, "wb") as out:
        out.write(corrupt)
    result = preload("inspect", bad)
    expect_status(result, 1, "inspect of a corrupt record")
    if (result.stdout.strip().count("\n") != 0 or
            "malformed export record" not in result.stdout):
        fail("inspect of a corrupt record:\n%s" % result.stdout)
    entry = load_json(preload("inspect", "--json", bad))["files"][0]
    if entry["result"] != "corrupt" or "malformed export record" not in entry["message"]:
        fail("inspect --json of a corrupt record: %r" % entry)


def check_new():
    prefix = FX["prefix"]
    installed = os.path.join(prefix, "bin", "preload")
    work = os.path.join(FX["work"], "new")
    shutil.rmtree(work, ignore_errors=True)
    project = os.path.join(work, "cli_new_demo")
    result = preload("new", "plugin", "cli_new_demo", "--dir", project,
                     "--abi", "testhost=2.1", "--json", tool=installed)
    expect_status(result, 0, "installed preload new")
    files = load_json(result)["files"]
    if sorted(os.path.basename(f) for f in files) != [
            ".gitignore", "CMakeLists.txt", "README.md", "cli_new_demo.cc"]:
        fail("files: %r" % files)
    with open(os.path.join(project, "README.md")) as readme:
        if "-DCMAKE_PREFIX_PATH=%s\n" % prefix not in readme.read():
            fail("the README does not name the installed prefix")
    expect_status(preload("new", "plugin", "cli_new_demo", "--dir", project,
                          tool=installed), 2, "new over an existing project")
    # The build tree's tool renders the same project from the source tree.
    twin = os.path.join(work, "twin")
    expect_status(preload("new", "plugin", "cli_new_demo", "--dir", twin,
                          "--abi", "testhost=2.1"), 0, "build-tree preload new")
    for name in ("CMakeLists.txt", "cli_new_demo.cc"):
        with open(os.path.join(project, name)) as a, open(os.path.join(twin, name)) as b:
            if a.read() != b.read():
                fail("%s differs between the installed and build-tree tools" % name)
    build = os.path.join(project, "build")
    for command in (
            ["cmake", "-S", project, "-B", build, "-G", FX["generator"],
             "-DCMAKE_BUILD_TYPE=Release", "-DCMAKE_PREFIX_PATH=" + prefix,
             "-DCMAKE_CXX_COMPILER=" + FX["cxx"]],
            ["cmake", "--build", build, "-j2"]):
        print("+", " ".join(command), flush=True)
        subprocess.run(command, check=True)
    plugin = os.path.join(build, "cli_new_demo.so")
    loaded = subprocess.run([FX["host"], plugin], capture_output=True, text=True)
    if loaded.returncode != 0 or loaded.stdout != "cli_new_demo is ready\n":
        fail("loading the generated plugin: %r %r" % (loaded.stdout, loaded.stderr))
    expect_status(preload("check", plugin, "--against", FX["host"], tool=installed),
                  0, "installed preload check of the generated plugin")


CHECKS = {"golden": check_golden, "json": check_json,
          "requirements": check_requirements,
          "exit_status": check_exit_status, "color": check_color,
          "deps": check_deps, "scan": check_scan, "new": check_new,
          "host_without_note": check_host_without_note,
          "usability": check_usability, "man_pages": check_man_pages,
          "unsafe": check_unsafe, "control_bytes": check_control_bytes,
          "exports": check_exports}


def main():
    check, fixtures = sys.argv[1], sys.argv[2]
    with open(fixtures) as f:
        FX.update(json.load(f))
    FX["work"] = os.path.join(FX["work"], check)
    CHECKS[check]()
    print("PASSED:", check)


if __name__ == "__main__":
    main()
