#!/usr/bin/env python3
"""Drives the SDK as a user would: install it, move the prefix, and build
separate projects against it with find_package(PreloadSDK).

    consumer_test.py install|find_package|reproducible_notes|multi_config|
                     bad_arguments|autoload|static|static_host|installed_layout|
                     deb|python_choice|build_tree --sdk-build DIR --work DIR ...

Each check prints what it did and exits non-zero with a reason on failure.
"""

import argparse
import os
import shutil
import subprocess
import sys


def run(command, **kwargs):
    print("+", " ".join(command), flush=True)
    return subprocess.run(command, check=True, text=True, **kwargs)


def fail(message):
    print("FAILED:", message, flush=True)
    sys.exit(1)


def prefix(args):
    return os.path.join(args.work, "relocated-prefix")


def configure(args, source, build, generator=None, extra=(), sdk=None):
    """The command that configures `source` in a fresh `build` against the
    SDK in `sdk` (default: the relocated install of consumer.install)."""
    shutil.rmtree(build, ignore_errors=True)
    command = ["cmake", "-S", source, "-B", build,
               "-G", generator or args.generator,
               "-DCMAKE_PREFIX_PATH=" + (sdk or prefix(args)),
               "-DCMAKE_CXX_COMPILER=" + args.cxx]
    if not (generator or args.generator).endswith("Multi-Config"):
        command.append("-DCMAKE_BUILD_TYPE=Release")
    return command + list(extra)


def build_project(args, name, generator=None):
    source = os.path.join(args.source, "project")
    build = os.path.join(args.work, name)
    run(configure(args, source, build, generator))
    run(["cmake", "--build", build, "-j2"])
    return build


def fingerprint_note(binary):
    """The raw bytes of the .note.preload section, as objcopy extracts them."""
    out = binary + ".note"
    run(["objcopy", "-O", "binary", "--only-section=.note.preload", binary, out])
    with open(out, "rb") as note:
        return note.read()


def payload_fields(note):
    text = note.decode("utf-8", "replace")
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def check_install(args):
    stage = os.path.join(args.work, "stage")
    for path in (stage, prefix(args)):
        shutil.rmtree(path, ignore_errors=True)
    run(["cmake", "--install", args.sdk_build, "--prefix", stage,
         "--config", args.config or "Release"])
    # Relocatable: nothing may remember where it was installed.
    shutil.move(stage, prefix(args))


def check_find_package(args):
    build = build_project(args, "find-package")
    result = run([os.path.join(build, "app"), os.path.join(build, "hello.so"),
                  "world"], capture_output=True)
    if result.stdout.strip() != "Hello, world!":
        fail("app printed %r, expected 'Hello, world!'" % result.stdout)


def check_reproducible_notes(args):
    first = build_project(args, "repro-a")
    second = build_project(args, "repro-elsewhere-b")
    for binary in ("hello.so", "app"):
        a = fingerprint_note(os.path.join(first, binary))
        b = fingerprint_note(os.path.join(second, binary))
        if not a:
            fail("%s has no .note.preload section" % binary)
        if a != b:
            fail("%s: notes differ between two build trees" % binary)
        if args.work.encode() in a:
            fail("%s: the note holds an absolute build path" % binary)
    print("notes are byte-identical across build trees")


def check_multi_config(args):
    build = os.path.join(args.work, "multi-config")
    run(configure(args, os.path.join(args.source, "project"), build,
                  generator="Ninja Multi-Config"))
    for config, expected_flag in (("Debug", "-g"), ("Release", "-O3")):
        run(["cmake", "--build", build, "--config", config, "-j2"])
        fields = payload_fields(
            fingerprint_note(os.path.join(build, config, "hello.so")))
        if fields.get("build.config") != config:
            fail("%s build records build.config=%r" %
                 (config, fields.get("build.config")))
        if expected_flag not in fields.get("flags.cxx", "").split():
            fail("%s build records flags.cxx=%r, expected %s in it" %
                 (config, fields.get("flags.cxx"), expected_flag))
    print("each configuration records its own configuration and flags")


BAD_ARGUMENTS = {
    "unknown_keyword": "add_preload_plugin(p): unknown keyword COLOUR",
    "unknown_leading_keyword": "add_preload_plugin(p): unknown arguments: COLOUR blue (the keywords are",
    "missing_sources": "add_preload_plugin(p): SOURCES is required",
    "keyword_without_value": "add_preload_plugin(p): keywords given without a value: VERSION",
    "odd_host_abi": "add_preload_plugin(p): HOST_ABI takes pairs",
    "bad_abi_name": "add_preload_plugin(p): HOST_ABI name 'MyApp' may contain only",
    "bad_abi_version": "add_preload_plugin(p): HOST_ABI myapp: version 'two'",
    "host_not_a_target": "target_preload_host(nothing): no such target",
    "sources_as_add_library":
        "add_preload_plugin(hello): unknown arguments: hello.cc; did you mean SOURCES hello.cc?",
    "lower_case_keyword":
        "add_preload_plugin(p): unknown argument sources: keywords are upper-case; did you mean SOURCES?",
    "lower_case_keyword_after_sources":
        "add_preload_plugin(p): unknown keyword version: keywords are upper-case; did you mean VERSION?",
    "bad_version": "add_preload_plugin(p): VERSION 'v1' is not <major>.<minor>[.<patch>]",
    "bad_host_version": "target_preload_host(app): VERSION '1' is not <major>.<minor>[.<patch>]",
    "host_twice": "target_preload_host(app): called a second time for app",
    "host_of_a_plugin": "target_preload_host(p): p is a plugin (add_preload_plugin)",
    "bad_name": "add_preload_plugin(p): NAME 'my plugin' must start with a letter",
    "bad_target_name":
        "add_preload_plugin(1p): the target's name '1p' is the plugin's name, which must start",
    "name_too_long": "at most 252 of them",
    "output_name_not_the_name":
        "add_preload_plugin(p): OUTPUT_NAME 'q' differs from the plugin's name 'p'",
    "metadata_line_break": "add_preload_plugin(p): DESCRIPTION may not hold a line break",
    "bad_requirement": "add_preload_plugin(p): REQUIRES 'codec>1.2': '>1.2' after the name 'codec' does not start with >=, == or ^",
}


def check_bad_arguments(args):
    source = os.path.join(args.source, "bad_arguments")
    for case, expected in BAD_ARGUMENTS.items():
        build = os.path.join(args.work, "bad-" + case)
        command = configure(args, source, build, extra=["-DCASE=" + case])
        print("+", " ".join(command), flush=True)
        result = subprocess.run(command, text=True, capture_output=True)
        # CMake wraps long messages; compare with whitespace folded.
        output = " ".join(result.stderr.split())
        if result.returncode == 0:
            fail("%s: configuration succeeded" % case)
        if expected not in output:
            fail("%s: expected %r in:\n%s" % (case, expected, result.stderr))
        print("  refused as expected:", expected)


def check_autoload(args):
    """An installed PreloadSDK::autoload loads PRELOAD_PLUGINS before main."""
    source = os.path.join(args.source, "autoload_project")
    build = os.path.join(args.work, "autoload")
    run(configure(args, source, build))
    run(["cmake", "--build", build, "-j2"])
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRELOAD_")}
    env.update(PRELOAD_PLUGINS="hello", PRELOAD_PLUGIN_PATH=build)
    result = run([os.path.join(build, "app")], env=env, capture_output=True)
    expected = ["hello: init", "main: start", "main: autoload loaded hello"]
    if result.stdout.splitlines() != expected:
        fail("app printed %r, expected %r; stderr: %s"
             % (result.stdout, expected, result.stderr))
    del env["PRELOAD_PLUGINS"]
    result = run([os.path.join(build, "app")], env=env, capture_output=True)
    if result.stdout.splitlines() != ["main: start"]:
        fail("without PRELOAD_PLUGINS app printed %r" % result.stdout)


def build_source(args, project, name):
    build = os.path.join(args.work, name)
    run(configure(args, os.path.join(args.source, project), build))
    run(["cmake", "--build", build, "-j2"])
    return build


def run_app(command, expect_code, **variables):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRELOAD_")}
    env.update(variables)
    print("+", " ".join(command), flush=True)
    result = subprocess.run(command, env=env, text=True, capture_output=True)
    if result.returncode != expect_code:
        fail("%s exited %d, expected %d\nstdout:\n%s\nstderr:\n%s"
             % (command[0], result.returncode, expect_code, result.stdout,
                result.stderr))
    return result.stdout


def expect_lines(output, expected):
    for line in expected:
        if line not in output.splitlines():
            fail("expected the line %r in:\n%s" % (line, output))


def check_static(args):
    """Static plugins linked into an installed-SDK host by
    target_link_libraries alone: found by name, verified, initialised once;
    two export the same name; one source is also a shared plugin; one built
    with another std::string ABI is refused, its init never run."""
    build = build_source(args, "static_project", "static")
    app = os.path.join(build, "app")
    shared = os.path.join(build, "hello_shared.so")
    out = run_app([app, "hello", "hola", shared, "legacy", "hello"], 1)
    expect_lines(out, ["hello: Hello, world! (static)",
                       "hola: Hola, world! (static)",
                       "%s: Hello, world! (shared)" % shared,
                       "loaded by loader: hello static",
                       "loaded by loader: hola static",
                       "loaded by loader: hello_shared shared"])
    for text in ("legacy: error: FAILED_PRECONDITION: static plugin 'legacy'",
                 "glibcxx.cxx11_abi: plugin has 0, host has 1"):
        if text not in out:
            fail("expected %r in:\n%s" % (text, out))
    inits = [line for line in out.splitlines() if line.startswith("init: ")]
    if inits != ["init: Hello", "init: Hola", "init: Hello"]:
        fail("inits %r: hello (static) once, hola, hello_shared; never legacy"
             % inits)
    # PRELOAD_PLUGINS names a static plugin as it names a file; its init runs
    # once although two loaders open it.
    out = run_app([app, "hello"], 0, PRELOAD_PLUGINS="hello")
    expect_lines(out, ["hello: Hello, world! (static)",
                       "loaded by autoload: hello static",
                       "loaded by loader: hello static"])
    if out.count("init: Hello") != 1:
        fail("hello's init ran %d times:\n%s" % (out.count("init: Hello"), out))


def check_static_host(args):
    """A fully static host (-static) opens its static plugins; opening a
    shared plugin is a clear error, not a crash."""
    if not os.path.exists("/usr/lib/x86_64-linux-gnu/libc.a"):
        print("SKIPPED: glibc's static libc.a is not installed")
        return
    build = build_source(args, "static_host_project", "static-host")
    app = os.path.join(build, "static", "static_app")
    result = subprocess.run(["readelf", "-lW", app], text=True,
                            capture_output=True, check=True)
    if "INTERP" in result.stdout:
        fail("static_app has a program interpreter: it is not fully static")
    shared = os.path.join(build, "shared", "hello_shared.so")
    out = run_app([app, "hello", "legacy", shared], 1)
    expect_lines(out, ["init: Hello", "hello: Hello, world! (static)",
                       "loaded by loader: hello static"])
    for text in ("legacy: error: FAILED_PRECONDITION: static plugin 'legacy'",
                 "%s: error: FAILED_PRECONDITION: " % shared,
                 "verified, but this program is statically linked, so it "
                 "cannot map a shared plugin"):
        if text not in out:
            fail("expected %r in:\n%s" % (text, out))


def check_installed_layout(args):
    """GNUInstallDirs under a /usr prefix puts plugins in
    lib/x86_64-linux-gnu/preload; installed into a DESTDIR under umask 002,
    the host finds its plugin there by bare name and trusts it."""
    source = os.path.join(args.source, "install_project")
    build = os.path.join(args.work, "installed-layout")
    root = os.path.join(args.work, "installed-root")
    run(configure(args, source, build, extra=["-DCMAKE_INSTALL_PREFIX=/usr"]))
    run(["cmake", "--build", build, "-j2"])
    with open(os.path.join(build, "plugin_install_dir.txt")) as f:
        if f.read() != "lib/x86_64-linux-gnu/preload":
            fail("PRELOAD_PLUGIN_INSTALL_DIR is not lib/x86_64-linux-gnu/preload")
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    os.chmod(root, 0o755)
    run(["cmake", "--install", build], env=dict(os.environ, DESTDIR=root),
        preexec_fn=lambda: os.umask(0o002))
    plugin = os.path.join(root, "usr", "lib", "x86_64-linux-gnu", "preload", "hello.so")
    if not os.path.isfile(plugin):
        fail("the plugin is not at %s" % plugin)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRELOAD_")}
    result = subprocess.run([os.path.join(root, "usr", "bin", "app"), "hello", "world"],
                            env=env, capture_output=True, text=True)
    if result.returncode != 0 or result.stdout.strip() != "Hello, world!":
        fail("the installed app did not load hello: %r %r"
             % (result.stdout, result.stderr))


def check_deb(args):
    """scripts/package makes the .deb (Release, /usr, lintian without
    errors); extracted with dpkg-deb -x into a temporary root, it is the
    whole SDK: a project finds it through CMAKE_PREFIX_PATH, builds a plugin
    and a host, and the host loads the plugin; its preload tool runs."""
    out = os.path.join(args.work, "deb")
    shutil.rmtree(out, ignore_errors=True)
    # A tree configured for another prefix (this test's, /usr/local) would
    # give a package without the multiarch libdir: cpack refuses it.
    if cache_value(args.sdk_build, "CMAKE_INSTALL_PREFIX") == "/usr":
        fail("this check needs the test tree configured for a prefix other "
             "than /usr")
    refused = subprocess.run(["cpack", "-G", "DEB", "-B", out], cwd=args.sdk_build,
                             text=True, capture_output=True)
    if refused.returncode == 0 or "configure with -DCMAKE_INSTALL_PREFIX=/usr" \
            not in " ".join(refused.stdout.split() + refused.stderr.split()):
        fail("cpack packed a tree not configured for /usr:\n%s%s"
             % (refused.stdout, refused.stderr))
    shutil.rmtree(out, ignore_errors=True)
    env = dict(os.environ,
               PRELOAD_PACKAGE_BUILD_DIR=os.path.join(args.work, "deb-tree"))
    run([os.path.join(args.sdk_source, "scripts", "package"), out], env=env)
    debs = [f for f in os.listdir(out) if f.endswith(".deb")]
    if len(debs) != 1:
        fail("expected one .deb in %s, found %r" % (out, debs))
    deb = os.path.join(out, debs[0])
    control = run(["dpkg-deb", "--field", deb], capture_output=True).stdout
    fields = dict(line.split(": ", 1) for line in control.splitlines()
                  if ": " in line and not line.startswith(" "))
    depends = [d.strip().split(" ")[0] for d in fields.get("Depends", "").split(",")]
    for needed in ("libabsl-dev", "libsodium-dev", "python3-jinja2", "cmake",
                   "libc6"):
        if needed not in depends:
            fail("Depends lacks %s: %r" % (needed, fields.get("Depends")))
    root = os.path.join(args.work, "deb-root")
    shutil.rmtree(root, ignore_errors=True)
    run(["dpkg-deb", "-x", deb, root])
    usr = os.path.join(root, "usr")
    for path in ("lib/x86_64-linux-gnu/cmake/PreloadSDK/PreloadSDKConfig.cmake",
                 "lib/x86_64-linux-gnu/libpreload.a", "bin/preload",
                 "share/man/man1/preload.1.gz", "share/doc/preload-sdk/copyright",
                 "share/doc/preload-sdk/changelog.Debian.gz"):
        if not os.path.isfile(os.path.join(usr, path)):
            fail("the package has no /usr/%s" % path)
    build = os.path.join(args.work, "deb-consumer")
    run(configure(args, os.path.join(args.source, "project"), build, sdk=usr))
    run(["cmake", "--build", build, "-j2"])
    with open(os.path.join(build, "CMakeCache.txt")) as cache:
        found = [line for line in cache if line.startswith("PreloadSDK_DIR:")]
    if not found or not found[0].strip().endswith(
            os.path.join(usr, "lib/x86_64-linux-gnu/cmake/PreloadSDK")):
        fail("find_package did not take the extracted package: %r" % found)
    result = run([os.path.join(build, "app"), os.path.join(build, "hello.so"),
                  "world"], capture_output=True)
    if result.stdout.strip() != "Hello, world!":
        fail("app printed %r, expected 'Hello, world!'" % result.stdout)
    tool = run([os.path.join(usr, "bin", "preload"), "inspect",
                os.path.join(build, "hello.so")], capture_output=True)
    if "hello" not in tool.stdout:
        fail("the packaged preload tool printed %r" % tool.stdout)


def cache_value(build, name):
    with open(os.path.join(build, "CMakeCache.txt")) as cache:
        for line in cache:
            if line.startswith(name + ":"):
                return line.split("=", 1)[1].strip()
    return None


def configure_in(env, command):
    """Runs a configure command; its output (stdout and stderr together)."""
    print("+", " ".join(command), flush=True)
    result = subprocess.run(command, env=env, text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    return result.returncode, " ".join(result.stdout.split())


def check_python_choice(args):
    """An active virtual environment without Jinja2 (on PATH, VIRTUAL_ENV
    set) breaks no configure: the package's remembered Python is taken; when
    that one is gone, the venv is passed over, saying why, for the system
    Python; a cached choice that lost Jinja2 names the venv fix, not a
    Debian package."""
    venv = os.path.join(args.work, "venv-without-jinja2")
    shutil.rmtree(venv, ignore_errors=True)
    run(["/usr/bin/python3", "-m", "venv", "--without-pip", venv])
    venv_python = os.path.join(venv, "bin", "python3")
    if subprocess.run([venv_python, "-c", "import jinja2"],
                      capture_output=True).returncode == 0:
        fail("the venv can import jinja2; the check would prove nothing")
    env = dict(os.environ, VIRTUAL_ENV=venv,
               PATH=os.path.join(venv, "bin") + os.pathsep + os.environ["PATH"])
    source = os.path.join(args.source, "project")

    build = os.path.join(args.work, "python-remembered")
    code, out = configure_in(env, configure(args, source, build))
    if code != 0:
        fail("configure with the venv active failed:\n" + out)
    remembered = cache_value(build, "PRELOAD_SDK_PYTHON_WITH_JINJA2")
    if remembered != "/usr/bin/python3":
        fail("expected the package's Python /usr/bin/python3, got %r" % remembered)
    run(["cmake", "--build", build, "-j2"], env=env)

    # The package as it is after its Python was removed.
    gone = os.path.join(args.work, "prefix-python-gone")
    shutil.rmtree(gone, ignore_errors=True)
    shutil.copytree(prefix(args), gone, symlinks=True)
    config = os.path.join(gone, "lib", "cmake", "PreloadSDK", "PreloadSDKConfig.cmake")
    with open(config) as f:
        text = f.read()
    text = text.replace('set(PRELOAD_SDK_BUILD_PYTHON "/usr/bin/python3")',
                        'set(PRELOAD_SDK_BUILD_PYTHON "%s/removed/python3")' % args.work)
    if "/removed/python3" not in text:
        fail("PreloadSDKConfig.cmake does not remember /usr/bin/python3")
    with open(config, "w") as f:
        f.write(text)
    build = os.path.join(args.work, "python-gone")
    code, out = configure_in(env, configure(args, source, build, sdk=gone))
    if code != 0:
        fail("configure with the package's Python gone failed:\n" + out)
    expected = ("passed over %s is a virtual environment without Jinja2: "
                "'%s -m pip install jinja2'" % (venv_python, venv_python))
    if expected not in out:
        fail("expected %r in:\n%s" % (expected, out))
    if cache_value(build, "PRELOAD_SDK_PYTHON_WITH_JINJA2") != "/usr/bin/python3":
        fail("the venv was not passed over for /usr/bin/python3")
    run(["cmake", "--build", build, "-j2"], env=env)
    code, out = configure_in(env, ["cmake", build])
    if code != 0 or "passed over" in out:
        fail("a reconfigure searched again: %s" % out)

    # A tree whose chosen Python has lost Jinja2 since (simulated: the
    # choice cached as the venv's): the codegen's error says what to do.
    build = os.path.join(args.work, "python-lost-jinja2")
    code, out = configure_in(env, configure(args, source, build, extra=[
        "-DPRELOAD_SDK_PYTHON_WITH_JINJA2=" + venv_python,
        "-DPRELOAD_SDK_PYTHON_CHOSEN_UNDER="]))
    hint = "%s is a virtual environment without Jinja2" % venv_python
    if code == 0 or hint not in out or "apt-get" in out:
        fail("expected a refusal naming %r (and no apt-get):\n%s" % (hint, out))


def check_build_tree(args):
    """In its build tree, a host built with target_preload_host loads the
    same build tree's plugin by bare name, no environment variable, from any
    working directory; installed (GNUInstallDirs, /usr, DESTDIR) it loads the
    installed plugin, whose $ORIGIN-relative INSTALL_RPATH finds the
    project's own shared library; it never searches the build tree, nor
    does a copy of the build tree's host."""
    source = os.path.join(args.source, "build_tree_project")
    build = os.path.join(args.work, "build-tree")
    root = os.path.join(args.work, "build-tree-root")
    run(configure(args, source, build, extra=["-DCMAKE_INSTALL_PREFIX=/usr"]))
    run(["cmake", "--build", build, "-j2"])
    app = os.path.join(build, "bin", "app")
    plugin_dir = os.path.join(build, "plugins")
    # No PRELOAD_* variable (run_app drops them), run from elsewhere.
    out = run_app([app, "hello", "world"], 0, PRELOAD_DEBUG="search")
    if out.strip() != "Hello, world! (greet)":
        fail("the build tree's app printed %r" % out)

    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    os.chmod(root, 0o755)
    run(["cmake", "--install", build], env=dict(os.environ, DESTDIR=root))
    libdir = os.path.join(root, "usr", "lib", "x86_64-linux-gnu")
    installed_plugin = os.path.join(libdir, "preload", "hello.so")
    dynamic = run(["readelf", "-dW", installed_plugin], capture_output=True).stdout
    if "[$ORIGIN/..]" not in dynamic:
        fail("the installed plugin's RUNPATH is not $ORIGIN/..:\n" + dynamic)
    installed_app = os.path.join(root, "usr", "bin", "app")
    # The build tree's plugin moved away: only the installed one can answer.
    os.rename(os.path.join(plugin_dir, "hello.so"),
              os.path.join(plugin_dir, "hello.so.away"))
    try:
        out = run_app([installed_app, "hello", "world"], 0)
        if out.strip() != "Hello, world! (greet)":
            fail("the installed app printed %r" % out)
    finally:
        os.rename(os.path.join(plugin_dir, "hello.so.away"),
                  os.path.join(plugin_dir, "hello.so"))
    # With the installed plugin gone, neither the installed host nor a copy
    # of the build tree's host looks in the build tree, where hello.so is.
    os.remove(installed_plugin)
    copy = os.path.join(root, "usr", "bin", "app-copy")
    shutil.copy2(app, copy)
    for host in (installed_app, copy):
        env = {k: v for k, v in os.environ.items() if not k.startswith("PRELOAD_")}
        env["PRELOAD_DEBUG"] = "search"
        result = subprocess.run([host, "hello", "world"], env=env, text=True,
                                capture_output=True)
        if result.returncode == 0 or plugin_dir in result.stderr:
            fail("%s searched the build tree or loaded hello:\n%s%s"
                 % (host, result.stdout, result.stderr))
        if "plugin 'hello' not found" not in result.stderr:
            fail("%s: expected 'not found' in:\n%s" % (host, result.stderr))


CHECKS = {
    "build_tree": check_build_tree,
    "python_choice": check_python_choice,
    "deb": check_deb,
    "static": check_static,
    "static_host": check_static_host,
    "install": check_install,
    "installed_layout": check_installed_layout,
    "autoload": check_autoload,
    "find_package": check_find_package,
    "reproducible_notes": check_reproducible_notes,
    "multi_config": check_multi_config,
    "bad_arguments": check_bad_arguments,
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("check", choices=sorted(CHECKS))
    parser.add_argument("--sdk-build", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--source", default="")
    parser.add_argument("--sdk-source", default="")
    parser.add_argument("--generator", default="Ninja")
    parser.add_argument("--cxx", default="c++")
    parser.add_argument("--config", default="")
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    try:
        CHECKS[args.check](args)
    except subprocess.CalledProcessError as error:
        fail("command exited with %d: %s" % (error.returncode, error.cmd))
    print("PASSED:", args.check)


if __name__ == "__main__":
    main()
