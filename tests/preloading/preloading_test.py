#!/usr/bin/env python3
"""End-to-end tests of start-up preloading: real hosts linked with
PreloadSDK::autoload, started with PRELOAD_* set.

    preloading_test.py CHECK --host H --host-nonote H2 --plugins DIR
                       [--samples-bin DIR --samples-plugins DIR]

Each check prints what it ran, exits 0 when it passes, 1 with the reason when
it fails, and 77 (ctest: skipped) with the reason when it cannot run here.
Standard library only.
"""

import argparse
import grp
import http.client
import json
import os
import pwd
import re
import select
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time

SKIP = 77
TIMEOUT = 30  # seconds, for any one process


class Failure(Exception):
    pass


class Skip(Exception):
    pass


def check(condition, message, *outputs):
    if not condition:
        details = "".join("\n--- output ---\n" + o for o in outputs if o)
        raise Failure(message + details)


def clean_env(**variables):
    """The environment without any PRELOAD_* of the caller, plus `variables`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRELOAD_")}
    env.update(variables)
    return env


def run(command, env, cwd=None, expect_code=0, stdin=subprocess.DEVNULL):
    print("+", " ".join("%s=%s" % (k, v) for k, v in sorted(env.items())
                        if k.startswith("PRELOAD_")), " ".join(command), flush=True)
    result = subprocess.run(command, env=env, cwd=cwd, stdin=stdin, text=True,
                            capture_output=True, timeout=TIMEOUT)
    both = "stdout:\n%s\nstderr:\n%s" % (result.stdout, result.stderr)
    if expect_code is not None:
        check(result.returncode == expect_code,
              "exit status %d, expected %d" % (result.returncode, expect_code), both)
    return result


def preload_lines(stderr):
    return [line for line in stderr.splitlines() if line.startswith("preload: ")]


def main_line(stdout):
    match = re.search(r"^main: secure=(\d) at_secure=(\d+) loaded=(\d+) failures=(\d+)$",
                      stdout, re.M)
    check(match is not None, "the host's main did not report", stdout)
    return tuple(int(g) for g in match.groups())


def loaded_paths(stdout):
    return re.findall(r"^main: plugin (\S+) (.+)$", stdout, re.M)


def copy_plugin(args, name, directory, mode=0o755):
    os.makedirs(directory, exist_ok=True)
    target = os.path.join(directory, name + ".so")
    shutil.copyfile(os.path.join(args.plugins, name + ".so"), target)
    os.chmod(target, mode)
    return target


def temp_dir():
    path = tempfile.mkdtemp(prefix="preloading.")
    os.chmod(path, 0o755)
    return path


def needs_samples(args):
    if not args.samples_bin:
        raise Skip("the samples (manhole, crash-handler, any-host) were not built: "
                   "configure with PRELOAD_BUILD_SAMPLES=ON and install "
                   "nlohmann-json3-dev")


# ---- checks ----------------------------------------------------------------

def check_before_main(args):
    """Plugins of PRELOAD_PLUGINS load in order, before main runs."""
    result = run([args.host], clean_env(PRELOAD_PLUGINS="pl_beta:pl_alpha",
                                        PRELOAD_PLUGIN_PATH=args.plugins))
    lines = result.stdout.splitlines()
    order = [l.split()[1] for l in lines if l.startswith("init ") or l.startswith("main: secure")]
    order = [w if w != "secure=0" else "main" for w in order]
    check(order == ["pl_beta", "pl_alpha", "main"],
          "expected pl_beta, pl_alpha, then main; got %s" % order, result.stdout)
    check(main_line(result.stdout) == (0, 0, 2, 0), "expected 2 loaded", result.stdout)
    check(preload_lines(result.stderr) == [], "nothing on stderr when all load",
          result.stderr)


def check_goes_on(args):
    """By default a failing plugin is one stderr line and the program goes on."""
    result = run([args.host], clean_env(
        PRELOAD_PLUGINS="pl_alpha:pl_fails:pl_legacy:pl_missing:pl_beta",
        PRELOAD_PLUGIN_PATH=args.plugins))
    check(main_line(result.stdout) == (0, 0, 2, 3), "expected 2 loaded, 3 failed",
          result.stdout)
    lines = preload_lines(result.stderr)
    check(len(lines) == 3, "expected exactly one line per failure", result.stderr)
    fails, legacy, missing = lines
    check("cannot load plugin 'pl_fails'" in fails and "this init always fails" in fails
          and "goes on without it" in fails, "pl_fails' line", result.stderr)
    check("cannot load plugin 'pl_legacy'" in legacy and "glibcxx.cxx11_abi" in legacy,
          "pl_legacy's line names the differing field", result.stderr)
    check("cannot load plugin 'pl_missing'" in missing and "not found" in missing,
          "pl_missing's line", result.stderr)
    check("init pl_beta" in result.stdout, "plugins after a failure still load",
          result.stdout)


def check_fail_fast(args):
    """PRELOAD_STRICT=1 ends the program at the first failure, status 127."""
    result = run([args.host], clean_env(PRELOAD_PLUGINS="pl_alpha:pl_fails:pl_beta",
                                        PRELOAD_PLUGIN_PATH=args.plugins,
                                        PRELOAD_STRICT="1"), expect_code=127)
    check("init pl_alpha" in result.stdout, "pl_alpha loaded first", result.stdout)
    check("init pl_beta" not in result.stdout and "main:" not in result.stdout,
          "nothing after the failure ran, main included", result.stdout)
    check("cannot load plugin 'pl_fails'" in result.stderr and
          "PRELOAD_STRICT=1: stopping the program with exit status 127" in result.stderr,
          "the reason and the stop are on stderr", result.stderr)
    # A refused fingerprint is a failure too; PRELOAD_STRICT=0 goes on.
    run([args.host], clean_env(PRELOAD_PLUGINS="pl_legacy", PRELOAD_STRICT="1",
                               PRELOAD_PLUGIN_PATH=args.plugins), expect_code=127)
    run([args.host], clean_env(PRELOAD_PLUGINS="pl_legacy", PRELOAD_STRICT="0",
                               PRELOAD_PLUGIN_PATH=args.plugins), expect_code=0)


def check_named_twice(args):
    """The same plugin named twice, or reached two ways, loads once."""
    work = temp_dir()
    try:
        link = os.path.join(work, "alias.so")
        os.symlink(os.path.join(args.plugins, "pl_alpha.so"), link)
        plugins = ":".join(["pl_alpha", "pl_alpha.so", link,
                            os.path.join(args.plugins, "pl_alpha.so"), "pl_alpha"])
        result = run([args.host], clean_env(PRELOAD_PLUGINS=plugins,
                                            PRELOAD_PLUGIN_PATH=args.plugins))
        check(result.stdout.count("init pl_alpha") == 1, "init ran once", result.stdout)
        check(main_line(result.stdout) == (0, 0, 1, 0), "one plugin, no failure",
              result.stdout)
        check(result.stdout.count("main: registry") == 1, "registered once",
              result.stdout)
        check(preload_lines(result.stderr) == [], "no complaint", result.stderr)
    finally:
        shutil.rmtree(work)


def check_read_once(args):
    """Each file PRELOAD_PLUGINS names by path is opened once, to be verified
    and then mapped from that descriptor; the directories above the files of
    one directory are checked once for all of them."""
    check(shutil.which("strace") is not None,
          "strace is missing: scripts/deps installs it")
    work = temp_dir()
    try:
        plugins = [copy_plugin(args, name, os.path.join(work, "lib"))
                   for name in ("pl_alpha", "pl_beta", "pl_legacy")]
        trace = os.path.join(work, "strace.txt")
        env = clean_env(PRELOAD_PLUGINS=":".join(plugins))
        # LeakSanitizer cannot run under ptrace; the other checks run this
        # host with it.
        env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":detect_leaks=0"
        result = run(["strace", "-f", "-qq", "-o", trace,
                      "-e", "trace=open,openat,stat,lstat,newfstatat", args.host], env)
        # pl_legacy is built with the old std::string ABI: refused.
        check(main_line(result.stdout)[2:] == (2, 1), "two plugins loaded, one refused",
              result.stdout, result.stderr)
        with open(trace) as calls:
            lines = calls.read().splitlines()
        for plugin in plugins:
            # By its path, or by its name relative to its directory's descriptor.
            names = ('"%s"' % plugin, '"%s"' % os.path.basename(plugin))
            opens = [l for l in lines if "open" in l and any(n in l for n in names)]
            check(len(opens) == 1, "%s opened once, not %d times" % (plugin, len(opens)),
                  "\n".join(opens))
        walks = [l for l in lines if '"%s"' % work in l and "AT_SYMLINK_NOFOLLOW" in l]
        check(len(walks) == 1, "%s checked once for its three files, not %d times"
              % (work, len(walks)), "\n".join(walks))
    finally:
        shutil.rmtree(work)


def check_search_order(args):
    """Bare names: PRELOAD_PLUGIN_PATH in order, then $ORIGIN/../lib/preload,
    then $ORIGIN/../lib/<triplet>/preload (GNUInstallDirs under /usr)."""
    work = temp_dir()
    try:
        host = os.path.join(work, "bin", "host")
        os.makedirs(os.path.dirname(host))
        shutil.copy2(args.host, host)
        origin = copy_plugin(args, "pl_alpha", os.path.join(work, "lib", "preload"))
        multiarch_dir = os.path.join(work, "lib", "x86_64-linux-gnu", "preload")
        multiarch = copy_plugin(args, "pl_alpha", multiarch_dir)
        one = copy_plugin(args, "pl_alpha", os.path.join(work, "one"))
        two = copy_plugin(args, "pl_alpha", os.path.join(work, "two"))
        os.makedirs(os.path.join(work, "empty"))
        cases = [
            ("one:two", one), ("two:one", two), ("empty:two", two),
            (None, origin), ("empty", origin),
            (":" + os.path.join(work, "empty") + "::", origin),
        ]
        for search_path, expected in cases:
            env = clean_env(PRELOAD_PLUGINS="pl_alpha")
            if search_path is not None:
                env["PRELOAD_PLUGIN_PATH"] = ":".join(
                    os.path.join(work, d) if d and not d.startswith("/") else d
                    for d in search_path.split(":"))
            result = run([host], env)
            paths = loaded_paths(result.stdout)
            check(paths == [("pl_alpha", expected)],
                  "PRELOAD_PLUGIN_PATH=%s: expected %s, got %s" % (search_path, expected, paths),
                  result.stdout, result.stderr)
        # Only in the multiarch directory: found there.
        os.remove(origin)
        result = run([host], clean_env(PRELOAD_PLUGINS="pl_alpha"))
        check(loaded_paths(result.stdout) == [("pl_alpha", multiarch)],
              "$ORIGIN/../lib/x86_64-linux-gnu/preload is searched",
              result.stdout, result.stderr)
        # Found nowhere: the message lists every directory, in order.
        os.remove(multiarch)
        result = run([host], clean_env(PRELOAD_PLUGINS="pl_alpha",
                                       PRELOAD_PLUGIN_PATH=os.path.join(work, "empty")))
        line = "\n".join(preload_lines(result.stderr))
        expected_dirs = [os.path.join(work, "empty"), os.path.join(work, "lib", "preload"),
                         multiarch_dir]
        positions = [line.find(d) for d in expected_dirs]
        check(all(p >= 0 for p in positions) and positions == sorted(positions),
              "the failure lists the search path, then both $ORIGIN directories, in order",
              result.stderr)
    finally:
        shutil.rmtree(work)


def check_path_is_relative(args):
    """A name with a '/' is a path, relative to the working directory."""
    work = temp_dir()
    try:
        plugin = copy_plugin(args, "pl_alpha", os.path.join(work, "here"))
        result = run([args.host], clean_env(PRELOAD_PLUGINS="./pl_alpha.so",
                                            PRELOAD_PLUGIN_PATH=args.plugins),
                     cwd=os.path.join(work, "here"))
        check(loaded_paths(result.stdout) == [("pl_alpha", plugin)],
              "./pl_alpha.so is the working directory's, not the search path's",
              result.stdout, result.stderr)
    finally:
        shutil.rmtree(work)


def check_policy(args):
    """PRELOAD_POLICY chooses the policy; an unknown one warns and stays strict."""
    result = run([args.host], clean_env(PRELOAD_PLUGINS="pl_alpha",
                                        PRELOAD_PLUGIN_PATH=args.plugins,
                                        PRELOAD_POLICY="compatible"))
    check("main: registry loader=autoload policy=compatible" in result.stdout,
          "compatible policy used", result.stdout)
    result = run([args.host], clean_env(PRELOAD_PLUGINS="pl_alpha",
                                        PRELOAD_PLUGIN_PATH=args.plugins,
                                        PRELOAD_POLICY="lax"))
    check("main: registry loader=autoload policy=strict" in result.stdout,
          "strict policy kept", result.stdout)
    check("preload: warning: PRELOAD_POLICY: unknown policy 'lax'" in result.stderr,
          "the bad value is reported", result.stderr)


def check_tracing(args):
    """PRELOAD_DEBUG traces each candidate, every field compared, the load."""
    work = temp_dir()
    try:
        empty = os.path.join(work, "empty")
        os.makedirs(empty)
        result = run([args.host], clean_env(
            PRELOAD_PLUGINS="pl_alpha:pl_legacy", PRELOAD_DEBUG="all",
            PRELOAD_PLUGIN_PATH=empty + ":" + args.plugins))
        err = result.stderr
        alpha = os.path.join(args.plugins, "pl_alpha.so")
        expected = [
            "preload: search: pl_alpha: a bare name: looking for pl_alpha.so in",
            "preload: search:   trying %s/pl_alpha.so (search path): skipped: no such file" % empty,
            "preload: search:   trying %s (search path): taken" % alpha,
            "preload: verify: loader 'autoload': policy strict, plugins are compared "
            "with the host's own fingerprint note (host preloading_host 1.0.0)",
            "preload: verify: %s: file trust: the file" % alpha,
            "preload: verify:   sdk.abi: equal (plugin \"1\", host \"1\")",
            "preload: verify:   name: info (plugin \"pl_alpha\", host \"preloading_host\")",
            "preload: verify: %s: fingerprint accepted" % alpha,
            "preload: load: %s: mapping the verified descriptor through /proc/self/fd/" % alpha,
            "preload: load: %s: running PRELOAD_PLUGIN_INIT" % alpha,
            "preload: load: %s: loaded plugin 'pl_alpha' 1.0.0 into loader 'autoload'" % alpha,
            "preload: verify:   glibcxx.cxx11_abi: refused (plugin \"0\", host \"1\"); rebuild",
            "fingerprint refused (",
            "preload: cannot load plugin 'pl_legacy'",
        ]
        for text in expected:
            check(text in err, "missing from the trace: %r" % text, err)
        # Every field of the plugin's fingerprint is compared and traced.
        fields = re.findall(r"^preload: verify:   ([a-z0-9_.-]+): (equal|allowed|refused|info) ",
                            err, re.M)
        names = [f for f, _ in fields]
        for field in ("kind", "sdk.abi", "target.arch", "compiler.version", "cxx.standard",
                      "stdlib.release", "absl.lts", "layout.std_string", "flags.cxx"):
            check(names.count(field) == 2, "field %s traced once per plugin" % field, err)
        # Only the categories asked for.
        result = run([args.host], clean_env(PRELOAD_PLUGINS="pl_alpha", PRELOAD_DEBUG="search",
                                            PRELOAD_PLUGIN_PATH=args.plugins))
        categories = {l.split(":")[1].strip() for l in preload_lines(result.stderr)}
        check(categories == {"search"}, "only search lines, got %s" % categories,
              result.stderr)
        result = run([args.host], clean_env(PRELOAD_PLUGINS="pl_alpha", PRELOAD_DEBUG="loud",
                                            PRELOAD_PLUGIN_PATH=args.plugins))
        check("preload: warning: PRELOAD_DEBUG: unknown category 'loud'" in result.stderr,
              "an unknown category is reported", result.stderr)
        # help: the categories, and the program exits before main, as
        # LD_DEBUG=help does.
        result = run([args.host], clean_env(PRELOAD_PLUGINS="pl_alpha", PRELOAD_DEBUG="help",
                                            PRELOAD_PLUGIN_PATH=args.plugins))
        check(result.returncode == 0 and "main:" not in result.stdout
              and result.stdout.startswith("Valid options for the PRELOAD_DEBUG")
              and "  verify " in result.stdout,
              "PRELOAD_DEBUG=help prints the categories and exits", result.stdout)
    finally:
        shutil.rmtree(work)


def check_sdk_fallback_trace(args):
    """A host without a note is compared as the SDK, and the trace says so."""
    result = run([args.host_nonote], clean_env(PRELOAD_PLUGINS="pl_alpha",
                                               PRELOAD_PLUGIN_PATH=args.plugins,
                                               PRELOAD_DEBUG="verify"))
    check(main_line(result.stdout)[2] == 1, "pl_alpha loads", result.stdout, result.stderr)
    check("compared with the SDK's own fingerprint (sdk PreloadSDK" in result.stderr and
          "the host has no fingerprint note of its own, so the SDK's is used" in result.stderr
          and "target_preload_host" in result.stderr,
          "the trace says the SDK's fingerprint stands in for the host's", result.stderr)
    check("host \"PreloadSDK\")" in result.stderr, "fields compared with the SDK's",
          result.stderr)


def check_permissions(args):
    """Files others could have written are refused with the reason;
    PRELOAD_ALLOW_INSECURE=1 turns the check off."""
    work = temp_dir()
    try:
        open_dir = os.path.join(work, "open")
        plugin = copy_plugin(args, "pl_alpha", open_dir)
        os.chmod(open_dir, 0o777)
        env = clean_env(PRELOAD_PLUGINS=plugin)
        result = run([args.host], env)
        line = "\n".join(preload_lines(result.stderr))
        check("cannot load plugin '%s'" % plugin in line and
              "the directory %s is writable by others (mode 0777, not sticky)" % open_dir in line
              and "chmod go-w" in line, "refused with the reason", result.stderr)
        check(main_line(result.stdout)[2] == 0, "not loaded", result.stdout)

        env["PRELOAD_ALLOW_INSECURE"] = "1"
        result = run([args.host], env)
        check(main_line(result.stdout)[2] == 1, "loaded when allowed", result.stdout)
        check("PRELOAD_ALLOW_INSECURE=1: plugin files are loaded without checking"
              in result.stderr, "the insecure mode is announced", result.stderr)

        os.chmod(open_dir, 0o755)
        os.chmod(plugin, 0o664)
        result = run([args.host], clean_env(PRELOAD_PLUGINS=plugin))
        check("the file is writable by its group (mode 0664)" in result.stderr,
              "a group-writable file is refused", result.stderr)
        if os.geteuid() == 0:
            os.chmod(plugin, 0o755)
            os.chown(plugin, pwd.getpwnam("nobody").pw_uid, -1)
            result = run([args.host], clean_env(PRELOAD_PLUGINS=plugin))
            check("is owned by uid %d (nobody), neither root nor this process's user"
                  % pwd.getpwnam("nobody").pw_uid in result.stderr,
                  "a file owned by another user is refused", result.stderr)
        else:
            print("not root: the ownership case is left to the root run")
    finally:
        shutil.rmtree(work)


def setgid_setup(args):
    """What a setgid copy run as nobody needs: nobody, a group nobody is not
    in (the copy then runs with AT_SECURE=1), a directory without nosuid."""
    if os.geteuid() != 0:
        raise Skip("needs root to make a setgid copy and run it as nobody")
    if shutil.which("setpriv") is None:
        raise Skip("setpriv (util-linux) is not installed")
    nobody = pwd.getpwnam("nobody")
    group = next((g for g in ("daemon", "users", "adm") if _has_group(g)), None)
    if group is None:
        raise Skip("no group to make the setgid copy with")
    gid = grp.getgrnam(group).gr_gid
    check(gid != nobody.pw_gid, "the group must differ from nobody's")
    for base in (tempfile.gettempdir(), os.path.dirname(os.path.abspath(args.plugins))):
        if not os.statvfs(base).f_flag & os.ST_NOSUID:
            break
    else:
        raise Skip("every candidate directory is on a nosuid file system")
    as_nobody = ["setpriv", "--reuid=nobody", "--regid=%d" % nobody.pw_gid,
                 "--clear-groups"]
    return nobody, group, gid, base, as_nobody


def copy_host(source, work, name, gid=None):
    """A copy of `source` in `work`; set-group-ID `gid` if given."""
    target = os.path.join(work, name)
    shutil.copyfile(source, target)
    if gid is not None:
        os.chown(target, 0, gid)
        os.chmod(target, 0o2755)
    else:
        os.chmod(target, 0o755)
    return target


def check_secure_mode(args):
    """A setgid copy run by an unprivileged user ignores every PRELOAD_*."""
    nobody, group, gid, base, as_nobody = setgid_setup(args)
    work = tempfile.mkdtemp(prefix="preloading-secure.", dir=base)
    try:
        os.chmod(work, 0o755)  # nobody may enter, not write
        plugin = copy_plugin(args, "pl_alpha", work)
        plain = os.path.join(work, "host")
        setgid = os.path.join(work, "host-setgid")
        shutil.copyfile(args.host, plain)
        shutil.copyfile(args.host, setgid)
        os.chmod(plain, 0o755)
        os.chown(setgid, 0, gid)
        os.chmod(setgid, 0o2755)
        env = clean_env(PRELOAD_PLUGINS=plugin + ":pl_missing", PRELOAD_STRICT="1",
                        PRELOAD_DEBUG="all", PRELOAD_PLUGIN_PATH=work,
                        PRELOAD_POLICY="compatible", PRELOAD_ALLOW_INSECURE="1")
        # Control: the same environment, without setgid, does take effect.
        control = run(as_nobody + [plain], env, cwd=work, expect_code=127)
        check("init pl_alpha" in control.stdout and "preload: search:" in control.stderr,
              "without setgid, nobody loads the plugin and traces", control.stdout,
              control.stderr)
        result = run(as_nobody + [setgid], env, cwd=work, expect_code=0)
        check(main_line(result.stdout) == (1, 1, 0, 0),
              "AT_SECURE=1 and nothing loaded", result.stdout, result.stderr)
        check("init pl_alpha" not in result.stdout, "the plugin never ran", result.stdout)
        check(preload_lines(result.stderr) == [],
              "PRELOAD_DEBUG and PRELOAD_STRICT were ignored too", result.stderr)
        print("secure mode: setgid %s run as nobody ignored every PRELOAD_* variable" % group)
    finally:
        shutil.rmtree(work)


def check_secure_trust(args):
    """A setgid host that opens plugins itself, run by an unprivileged user,
    trusts root's files, not those of the user who started it."""
    nobody, group, gid, base, as_nobody = setgid_setup(args)
    work = tempfile.mkdtemp(prefix="preloading-secure-trust.", dir=base)
    try:
        os.chmod(work, 0o755)  # nobody may enter, not write
        callers = copy_plugin(args, "pl_alpha", work)
        os.chown(callers, nobody.pw_uid, nobody.pw_gid)
        roots = copy_plugin(args, "pl_beta", work)
        plain = copy_host(args.secure_open_host, work, "host")
        setgid = copy_host(args.secure_open_host, work, "host-setgid", gid)
        env = clean_env()
        # Control: without setgid, nobody's own plugin is nobody's to load.
        control = run(as_nobody + [plain, callers], env, cwd=work)
        check("open: ok pl_alpha" in control.stdout,
              "without setgid, nobody loads their own plugin", control.stdout)
        result = run(as_nobody + [setgid, callers], env, cwd=work, expect_code=1)
        check("PERMISSION_DENIED" in result.stdout and "secure execution" in result.stdout
              and "owned by uid %d" % nobody.pw_uid in result.stdout,
              "the setgid host refuses the caller's plugin, naming why",
              result.stdout, result.stderr)
        check("init pl_alpha" not in result.stdout, "the plugin never ran", result.stdout)
        result = run(as_nobody + [setgid, roots], env, cwd=work)
        check("open: ok pl_beta" in result.stdout,
              "the setgid host loads root's plugin", result.stdout, result.stderr)
        print("secure trust: setgid %s run as nobody refused nobody's plugin, "
              "loaded root's" % group)
    finally:
        shutil.rmtree(work)


def _has_group(name):
    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


class Host:
    """A host in serve mode: waits until its stdin is closed."""

    def __init__(self, command, env):
        print("+", " ".join("%s=%s" % (k, v) for k, v in sorted(env.items())
                            if k.startswith("PRELOAD_")), " ".join(command), flush=True)
        self.process = subprocess.Popen(command, env=env, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.stderr = b""

    def wait_for_stderr(self, pattern, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            match = re.search(pattern, self.stderr.decode(errors="replace"))
            if match:
                return match
            left = deadline - time.monotonic()
            check(left > 0 and self.process.poll() is None,
                  "no %r on stderr within %ds" % (pattern, timeout),
                  self.stderr.decode(errors="replace"))
            ready, _, _ = select.select([self.process.stderr], [], [], left)
            if ready:
                chunk = os.read(self.process.stderr.fileno(), 65536)
                if not chunk:
                    self.process.wait(timeout=5)
                self.stderr += chunk

    def stop(self, timeout=10):
        """Closes stdin; the host must exit 0 on its own within `timeout`."""
        try:
            # With no input, communicate() closes stdin, then reads to the end.
            out, err = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise Failure("the host did not exit within %ds of being asked" % timeout)
        self.stderr += err
        return self.process.returncode, out.decode(), self.stderr.decode()

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def get(port, path):
    """GET over loopback, bounded, ignoring any proxy settings."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type"), response.read().decode()
    finally:
        connection.close()


def listening_address(pid, port):
    """The local address the process listens on for `port`, from /proc/PID/net/tcp."""
    with open("/proc/%d/net/tcp" % pid) as table:
        for line in table.readlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:
                return ".".join(str(int(address[i:i + 2], 16)) for i in (6, 4, 2, 0))
    return None


def check_manhole(args):
    """The manhole serves /healthz, /debug/plugins and /debug/vars on loopback
    and stops cleanly when the program exits."""
    needs_samples(args)
    host = Host([args.host, "serve"], clean_env(
        PRELOAD_PLUGINS="manhole:pl_alpha",
        PRELOAD_PLUGIN_PATH=args.samples_plugins + ":" + args.plugins))
    try:
        port = int(host.wait_for_stderr(r"manhole: serving http://127\.0\.0\.1:(\d+)/").group(1))
        check(listening_address(host.process.pid, port) == "127.0.0.1",
              "the manhole listens on 127.0.0.1 only, got %s"
              % listening_address(host.process.pid, port))
        status, _, body = get(port, "/healthz")
        check(status == 200 and body == "ok\n", "healthz: %d %r" % (status, body))

        # The manhole serves as soon as its own init ran; the plugins after it
        # in PRELOAD_PLUGINS are loaded a moment later. Wait, bounded.
        deadline = time.monotonic() + 10
        while True:
            status, content_type, body = get(port, "/debug/plugins")
            check(status == 200 and content_type.startswith("application/json"),
                  "plugins: %d %s" % (status, content_type), body)
            plugins = json.loads(body)
            if len(plugins["plugins"]) >= 2 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        check(plugins["pid"] == host.process.pid, "plugins: the host's pid", body)
        names = [p["name"] for p in plugins["plugins"]]
        check(names == ["manhole", "pl_alpha"], "plugins: %s" % names, body)
        for plugin in plugins["plugins"]:
            fingerprint = plugin["fingerprint"]
            check(fingerprint["kind"] == "plugin" and fingerprint["name"] == plugin["name"]
                  and fingerprint["sdk.abi"] == "1" and "layout.std_string" in fingerprint,
                  "plugins: %s carries its fingerprint" % plugin["name"], body)
            check(plugin["loader"] == "autoload" and plugin["policy"] == "strict",
                  "plugins: loaded by the autoload loader, strict", body)
            check(os.path.isabs(plugin["path"]) and os.path.exists(plugin["path"]),
                  "plugins: a real path", body)
            check(plugin["host_fingerprint"]["name"] == "preloading_host",
                  "plugins: compared with the host's fingerprint", body)
            check(plugin["linkage"] == "shared", "plugins: each from a file", body)
        check(plugins["plugins"][1]["version"] == "1.0.0", "pl_alpha's version", body)

        # A keep-alive connection left open must not hold up the exit.
        idle = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        idle.request("GET", "/debug/vars")
        response = idle.getresponse()
        vars_ = json.loads(response.read().decode())
        check(vars_["pid"] == host.process.pid, "vars: pid", json.dumps(vars_))
        check(vars_["threads"] >= 2 and vars_["rss_bytes"] > 1 << 20 and
              vars_["open_fds"] >= 3 and 0 <= vars_["uptime_seconds"] < 60 and
              vars_["exe"] == os.path.realpath(args.host),
              "vars: plausible values", json.dumps(vars_))
        status, _, _ = get(port, "/nothing-here")
        check(status == 404, "unknown paths are 404, got %d" % status)

        started = time.monotonic()
        code, out, err = host.stop()
        check(code == 0 and "main: exiting" in out,
              "the host exits 0 with the manhole running (%d)" % code, out, err)
        print("exited %.2fs after stdin closed" % (time.monotonic() - started))
        idle.close()
        try:
            get(port, "/healthz")
            raise Failure("the manhole still answers after the program exited")
        except OSError:
            pass
    finally:
        host.kill()


def check_manhole_address(args):
    """PRELOAD_MANHOLE_ADDR picks the port; a non-loopback address is refused."""
    needs_samples(args)
    env = clean_env(PRELOAD_PLUGINS="manhole", PRELOAD_PLUGIN_PATH=args.samples_plugins,
                    PRELOAD_MANHOLE_ADDR="0.0.0.0:0")
    result = run([args.host], env)
    check("cannot load plugin 'manhole'" in result.stderr and
          "127.0.0.1 only" in result.stderr, "0.0.0.0 is refused", result.stderr)
    check(main_line(result.stdout)[2] == 0, "and the program goes on without it",
          result.stdout)

    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env["PRELOAD_MANHOLE_ADDR"] = "127.0.0.1:%d" % port
    host = Host([args.host, "serve"], env)
    try:
        host.wait_for_stderr(r"manhole: serving http://127\.0\.0\.1:%d/" % port)
        status, _, body = get(port, "/healthz")
        check(status == 200 and body == "ok\n", "healthz on the chosen port")
        code, out, err = host.stop()
        check(code == 0, "clean exit", out, err)
    finally:
        host.kill()


def manhole_host(args, **env):
    """A host serving with the manhole alone; (host, port)."""
    needs_samples(args)
    host = Host([args.host, "serve"], clean_env(
        PRELOAD_PLUGINS="manhole", PRELOAD_PLUGIN_PATH=args.samples_plugins, **env))
    try:
        match = host.wait_for_stderr(r"manhole: serving http://127\.0\.0\.1:(\d+)/")
    except BaseException:
        host.kill()
        raise
    return host, int(match.group(1))


def raw_request(port, data, timeout=5):
    """Sends `data` as it is and reads the reply to its end: (status, text)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        connection.sendall(data)
        reply = b""
        while True:
            try:
                chunk = connection.recv(65536)
            except ConnectionResetError:
                break  # closed with bytes of ours unread: the reply came first
            if not chunk:
                break
            reply += chunk
    fields = reply.split(b" ", 2)
    status = int(fields[1]) if len(fields) > 1 and fields[1].isdigit() else None
    return status, reply.decode(errors="replace")


def rss_bytes(pid):
    with open("/proc/%d/status" % pid) as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def timed_healthz(port):
    started = time.monotonic()
    status, _, body = get(port, "/healthz")
    return status, body, time.monotonic() - started


def check_manhole_requests(args):
    """The manhole answers GET only, to a Host naming it with its port (no DNS
    rebinding), refuses a request head over 8 KiB or announcing a body, and
    shows the command line only when PRELOAD_MANHOLE_CMDLINE=1 asks."""
    host, port = manhole_host(args)
    try:
        def request(method="GET", path="/healthz", headers=None):
            if headers is None:
                headers = ["Host: 127.0.0.1:%d" % port]
            head = "%s %s HTTP/1.1\r\n%s\r\n" % (
                method, path, "".join(h + "\r\n" for h in headers))
            return raw_request(port, head.encode())

        for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE"):
            status, reply = request(method)
            check(status == 405 and "Allow: GET" in reply, "%s is 405" % method, reply)
        for value, expected in (("127.0.0.1:%d" % port, 200), ("localhost:%d" % port, 200),
                                ("attacker.example:%d" % port, 403),
                                ("attacker.example", 403), ("127.0.0.1", 403),
                                ("localhost", 403), ("127.0.0.1:%d" % (port ^ 1), 403),
                                ("127.0.0.2:%d" % port, 403)):
            status, reply = request(headers=["Host: " + value])
            check(status == expected, "Host %s: %s, expected %d" % (value, status, expected),
                  reply)
        status, reply = request(headers=[])
        check(status == 403, "no Host: %s" % status, reply)
        status, reply = request(headers=["Host: 127.0.0.1:%d" % port, "Host: evil:1"])
        check(status == 400, "two Host headers: %s" % status, reply)
        status, reply = request(headers=["Host: 127.0.0.1:%d" % port,
                                         "Content-Length: 4294967296"])
        check(status == 413, "a GET announcing a body: %s" % status, reply)
        status, reply = request(headers=["Host: 127.0.0.1:%d" % port,
                                         "Transfer-Encoding: chunked"])
        check(status == 413, "a chunked GET: %s" % status, reply)
        status, reply = request(headers=["Host: 127.0.0.1:%d" % port, "X: " + "a" * 9000])
        check(status == 431, "a head over 8 KiB: %s" % status, reply)
        status, reply = raw_request(port, b"\x16\x03\x01 not http\r\n\r\n")
        check(status == 400, "garbage: %s" % status, reply)
        status, _, body = get(port, "/debug/vars")
        check(status == 200 and "cmdline" not in json.loads(body),
              "no command line without PRELOAD_MANHOLE_CMDLINE=1", body)
        check(timed_healthz(port)[:2] == (200, "ok\n"), "healthz after all that")
        code, out, err = host.stop()
        check(code == 0, "clean exit", out, err)
    finally:
        host.kill()
    host, port = manhole_host(args, PRELOAD_MANHOLE_CMDLINE="1")
    try:
        status, _, body = get(port, "/debug/vars")
        check(status == 200 and json.loads(body).get("cmdline") == [args.host, "serve"],
              "the command line with PRELOAD_MANHOLE_CMDLINE=1", body)
    finally:
        host.kill()


def check_manhole_large_body(args):
    """A POST of gigabytes costs the host no memory: the manhole reads a head
    of at most 8 KiB and closes; /healthz answers on."""
    host, port = manhole_host(args)
    try:
        before = rss_bytes(host.process.pid)
        sent = 0
        chunk = b"\0" * (1 << 20)
        connection = socket.create_connection(("127.0.0.1", port), timeout=5)
        try:
            connection.sendall(b"POST /healthz HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                               b"Content-Length: 4294967296\r\n\r\n" % port)
            deadline = time.monotonic() + 10
            while sent < (256 << 20) and time.monotonic() < deadline:
                connection.sendall(chunk)
                sent += len(chunk)
        except OSError:
            pass  # the manhole closed the connection: what it should do
        finally:
            connection.close()
        grown = rss_bytes(host.process.pid) - before
        print("sent %d MiB before the manhole closed; its RSS grew by %d KiB"
              % (sent >> 20, grown >> 10))
        check(sent < (256 << 20), "the manhole stopped reading (%d MiB taken)" % (sent >> 20))
        check(grown < (8 << 20), "RSS grew by %d KiB" % (grown >> 10))
        status, body, took = timed_healthz(port)
        check(status == 200 and took < 1, "healthz after: %s in %.2fs" % (status, took))
        code, out, err = host.stop()
        check(code == 0, "clean exit", out, err)
    finally:
        host.kill()


def check_manhole_idle_connections(args):
    """200 idle connections, half of them with a request begun, do not keep
    /healthz waiting."""
    host, port = manhole_host(args)
    idle = []
    try:
        for i in range(200):
            connection = socket.create_connection(("127.0.0.1", port), timeout=5)
            if i % 2:
                connection.sendall(b"GET /healthz HTTP/1.1\r\n")
            idle.append(connection)
        status, body, took = timed_healthz(port)
        print("healthz with 200 idle connections: %s in %.3fs" % (status, took))
        check(status == 200 and body == "ok\n" and took < 1,
              "healthz: %s %r in %.2fs" % (status, body, took))
        code, out, err = host.stop()
        check(code == 0, "clean exit", out, err)
    finally:
        for connection in idle:
            connection.close()
        host.kill()


def check_manhole_slow_clients(args):
    """Clients sending a byte every half second are closed at their request's
    deadline (2 s) and do not delay the program's exit beyond the manhole's
    bound (0.2 s); /healthz answers meanwhile."""
    host, port = manhole_host(args)
    stop = threading.Event()
    closed_after = []

    def trickle():
        started = time.monotonic()
        connection = socket.create_connection(("127.0.0.1", port), timeout=5)
        request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nX-Slow: " % port
        try:
            for i in range(1000):
                if stop.is_set():
                    return
                connection.sendall(request[i:i + 1] if i < len(request) else b"x")
                time.sleep(0.5)
        except OSError:
            closed_after.append(time.monotonic() - started)
        finally:
            connection.close()

    threads = [threading.Thread(target=trickle) for _ in range(2)]
    try:
        for thread in threads:
            thread.start()
        time.sleep(0.3)
        status, _, took = timed_healthz(port)
        check(status == 200 and took < 1, "healthz while they trickle: %s in %.2fs"
              % (status, took))
        time.sleep(3.5)
        check(len(closed_after) == 2 and max(closed_after) < 4,
              "the slow clients were closed at their deadline: %s" % closed_after)
        # Two more, still sending when the program is asked to exit.
        threads += [threading.Thread(target=trickle) for _ in range(2)]
        for thread in threads[2:]:
            thread.start()
        time.sleep(1)
        started = time.monotonic()
        code, out, err = host.stop()
        took = time.monotonic() - started
        print("exited %.2fs after stdin closed, with 2 slow clients" % took)
        check(code == 0, "clean exit", out, err)
        check(took < 1, "the exit took %.2fs with slow clients connected" % took)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        host.kill()


def check_crash_handler(args):
    """crash-handler makes a crash print the signal and a symbolized stack."""
    needs_samples(args)
    env = clean_env(PRELOAD_PLUGINS="crash-handler", PRELOAD_PLUGIN_PATH=args.samples_plugins)
    result = run([args.host, "crash"], env, expect_code=-signal.SIGSEGV)
    check(main_line(result.stdout)[2] == 1, "crash-handler loaded", result.stdout)
    check("*** SIGSEGV received at time=" in result.stderr, "the signal is reported",
          result.stderr)
    check("CrashHere" in result.stderr, "the crashing function is named", result.stderr)
    bare = run([args.host, "crash"], clean_env(), expect_code=-signal.SIGSEGV)
    check("SIGSEGV received" not in bare.stderr, "without it, no report", bare.stderr)


def check_any_host(args):
    """The sample host, which knows nothing of plugins, finds the sample plugins
    in its $ORIGIN/../lib/preload with no search path set."""
    needs_samples(args)
    any_host = os.path.join(args.samples_bin, "any-host")
    result = run([any_host, "--seconds", "0"],
                 clean_env(PRELOAD_PLUGINS="crash-handler:manhole", PRELOAD_DEBUG="search"))
    for name in ("crash-handler", "manhole"):
        taken = "%s/%s.so ($ORIGIN/../lib/preload): taken" % (args.samples_plugins, name)
        check(taken in result.stderr, "%s found through $ORIGIN" % name, result.stderr)
    check("manhole: serving http://127.0.0.1:" in result.stderr, "the manhole started",
          result.stderr)
    check("any-host: done" in result.stdout, "any-host ran to the end", result.stdout)


def check_static_plugin(args):
    """PRELOAD_PLUGINS names a plugin linked into the host (add_preload_plugin
    STATIC) like any other: found before any file, its init run once, listed
    with the executable as its path."""
    env = clean_env(PRELOAD_PLUGINS="pl_static:pl_alpha:pl_static",
                    PRELOAD_PLUGIN_PATH=args.plugins, PRELOAD_DEBUG="search")
    result = run([args.host_static], env)
    check(result.stdout.count("init pl_static") == 1, "pl_static's init ran once",
          result.stdout)
    check(main_line(result.stdout)[2:] == (2, 0), "two plugins loaded, no failure",
          result.stdout)
    exe = os.path.realpath(args.host_static)
    check("main: plugin pl_static %s\n" % exe in result.stdout,
          "pl_static's path is the executable", result.stdout)
    check("static plugin 'pl_static' (linked into %s): taken" % exe in result.stderr,
          "the search trace says it is linked in", result.stderr)


def check_manhole_static(args):
    """The manhole lists a plugin linked into the host as static."""
    needs_samples(args)
    host = Host([args.host_static, "serve"], clean_env(
        PRELOAD_PLUGINS="pl_static:manhole", PRELOAD_PLUGIN_PATH=args.samples_plugins))
    try:
        port = int(host.wait_for_stderr(r"manhole: serving http://127\.0\.0\.1:(\d+)/").group(1))
        status, _, body = get(port, "/debug/plugins")
        check(status == 200, "plugins: %d" % status, body)
        plugins = {p["name"]: p for p in json.loads(body)["plugins"]}
        check(sorted(plugins) == ["manhole", "pl_static"], "plugins: %s" % sorted(plugins),
              body)
        check(plugins["pl_static"]["linkage"] == "static" and
              plugins["pl_static"]["path"] == os.path.realpath(args.host_static) and
              plugins["pl_static"]["fingerprint"]["version"] == "3.0.0",
              "pl_static is listed as static, in the executable", body)
        check(plugins["manhole"]["linkage"] == "shared", "manhole is shared", body)
        code, out, err = host.stop()
        check(code == 0, "clean exit", out, err)
    finally:
        host.kill()


CHECKS = {name[len("check_"):]: f for name, f in globals().items()
          if name.startswith("check_") and callable(f) and name != "check"}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("check", choices=sorted(CHECKS))
    parser.add_argument("--host", required=True)
    parser.add_argument("--host-nonote", required=True)
    parser.add_argument("--host-static", required=True)
    parser.add_argument("--secure-open-host", default="")
    parser.add_argument("--plugins", required=True)
    parser.add_argument("--samples-bin", default="")
    parser.add_argument("--samples-plugins", default="")
    args = parser.parse_args()
    try:
        CHECKS[args.check](args)
    except Skip as reason:
        print("SKIPPED:", reason, flush=True)
        sys.exit(SKIP)
    except (Failure, subprocess.TimeoutExpired) as failure:
        print("FAILED:", failure, flush=True)
        sys.exit(1)
    print("PASSED:", args.check, flush=True)


if __name__ == "__main__":
    main()
