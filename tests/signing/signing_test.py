#!/usr/bin/env python3
"""The signing commands and autoload, as users run them.

    signing_test.py cli|autoload|minisign|secret_key_not_in_build FIXTURES.json

cli: keygen (modes, never overwrites), sign, digest (= sha256sum), check
     --trusted-key exit statuses 0/1/2 and --json, inspect's key id.
autoload: a host whose note trusts a key loads a signed PRELOAD_PLUGINS entry
     and refuses an unsigned one, PRELOAD_ALLOW_INSECURE notwithstanding.
minisign: minisign verifies what preload signs, and preload what minisign
     signs (keys from either tool). Skipped (77) without minisign.
secret_key_not_in_build: the key SIGN_WITH used appears nowhere in the build
     tree, only its path.
"""

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile

FX = {}


def fail(message):
    print("FAILED:", message, flush=True)
    sys.exit(1)


def run(command, expect=None, env=None, cwd=None):
    result = subprocess.run(command, capture_output=True, text=True,
                            env=dict(os.environ, **(env or {})), cwd=cwd)
    print("+", " ".join(command), "->", result.returncode, flush=True)
    if expect is not None and result.returncode != expect:
        fail("%s: exit status %d, expected %d\nstdout:\n%s\nstderr:\n%s" % (
            " ".join(command), result.returncode, expect, result.stdout,
            result.stderr))
    return result


def preload(*args, expect=None):
    return run([FX["preload"]] + list(args), expect=expect)


def check(condition, message, result=None):
    if not condition:
        extra = "" if result is None else "\nstdout:\n%s\nstderr:\n%s" % (
            result.stdout, result.stderr)
        fail(message + extra)


def copy(plugin, directory, name, signature=True):
    path = os.path.join(directory, name)
    shutil.copyfile(plugin, path)
    if signature:
        shutil.copyfile(plugin + ".minisig", path + ".minisig")
    return path


def key_id(pub):
    return open(pub).read().split("\n")[0].split()[-1]


def check_cli():
    with tempfile.TemporaryDirectory() as work:
        team = os.path.join(work, "team")
        made = json.loads(preload("keygen", "--out", team, "--json", expect=0).stdout)
        check(stat.S_IMODE(os.stat(team + ".key").st_mode) == 0o600,
              "the secret key is not mode 0600")
        check(made["key_id"] == key_id(team + ".pub"), "keygen's key id")
        again = preload("keygen", "--out", team, expect=2)
        check("never overwritten" in again.stderr, "keygen overwrote a key", again)
        check(preload("keygen", expect=2).returncode == 2, "keygen without --out")

        plugin = copy(FX["unsigned"], work, "p.so", signature=False)
        vendor_pub = os.path.join(FX["keys"], "vendor.pub")
        # Unsigned: 1, and --json says so.
        result = preload("check", plugin, "--trusted-key", vendor_pub, "--json",
                         expect=1)
        out = json.loads(result.stdout)
        check(out["results"][0]["result"] == "unsigned", "unsigned result", result)
        check(out["host"]["trusted_keys"] == [key_id(vendor_pub)],
              "host.trusted_keys", result)
        # Signed with a new key: 0 with it, 1 (wrong_key) with another.
        preload("sign", "--key", team + ".key", plugin, expect=0)
        preload("check", plugin, "--trusted-key", team + ".pub", expect=0)
        result = preload("check", plugin, "--trusted-key", vendor_pub, expect=1)
        check("wrong_key" in result.stdout and made["key_id"] in result.stdout,
              "check names the key found", result)
        # Both keys trusted (repeated option): 0.
        preload("check", plugin, "--trusted-key", vendor_pub,
                "--trusted-key", team + ".pub", expect=0)
        # Tampered: 1, bad_signature.
        with open(plugin, "r+b") as f:
            f.seek(-1, 2)
            last = f.read(1)
            f.seek(-1, 2)
            f.write(bytes([last[0] ^ 1]))
        result = preload("check", plugin, "--trusted-key", team + ".pub",
                         "--json", expect=1)
        check(json.loads(result.stdout)["results"][0]["result"] == "bad_signature",
              "tampered plugin", result)
        # Usage and I/O: 2.
        preload("check", plugin, "--trusted-key", os.path.join(work, "none.pub"),
                expect=2)
        preload("check", plugin, "--trusted-key", plugin, expect=2)
        preload("sign", plugin, expect=2)
        preload("sign", "--key", team + ".pub", plugin, expect=2)
        # inspect names the signer.
        signed = copy(FX["signed"], work, "s.so")
        result = preload("inspect", signed, expect=0)
        check("signature key %s (s.so.minisig)" % key_id(vendor_pub) in result.stdout,
              "inspect shows the key id", result)
        result = preload("inspect", signed, "--json", expect=0)
        check(json.loads(result.stdout)["files"][0]["signature"]["key_id"] ==
              key_id(vendor_pub), "inspect --json key_id", result)
        # digest is sha256sum's format, byte for byte.
        ours = preload("digest", signed, plugin, expect=0).stdout
        theirs = run(["sha256sum", signed, plugin], expect=0).stdout
        check(ours == theirs, "digest differs from sha256sum:\n%s\n%s" % (ours, theirs))
        listing = os.path.join(work, "list.sha256")
        open(listing, "w").write(ours)
        run(["sha256sum", "-c", listing], expect=0)
        preload("digest", os.path.join(work, "missing.so"), expect=2)


def check_autoload():
    with tempfile.TemporaryDirectory() as work:
        os.chmod(work, 0o755)
        signed = copy(FX["signed"], work, "sg_signed.so")
        unsigned = copy(FX["unsigned"], work, "sg_unsigned.so", signature=False)
        env = {"PRELOAD_PLUGINS": signed, "PRELOAD_STRICT": "0"}
        result = run([FX["autoload_host"]], expect=0, env=env)
        check("loaded=1" in result.stdout, "the signed plugin did not load", result)
        for extra in ({}, {"PRELOAD_ALLOW_INSECURE": "1"}):
            env = dict({"PRELOAD_PLUGINS": unsigned, "PRELOAD_STRICT": "0"}, **extra)
            result = run([FX["autoload_host"]], expect=0, env=env)
            check("loaded=0" in result.stdout and "failures=1" in result.stdout,
                  "the unsigned plugin loaded", result)
            check("is not signed" in result.stderr, "no refusal named", result)
            check("SG_UNSIGNED_RAN" not in result.stdout, "its code ran", result)


def check_minisign():
    minisign = shutil.which("minisign")
    if minisign is None:
        print("minisign is not installed (scripts/deps installs it)")
        sys.exit(77)
    with tempfile.TemporaryDirectory() as work:
        # preload's key and signature, minisign's verification.
        ours = os.path.join(work, "ours")
        preload("keygen", "--out", ours, expect=0)
        plugin = copy(FX["unsigned"], work, "a.so", signature=False)
        preload("sign", "--key", ours + ".key", plugin, expect=0)
        result = run([minisign, "-V", "-p", ours + ".pub", "-m", plugin], expect=0)
        check("a.so" in result.stdout, "minisign's trusted comment", result)
        with open(plugin, "ab") as f:
            f.write(b"\0")
        run([minisign, "-V", "-p", ours + ".pub", "-m", plugin], expect=1)
        # minisign's key and signature, preload's verification.
        theirs_pub = os.path.join(work, "theirs.pub")
        theirs_key = os.path.join(work, "theirs.key")
        run([minisign, "-G", "-W", "-p", theirs_pub, "-s", theirs_key], expect=0)
        plugin = copy(FX["unsigned"], work, "b.so", signature=False)
        run([minisign, "-S", "-s", theirs_key, "-m", plugin], expect=0)
        preload("check", plugin, "--trusted-key", theirs_pub, expect=0)
        preload("check", plugin, "--trusted-key", ours + ".pub", expect=1)
        # A key of one tool signs with the other.
        plugin = copy(FX["unsigned"], work, "c.so", signature=False)
        preload("sign", "--key", theirs_key, plugin, expect=0)
        run([minisign, "-V", "-p", theirs_pub, "-m", plugin], expect=0)
        run([minisign, "-S", "-s", ours + ".key", "-m", plugin], expect=0)
        preload("check", plugin, "--trusted-key", ours + ".pub", expect=0)
        # A legacy signature (minisign -l) is refused by name.
        run([minisign, "-S", "-l", "-s", theirs_key, "-m", plugin], expect=0)
        result = preload("check", plugin, "--trusted-key", theirs_pub, expect=1)
        check("legacy" in result.stdout, "legacy signature not named", result)


def check_secret_key_not_in_build():
    key_line = open(os.path.join(FX["keys"], "vendor.key")).read().split("\n")[1]
    needle = key_line[20:60].encode()  # any part of it would do
    found = []
    signing_build = os.path.join(FX["build"], "tests", "signing")
    candidates = [os.path.join(FX["build"], "build.ninja"),
                  os.path.join(FX["build"], "CMakeCache.txt")]
    for root, _, files in os.walk(signing_build):
        candidates += [os.path.join(root, name) for name in files]
    for path in candidates:
        if os.path.isfile(path) and os.path.getsize(path) < 64 << 20:
            with open(path, "rb") as f:
                if needle in f.read():
                    found.append(path)
    check(not found, "the secret key is in %s" % found)
    note = run(["readelf", "-n", FX["signed"]], expect=0).stdout
    check(key_line[:20] not in note, "the secret key is in the plugin's note")
    print("checked %d files" % len(candidates))


def main():
    FX.update(json.load(open(sys.argv[2])))
    {"cli": check_cli, "autoload": check_autoload, "minisign": check_minisign,
     "secret_key_not_in_build": check_secret_key_not_in_build}[sys.argv[1]]()
    print("ok")


if __name__ == "__main__":
    main()
