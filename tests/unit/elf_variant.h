// The four ELF variants the readers' tests run in, each class in each byte
// order; shared by elf_notes_test and elf_dynamic_test, so that both name
// their parameterised tests alike (…/Elf32Lsb, not …/0).
#ifndef TESTS_UNIT_ELF_VARIANT_H_
#define TESTS_UNIT_ELF_VARIANT_H_

#include <ostream>
#include <string>

#include "gtest/gtest.h"

namespace preload::testing {

struct ElfVariant {
  bool is64;
  bool big_endian;
  const char* name;
};

inline constexpr ElfVariant kElfVariants[] = {
    {false, false, "Elf32Lsb"},
    {false, true, "Elf32Msb"},
    {true, false, "Elf64Lsb"},
    {true, true, "Elf64Msb"},
};

// gtest prints a parameter in its messages; a variant's name says it.
inline void PrintTo(const ElfVariant& variant, std::ostream* os) {
  *os << variant.name;
}

// The name generator for INSTANTIATE_TEST_SUITE_P.
inline std::string ElfVariantName(
    const ::testing::TestParamInfo<ElfVariant>& info) {
  return info.param.name;
}

}  // namespace preload::testing

#endif  // TESTS_UNIT_ELF_VARIANT_H_
