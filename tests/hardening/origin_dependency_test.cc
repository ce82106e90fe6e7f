// A plugin's $ORIGIN dependencies, which the loader maps itself
// (docs/security.md): each is held to a plugin's rules — file trust, a sealed
// copy in sealed-copy mode, traced — is mapped only after the plugin's last
// change check, and is unmapped again when the plugin is then refused.
//
// Each test installs hx_dep_user (or hx_dep_unresolved) as plugin.so in a
// scratch directory, beside lib/libhx_dep.so, and runs in a child process:
// once mapped, a library is found by its soname for the rest of a process's
// life, which would hide the next test's mapping.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "fixture_paths.h"
#include "hardening_support.h"
#include "preload/loader.h"

namespace preload::hardening {
namespace {

// A failed expectation inside the child: says which, and the exit code.
int Fail(const std::string& what) {
  std::fprintf(stderr, "child: %s\n", what.c_str());
  return 1;
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

bool MapsContain(const std::string& part) {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    if (Contains(line, part)) return true;
  }
  return false;
}

class OriginDependencyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    ASSERT_EQ(::mkdir(lib_dir_.c_str(), 0755), 0);
    ASSERT_TRUE(Install(HX_DEP, dependency_));
  }

  // Copies `from` to `to`, mode 0755 whatever the umask.
  static bool Install(const std::string& from, const std::string& to) {
    return WriteBytes(to, ReadBytes(from)) && ::chmod(to.c_str(), 0755) == 0;
  }

  // Runs `body` in a child process; the test fails unless it returns 0.
  void InChild(const std::function<int()>& body) {
    ::unsetenv("HX_DEP_RAN");
    EXPECT_EQ(RunInChild(body, std::chrono::seconds(60)), 0);
  }

  // Opens plugin.so (a copy of `build`) with `options`, tracing loads into
  // `trace`.
  absl::StatusOr<Plugin*> Open(const char* build, LoaderOptions options,
                               std::string* trace = nullptr) {
    if (!Install(build, plugin_)) return absl::InternalError("install failed");
    options.trace.load = true;
    auto hook = options.trace.sink;
    options.trace.sink = [trace, hook](std::string_view line) {
      if (trace != nullptr) trace->append(line).append("\n");
      if (hook) hook(line);
    };
    loader_ = std::make_unique<Loader>(std::move(options));
    return loader_->Open(plugin_);
  }

  // Nothing of the dependency ran or stays mapped, nor of the plugin.
  int NothingMapped() {
    if (std::getenv("HX_DEP_RAN") != nullptr) {
      return Fail("the dependency's constructor ran");
    }
    if (IsMapped(dependency_)) return Fail("the dependency is mapped");
    if (IsMapped(plugin_)) return Fail("the plugin is mapped");
    return 0;
  }

  ScratchDir dir_;
  const std::string plugin_ = dir_ / "plugin.so";
  const std::string lib_dir_ = dir_ / "lib";
  const std::string dependency_ = lib_dir_ + "/libhx_dep.so";
  std::unique_ptr<Loader> loader_;
};

TEST_F(OriginDependencyTest, TrustedDependencyIsCheckedTracedAndMapped) {
  InChild([&] {
    std::string trace;
    absl::StatusOr<Plugin*> plugin = Open(HX_DEP_USER, {}, &trace);
    if (!plugin.ok()) return Fail(plugin.status().ToString());
    auto value = (*plugin)->Lookup<int()>("DependencyValue");
    if (!value.ok() || (*value)() != 7) return Fail("DependencyValue() != 7");
    const std::string real = RealPathOf(dependency_);
    if (!Contains(trace, "dependency " + real + ": file trust: the file")) {
      return Fail("no file trust line for the dependency in:\n" + trace);
    }
    if (!Contains(trace, "dependency " + real + ": mapping the checked descriptor")) {
      return Fail("no mapping line for the dependency in:\n" + trace);
    }
    if (!IsMapped(dependency_)) return Fail("the dependency is not mapped");
    return 0;
  });
}

TEST_F(OriginDependencyTest, DependencyInADirectoryOthersCanWriteNeverRuns) {
  ASSERT_EQ(::chmod(lib_dir_.c_str(), 0777), 0);
  InChild([&] {
    absl::StatusOr<Plugin*> plugin = Open(HX_DEP_USER, {});
    if (plugin.ok()) return Fail("a dependency in a 0777 directory was loaded");
    const std::string message(plugin.status().message());
    if (plugin.status().code() != absl::StatusCode::kPermissionDenied ||
        !Contains(message, "its dependency " + dependency_) ||
        !Contains(message, "is writable by others")) {
      return Fail("unexpected refusal: " + plugin.status().ToString());
    }
    return NothingMapped();
  });
}

TEST_F(OriginDependencyTest, DependencyWritableByOthersNeverRuns) {
  ASSERT_EQ(::chmod(dependency_.c_str(), 0666), 0);
  InChild([&] {
    absl::StatusOr<Plugin*> plugin = Open(HX_DEP_USER, {});
    if (plugin.status().code() != absl::StatusCode::kPermissionDenied ||
        !Contains(std::string(plugin.status().message()),
                  "the file is writable by others")) {
      return Fail("not refused as writable: " + plugin.status().ToString());
    }
    return NothingMapped();
  });
}

TEST_F(OriginDependencyTest, TrustCheckTurnedOffIsTraced) {
  ASSERT_EQ(::chmod(lib_dir_.c_str(), 0777), 0);
  InChild([&] {
    LoaderOptions options;
    options.check_file_trust = false;
    std::string trace;
    absl::StatusOr<Plugin*> plugin = Open(HX_DEP_USER, options, &trace);
    if (!plugin.ok()) return Fail(plugin.status().ToString());
    if (!Contains(trace, "libhx_dep.so: file trust: not checked")) {
      return Fail("no 'not checked' line in:\n" + trace);
    }
    return 0;
  });
}

TEST_F(OriginDependencyTest, SealedCopyModeMapsASealedCopyOfTheDependency) {
  InChild([&] {
    LoaderOptions options;
    options.sealed_copy = true;
    absl::StatusOr<Plugin*> plugin = Open(HX_DEP_USER, options);
    if (!plugin.ok()) return Fail(plugin.status().ToString());
    if (IsMapped(dependency_)) return Fail("the dependency file itself is mapped");
    if (!MapsContain("/memfd:preload:libhx_dep.so")) {
      return Fail("no sealed copy of the dependency is mapped");
    }
    return 0;
  });
}

// The dependency is mapped (its constructor runs: ld.so needs it to resolve
// the plugin), the dynamic loader refuses the plugin, and the dependency is
// unmapped again.
TEST_F(OriginDependencyTest, DependencyOfAPluginRefusedAfterMappingIsUnmapped) {
  InChild([&] {
    std::string trace;
    absl::StatusOr<Plugin*> plugin = Open(HX_DEP_UNRESOLVED, {}, &trace);
    if (plugin.status().code() != absl::StatusCode::kFailedPrecondition) {
      return Fail("not refused by the dynamic loader: " + plugin.status().ToString());
    }
    if (IsMapped(dependency_)) return Fail("the dependency stayed mapped");
    if (!Contains(trace, "libhx_dep.so: dependency unmapped")) {
      return Fail("no unmapping line in:\n" + trace);
    }
    return 0;
  });
}

// A plugin refused by its last change check maps nothing at all, its
// dependencies included.
TEST_F(OriginDependencyTest, PluginChangedBeforeMappingMapsNoDependency) {
  InChild([&] {
    LoaderOptions options;
    const std::string plugin_path = plugin_;
    options.trace.sink = [plugin_path](std::string_view line) {
      if (line.find(": mapping the verified") == std::string_view::npos) return;
      std::ofstream(plugin_path, std::ios::binary | std::ios::app) << '\0';
    };
    absl::StatusOr<Plugin*> plugin = Open(HX_DEP_USER, options);
    if (plugin.status().code() != absl::StatusCode::kAborted) {
      return Fail("a changed plugin was not refused: " + plugin.status().ToString());
    }
    return NothingMapped();
  });
}

}  // namespace
}  // namespace preload::hardening
