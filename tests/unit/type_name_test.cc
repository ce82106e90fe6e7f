// preload::TypeName: the spelling exports are matched by.
#include "preload/type_name.h"

#include <functional>
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

}  // namespace
}  // namespace preload
