// Loader::Open with requirements (docs/requirements.md): a chain, a diamond,
// a cycle, versions that do not satisfy, a missing requirement, a refused
// one, a failing init, and the exports of required plugins, from the host
// and from a plugin's init (fixtures/node.cc checks its requirements there).
//
// Every test opens with a Loader of its own. A plugin file stays mapped once
// any Loader mapped it, so the "nothing was mapped" checks use plugins no
// test loads successfully.
#include <string>
#include <vector>

#include "fixture_paths.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mapping_probe.h"
#include "preload/loader.h"

namespace preload::testing {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

LoaderOptions InPluginDir() {
  LoaderOptions options;
  options.search_path = {RQ_PLUGIN_DIR};
  options.default_search_path = false;
  return options;
}

std::vector<std::string> LoadedNames(const Loader& loader) {
  std::vector<std::string> names;
  for (const Plugin* plugin : loader.plugins()) names.emplace_back(plugin->name());
  return names;
}

std::string MessageOf(const absl::Status& status) {
  return std::string(status.message());
}

int DepthOf(const Plugin& plugin) {
  absl::StatusOr<int (*)()> depth = plugin.Lookup<int()>("Depth");
  return depth.ok() ? (**depth)() : -1;
}

TEST(Requirements, ChainLoadsRequirementsFirst) {
  Loader loader(InPluginDir());
  absl::StatusOr<Plugin*> b = loader.Open("rq_b");
  ASSERT_TRUE(b.ok()) << b.status();
  // Registered once initialised: the order of the list is the order of inits.
  EXPECT_THAT(LoadedNames(loader), ElementsAre("rq_c", "rq_a", "rq_b"));
  // Each init saw its requirements' Depth: c 1, a 2, b 3.
  EXPECT_EQ(DepthOf(**b), 3);
}

TEST(Requirements, OpenByPathFindsRequirementsInTheSearchPath) {
  Loader loader(InPluginDir());
  absl::StatusOr<Plugin*> b = loader.Open(RQ_B);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_THAT(LoadedNames(loader), ElementsAre("rq_c", "rq_a", "rq_b"));
}

TEST(Requirements, HostLooksUpARequiredPluginsExports) {
  Loader loader(InPluginDir());
  absl::StatusOr<Plugin*> b = loader.Open("rq_b");
  ASSERT_TRUE(b.ok()) << b.status();
  ASSERT_EQ((*b)->requirements().size(), 1u);
  absl::StatusOr<const Plugin*> a = (*b)->Required("rq_a");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ((*a)->name(), "rq_a");
  EXPECT_EQ(DepthOf(**a), 2);
  absl::StatusOr<bool*> ready = (*a)->Lookup<bool>("Ready");
  ASSERT_TRUE(ready.ok()) << ready.status();
  EXPECT_TRUE(**ready);
  // Typed as Lookup is: the wrong type names both.
  EXPECT_EQ((*a)->Lookup<int>("Ready").status().code(),
            absl::StatusCode::kInvalidArgument);
  absl::StatusOr<const Plugin*> not_required = (*b)->Required("rq_c");
  EXPECT_EQ(not_required.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(MessageOf(not_required.status()),
              HasSubstr("'rq_b' does not require 'rq_c'; it requires: rq_a"));
}

TEST(Requirements, DiamondLoadsTheSharedRequirementOnce) {
  Loader loader(InPluginDir());
  absl::StatusOr<Plugin*> top = loader.Open("rq_top");
  ASSERT_TRUE(top.ok()) << top.status();
  EXPECT_THAT(LoadedNames(loader),
              ElementsAre("rq_base", "rq_left", "rq_right", "rq_top"));
  EXPECT_EQ(DepthOf(**top), 3);
  // Both sides got the same rq_base.
  const Plugin* left = *(*top)->Required("rq_left");
  const Plugin* right = *(*top)->Required("rq_right");
  EXPECT_EQ(*left->Required("rq_base"), *right->Required("rq_base"));
  // Opening a requirement afterwards gives the plugin already loaded.
  absl::StatusOr<Plugin*> base = loader.Open("rq_base");
  ASSERT_TRUE(base.ok()) << base.status();
  EXPECT_EQ(*base, *left->Required("rq_base"));
  EXPECT_EQ(loader.plugins().size(), 4u);
}

TEST(Requirements, AlreadyLoadedRequirementIsReused) {
  Loader loader(InPluginDir());
  ASSERT_TRUE(loader.Open("rq_c").ok());
  ASSERT_TRUE(loader.Open("rq_b").ok());
  EXPECT_THAT(LoadedNames(loader), ElementsAre("rq_c", "rq_a", "rq_b"));
}

TEST(Requirements, CycleIsRefusedNamingTheWholeChain) {
  Loader loader(InPluginDir());
  absl::StatusOr<Plugin*> x = loader.Open("rq_cyc_x");
  ASSERT_FALSE(x.ok());
  EXPECT_EQ(x.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(MessageOf(x.status()),
              AllOf(HasSubstr("rq_cyc_x → rq_cyc_y → rq_cyc_z → rq_cyc_x"),
                    HasSubstr("a cycle of requirements")));
  EXPECT_TRUE(loader.plugins().empty());
  EXPECT_FALSE(IsMapped(RQ_CYC_X));
  EXPECT_FALSE(IsMapped(RQ_CYC_Y));
  EXPECT_FALSE(IsMapped(RQ_CYC_Z));
  // Entering the cycle elsewhere names it from there.
  EXPECT_THAT(MessageOf(loader.Open("rq_cyc_z").status()),
              HasSubstr("rq_cyc_z → rq_cyc_x → rq_cyc_y → rq_cyc_z"));
}

TEST(Requirements, UnsatisfiedVersionIsRefusedBeforeAnythingIsMapped) {
  Loader loader(InPluginDir());
  absl::StatusOr<Plugin*> plugin = loader.Open("rq_wants_new");
  ASSERT_FALSE(plugin.ok());
  EXPECT_EQ(plugin.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(MessageOf(plugin.status()),
              AllOf(HasSubstr("rq_wants_new → rq_c"),
                    HasSubstr("requires rq_c>=2.0"),
                    HasSubstr("has version 1.0.0, which does not satisfy >=2.0")));
  EXPECT_TRUE(loader.plugins().empty());
  EXPECT_FALSE(IsMapped(RQ_WANTS_NEW));
}

TEST(Requirements, EachOperatorIsChecked) {
  Loader loader(InPluginDir());
  EXPECT_THAT(MessageOf(loader.Open("rq_wants_exact").status()),
              HasSubstr("has version 1.2.0, which does not satisfy ==1.1"));
  EXPECT_THAT(MessageOf(loader.Open("rq_wants_major").status()),
              HasSubstr("has version 2.1.0, which does not satisfy ^1.0"));
  EXPECT_TRUE(loader.plugins().empty());
  EXPECT_FALSE(IsMapped(RQ_WANTS_EXACT));
  EXPECT_FALSE(IsMapped(RQ_WANTS_MAJOR));
}

TEST(Requirements, MissingRequirementNamesTheChainAndTheCandidates) {
  Loader loader(InPluginDir());
  absl::StatusOr<Plugin*> outer = loader.Open("rq_outer");
  ASSERT_FALSE(outer.ok());
  EXPECT_EQ(outer.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(MessageOf(outer.status()),
              AllOf(HasSubstr("rq_outer → rq_wants_missing → rq_nowhere"),
                    HasSubstr("requires 'rq_nowhere', which was not found"),
                    HasSubstr(std::string(RQ_PLUGIN_DIR) + "/rq_nowhere.so")));
  EXPECT_TRUE(loader.plugins().empty());
  EXPECT_FALSE(IsMapped(RQ_OUTER));
  EXPECT_FALSE(IsMapped(RQ_WANTS_MISSING));
}

TEST(Requirements, RefusedRequirementRefusesItsDependent) {
  Loader loader(InPluginDir());
  absl::StatusOr<Plugin*> plugin = loader.Open("rq_needs_legacy");
  ASSERT_FALSE(plugin.ok());
  EXPECT_EQ(plugin.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(MessageOf(plugin.status()),
              AllOf(HasSubstr("rq_needs_legacy → rq_legacy"),
                    HasSubstr("which was refused"),
                    HasSubstr("_GLIBCXX_USE_CXX11_ABI")));
  EXPECT_FALSE(IsMapped(RQ_LEGACY));
  EXPECT_FALSE(IsMapped(RQ_NEEDS_LEGACY));
}

TEST(Requirements, FailedInitFailsItsDependentsNamingTheChain) {
  Loader loader(InPluginDir());
  absl::StatusOr<Plugin*> plugin = loader.Open("rq_needs_failing");
  ASSERT_FALSE(plugin.ok());
  EXPECT_EQ(plugin.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(MessageOf(plugin.status()),
              AllOf(HasSubstr("rq_needs_failing → rq_failing"),
                    HasSubstr("plugin 'rq_failing', required by "
                              "'rq_needs_failing', failed to load"),
                    HasSubstr("fails on purpose")));
  EXPECT_TRUE(loader.plugins().empty());
  EXPECT_FALSE(IsMapped(RQ_NEEDS_FAILING));
}

TEST(Requirements, VerifyChecksOnlyThePluginItself) {
  // Verify compares a file with the host; requirements are the loader's.
  Loader loader(InPluginDir());
  absl::StatusOr<Fingerprint> verified = loader.Verify("rq_wants_missing");
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_EQ(verified->Get("requires").value_or(""), "rq_nowhere");
}

}  // namespace
}  // namespace preload::testing
