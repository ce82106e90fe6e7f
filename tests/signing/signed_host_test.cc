// A host whose own note trusts a key (target_preload_host(... TRUSTED_KEYS
// keys/vendor.pub)): every Loader it makes requires that key's signature,
// whatever its LoaderOptions say; keys given there are added, never
// substituted.
#include <cstdlib>
#include <string>

#include "fixture_paths.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "preload/loader.h"
#include "preload/signing.h"
#include "signing_support.h"

namespace preload::signing_test {
namespace {

using ::testing::HasSubstr;

class SignedHostTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(dir_.ok()); }
  ScratchDir dir_;
};

TEST_F(SignedHostTest, TheNoteRecordsTheTrustedKey) {
  Loader loader;
  const std::string_view keys =
      loader.host_fingerprint().Get("trusted_keys").value_or("");
  ASSERT_FALSE(keys.empty());
  absl::StatusOr<std::string> id = PublicKeyId(keys);
  ASSERT_TRUE(id.ok()) << id.status();
}

TEST_F(SignedHostTest, ADefaultLoaderLoadsASignedPlugin) {
  Loader loader;
  absl::StatusOr<Plugin*> plugin =
      loader.Open(CopyWithSignature(SG_SIGNED, dir_ / "p.so"));
  ASSERT_TRUE(plugin.ok()) << plugin.status();
}

TEST_F(SignedHostTest, ADefaultLoaderRefusesAnUnsignedPlugin) {
  Loader loader;
  const std::string path = CopyPlugin(SG_UNSIGNED, dir_ / "p.so");
  absl::StatusOr<Plugin*> plugin = loader.Open(path);
  ASSERT_FALSE(plugin.ok());
  EXPECT_EQ(plugin.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(plugin.status().message(), HasSubstr("(the host's note)"));
  EXPECT_FALSE(IsMapped(path));
  EXPECT_EQ(std::getenv("SG_UNSIGNED_RAN"), nullptr);
}

TEST_F(SignedHostTest, OptionsWithoutKeysDoNotLiftTheRequirement) {
  LoaderOptions options;
  options.trusted_keys.clear();
  options.check_file_trust = false;
  Loader loader(options);
  absl::StatusOr<Plugin*> plugin =
      loader.Open(CopyWithSignature(SG_OTHER_KEY, dir_ / "p.so"));
  ASSERT_FALSE(plugin.ok());
  EXPECT_THAT(plugin.status().message(), HasSubstr("does not trust"));
  EXPECT_EQ(std::getenv("SG_OTHER_KEY_RAN"), nullptr);
}

TEST_F(SignedHostTest, KeysInTheOptionsAreAddedToTheNotes) {
  LoaderOptions options;
  absl::StatusOr<std::string> other = ReadPublicKeyFile(OTHER_PUB);
  ASSERT_TRUE(other.ok()) << other.status();
  options.trusted_keys.push_back(*other);
  Loader loader(options);
  absl::StatusOr<Plugin*> plugin =
      loader.Open(CopyWithSignature(SG_OTHER_KEY, dir_ / "other.so"));
  ASSERT_TRUE(plugin.ok()) << plugin.status();
  absl::StatusOr<Plugin*> vendor =
      loader.Open(CopyWithSignature(SG_SIGNED, dir_ / "vendor.so"));
  ASSERT_TRUE(vendor.ok()) << vendor.status();
}

}  // namespace
}  // namespace preload::signing_test
