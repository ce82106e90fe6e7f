// The loader's signature and digest checks (docs/signing.md), made on the
// very bytes it maps: a plugin signed by a trusted key loads; unsigned,
// signed by another key, changed anywhere after signing (a byte of the
// file, before or after its note, or of its signature), with a truncated
// signature or another file's, or whose digest is not allowed, is refused
// before it is mapped, and none of its code runs. A rewrite between the
// check and the mapping is refused too. This host's note trusts no key: the
// keys come from LoaderOptions::trusted_keys.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "fixture_paths.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "signing_support.h"
#include "preload/loader.h"
#include "preload/signing.h"

namespace preload::signing_test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Key(const char* path) {
  absl::StatusOr<std::string> key = ReadPublicKeyFile(path);
  EXPECT_TRUE(key.ok()) << key.status();
  return key.ok() ? *key : "";
}

LoaderOptions Trusting(std::vector<std::string> keys) {
  LoaderOptions options;
  options.trusted_keys = std::move(keys);
  return options;
}

class SigningTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    vendor_ = Key(VENDOR_PUB);
    vendor_id_ = *PublicKeyId(vendor_);
    other_id_ = *PublicKeyId(Key(OTHER_PUB));
  }

  // Expects `path` refused by a loader trusting the vendor key, with a
  // message holding `words`, and none of it mapped or run.
  void ExpectRefused(const std::string& path, const std::string& words,
                     const char* probe = "SG_SIGNED_RAN") {
    Loader loader(Trusting({vendor_}));
    absl::StatusOr<Plugin*> plugin = loader.Open(path);
    ASSERT_FALSE(plugin.ok()) << path << " was accepted";
    EXPECT_EQ(plugin.status().code(), absl::StatusCode::kPermissionDenied)
        << plugin.status();
    EXPECT_THAT(plugin.status().message(), HasSubstr(words));
    EXPECT_FALSE(IsMapped(path)) << path;
    EXPECT_EQ(std::getenv(probe), nullptr) << "the refused plugin's code ran";
    EXPECT_TRUE(loader.plugins().empty());
  }

  ScratchDir dir_;
  std::string vendor_;
  std::string vendor_id_;
  std::string other_id_;
};

TEST_F(SigningTest, SignedByATrustedKeyLoads) {
  const std::string path = CopyWithSignature(SG_SIGNED, dir_ / "p.so");
  std::vector<std::string> trace;
  LoaderOptions options = Trusting({vendor_});
  options.trace.verify = true;
  options.trace.sink = [&trace](std::string_view line) { trace.emplace_back(line); };
  Loader loader(options);
  absl::StatusOr<Plugin*> plugin = loader.Open(path);
  ASSERT_TRUE(plugin.ok()) << plugin.status();
  EXPECT_NE(std::getenv("SG_SIGNED_RAN"), nullptr);
  EXPECT_THAT(trace, ::testing::Contains(HasSubstr(
                         "signature: signed by trusted key " + vendor_id_)));
}

TEST_F(SigningTest, SignedPluginLoadsFromASealedCopy) {
  const std::string path = CopyWithSignature(SG_SIGNED, dir_ / "p.so");
  LoaderOptions options = Trusting({vendor_});
  options.sealed_copy = true;
  Loader loader(options);
  absl::StatusOr<Plugin*> plugin = loader.Open(path);
  ASSERT_TRUE(plugin.ok()) << plugin.status();
  EXPECT_FALSE(IsMapped(path)) << "the file itself was mapped, not its copy";
}

TEST_F(SigningTest, WithoutTrustedKeysNoSignatureIsNeeded) {
  Loader loader;
  const std::string path = CopyPlugin(SG_UNSIGNED, dir_ / "p.so");
  absl::StatusOr<Plugin*> plugin = loader.Open(path);
  ASSERT_TRUE(plugin.ok()) << plugin.status();
}

TEST_F(SigningTest, UnsignedIsRefusedNamingTheTrustedKeys) {
  const std::string path = CopyPlugin(SG_UNSIGNED, dir_ / "p.so");
  ExpectRefused(path, "is not signed", "SG_UNSIGNED_RAN");
  ExpectRefused(path, vendor_id_, "SG_UNSIGNED_RAN");
}

TEST_F(SigningTest, SignedByAnotherKeyIsRefusedNamingBothKeys) {
  const std::string path = CopyWithSignature(SG_OTHER_KEY, dir_ / "p.so");
  ExpectRefused(path, "signed by key " + other_id_, "SG_OTHER_KEY_RAN");
  ExpectRefused(path, "it trusts key " + vendor_id_, "SG_OTHER_KEY_RAN");
}

TEST_F(SigningTest, AnotherFilesSignatureIsRefused) {
  const std::string path = CopyPlugin(SG_SIGNED, dir_ / "p.so");
  ASSERT_TRUE(WriteBytes(path + ".minisig",
                         ReadBytes(std::string(SG_SIGNED_TOO) + ".minisig")));
  ExpectRefused(path, "does not match the file");
}

// One byte changed, at offsets spread over the whole file: the ELF header,
// the program headers, the note, the code, what follows the note, the end.
TEST_F(SigningTest, OneByteChangedAnywhereIsRefused) {
  const std::string original = ReadBytes(SG_SIGNED);
  const std::string signature = ReadBytes(std::string(SG_SIGNED) + ".minisig");
  ASSERT_GT(original.size(), 4096u);
  const std::size_t note = original.find("preload-fingerprint/1");
  ASSERT_NE(note, std::string::npos);
  std::vector<std::size_t> offsets = {0, 24, 64, note, note + 200,
                                      original.size() - 1};
  for (std::size_t i = 1; i < 16; ++i) offsets.push_back(original.size() * i / 16);
  Loader loader(Trusting({vendor_}));
  for (std::size_t offset : offsets) {
    std::string changed = original;
    changed[offset] = static_cast<char>(changed[offset] ^ 0x01);
    const std::string path = dir_ / ("byte" + std::to_string(offset) + ".so");
    ASSERT_TRUE(WriteBytes(path, changed));
    ASSERT_TRUE(WriteBytes(path + ".minisig", signature));
    absl::StatusOr<Plugin*> plugin = loader.Open(path);
    ASSERT_FALSE(plugin.ok()) << "byte " << offset << " changed, yet accepted";
    EXPECT_EQ(plugin.status().code(), absl::StatusCode::kPermissionDenied);
    EXPECT_THAT(plugin.status().message(), HasSubstr("does not match the file"))
        << "byte " << offset;
    EXPECT_FALSE(IsMapped(path));
  }
  EXPECT_EQ(std::getenv("SG_SIGNED_RAN"), nullptr);
  EXPECT_TRUE(loader.plugins().empty());
}

// Every character of the signature's last three lines changed in turn (to
// another base64 digit, or another comment character): refused, whether
// the change breaks the format, the key id, the signature, the trusted
// comment or its signature.
TEST_F(SigningTest, OneCharacterOfTheSignatureChangedIsRefused) {
  const std::string plugin = ReadBytes(SG_SIGNED);
  const std::string signature = ReadBytes(std::string(SG_SIGNED) + ".minisig");
  const std::string path = dir_ / "p.so";
  ASSERT_TRUE(WriteBytes(path, plugin));
  Loader loader(Trusting({vendor_}));
  const std::size_t first_line_end = signature.find('\n');
  int refused = 0;
  // The untrusted comment is not signed (minisign's design): skip line 1.
  for (std::size_t i = first_line_end + 1; i < signature.size(); ++i) {
    if (signature[i] == '\n') continue;
    std::string changed = signature;
    changed[i] = changed[i] == 'A' ? 'B' : 'A';
    ASSERT_TRUE(RewriteBytes(path + ".minisig", changed));
    // Also a change of a last base64 digit's unused bits: libsodium's
    // decoder accepts only the canonical encoding.
    absl::StatusOr<Fingerprint> verdict = loader.Verify(path);
    ASSERT_FALSE(verdict.ok()) << "character " << i << " changed, yet accepted";
    ++refused;
    EXPECT_EQ(verdict.status().code(), absl::StatusCode::kPermissionDenied)
        << "character " << i << ": " << verdict.status();
  }
  EXPECT_GT(refused, 150);
}

TEST_F(SigningTest, TruncatedSignatureIsRefused) {
  const std::string signature = ReadBytes(std::string(SG_SIGNED) + ".minisig");
  const std::string path = CopyPlugin(SG_SIGNED, dir_ / "p.so");
  Loader loader(Trusting({vendor_}));
  for (std::size_t length : {std::size_t{0}, std::size_t{10}, signature.size() / 2,
                             signature.size() - 10, signature.size() - 2}) {
    ASSERT_TRUE(RewriteBytes(path + ".minisig", signature.substr(0, length)));
    absl::StatusOr<Plugin*> plugin = loader.Open(path);
    ASSERT_FALSE(plugin.ok()) << "truncated to " << length;
    EXPECT_THAT(plugin.status().message(), HasSubstr("is damaged")) << length;
    EXPECT_FALSE(IsMapped(path));
  }
  EXPECT_EQ(std::getenv("SG_SIGNED_RAN"), nullptr);
}

TEST_F(SigningTest, AnUnusableTrustedKeyRefusesEveryPlugin) {
  const std::string path = CopyWithSignature(SG_SIGNED, dir_ / "p.so");
  Loader loader(Trusting({vendor_, "RWQnot-a-key"}));
  absl::StatusOr<Plugin*> plugin = loader.Open(path);
  ASSERT_FALSE(plugin.ok());
  EXPECT_THAT(plugin.status().message(), HasSubstr("a trusted key"));
  EXPECT_FALSE(IsMapped(path));
}

// The check runs on the descriptor that is mapped: a file rewritten after
// its signature was checked (or just before mapping) is refused by the
// change check, never mapped.
class RewriteAfterCheck
    : public SigningTest,
      public ::testing::WithParamInterface<const char*> {};

TEST_P(RewriteAfterCheck, IsRefusedAndNothingIsMapped) {
  const std::string path = CopyWithSignature(SG_SIGNED, dir_ / "p.so");
  BackdateAnHour(path);
  const std::string replacement = ReadBytes(SG_SIGNED_TOO);
  LoaderOptions options = Trusting({vendor_});
  options.trace.verify = true;
  options.trace.load = true;
  const std::string moment = GetParam();
  auto done = std::make_shared<bool>(false);
  options.trace.sink = [&, done](std::string_view line) {
    if (*done || line.find(moment) == std::string_view::npos) return;
    *done = true;
    ASSERT_TRUE(RewriteBytes(path, replacement));
  };
  Loader loader(options);
  absl::StatusOr<Plugin*> plugin = loader.Open(path);
  ASSERT_TRUE(*done) << "no trace line announced " << moment;
  ASSERT_FALSE(plugin.ok());
  EXPECT_EQ(plugin.status().code(), absl::StatusCode::kAborted) << plugin.status();
  EXPECT_FALSE(IsMapped(path));
  EXPECT_EQ(std::getenv("SG_SIGNED_RAN"), nullptr);
  EXPECT_EQ(std::getenv("SG_SIGNED_TOO_RAN"), nullptr);
}

INSTANTIATE_TEST_SUITE_P(Moments, RewriteAfterCheck,
                         ::testing::Values(": signature: signed by",
                                           ": mapping the verified"),
                         [](const auto& info) {
                           return info.index == 0 ? std::string("AfterTheSignature")
                                                  : std::string("BeforeMapping");
                         });

// With a sealed copy the copy is what is hashed and mapped: the same
// rewrite leaves the verified build running.
TEST_F(SigningTest, RewriteAfterCheckWithASealedCopyRunsTheSignedBuild) {
  const std::string path = CopyWithSignature(SG_SIGNED, dir_ / "p.so");
  const std::string replacement = ReadBytes(SG_SIGNED_TOO);
  LoaderOptions options = Trusting({vendor_});
  options.sealed_copy = true;
  options.trace.verify = true;
  auto done = std::make_shared<bool>(false);
  options.trace.sink = [&, done](std::string_view line) {
    if (*done || line.find(": signature: signed by") == std::string_view::npos) return;
    *done = true;
    ASSERT_TRUE(RewriteBytes(path, replacement));
  };
  Loader loader(options);
  absl::StatusOr<Plugin*> plugin = loader.Open(path);
  ASSERT_TRUE(*done);
  ASSERT_TRUE(plugin.ok()) << plugin.status();
  EXPECT_EQ((*plugin)->name(), "sg_signed");
  EXPECT_NE(std::getenv("SG_SIGNED_RAN"), nullptr);
  EXPECT_EQ(std::getenv("SG_SIGNED_TOO_RAN"), nullptr);
}

// ------------------------------------------------------- digest allow-lists

std::string DigestLine(const std::string& file) {
  // sha256sum itself writes the list: the format is its own.
  const std::string command = "sha256sum '" + file + "'";
  FILE* pipe = ::popen(command.c_str(), "r");
  std::string out;
  char buffer[512];
  while (pipe != nullptr && std::fgets(buffer, sizeof buffer, pipe) != nullptr) out += buffer;
  if (pipe != nullptr) ::pclose(pipe);
  return out;
}

TEST_F(SigningTest, DigestInTheListLoads) {
  const std::string path = CopyPlugin(SG_UNSIGNED, dir_ / "p.so");
  const std::string list = dir_ / "allowed.sha256";
  ASSERT_TRUE(WriteBytes(list, "# plugins of this host\n" +
                                   DigestLine(std::string(SG_OTHER_KEY)) +
                                   DigestLine(path)));
  absl::StatusOr<std::vector<std::string>> digests = ReadSha256File(list);
  ASSERT_TRUE(digests.ok()) << digests.status();
  ASSERT_EQ(digests->size(), 2u);
  LoaderOptions options;
  options.allowed_sha256 = *digests;
  Loader loader(options);
  absl::StatusOr<Plugin*> plugin = loader.Open(path);
  ASSERT_TRUE(plugin.ok()) << plugin.status();
}

TEST_F(SigningTest, DigestNotInTheListIsRefused) {
  const std::string path = CopyPlugin(SG_UNSIGNED, dir_ / "p.so");
  absl::StatusOr<std::vector<std::string>> digests =
      ParseSha256List(DigestLine(std::string(SG_SIGNED)), "list");
  ASSERT_TRUE(digests.ok()) << digests.status();
  for (const std::vector<std::string>& allowed : {*digests, std::vector<std::string>{}}) {
    LoaderOptions options;
    options.allowed_sha256 = allowed;
    Loader loader(options);
    absl::StatusOr<Plugin*> plugin = loader.Open(path);
    ASSERT_FALSE(plugin.ok());
    EXPECT_EQ(plugin.status().code(), absl::StatusCode::kPermissionDenied);
    EXPECT_THAT(plugin.status().message(), HasSubstr("is not among the"));
    EXPECT_FALSE(IsMapped(path));
  }
  EXPECT_EQ(std::getenv("SG_UNSIGNED_RAN"), nullptr);
}

TEST_F(SigningTest, DigestListsAreParsedStrictly) {
  const std::string digest(64, 'a');
  EXPECT_TRUE(ParseSha256List(digest + "  name\n" + digest + " *bin\n\n", "l").ok());
  EXPECT_EQ(ParseSha256List(std::string(64, 'A') + "  x", "l")->front(), digest);
  for (const std::string bad : {digest + " name", digest.substr(1) + "  name",
                                std::string(63, 'a') + "g  name", std::string("name")}) {
    absl::StatusOr<std::vector<std::string>> parsed = ParseSha256List(bad, "list");
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_THAT(parsed.status().message(), HasSubstr("list:1"));
  }
}

TEST_F(SigningTest, DigestAndSignatureAreBothRequired) {
  const std::string path = CopyWithSignature(SG_SIGNED, dir_ / "p.so");
  LoaderOptions options = Trusting({vendor_});
  options.allowed_sha256 = *ParseSha256List(DigestLine(std::string(SG_OTHER_KEY)), "l");
  Loader loader(options);
  absl::StatusOr<Plugin*> plugin = loader.Open(path);
  ASSERT_FALSE(plugin.ok());
  EXPECT_THAT(plugin.status().message(), HasSubstr("is not among the"));
}

}  // namespace
}  // namespace preload::signing_test
