// The one naming rule (preload/plugin_name.h): what IsPluginName allows, and
// that add_preload_plugin's CMake rule and the Python codegen's (`preload
// new`) give the same verdict on the same names, garbage included.
#include "preload/plugin_name.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace preload {
namespace {

TEST(PluginNameTest, LetterThenLettersDigitsAndPunctuation) {
  for (const char* name : {"a", "Z", "hello", "hx_probe", "my-plugin.v2",
                           "A1_b-c.d", "x.", "x-", "x_"}) {
    EXPECT_TRUE(IsPluginName(name)) << name;
  }
}

TEST(PluginNameTest, EverythingElseIsRefused) {
  for (const std::string name :
       {std::string(), std::string("1abc"), std::string("_abc"),
        std::string(".hidden"), std::string("-x"), std::string("a b"),
        std::string("a/b"), std::string("../a"), std::string("a\nb"),
        std::string("a\n"), std::string("a\x1b[2J"), std::string("a+b"),
        std::string("a:b"), std::string("a;b"), std::string("caf\xc3\xa9"),
        std::string("\xc3\xa9t\xc3\xa9"), std::string("a\0b", 3),
        std::string("a\0", 2)}) {
    EXPECT_FALSE(IsPluginName(name)) << absl::CHexEscape(name);
  }
}

TEST(PluginNameTest, AtMost252Bytes) {
  EXPECT_TRUE(IsPluginName(std::string(kMaxPluginNameLength, 'a')));
  EXPECT_FALSE(IsPluginName(std::string(kMaxPluginNameLength + 1, 'a')));
  static_assert(kMaxPluginNameLength + 3 == 255, "<name>.so fits NAME_MAX");
}

// The names given to all three rules: the edges written out, then garbage:
// names of allowed bytes with up to two replaced by a byte near the rule's
// edges or by any byte (NUL aside: no CMake string holds one; the cases
// above cover it).
std::vector<std::string> Names() {
  std::vector<std::string> names = {
      "", "a", "1", "a1", "1a", "_", "a_", "a.b", "a-b", "a b", "a\n", "\na",
      "a\r", "a\t", "a;b", "a\\b", "a$b", "a${x}", "a\"b", "[a]", "a*", "a?",
      "a^", "a|b", "a(b)", "a+", "\xc3\xa9", "a\xc3\xa9", "a\xff", "a\x7f",
      std::string(252, 'a'), std::string(253, 'a'), "a" + std::string(251, '9'),
      "a" + std::string(252, '9')};
  const std::string allowed = "AZaz09_.-";
  const std::string edges = "@[`{/:;+ \\\"$'\n\r\x1b\x7f\x80\xff";
  std::mt19937 random(14);
  for (int i = 0; i < 3000; ++i) {
    std::string name(random() % 12, 'x');
    for (char& c : name) c = allowed[random() % allowed.size()];
    for (int changes = name.empty() ? 0 : random() % 3; changes > 0; --changes) {
      name[random() % name.size()] =
          random() % 2 ? edges[random() % edges.size()]
                       : static_cast<char>(1 + random() % 255);
    }
    names.push_back(name);
  }
  return names;
}

std::string Scratch(const std::string& leaf) {
  const char* tmp = std::getenv("TMPDIR");
  return absl::StrCat(tmp && *tmp ? tmp : "/tmp", "/plugin_name_test.",
                      ::getpid(), ".", leaf);
}

// Runs `command`; the verdicts it wrote to `out`, "1" or "0" a line.
std::vector<bool> Verdicts(const std::string& command, const std::string& out) {
  const int status = std::system(command.c_str());
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << command;
  std::ifstream file(out);
  std::vector<bool> verdicts;
  for (std::string line; std::getline(file, line);) verdicts.push_back(line == "1");
  std::remove(out.c_str());
  return verdicts;
}

TEST(PluginNameTest, CMakeAndPythonAgreeWithTheSdk) {
  const std::vector<std::string> names = Names();
  const std::string in = Scratch("names");
  {
    std::ofstream file(in);
    for (const std::string& name : names) {
      file << "n:" << absl::BytesToHexString(name) << "\n";
    }
  }
  const std::string cmake_out = Scratch("cmake"), python_out = Scratch("python");
  const std::vector<bool> cmake = Verdicts(
      absl::StrCat("'", PRELOAD_CMAKE_COMMAND, "' -DNAMES=", in, " -DVERDICTS=",
                   cmake_out, " -P '", PRELOAD_TESTS_DIR, "/plugin_name_check.cmake'"),
      cmake_out);
  const std::vector<bool> python = Verdicts(
      absl::StrCat("'", PRELOAD_PYTHON, "' '", PRELOAD_TESTS_DIR,
                   "/plugin_name_check.py' '", PRELOAD_CODEGEN_DIR, "' ", in, " ",
                   python_out),
      python_out);
  std::remove(in.c_str());
  ASSERT_EQ(cmake.size(), names.size());
  ASSERT_EQ(python.size(), names.size());
  int valid = 0;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const bool sdk = IsPluginName(names[i]);
    valid += sdk;
    EXPECT_EQ(cmake[i], sdk) << "CMake on '" << absl::CHexEscape(names[i]) << "'";
    EXPECT_EQ(python[i], sdk) << "Python on '" << absl::CHexEscape(names[i]) << "'";
  }
  // Both verdicts occur often enough for the agreement to mean something.
  EXPECT_GT(valid, 100);
  EXPECT_GT(static_cast<int>(names.size()) - valid, 100);
}

}  // namespace
}  // namespace preload
