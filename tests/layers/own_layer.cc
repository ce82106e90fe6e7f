// Preprocessed with the elf layer's include directories: its own headers,
// public and internal, are found.
#include "elf/internal/ld_so_cache.h"
#include "preload/elf_notes.h"
