"""Building the matrix's host and plugins against the installed SDK, and
checking that each built plugin differs from the host as its row says."""

import os
import re
import shutil
import subprocess
import sys
import tempfile

from matrix_rows import BASE_FLAGS, BASE_STANDARD, ROWS

# ---------------------------------------------------------------- building


def results_dir(args):
    return os.path.join(args.work, "results")


def fail(message):
    print("FAILED:", message, flush=True)
    sys.exit(1)


def run(command, **kwargs):
    print("+", " ".join(command), flush=True)
    return subprocess.run(command, check=True, text=True, **kwargs)


def generator(args):
    # Outputs are looked for directly in the build directory.
    if args.generator.endswith("Multi-Config"):
        return "Ninja"
    return args.generator


def configure_and_build(args, build, compiler, cache):
    shutil.rmtree(build, ignore_errors=True)
    command = ["cmake", "-S", args.source, "-B", build, "-G", generator(args),
               "-DCMAKE_PREFIX_PATH=" + args.prefix,
               "-DCMAKE_CXX_COMPILER=" + compiler,
               "-DPython3_EXECUTABLE=" + sys.executable,
               "-DCMAKE_BUILD_TYPE=Release",
               "-DCMAKE_CXX_EXTENSIONS=OFF"]
    command += ["-D%s=%s" % item for item in cache.items()]
    run(command, stdout=subprocess.DEVNULL)
    run(["cmake", "--build", build, "-j2"], stdout=subprocess.DEVNULL)


def host_path(args):
    return os.path.join(args.work, "host", "matrix_host")


def build_host(args):
    shutil.rmtree(results_dir(args), ignore_errors=True)
    configure_and_build(args, os.path.join(args.work, "host"), "g++", {
        "MATRIX_ROLE": "host",
        "CMAKE_CXX_FLAGS_RELEASE": BASE_FLAGS,
        "CMAKE_CXX_STANDARD": BASE_STANDARD,
    })


def batched(row):
    """Whether the row's plugin is built in the batch: one configure for
    every row that differs from the host only in its target's own options,
    definitions, include directories or a strip afterwards. MATRIX_NO_BATCH=1
    in the environment builds every row by itself (to measure, or to
    rebuild one row alone)."""
    if os.environ.get("MATRIX_NO_BATCH") == "1":
        return False
    return (row.compiler == "g++" and row.standard == BASE_STANDARD and
            row.abi == "v1_1" and not row.build_dir and
            row.flags == BASE_FLAGS and row.link_abseil and not row.needs and
            not row.in_tree)


def batch_dir(args):
    return os.path.join(args.work, "batch")


def cmake_list(items):
    return " ".join("[==[%s]==]" % item for item in items)


def build_batch(args):
    """Configures one project with a probe target per batched row and builds
    them all, going on past a target that fails: that row then fails by
    itself, finding no plugin."""
    build = batch_dir(args)
    shutil.rmtree(build, ignore_errors=True)
    os.makedirs(build)
    rows_file = os.path.join(build, "rows.cmake")
    with open(rows_file, "w") as out:
        for row in filter(batched, ROWS):
            include_dirs = [os.path.join(args.source, d)
                            for d in row.include_dirs]
            out.write("matrix_batch_probe(%s OPTIONS %s COMPILE_ONLY %s "
                      "LINK_ONLY %s DEFINITIONS %s INCLUDE_DIRS %s)\n" % (
                          row.name, cmake_list(row.options),
                          cmake_list(row.compile_only),
                          cmake_list(row.link_only),
                          cmake_list(row.definitions),
                          cmake_list(include_dirs)))
    run(["cmake", "-S", args.source, "-B", build, "-G", generator(args),
         "-DCMAKE_PREFIX_PATH=" + args.prefix, "-DCMAKE_CXX_COMPILER=g++",
         "-DPython3_EXECUTABLE=" + sys.executable,
         "-DCMAKE_BUILD_TYPE=Release", "-DCMAKE_CXX_EXTENSIONS=OFF",
         "-DMATRIX_ROLE=batch", "-DMATRIX_BATCH_FILE=" + rows_file,
         "-DCMAKE_CXX_FLAGS_RELEASE=" + BASE_FLAGS,
         "-DCMAKE_CXX_STANDARD=" + BASE_STANDARD], stdout=subprocess.DEVNULL)
    built = subprocess.run(["cmake", "--build", build, "-j2", "--", "-k", "0"],
                           text=True, capture_output=True)
    if built.returncode != 0:
        print(built.stdout[-4000:], built.stderr[-4000:], sep="\n")
        print("some plugins of the batch failed to build: their rows fail")


def build_plugin(args, row):
    if batched(row):
        return batch_plugin(args, row)
    build = os.path.join(args.work, "rows", row.name)
    if row.build_dir:
        build = os.path.join(args.work, "rows", row.name, row.build_dir)
    include_dirs = [os.path.join(args.source, d) for d in row.include_dirs]
    configure_and_build(args, build, shutil.which(row.compiler), {
        "MATRIX_ROLE": "plugin",
        "MATRIX_ABI": row.abi,
        "MATRIX_OPTIONS": ";".join(row.options),
        "MATRIX_COMPILE_ONLY": ";".join(row.compile_only),
        "MATRIX_LINK_ONLY": ";".join(row.link_only),
        "MATRIX_DEFINITIONS": ";".join(row.definitions),
        "MATRIX_INCLUDE_DIRS": ";".join(include_dirs),
        "MATRIX_LINK_ABSEIL": "ON" if row.link_abseil else "OFF",
        "CMAKE_CXX_FLAGS_RELEASE": row.flags,
        "CMAKE_CXX_STANDARD": row.standard,
    })
    plugin = os.path.join(build, "probe.so")
    if row.strip:
        stripped = os.path.join(build, "probe_stripped.so")
        run(["strip", "--strip-all", "-o", stripped, plugin])
        plugin = stripped
    return plugin


def batch_plugin(args, row):
    build = os.path.join(batch_dir(args), row.name)
    plugin = os.path.join(build, "probe.so")
    if not os.path.exists(plugin):
        fail("%s: the batch did not build %s (see matrix.batch's output)" % (
            row.name, plugin))
    if row.strip:
        stripped = os.path.join(build, "probe_stripped.so")
        run(["strip", "--strip-all", "-o", stripped, plugin])
        plugin = stripped
    return plugin


def note_fields(binary):
    """The fields of a binary's fingerprint note, read as objcopy extracts it."""
    with tempfile.TemporaryDirectory() as scratch:
        out = os.path.join(scratch, "note")
        subprocess.run(["objcopy", "-O", "binary",
                        "--only-section=.note.preload", binary, out],
                       check=True)
        with open(out, "rb") as note:
            text = note.read().decode("utf-8", "replace")
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


CXX_STANDARD = {"17": "201703", "20": "202002"}
COMPILER_ID = {"g++": "gcc", "clang++": "clang"}


def sanitizers_missing(row, hosts, plugin):
    """For an in-tree row: how the host's and the plugin's notes fail to
    record the sanitizers the row says."""
    missing = []
    for what, binary, wanted in (("host", hosts.note, row.host_sanitizers),
                                 ("plugin", plugin, row.plugin_sanitizers)):
        found = note_fields(binary).get("sanitizers")
        if found != wanted:
            missing.append("the %s's sanitizers=%r, expected %r" % (
                what, found, wanted))
    return missing


def differences_missing(row, plugin):
    """How the built plugin fails to differ from the host as the row says;
    guards against a row that passes because its change was never applied."""
    fields = note_fields(plugin)
    missing = []

    def expect(key, wanted, present):
        if not present:
            missing.append("%s=%r, expected %s" % (key, fields.get(key), wanted))

    options = fields.get("flags.options", "").split()
    for option in row.options + row.compile_only:
        expect("flags.options", option, option in options)
    definitions = fields.get("flags.definitions", "").split()
    for definition in row.definitions:
        expect("flags.definitions", definition, definition in definitions)
    if row.include_dirs:
        expect("flags.definitions", "MATRIX_EXPECT_EXTRA_INCLUDE",
               "MATRIX_EXPECT_EXTRA_INCLUDE" in definitions)
    standard = CXX_STANDARD[row.standard]
    expect("cxx.standard", standard, fields.get("cxx.standard") == standard)
    compiler = COMPILER_ID[row.compiler]
    expect("compiler.id", compiler, fields.get("compiler.id") == compiler)
    version = re.sub(r"^v(\d+)_(\d+).*", r"\1.\2", row.abi)
    expect("abi.matrix", version, fields.get("abi.matrix") == version)
    if row.linked:
        # Read before stripping: the unstripped file is built beside it.
        unstripped = plugin.replace("probe_stripped.so", "probe.so")
        symbols = subprocess.run(["readelf", "-s", "-W", unstripped],
                                 check=True, capture_output=True,
                                 text=True).stdout
        expect("the symbol table", row.linked, row.linked in symbols)
    if row.strip:
        sections = subprocess.run(["readelf", "-S", "-W", plugin], check=True,
                                  capture_output=True, text=True).stdout
        expect("the section table", "no .symtab", ".symtab" not in sections)
    return missing


# ------------------------------------------------------- prerequisites


def compiles(compiler, options, source="#include <string>\n"
             "int f(const std::string& s) { return (int)s.size(); }\n"):
    """Whether `compiler options` can build a shared object from `source`."""
    if not shutil.which(compiler):
        return False
    with tempfile.TemporaryDirectory() as scratch:
        path = os.path.join(scratch, "probe.cc")
        with open(path, "w") as out:
            out.write(source)
        result = subprocess.run(
            [compiler, *options, "-shared", "-fPIC", path,
             "-o", os.path.join(scratch, "probe.so")],
            capture_output=True, text=True)
        return result.returncode == 0


def missing_prerequisite(row):
    """Why this machine cannot build the row, or None."""
    if row.compiler != "g++" and not shutil.which(row.compiler):
        return "no %s (apt-get install clang)" % row.compiler
    if row.needs == "libc++" and not compiles("clang++", ["-stdlib=libc++"]):
        return "no libc++ (apt-get install libc++-dev libc++abi-dev)"
    if row.needs == "multilib" and not compiles("g++", ["-m32"]):
        return "no multilib compiler (apt-get install g++-multilib)"
    return None
