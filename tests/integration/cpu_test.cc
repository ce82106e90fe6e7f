// Plugins compiled for instructions the running CPU may lack are refused
// before mapping, naming the missing features; the rest load. Which case
// applies is asked of the CPU at test time, so the test means the same on
// every machine.
#include "preload/cpu.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "preload/loader.h"
#include "test_support.h"

namespace preload {
namespace {

using ::testing::HasSubstr;

struct CpuFixture {
  const char* path;
  std::vector<std::string> features;  // what the compiler flag enables
};

void ExpectVerdictMatchesTheCpu(const CpuFixture& fixture) {
  Loader loader;
  absl::StatusOr<Fingerprint> fingerprint = loader.Verify(fixture.path);
  std::vector<std::string> missing;
  for (const std::string& feature : fixture.features) {
    if (!CpuSupports(feature)) missing.push_back(feature);
  }
  if (missing.empty()) {
    EXPECT_TRUE(fingerprint.ok()) << fingerprint.status();
    return;
  }
  ASSERT_EQ(fingerprint.status().code(), absl::StatusCode::kFailedPrecondition)
      << fixture.path;
  for (const std::string& feature : missing) {
    EXPECT_THAT(testing::MessageOf(fingerprint.status()), HasSubstr(feature));
  }
  EXPECT_THAT(testing::MessageOf(loader.Open(fixture.path).status()),
              HasSubstr("instructions this CPU lacks"));
  EXPECT_FALSE(testing::IsMapped(fixture.path));
}

TEST(CpuTest, Avx512Vp2IntersectPluginMatchesTheCpu) {
  ExpectVerdictMatchesTheCpu({FX_CPU_AVX512VP2INTERSECT, {"avx512vp2intersect"}});
}

TEST(CpuTest, Avx512Bf16PluginMatchesTheCpu) {
  ExpectVerdictMatchesTheCpu({FX_CPU_AVX512BF16, {"avx512bf16"}});
}

TEST(CpuTest, AmxTilePluginMatchesTheCpu) {
  ExpectVerdictMatchesTheCpu({FX_CPU_AMX_TILE, {"amx-tile"}});
}

TEST(CpuTest, X86_64_V4PluginMatchesTheCpu) {
  ExpectVerdictMatchesTheCpu({FX_CPU_X86_64_V4,
                              {"avx512f", "avx512bw", "avx512cd", "avx512dq",
                               "avx512vl", "avx2", "fma", "bmi2", "movbe"}});
}

TEST(CpuTest, FingerprintListsTheFeaturesTheCompilerMayUse) {
  Loader loader;
  absl::StatusOr<Fingerprint> fingerprint = loader.Verify(FX_NO_INIT);
  ASSERT_TRUE(fingerprint.ok()) << fingerprint.status();
  // The default x86-64 target needs nothing beyond the baseline.
  EXPECT_EQ(fingerprint->Get("cpu.features"), "baseline");
  EXPECT_TRUE(MissingCpuFeatures(*fingerprint).empty());
}

TEST(CpuTest, CpuSupportsAgreesWithTheCompilersBuiltin) {
  EXPECT_EQ(CpuSupports("avx2"), __builtin_cpu_supports("avx2") != 0);
  EXPECT_EQ(CpuSupports("sse4.2"), __builtin_cpu_supports("sse4.2") != 0);
  EXPECT_EQ(CpuSupports("avx512f"), __builtin_cpu_supports("avx512f") != 0);
  EXPECT_FALSE(CpuSupports("no-such-feature"));
}

TEST(CpuTest, MissingFeaturesAreNamedInTheStatus) {
  Fingerprint plugin = Fingerprint::FromFields(
      {{"cpu.features", "sse3,no-such-feature,other-feature"}});
  EXPECT_EQ(MissingCpuFeatures(plugin),
            (std::vector<std::string>{"no-such-feature", "other-feature"}));
  absl::Status status = CheckCpu(plugin, "p.so");
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(testing::MessageOf(status),
              HasSubstr("p.so: compiled for instructions this CPU lacks: "
                        "no-such-feature, other-feature"));
}

}  // namespace
}  // namespace preload
