#!/usr/bin/env python3
"""Writes the fuzzers' seed corpora from real plugins and hosts of a build tree.

    tests/fuzz/make_corpus.py <build-dir> [target...]

For each binary: its first 8 KiB and the bytes of each PT_NOTE segment go to
corpus/elf_notes/, the payload of each PreloadSDK note to corpus/fingerprint/;
a binary of at most WHOLE_BYTES goes to corpus/elf_notes/ whole too, for the
loader's page pass, which answers only for a file holding all its segments.
For EXPORT_BINARIES, corpus/export_records/ gets the same first 8 KiB and
note segments, and each export record's desc.
For the PT_DYNAMIC reader, corpus/elf_dynamic/ gets what it reads of each of
DYNAMIC_BINARIES (see dynamic_seed), and one of them rewritten as ELF32 and
big-endian. Only the named targets are rewritten (default: all).
Seeds are named seed-<binary>.<what>; inputs named regression-* (crashes the
fuzzers found, kept so they stay fixed) are left alone. Only little-endian
ELF64 is read here: that is what the tree builds.
"""
import pathlib
import struct
import sys

PREFIX_BYTES = 8 * 1024
WHOLE_BYTES = 32 * 1024
PT_NOTE = 4
NOTE_OWNER = b"PreloadSDK"
NOTE_TYPE = 0x46505250
EXPORT_NOTE_TYPE = 0x45505250

# Plugins with export records (many types; stripped), and without them.
EXPORT_BINARIES = [
    "tests/integration/fx_typed_exports.so",
    "tests/integration/fx_typed_exports_v1.so",
    "tests/integration/RelWithDebInfo/fx_good_stripped.so",
]

# Relative to the build tree: plugins (accepted, refused, stripped, not ours)
# and hosts (with their own note, and falling back to the SDK's).
BINARIES = [
    "tests/integration/fx_good.so",
    "tests/integration/RelWithDebInfo/fx_good_stripped.so",
    "tests/integration/fx_legacy_abi.so",
    "tests/integration/fx_debug_mode.so",
    "tests/integration/fx_abi_missing.so",
    "tests/integration/fx_plain_module.so",
    "tests/integration/loader_test",
    "tests/integration/sdk_host_test",
]


def note_segments(image):
    assert image[:4] == b"\x7fELF" and image[4] == 2 and image[5] == 1
    phoff, = struct.unpack_from("<Q", image, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", image, 0x36)
    for i in range(phnum):
        p_type, _, p_offset, _, _, p_filesz, _, p_align = struct.unpack_from(
            "<IIQQQQQQ", image, phoff + i * phentsize)
        if p_type == PT_NOTE:
            yield image[p_offset:p_offset + p_filesz], 8 if p_align == 8 else 4


def notes(segment, align):
    offset = 0
    while offset + 12 <= len(segment):
        namesz, descsz, note_type = struct.unpack_from("<III", segment, offset)
        name_at = offset + 12
        desc_at = (name_at + namesz + align - 1) // align * align
        yield (segment[name_at:name_at + namesz].rstrip(b"\0"), note_type,
               segment[desc_at:desc_at + descsz])
        offset = (desc_at + descsz + align - 1) // align * align


# For corpus/elf_dynamic: binaries chosen for what their dynamic sections
# hold. Relative to the build tree, or absolute (skipped when missing).
DYNAMIC_BINARIES = [
    "tests/integration/RelWithDebInfo/fx_good_stripped.so",  # a plugin
    "tests/integration/fx_plain_module.so",      # not a plugin
    "tests/cli/origin/fx_cli_origin.so",         # DT_RUNPATH $ORIGIN
    "tests/cli/missing/fx_cli_missing.so",       # DT_NEEDED found nowhere
    "tests/cli/origin/libcli_dep.so",            # DT_SONAME, few DT_NEEDED
    "tests/integration/sdk_host_test",           # a host: PIE, DT_FLAGS_1
    "bin/preload",                               # the tool
    "/usr/lib/x86_64-linux-gnu/libabsl_status.so.20220623.0.0",
    # A relocatable object: no program headers at all.
    "tests/fuzz/CMakeFiles/fuzz_replay_elf_dynamic.dir/replay_main.cc.o",
]
# The one rewritten in the other classes and byte orders.
REENCODED = "fx_cli_origin.so"

PT_LOAD = 1
PT_DYNAMIC = 2
DT_NULL, DT_STRTAB, DT_STRSZ = 0, 5, 10
EHDR64_SIZE, PHDR64_SIZE = 64, 56


def program_headers(image):
    """(type, offset, vaddr, filesz) of each program header, little-endian
    ELF64."""
    assert image[:4] == b"\x7fELF" and image[4] == 2 and image[5] == 1
    phoff, = struct.unpack_from("<Q", image, 0x20)
    phnum, = struct.unpack_from("<H", image, 0x38)
    for i in range(phnum):
        p_type, _, p_offset, p_vaddr, _, p_filesz, _, _ = struct.unpack_from(
            "<IIQQQQQQ", image, phoff + i * PHDR64_SIZE)
        yield p_type, p_offset, p_vaddr, p_filesz


def dynamic_entries(image, offset, size):
    for at in range(offset, offset + size - 15, 16):
        tag, value = struct.unpack_from("<qQ", image, at)
        yield tag, value
        if tag == DT_NULL:
            return


def file_offset(phdrs, vaddr):
    for p_type, p_offset, p_vaddr, p_filesz in phdrs:
        if p_type == PT_LOAD and p_vaddr <= vaddr < p_vaddr + p_filesz:
            return p_offset + vaddr - p_vaddr
    raise ValueError("address 0x%x in no PT_LOAD" % vaddr)


def dynamic_seed(image):
    """What the PT_DYNAMIC reader reads, at its own offsets: the file up to the
    end of its program headers and string table, then the dynamic section,
    moved there from further on (its program header's p_offset patched), so
    that a host's seed is kilobytes, not megabytes."""
    phoff, = struct.unpack_from("<Q", image, 0x20)
    phdrs = list(program_headers(image))
    end = max(EHDR64_SIZE, phoff + len(phdrs) * PHDR64_SIZE)
    dynamic = [i for i, p in enumerate(phdrs) if p[0] == PT_DYNAMIC]
    if not dynamic:
        return image[:end]
    _, dyn_offset, _, dyn_size = phdrs[dynamic[0]]
    tags = dict(dynamic_entries(image, dyn_offset, dyn_size))
    end = max(end, file_offset(phdrs, tags[DT_STRTAB]) + tags[DT_STRSZ])
    if dyn_offset + dyn_size <= end:
        return image[:end]
    end = (end + 7) // 8 * 8
    seed = bytearray(image[:end])
    seed += image[dyn_offset:dyn_offset + dyn_size]
    struct.pack_into("<Q", seed, phoff + dynamic[0] * PHDR64_SIZE + 8, end)
    return bytes(seed)


# Per class: the ELF header after e_ident, a program header, a dynamic entry.
EHDR = {32: "HHIIIIIHHHHHH", 64: "HHIQQQIHHHHHH"}
PHDR = {32: "IIIIIIII", 64: "IIQQQQQQ"}
DYN = {32: "iI", 64: "qQ"}
MACHINE = {(32, False): 3, (32, True): 20, (64, True): 21}  # 386, PPC, PPC64


def reencode(seed, bits, big):
    """A seed from dynamic_seed as ELF`bits` in the given byte order: header,
    program headers and dynamic entries rewritten where they were (each is no
    larger than before), the string table left in place."""
    order = ">" if big else "<"
    (e_type, _, e_version, e_entry, phoff, _, e_flags, _, _, phnum,
     _, _, _) = struct.unpack_from("<" + EHDR[64], seed, 16)
    phdrs = [struct.unpack_from("<" + PHDR[64], seed, phoff + i * PHDR64_SIZE)
             for i in range(phnum)]
    out = bytearray(seed)
    out[4], out[5] = (1 if bits == 32 else 2), (2 if big else 1)
    out[16:phoff + phnum * PHDR64_SIZE] = bytes(phoff + phnum * PHDR64_SIZE - 16)
    struct.pack_into(order + EHDR[bits], out, 16, e_type,
                     MACHINE[(bits, big)], e_version, e_entry, phoff, 0,
                     e_flags, struct.calcsize(EHDR[bits]) + 16,
                     struct.calcsize(PHDR[bits]), phnum, 0, 0, 0)
    entry_size = struct.calcsize(DYN[bits])
    for i, (p_type, flags, offset, vaddr, paddr, filesz, memsz,
            align) in enumerate(phdrs):
        if p_type == PT_DYNAMIC:
            entries = list(dynamic_entries(seed, offset, filesz))
            out[offset:offset + filesz] = bytes(filesz)
            for n, (tag, value) in enumerate(entries):
                struct.pack_into(order + DYN[bits], out,
                                 offset + n * entry_size, tag,
                                 value & 0xffffffff if bits == 32 else value)
            filesz = memsz = len(entries) * entry_size
        fields = ((p_type, flags, offset, vaddr, paddr, filesz, memsz, align)
                  if bits == 64 else
                  (p_type, offset, vaddr, paddr, filesz, memsz, flags, align))
        struct.pack_into(order + PHDR[bits], out,
                         phoff + i * struct.calcsize(PHDR[bits]), *fields)
    return bytes(out)


def write_dynamic_seeds(build, corpus):
    for relative in DYNAMIC_BINARIES:
        path = build / relative
        if not path.exists():
            print("make_corpus.py: skipping missing %s" % path, file=sys.stderr)
            continue
        seed = dynamic_seed(path.read_bytes())
        name = path.name
        (corpus / f"seed-{name}.dynamic").write_bytes(seed)
        if name != REENCODED:
            continue
        for bits, big, what in ((32, False, "elf32"), (32, True, "elf32msb"),
                                (64, True, "elf64msb")):
            (corpus / f"seed-{name}.dynamic.{what}").write_bytes(
                reencode(seed, bits, big))


def write_note_seeds(build, corpus, targets):
    for relative in BINARIES:
        path = build / relative
        image = path.read_bytes()
        name = path.name
        if "elf_notes" in targets:
            (corpus / "elf_notes" / f"seed-{name}.prefix8k").write_bytes(
                image[:PREFIX_BYTES])
            if len(image) <= WHOLE_BYTES:
                (corpus / "elf_notes" / f"seed-{name}.whole").write_bytes(image)
        payloads = 0
        for index, (segment, align) in enumerate(note_segments(image)):
            if "elf_notes" in targets:
                (corpus / "elf_notes" /
                 f"seed-{name}.notes{index}").write_bytes(segment)
            for owner, note_type, desc in notes(segment, align):
                if (owner == NOTE_OWNER and note_type == NOTE_TYPE and
                        "fingerprint" in targets):
                    (corpus / "fingerprint" /
                     f"seed-{name}.payload{payloads}").write_bytes(desc)
                    payloads += 1


def write_export_seeds(build, corpus):
    for relative in EXPORT_BINARIES:
        path = build / relative
        image = path.read_bytes()
        name = path.name
        (corpus / f"seed-{name}.prefix8k").write_bytes(image[:PREFIX_BYTES])
        records = 0
        for index, (segment, align) in enumerate(note_segments(image)):
            (corpus / f"seed-{name}.notes{index}").write_bytes(segment)
            for owner, note_type, desc in notes(segment, align):
                if owner == NOTE_OWNER and note_type == EXPORT_NOTE_TYPE:
                    (corpus / f"seed-{name}.record{records}").write_bytes(desc)
                    records += 1


def main():
    build = pathlib.Path(sys.argv[1])
    targets = sys.argv[2:] or ["elf_notes", "elf_dynamic", "fingerprint",
                               "export_records"]
    corpus = pathlib.Path(__file__).resolve().parent / "corpus"
    for target in targets:
        (corpus / target).mkdir(parents=True, exist_ok=True)
        for old in (corpus / target).glob("seed-*"):
            old.unlink()
    if "elf_notes" in targets or "fingerprint" in targets:
        write_note_seeds(build, corpus, targets)
    if "elf_dynamic" in targets:
        write_dynamic_seeds(build, corpus / "elf_dynamic")
    if "export_records" in targets:
        write_export_seeds(build, corpus / "export_records")


if __name__ == "__main__":
    main()
