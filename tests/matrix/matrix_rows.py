"""The matrix's rows: what each plugin changes from the host, and the verdict
each policy must give. matrix_test.py's docstring says how they are run."""

import dataclasses

SKIPPED = 77  # ctest's SKIP_RETURN_CODE for these tests

REFUSED = "refused by both"
ACCEPTED = "accepted by both"
STRICT_ONLY = "refused by strict only"

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
