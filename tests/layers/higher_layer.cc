// Preprocessed with the elf layer's include directories: the loader's header
// is not there, so a source of the elf layer that included it would not
// compile.
#include "preload/loader.h"
