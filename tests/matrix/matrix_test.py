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
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time

SKIPPED = 77  # ctest's SKIP_RETURN_CODE for these tests

REFUSED = "refused by both"
ACCEPTED = "accepted by both"
STRICT_ONLY = "refused by strict only"

# What matrix_host's exit status means (host.cc).
HOST_CORRECT, HOST_WRONG_RESULT, HOST_REFUSED, HOST_ERROR = 0, 4, 10, 11
HOST_STATE_CHANGED = 5  # the probe was right, the thread's FP state was not

BASE_FLAGS = "-O2"  # the host's CMAKE_CXX_FLAGS_RELEASE, and every row's
BASE_STANDARD = "17"


@dataclasses.dataclass
class Row:
    name: str
    group: str
    change: str                    # what differs from the host, for people
    compiler: str = "g++"
    options: tuple = ()            # compile and link options of the plugin
    compile_only: tuple = ()       # compile options only
    link_only: tuple = ()          # link options only
    definitions: tuple = ()
    include_dirs: tuple = ()       # relative to the project's source
    flags: str = BASE_FLAGS        # CMAKE_CXX_FLAGS_RELEASE
    standard: str = BASE_STANDARD  # CMAKE_CXX_STANDARD
    abi: str = "v1_1"              # abi/<variant>/matrix_abi.h
    link_abseil: bool = True
    strip: bool = False
    build_dir: str = ""            # another build directory, under the work dir
    needs: str = ""                # "clang", "libc++" or "multilib"
    # A file-level mark the change must leave in the built plugin, checked
    # with readelf -s (e.g. crtfastmath.c, the start-up object linked in).
    linked: str = ""
    # Text each refusal's message must contain where the row expects it to
    # name no field (a refusal of start-up code).
    message: str = ""
    # Fields each refusing policy must name: {policy: [field, ...]}.
    fields: dict = dataclasses.field(default_factory=dict)
    # Built in the SDK's own tree (tests/matrix/in_tree), not by this driver:
    # the host and the plugin come from the command line (`prebuilt`).
    in_tree: bool = False
    # For in-tree rows: the `sanitizers` field the host's note and the
    # plugin's must have, so that a row cannot pass with its change lost.
    host_sanitizers: str = ""
    plugin_sanitizers: str = ""


def both(*fields):
    return {"strict": list(fields), "compatible": list(fields)}


ROWS = [
    # Breaking changes: refused by both policies.
    Row("cxx11_abi_0", REFUSED, "`-D_GLIBCXX_USE_CXX11_ABI=0`",
        definitions=("_GLIBCXX_USE_CXX11_ABI=0",),
        fields=both("glibcxx.cxx11_abi", "layout.std_string")),
    Row("glibcxx_debug", REFUSED, "`-D_GLIBCXX_DEBUG`",
        definitions=("_GLIBCXX_DEBUG",), fields=both("glibcxx.debug")),
    # Sanitizers, both directions, built in the SDK's tree (in_tree/) so
    # that they run in the asan stage of scripts/test too.
    Row("asan_plugin_only", REFUSED,
        "`-fsanitize=address` in the plugin only (host without sanitizers)",
        in_tree=True, host_sanitizers="none", plugin_sanitizers="address",
        fields=both("sanitizers")),
    Row("asan_host_only", STRICT_ONLY,
        "an AddressSanitizer host (`-fsanitize=address`), the plugin without "
        "sanitizers", in_tree=True, host_sanitizers="address",
        plugin_sanitizers="none", fields={"strict": ["sanitizers"]}),
    Row("abi_changed_same_version", REFUSED,
        "host ABI header changed without a version bump (matrix 1.1, "
        "`Request` fields swapped)",
        abi="v1_1_changed", fields=both("abi_hash.matrix")),
    Row("abi_newer_minor", REFUSED,
        "host ABI header changed with a version bump: plugin built against "
        "matrix 1.2 (adds `HostBonus`), host provides 1.1",
        abi="v1_2", fields=both("abi.matrix")),
    Row("abi_major_bump", REFUSED,
        "host ABI major bump: plugin built against matrix 2.0 (`Request` "
        "fields widened), host provides 1.1",
        abi="v2_0", fields=both("abi.matrix")),
    Row("libcxx", REFUSED, "Clang with libc++ (`clang++ -stdlib=libc++`)",
        compiler="clang++", options=("-stdlib=libc++",), needs="libc++",
        fields={"strict": ["compiler.id", "stdlib.name", "layout.std_string"],
                "compatible": ["stdlib.name", "layout.std_string"]}),
    # Process state changed at load, by start-up objects from the link line.
    Row("fast_math_link_only", REFUSED,
        "`-ffast-math` on the link line only (links `crtfastmath.o`)",
        link_only=("-ffast-math",), linked="crtfastmath.c",
        message="sets FTZ and DAZ in MXCSR"),
    Row("fast_math", REFUSED, "`-ffast-math` (compile and link)",
        options=("-ffast-math",), linked="crtfastmath.c",
        message="sets FTZ and DAZ in MXCSR"),
    Row("fast_math_link_only_clang", REFUSED,
        "Clang: `-ffast-math` on the link line only (host GCC; the Clang "
        "toolchain difference is judged as in `clang_libstdcxx`)",
        compiler="clang++", needs="clang", link_only=("-ffast-math",),
        linked="crtfastmath.c", message="sets FTZ and DAZ in MXCSR",
        fields={"strict": ["compiler.id", "compiler.version"]}),
    Row("mpc64", REFUSED, "`-mpc64` (links `crtprec64.o`)",
        options=("-mpc64",), linked="crtprec.c",
        message="lowers the x87 precision to a 53-bit mantissa"),
    Row("mpc32", REFUSED, "`-mpc32` (links `crtprec32.o`)",
        options=("-mpc32",), linked="crtprec.c",
        message="lowers the x87 precision to a 24-bit mantissa"),
    # A type's representation, not its size.
    Row("long_double_128", REFUSED,
        "`-mlong-double-128` (`long double` keeps 16 bytes, becomes binary128)",
        options=("-mlong-double-128",), fields=both("fp.long_double")),
    Row("long_double_128_clang", REFUSED, "Clang: `-mlong-double-128`",
        compiler="clang++", needs="clang", options=("-mlong-double-128",),
        fields={"strict": ["compiler.id", "fp.long_double"],
                "compatible": ["fp.long_double"]}),
    Row("long_double_64", REFUSED, "`-mlong-double-64`",
        options=("-mlong-double-64",),
        fields=both("fp.long_double", "layout.long_double")),
    Row("unsigned_char", REFUSED, "`-funsigned-char`",
        options=("-funsigned-char",), fields=both("cxx.char_unsigned")),
    Row("unsigned_char_clang", REFUSED, "Clang: `-funsigned-char`",
        compiler="clang++", needs="clang", options=("-funsigned-char",),
        fields={"strict": ["compiler.id", "cxx.char_unsigned"],
                "compatible": ["cxx.char_unsigned"]}),
    Row("no_exceptions", REFUSED, "`-fno-exceptions`",
        options=("-fno-exceptions",), fields=both("cxx.exceptions")),
    # Options the fingerprint already refused, with their forced loads.
    Row("no_rtti", REFUSED, "`-fno-rtti`", options=("-fno-rtti",),
        fields=both("cxx.rtti")),
    Row("short_wchar", REFUSED, "`-fshort-wchar` (`wchar_t` 2 bytes)",
        options=("-fshort-wchar",), fields=both("layout.wchar_t")),
    Row("short_enums", REFUSED, "`-fshort-enums` (small enums 1 byte)",
        options=("-fshort-enums",), fields=both("layout.enum")),
    # Plain -fpack-struct cannot build a plugin: Abseil's Status and <ios>
    # bind references to fields it misaligns ("cannot bind packed field").
    Row("pack_struct", REFUSED,
        "`-fpack-struct=4` (members aligned to at most 4 bytes)",
        options=("-fpack-struct=4",), fields=both("layout.std_string")),
    # GCC's C++ ABI version and aligned new.
    Row("abi_version_11", REFUSED,
        "`-fabi-version=11` (GCC's C++ ABI 11; GCC 12's default is 17)",
        options=("-fabi-version=11",), fields=both("cxx.gxx_abi")),
    Row("no_aligned_new", REFUSED,
        "`-fno-aligned-new` (`new` ignores an over-aligned type's alignment)",
        options=("-fno-aligned-new",), fields=both("cxx.aligned_new")),
    Row("no_weak", REFUSED,
        "`-fno-weak` (type information without weak linkage)",
        options=("-fno-weak",), fields=both("cxx.weak")),
    Row("mabi_ms", REFUSED,
        "`-mabi=ms` (GCC: every function defaults to the Microsoft x64 "
        "calling convention)",
        options=("-mabi=ms",), fields=both("target.calling_abi")),
    Row("m32", REFUSED, "pointer width (`g++ -m32`)",
        options=("-m32",), link_abseil=False, needs="multilib",
        fields=both("target.arch", "target.pointer_bits", "layout.long")),
    # Harmless changes: accepted by both policies.
    Row("opt_O0", ACCEPTED, "`-O0` (host `-O2`)", options=("-O0",)),
    Row("debug_info", ACCEPTED, "`-g`", options=("-g",)),
    Row("warnings", ACCEPTED, "`-Wall -Wextra`", options=("-Wall", "-Wextra")),
    Row("extra_includes", ACCEPTED, "extra include directories",
        include_dirs=("extra_include", "abi")),
    Row("ndebug", ACCEPTED, "`-DNDEBUG`", definitions=("NDEBUG",)),
    Row("other_build_dir", ACCEPTED,
        "a different build directory (same flags as the host)",
        build_dir="elsewhere/a/deeper/build"),
    Row("fast_math_compile_only", ACCEPTED,
        "`-ffast-math` when compiling only (no `crtfastmath.o`)",
        compile_only=("-ffast-math",)),
    Row("mpc80", ACCEPTED,
        "`-mpc80` (links `crtprec80.o`, which sets the default precision)",
        options=("-mpc80",), linked="crtprec.c"),
    Row("stripped_fast_math", REFUSED,
        "`-ffast-math` on the link line, then `strip --strip-all`",
        link_only=("-ffast-math",), strip=True,
        message="sets FTZ and DAZ in MXCSR"),
    Row("fno_math_errno", ACCEPTED, "`-fno-math-errno`",
        options=("-fno-math-errno",)),
    Row("fpmath_387", ACCEPTED,
        "`-mfpmath=387` (x87 arithmetic; arguments still pass in SSE "
        "registers)", options=("-mfpmath=387",)),
    Row("fno_plt", ACCEPTED, "`-fno-plt`", options=("-fno-plt",)),
    Row("fwrapv", ACCEPTED, "`-fwrapv`", options=("-fwrapv",)),
    Row("no_red_zone", ACCEPTED, "`-mno-red-zone`", options=("-mno-red-zone",)),
    Row("fvisibility_hidden", ACCEPTED, "`-fvisibility=hidden`",
        options=("-fvisibility=hidden",)),
    Row("stack_protector", ACCEPTED, "`-fstack-protector-strong`",
        options=("-fstack-protector-strong",)),
    Row("frame_pointer", ACCEPTED, "`-fno-omit-frame-pointer`",
        options=("-fno-omit-frame-pointer",)),
    Row("fp_contract_off", ACCEPTED, "`-ffp-contract=off`",
        options=("-ffp-contract=off",)),
    Row("no_threadsafe_statics", ACCEPTED, "`-fno-threadsafe-statics`",
        options=("-fno-threadsafe-statics",)),
    Row("no_sized_deallocation", ACCEPTED, "`-fno-sized-deallocation`",
        options=("-fno-sized-deallocation",)),
    Row("cf_protection_none", ACCEPTED, "`-fcf-protection=none`",
        options=("-fcf-protection=none",)),
    Row("abi_version_17", ACCEPTED,
        "`-fabi-version=17` (GCC 12's own ABI version, named)",
        options=("-fabi-version=17",)),
    Row("glibcxx_assertions", ACCEPTED, "`-D_GLIBCXX_ASSERTIONS`",
        definitions=("_GLIBCXX_ASSERTIONS",)),
    Row("fp_value_options", ACCEPTED,
        "`-ffinite-math-only -frounding-math -fno-signed-zeros "
        "-fno-trapping-math` (when compiling and linking: no start-up object)",
        options=("-ffinite-math-only", "-frounding-math", "-fno-signed-zeros",
                 "-fno-trapping-math")),
    Row("dialect_options", ACCEPTED,
        "`-fchar8_t -fno-new-inheriting-ctors -fno-gnu-unique -malign-double`",
        options=("-fchar8_t", "-fno-new-inheriting-ctors", "-fno-gnu-unique",
                 "-malign-double")),
    Row("stripped", ACCEPTED, "a stripped plugin (`strip --strip-all`)",
        strip=True),
    # Refused by strict, accepted by compatible.
    Row("clang_libstdcxx", STRICT_ONLY, "Clang with libstdc++ in a GCC host",
        compiler="clang++", needs="clang",
        fields={"strict": ["compiler.id", "compiler.version"]}),
    Row("mabi_ms_clang", STRICT_ONLY,
        "Clang: `-mabi=ms` (no effect on Linux: calls stay System V)",
        compiler="clang++", needs="clang", options=("-mabi=ms",),
        fields={"strict": ["compiler.id", "compiler.version"]}),
    Row("cxx20", STRICT_ONLY, "`-std=c++20` (host `-std=c++17`)",
        standard="20", fields={"strict": ["cxx.standard"]}),
    Row("abi_older_minor", STRICT_ONLY,
        "older host ABI minor: plugin built against matrix 1.0, host "
        "provides 1.1", abi="v1_0", fields={"strict": ["abi.matrix"]}),
]
ROWS_BY_NAME = {row.name: row for row in ROWS}
POLICIES = ("strict", "compatible")


def expected_verdict(row, policy):
    if row.group == ACCEPTED:
        return "accepted"
    if row.group == STRICT_ONLY and policy == "compatible":
        return "accepted"
    return "refused"


# ---------------------------------------------------------------- building


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


# ------------------------------------------------------- running the host


def no_core_dumps():
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


# How long a host may run. The probes take microseconds; a forced load that
# runs this long is a hang (pack_struct's walks a std::set whose links it
# misreads), and waiting longer would only spend CI time spinning.
TIMEOUTS = {"force": 15}
DEFAULT_TIMEOUT = 60


def run_host(host, *arguments):
    """Runs a matrix host in a child process; never raises for its outcome."""
    command = [host, *arguments]
    print("+", " ".join(command), flush=True)
    timeout = TIMEOUTS.get(arguments[0], DEFAULT_TIMEOUT)
    try:
        result = subprocess.run(command, capture_output=True, text=True,
                                errors="replace", timeout=timeout,
                                preexec_fn=no_core_dumps)
    except subprocess.TimeoutExpired as expired:
        return {"status": None, "stdout": text_of(expired.stdout),
                "stderr": text_of(expired.stderr), "timeout": True}
    sys.stdout.write(indent(result.stdout))
    sys.stdout.write(indent(result.stderr))
    return {"status": result.returncode, "stdout": result.stdout,
            "stderr": result.stderr, "timeout": False}


def text_of(output):
    """What a timed-out child wrote: bytes or str, depending on the Python."""
    if isinstance(output, bytes):
        return output.decode("utf-8", "replace")
    return output or ""


def indent(text):
    return "".join("    | " + line + "\n" for line in text.splitlines())


def value_of(output, key):
    """The value of the last "key: value" line of the host's output."""
    found = None
    for line in output.splitlines():
        if line.startswith(key + ": "):
            found = line[len(key) + 2:]
    return found


def message_of(output):
    """The loader's message: the "message:" line and the lines after it."""
    at = output.find("message: ")
    return output[at + len("message: "):] if at >= 0 else ""


def refused_fields(message):
    return re.findall(r"^  ([a-z0-9_.-]+): ", message, re.MULTILINE)


# The line of a dying child's stderr that says what went wrong, by what
# prints it: libstdc++'s debug mode, the sanitizers, glibc's malloc, the C++
# runtime.
DIAGNOSTICS = (r"^Error: ", r"ERROR: ", r"^(free|malloc|realloc|double free)",
               r"^terminate called", r"error")


def first_diagnostic(stderr):
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for pattern in DIAGNOSTICS:
        for line in lines:
            if re.search(pattern, line):
                return shorten(line)
    return shorten(lines[0]) if lines else ""


def shorten(text, limit=160):
    text = re.sub(r"==\d+==", "", text).strip()
    return text if len(text) <= limit else text[:limit - 3] + "..."


def describe_forced(outcome, plugin):
    """What went wrong when the plugin was loaded without the check."""
    if outcome["timeout"]:
        return "hang", "the process hangs (killed after %d s, at step %s)" % (
            TIMEOUTS["force"], value_of(outcome["stdout"], "step") or "start")
    status, stdout = outcome["status"], outcome["stdout"]
    step = value_of(stdout, "step") or "start"
    if status < 0:
        name = signal.Signals(-status).name
        detail = first_diagnostic(outcome["stderr"])
        where = {"probe": "in the probe", "destroy": "when the host frees the "
                 "string the plugin wrote", "check": "after the probe",
                 "dlopen": "in dlopen"}.get(step, "at step " + step)
        text = "crash: %s %s" % (name, where)
        if detail:
            text += " (`%s`)" % detail
        values = value_of(stdout, "values")
        if values and values != "correct":
            text = "wrong result (%s), then %s" % (values, text)
        return "crash", text
    if status == HOST_STATE_CHANGED:
        return "state changed", ("the probe is right, but the host's "
                                 "floating-point state changed: " +
                                 value_of(stdout, "state")[len("changed: "):])
    if status == HOST_WRONG_RESULT:
        return "wrong result", "wrong result: " + value_of(stdout, "result")[
            len("wrong: "):]
    dlopen = value_of(stdout, "dlopen")
    if dlopen:
        reason = dlopen[len("failed: "):].replace(plugin, "probe.so")
        return "dlopen failure", "dlopen fails: `%s`" % reason
    if status == HOST_CORRECT:
        return "none", "no failure observed: the probe computed the right values"
    detail = first_diagnostic(outcome["stderr"])
    return "exit", "the process exits with status %d at step %s%s" % (
        status, step, " (`%s`)" % detail if detail else "")


# ------------------------------------------------------- one row


def results_dir(args):
    return os.path.join(args.work, "results")


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


def fail(message):
    print("FAILED:", message, flush=True)
    sys.exit(1)


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
