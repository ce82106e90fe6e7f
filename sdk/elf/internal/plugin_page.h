// Copyright the PreloadSDK authors.
//
// elf/internal/plugin_page.h — the loader's one pass over a plugin's first
// page.
//
// An ordinary plugin holds its ELF header, its program header table and its
// note segment in its first 4 KiB, which ElfFile::ReadHeader has read
// already. ReadPluginPage takes from those bytes, in one pass and without a
// Status or a vector, all that a verification needs of the headers: the
// descriptor of the one note of an owner and type, the PT_LOAD segments and
// the PT_DYNAMIC segment (for the start-up code, startup_code.h).
//
// It is a shortcut, never a second set of rules: it answers only for a file
// the general readers (FindNoteDescs, ElfFile::ReadProgramHeaders) accept
// with exactly one such note, and then with the same note. For anything
// else (another class or byte order, a table or a note segment past the
// first bytes, a malformed or out-of-bounds header, no note or two, more
// segments than it holds) it declines, and the caller reads the file with
// the general readers, which decide and word every error
// (tests/unit/plugin_page_test.cc compares both on many broken files).
//
//   if (elf.ReadHeader().ok() && ReadPluginPage(elf, owner, type)) {
//     use elf.page()->note;
//   }
#ifndef PRELOAD_ELF_INTERNAL_PLUGIN_PAGE_H_
#define PRELOAD_ELF_INTERNAL_PLUGIN_PAGE_H_

#include <cstdint>
#include <string_view>

#include "elf/internal/elf_file.h"

namespace preload::internal {

// Whether the first bytes of `elf`, whose header is read, are an ordinary
// plugin's with exactly one note of `owner` and `type`; if so, records what
// they say in `elf` (ElfFile::page()). Checks every bound the general
// readers check: when it returns true, FindNoteDescs would find that one
// note, and every PT_LOAD segment lies within the file.
bool ReadPluginPage(ElfFile& elf, std::string_view owner, uint32_t type);

}  // namespace preload::internal

#endif  // PRELOAD_ELF_INTERNAL_PLUGIN_PAGE_H_
