// Tests for cli/deps.h: ld.so's search order on synthetic ELF files written
// to a temporary directory (only their dynamic sections matter).
#include "cli/internal/deps.h"

#include <stdlib.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace preload::cli {
namespace {

void Put(std::string* out, std::size_t at, uint64_t value, std::size_t width) {
  if (out->size() < at + width) out->resize(at + width, '\0');
  for (std::size_t i = 0; i < width; ++i) {
    (*out)[at + i] = static_cast<char>(value >> (8 * i));
  }
}

struct Lib {
  std::vector<std::string> needed;
  std::string rpath, runpath;  // empty: none
  bool is64 = true;
};

// An x86-64 (or i386) ELF: header, PT_LOAD of the whole file at 0, PT_DYNAMIC.
std::string Elf(const Lib& lib) {
  const bool w = lib.is64;
  const std::size_t ehdr = w ? 64 : 52, phdr = w ? 56 : 32, word = w ? 8 : 4;
  std::string strings(1, '\0');
  std::vector<std::pair<uint64_t, uint64_t>> dyn;
  const auto add = [&](uint64_t tag, const std::string& text) {
    dyn.push_back({tag, strings.size()});
    strings += text + '\0';
  };
  for (const std::string& n : lib.needed) add(1, n);
  if (!lib.rpath.empty()) add(15, lib.rpath);
  if (!lib.runpath.empty()) add(29, lib.runpath);
  const std::size_t dyn_at = ehdr + 2 * phdr;
  const std::size_t str_at = dyn_at + (dyn.size() + 3) * 2 * word;
  dyn.push_back({5, str_at});
  dyn.push_back({10, strings.size()});
  dyn.push_back({0, 0});
  std::string out = "\x7f" "ELF";
  out += static_cast<char>(w ? 2 : 1);
  out += '\1';
  out += '\1';
  Put(&out, 16, 3, 2);
  Put(&out, 18, w ? 62 : 3, 2);
  Put(&out, w ? 32 : 28, ehdr, word);
  Put(&out, w ? 54 : 42, phdr, 2);
  Put(&out, w ? 56 : 44, 2, 2);
  for (std::size_t i = 0; i < dyn.size(); ++i) {
    Put(&out, dyn_at + 2 * word * i, dyn[i].first, word);
    Put(&out, dyn_at + 2 * word * i + word, dyn[i].second, word);
  }
  out.resize(str_at, '\0');
  out += strings;
  const std::size_t off = w ? 8 : 4, vaddr = w ? 16 : 8, filesz = w ? 32 : 16;
  Put(&out, ehdr, 1, 4);
  Put(&out, ehdr + filesz, out.size(), word);
  Put(&out, ehdr + phdr, 2, 4);
  Put(&out, ehdr + phdr + off, dyn_at, word);
  Put(&out, ehdr + phdr + vaddr, dyn_at, word);
  Put(&out, ehdr + phdr + filesz, str_at - dyn_at, word);
  return out;
}

absl::StatusOr<ElfDynamic> ReadElfDynamicOf(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  absl::StatusOr<ElfDynamic> dynamic = ReadElfDynamic(fd, path);
  if (fd >= 0) ::close(fd);
  return dynamic;
}

class DepsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/preload-deps-test-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    root_ = pattern;
  }
  void TearDown() override {
    std::system(("rm -rf '" + root_ + "'").c_str());
  }
  std::string Write(const std::string& relative, const Lib& lib) {
    const std::string path = root_ + "/" + relative;
    std::system(("mkdir -p '" + path.substr(0, path.rfind('/')) + "'").c_str());
    std::ofstream(path, std::ios::binary) << Elf(lib);
    return path;
  }
  SearchSettings Settings(std::vector<std::string> ld_library_path = {}) {
    SearchSettings settings;
    settings.ld_library_path = std::move(ld_library_path);
    settings.cache_file = root_ + "/no-cache";
    settings.default_dirs = std::vector<std::string>{root_ + "/default"};
    return settings;
  }
  DepsReport Resolve(const std::string& path,
                     std::vector<std::string> ld_library_path = {}) {
    DependencyResolver resolver(Settings(std::move(ld_library_path)));
    absl::StatusOr<DepsReport> report = resolver.Resolve(path, true);
    EXPECT_TRUE(report.ok()) << report.status();
    return report.ok() ? *report : DepsReport{};
  }
  std::string root_;
};

TEST_F(DepsTest, RunpathOriginFindsLibraryBesideThePlugin) {
  Write("p/lib/libx.so", {});
  const std::string plugin = Write("p/plugin.so", {{"libx.so"}, "", "$ORIGIN/lib"});
  const DepsReport report = Resolve(plugin);
  ASSERT_EQ(report.libraries.size(), 1u);
  EXPECT_TRUE(report.libraries[0].found);
  EXPECT_EQ(report.libraries[0].path, root_ + "/p/lib/libx.so");
  EXPECT_EQ(report.libraries[0].via, "runpath");
  EXPECT_EQ(report.libraries[0].search_entry, "$ORIGIN/lib");
  EXPECT_TRUE(report.missing.empty());
}

TEST_F(DepsTest, BracedOriginAndLdLibraryPathBeforeRunpath) {
  Write("a/libx.so", {});
  Write("b/libx.so", {});
  const std::string plugin = Write("p.so", {{"libx.so"}, "", "${ORIGIN}/a"});
  EXPECT_EQ(Resolve(plugin).libraries[0].via, "runpath");
  const DepsReport report = Resolve(plugin, {root_ + "/b"});
  EXPECT_EQ(report.libraries[0].path, root_ + "/b/libx.so");
  EXPECT_EQ(report.libraries[0].via, "ld_library_path");
}

TEST_F(DepsTest, RpathComesFirstButOnlyWithoutRunpath) {
  Write("a/libx.so", {});
  Write("b/libx.so", {});
  const std::string rpath_only = Write("r.so", {{"libx.so"}, "$ORIGIN/a", ""});
  const DepsReport first = Resolve(rpath_only, {root_ + "/b"});
  EXPECT_EQ(first.libraries[0].via, "rpath");
  EXPECT_EQ(first.libraries[0].path, root_ + "/a/libx.so");
  const std::string both = Write("rr.so", {{"libx.so"}, "$ORIGIN/a", "$ORIGIN/b"});
  EXPECT_EQ(Resolve(both).libraries[0].path, root_ + "/b/libx.so");
}

TEST_F(DepsTest, SkipsLibraryOfAnotherClass) {
  Lib wrong;
  wrong.is64 = false;
  Write("a/libx.so", wrong);
  Write("default/libx.so", {});
  const std::string plugin = Write("p.so", {{"libx.so"}, "", "$ORIGIN/a"});
  const DepsReport report = Resolve(plugin);
  EXPECT_EQ(report.libraries[0].via, "default");
  EXPECT_EQ(report.libraries[0].skipped,
            std::vector<std::string>{root_ + "/a/libx.so"});
}

TEST_F(DepsTest, NamesMissingLibrariesAndWhereItLooked) {
  const std::string plugin =
      Write("p.so", {{"libgone.so", "libgone.so"}, "", "$ORIGIN/lib"});
  const DepsReport report = Resolve(plugin);
  EXPECT_EQ(report.missing, std::vector<std::string>{"libgone.so"});
  ASSERT_EQ(report.libraries.size(), 1u);  // a name is resolved once
  EXPECT_EQ(report.libraries[0].searched,
            (std::vector<std::string>{root_ + "/lib/libgone.so",
                                      root_ + "/default/libgone.so"}));
  EXPECT_EQ(DepsSummary(report), "1 of 1 library not found: libgone.so");
}

TEST_F(DepsTest, FollowsDependenciesWithTheirOwnOriginAndInheritedRpath) {
  Write("a/deep/liby.so", {});
  Write("a/libz.so", {});
  Write("a/libx.so", {{"liby.so", "libz.so"}, "", "$ORIGIN/deep"});
  const std::string plugin = Write("p.so", {{"libx.so"}, "$ORIGIN/a", ""});
  const DepsReport report = Resolve(plugin);
  ASSERT_EQ(report.libraries.size(), 3u);
  EXPECT_EQ(report.libraries[1].name, "liby.so");
  EXPECT_EQ(report.libraries[1].depth, 2);
  EXPECT_EQ(report.libraries[1].via, "runpath");
  EXPECT_EQ(report.libraries[1].needed_by, root_ + "/a/libx.so");
  // libx.so has a RUNPATH, so the plugin's RPATH is not searched for libz.so.
  EXPECT_FALSE(report.libraries[2].found);
}

// One resolver serves a whole scan and keeps what it found for libraries'
// needs; a library needed by two plugins must still be searched with each
// plugin's inherited DT_RPATH and $ORIGIN.
TEST_F(DepsTest, OneResolverForManyFilesKeepsEachFilesInheritedRpath) {
  Write("common/libx.so", {{"liby.so"}, "", ""});
  Write("d1/y/liby.so", {});
  Write("d2/y/liby.so", {});
  const std::string first = Write("d1/p.so", {{"libx.so"}, "$ORIGIN/y", ""});
  const std::string second = Write("d2/p.so", {{"libx.so"}, "$ORIGIN/y", ""});
  DependencyResolver resolver(Settings({root_ + "/common"}));
  for (const auto& [plugin, dir] : {std::pair{first, "d1"}, std::pair{second, "d2"},
                                    std::pair{first, "d1"}}) {
    absl::StatusOr<DepsReport> report = resolver.Resolve(plugin, true);
    ASSERT_TRUE(report.ok()) << report.status();
    ASSERT_EQ(report->libraries.size(), 2u);
    EXPECT_EQ(report->libraries[0].path, root_ + "/common/libx.so");
    EXPECT_EQ(report->libraries[1].path, root_ + "/" + dir + "/y/liby.so")
        << "for " << plugin;
    EXPECT_EQ(report->libraries[1].via, "rpath");
  }
}

// The search for a file's own needs is kept for the next file of the same
// directory with the same lists and code; a file that differs in any of
// them (its directory, DT_RUNPATH, DT_RPATH, ELF class) must be searched
// with its own.
TEST_F(DepsTest, OneResolverKeepsEachFilesOwnSearchApart) {
  Write("d1/a/libz.so", {});
  Write("d1/b/libz.so", {});
  Write("d2/a/libz.so", {});
  struct Case {
    std::string plugin;
    std::string found;  // relative to root_; empty: not found
    std::string via;
  };
  const std::vector<Case> cases = {
      {Write("d1/pa.so", {{"libz.so"}, "", "$ORIGIN/a"}), "d1/a/libz.so", "runpath"},
      {Write("d1/pb.so", {{"libz.so"}, "", "$ORIGIN/b"}), "d1/b/libz.so", "runpath"},
      {Write("d2/pa.so", {{"libz.so"}, "", "$ORIGIN/a"}), "d2/a/libz.so", "runpath"},
      {Write("d1/pr.so", {{"libz.so"}, "$ORIGIN/b", ""}), "d1/b/libz.so", "rpath"},
      {Write("d1/none.so", {{"libz.so"}, "", ""}), "", ""},
      {Write("d1/p32.so", {{"libz.so"}, "", "$ORIGIN/a", /*is64=*/false}), "", ""},
      {Write("d1/pa2.so", {{"libz.so"}, "", "$ORIGIN/a"}), "d1/a/libz.so", "runpath"},
  };
  DependencyResolver resolver(Settings());
  for (int round = 0; round < 2; ++round) {
    for (const Case& c : cases) {
      absl::StatusOr<DepsReport> report = resolver.Resolve(c.plugin, true);
      ASSERT_TRUE(report.ok()) << report.status();
      ASSERT_EQ(report->libraries.size(), 1u) << c.plugin;
      const Library& z = report->libraries[0];
      EXPECT_EQ(z.needed_by, c.plugin);
      EXPECT_EQ(z.found, !c.found.empty()) << c.plugin;
      if (c.found.empty()) continue;
      EXPECT_EQ(z.path, root_ + "/" + c.found) << c.plugin;
      EXPECT_EQ(z.via, c.via) << c.plugin;
    }
  }
}

// Outcome, what preload scan asks, says of a file what a fresh Resolve of
// it says, kept report or not.
TEST_F(DepsTest, OutcomeOfAKeptReportIsTheFilesOwn) {
  Write("d1/a/libz.so", {});
  const std::string found = Write("d1/found.so", {{"libz.so"}, "", "$ORIGIN/a"});
  const std::string copy = Write("d1/copy.so", {{"libz.so"}, "", "$ORIGIN/a"});
  const std::string missing = Write("d1/missing.so", {{"libz.so", "libq.so"}, "", "$ORIGIN/a"});
  const std::string elsewhere = Write("d2/found.so", {{"libz.so"}, "", "$ORIGIN/a"});
  DependencyResolver resolver(Settings());
  for (const std::string& plugin : {found, copy, missing, elsewhere, copy}) {
    absl::StatusOr<DepsOutcome> outcome =
        resolver.Outcome(plugin, ReadElfDynamicOf(plugin), true);
    ASSERT_TRUE(outcome.ok()) << outcome.status();
    const DepsReport fresh = Resolve(plugin);
    EXPECT_EQ(outcome->missing, !fresh.missing.empty()) << plugin;
    EXPECT_EQ(outcome->unsafe, fresh.unsafe() > 0) << plugin;
    EXPECT_EQ(outcome->summary, DepsSummary(fresh)) << plugin;
  }
}

TEST_F(DepsTest, RefusesWhatIsNotElf) {
  std::ofstream(root_ + "/text.so") << "not an ELF file at all, just some text";
  DependencyResolver resolver(SearchSettings{});
  EXPECT_EQ(resolver.Resolve(root_ + "/text.so", true).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(resolver.Resolve(root_ + "/nothing.so", true).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace preload::cli
