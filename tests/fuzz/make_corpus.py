#!/usr/bin/env python3
"""Writes the fuzzers' seed corpora from real plugins and hosts of a build tree.

    tests/fuzz/make_corpus.py <build-dir>

For each binary: its first 8 KiB and the bytes of each PT_NOTE segment go to
corpus/elf_notes/, the payload of each PreloadSDK note to corpus/fingerprint/.
Seeds are named seed-<binary>.<what>; inputs named regression-* (crashes the
fuzzers found, kept so they stay fixed) are left alone. Only little-endian
ELF64 is read here: that is what the tree builds.
"""
import pathlib
import struct
import sys

PREFIX_BYTES = 8 * 1024
PT_NOTE = 4
NOTE_OWNER = b"PreloadSDK"
NOTE_TYPE = 0x46505250

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


def main():
    build = pathlib.Path(sys.argv[1])
    corpus = pathlib.Path(__file__).resolve().parent / "corpus"
    for target in ("elf_notes", "fingerprint"):
        (corpus / target).mkdir(parents=True, exist_ok=True)
        for old in (corpus / target).glob("seed-*"):
            old.unlink()
    for relative in BINARIES:
        path = build / relative
        image = path.read_bytes()
        name = path.name
        (corpus / "elf_notes" / f"seed-{name}.prefix8k").write_bytes(
            image[:PREFIX_BYTES])
        payloads = 0
        for index, (segment, align) in enumerate(note_segments(image)):
            (corpus / "elf_notes" / f"seed-{name}.notes{index}").write_bytes(
                segment)
            for owner, note_type, desc in notes(segment, align):
                if owner == NOTE_OWNER and note_type == NOTE_TYPE:
                    (corpus / "fingerprint" /
                     f"seed-{name}.payload{payloads}").write_bytes(desc)
                    payloads += 1


if __name__ == "__main__":
    main()
