// preload::TypeName: the spelling exports are matched by.
#include "preload/type_name.h"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace spelling_test {
struct Widget {};
enum Color { kRed };
}  // namespace spelling_test

namespace preload {
namespace {

TEST(TypeNameTest, FundamentalTypesHaveFixedSpellings) {
  EXPECT_EQ(TypeName<int>(), "int");
  EXPECT_EQ(TypeName<unsigned long>(), "unsigned long");
  EXPECT_EQ(TypeName<long double>(), "long double");
  EXPECT_EQ(TypeName<void>(), "void");
}

TEST(TypeNameTest, ConstAndVolatileGoBeforeANamedType) {
  EXPECT_EQ(TypeName<const int>(), "const int");
  EXPECT_EQ(TypeName<const volatile char>(), "const volatile char");
}

TEST(TypeNameTest, PointersAndReferencesWrapTheirTarget) {
  EXPECT_EQ(TypeName<const char*>(), "const char*");
  EXPECT_EQ(TypeName<char* const>(), "char* const");
  EXPECT_EQ(TypeName<const std::string&>(), "const std::string&");
  EXPECT_EQ(TypeName<std::string&&>(), "std::string&&");
  EXPECT_EQ(TypeName<int**>(), "int**");
}

TEST(TypeNameTest, FunctionsKeepTheirExactSignature) {
  EXPECT_EQ((TypeName<std::string(const std::string&)>()),
            "std::string(const std::string&)");
  EXPECT_EQ((TypeName<void(int, double)>()), "void(int, double)");
  EXPECT_EQ(TypeName<int()>(), "int()");
  EXPECT_EQ(TypeName<void(int) noexcept>(), "void(int) noexcept");
}

TEST(TypeNameTest, PointersToFunctionsAndArraysUseParentheses) {
  EXPECT_EQ(TypeName<void (*)(int)>(), "void(*)(int)");
  EXPECT_EQ(TypeName<int (&)[4]>(), "int(&)[4]");
  EXPECT_EQ(TypeName<int (*(*)(char))[2]>(), "int(*(*)(char))[2]");
}

TEST(TypeNameTest, DifferentSignaturesSpellDifferently) {
  EXPECT_NE((TypeName<std::string(const std::string&)>()),
            (TypeName<std::string(std::string&)>()));
  EXPECT_NE((TypeName<std::string(const std::string&)>()),
            (TypeName<std::string(std::string)>()));
  EXPECT_NE(TypeName<int(int)>(), TypeName<int(int) noexcept>());
}

TEST(TypeNameTest, StandardTemplatesAreSpelledWithoutDefaults) {
  EXPECT_EQ(TypeName<std::vector<int>>(), "std::vector<int>");
  EXPECT_EQ(TypeName<std::unique_ptr<spelling_test::Widget>>(),
            "std::unique_ptr<spelling_test::Widget>");
  EXPECT_EQ(TypeName<std::function<int(const std::string&)>>(),
            "std::function<int(const std::string&)>");
}

TEST(TypeNameTest, ClassAndEnumTypesUseTheirQualifiedNames) {
  EXPECT_EQ(TypeName<spelling_test::Widget>(), "spelling_test::Widget");
  EXPECT_EQ(TypeName<spelling_test::Color>(), "spelling_test::Color");
  EXPECT_EQ((TypeName<std::unique_ptr<spelling_test::Widget>()>()),
            "std::unique_ptr<spelling_test::Widget>()");
}

TEST(TypeNameTest, NormalizeRemovesCompilerSpecificSpelling) {
  using type_name_internal::Normalize;
  EXPECT_EQ(Normalize("std::__cxx11::basic_string<char> >"),
            "std::basic_string<char>>");
  EXPECT_EQ(Normalize("std::map<int, long unsigned int>"),
            "std::map<int,long unsigned int>");
  EXPECT_EQ(Normalize("{anonymous}::Widget"), "(anonymous namespace)::Widget");
  EXPECT_EQ(Normalize("(anonymous namespace)::Widget"),
            "(anonymous namespace)::Widget");
}

// The spelling is a compile-time constant (what a plugin records in its
// file): these compile only if it is, with whichever compiler builds them.
static_assert(kTypeName<int> == "int");
static_assert(kTypeName<void (*)(int) noexcept> == "void(*)(int) noexcept");
static_assert(kTypeName<std::string(const std::vector<std::string>&)> ==
              "std::string(const std::vector<std::string>&)");
static_assert(kTypeName<const char* const> == "const char* const");
static_assert(kTypeName<double (&)[3]> == "double(&)[3]");
static_assert(kTypeName<spelling_test::Widget> == "spelling_test::Widget");
static_assert(kTypeName<std::shared_ptr<const spelling_test::Color>> ==
              "std::shared_ptr<const spelling_test::Color>");

// The constant ends in a NUL, so its characters serve as a C string.
static_assert(kTypeName<spelling_test::Widget>.data()
                  [kTypeName<spelling_test::Widget>.size()] == '\0');

TEST(TypeNameTest, RunTimeSpellingIsTheConstant) {
  using Table = std::map<std::string, int>;
  EXPECT_EQ(TypeName<Table>(), kTypeName<Table>);
  EXPECT_EQ(TypeName<spelling_test::Widget* (*)(int)>(),
            kTypeName<spelling_test::Widget* (*)(int)>);
  // The same object each time: computed once per type.
  EXPECT_EQ(&TypeName<int>(), &TypeName<int>());
}

TEST(TypeNameTest, NormalizeKeepsSpacesOnlyBetweenIdentifiers) {
  using type_name_internal::Normalize;
  EXPECT_EQ(Normalize("const  char *"), "const char*");
  EXPECT_EQ(Normalize(" unsigned int "), "unsigned int");
  EXPECT_EQ(Normalize(""), "");
}

}  // namespace
}  // namespace preload
