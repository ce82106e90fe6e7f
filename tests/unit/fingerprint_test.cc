// Copyright the PreloadSDK authors.
#include "preload/fingerprint.h"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "sample_payload.h"
#include "preload/version.h"

namespace preload {
namespace {

using testing::kSample;

// Succeeds when `text` contains `part`; prints `text` otherwise.
::testing::AssertionResult Contains(std::string_view text,
                                    std::string_view part) {
  if (text.find(part) != std::string_view::npos) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "\"" << text << "\" does not contain \"" << part << "\"";
}

std::string Payload(std::string_view fields) {
  return std::string(kPayloadMagic) + "\n" + std::string(fields);
}

// The error message of parsing `payload`, which must fail with InvalidArgument.
std::string ParseError(std::string_view payload) {
  absl::StatusOr<Fingerprint> fp = Fingerprint::Parse(payload);
  EXPECT_FALSE(fp.ok()) << "parsed: " << payload;
  if (fp.ok()) return "";
  EXPECT_EQ(fp.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(fp.status().message());
}

TEST(FingerprintParse, SerializeReproducesTheParsedPayloadExactly) {
  absl::StatusOr<Fingerprint> fp = Fingerprint::Parse(kSample);
  ASSERT_TRUE(fp.ok()) << fp.status();
  EXPECT_EQ(fp->Serialize(), kSample);
}

TEST(FingerprintParse, KeepsFieldsInPayloadOrder) {
  absl::StatusOr<Fingerprint> fp = Fingerprint::Parse(kSample);
  ASSERT_TRUE(fp.ok()) << fp.status();
  ASSERT_EQ(fp->fields().size(), 44u);
  EXPECT_EQ(fp->fields().front().key, "kind");
  EXPECT_EQ(fp->fields()[38].key, "abi.myapp");
  EXPECT_EQ(fp->fields().back().key, "flags.features");
  EXPECT_EQ(fp->fields().back().value, "cxx_std_17");
}

TEST(FingerprintParse, IgnoresTrailingNulPadding) {
  std::string padded = Payload("name=hello\n");
  padded.append(3, '\0');
  absl::StatusOr<Fingerprint> fp = Fingerprint::Parse(padded);
  ASSERT_TRUE(fp.ok()) << fp.status();
  EXPECT_EQ(fp->Serialize(), Payload("name=hello\n"));
}

TEST(FingerprintParse, AcceptsALastLineWithoutNewline) {
  absl::StatusOr<Fingerprint> fp = Fingerprint::Parse(Payload("a=1\nb=2"));
  ASSERT_TRUE(fp.ok()) << fp.status();
  EXPECT_EQ(fp->Get("b"), "2");
  EXPECT_EQ(fp->Serialize(), Payload("a=1\nb=2\n"));
}

TEST(FingerprintParse, AcceptsTheMagicLineAlone) {
  absl::StatusOr<Fingerprint> fp = Fingerprint::Parse(kPayloadMagic);
  ASSERT_TRUE(fp.ok()) << fp.status();
  EXPECT_TRUE(fp->fields().empty());
}

TEST(FingerprintParse, SplitsAtTheFirstEqualsSign) {
  absl::StatusOr<Fingerprint> fp =
      Fingerprint::Parse(Payload("flags.definitions=A=1 B=2\n"));
  ASSERT_TRUE(fp.ok()) << fp.status();
  EXPECT_EQ(fp->Get("flags.definitions"), "A=1 B=2");
}

TEST(FingerprintParse, AcceptsAnEmptyValue) {
  absl::StatusOr<Fingerprint> fp =
      Fingerprint::Parse(Payload("flags.options=\n"));
  ASSERT_TRUE(fp.ok()) << fp.status();
  EXPECT_EQ(fp->Get("flags.options"), "");
}

TEST(FingerprintParse, AcceptsEveryKeyCharacter) {
  absl::StatusOr<Fingerprint> fp = Fingerprint::Parse(Payload("az09._-=x\n"));
  ASSERT_TRUE(fp.ok()) << fp.status();
  EXPECT_EQ(fp->Get("az09._-"), "x");
}

TEST(FingerprintParse, RefusesAnEmptyPayload) {
  EXPECT_TRUE(Contains(ParseError(""), "line 1"));
  EXPECT_TRUE(Contains(ParseError(std::string(4, '\0')), "empty"));
}

TEST(FingerprintParse, RefusesAMissingMagicLine) {
  const std::string message = ParseError("kind=plugin\nname=hello\n");
  EXPECT_TRUE(Contains(message, "line 1"));
  EXPECT_TRUE(Contains(message, "\"preload-fingerprint/1\""));
  EXPECT_TRUE(Contains(message, "\"kind=plugin\""));
}

TEST(FingerprintParse, RefusesAMagicLineWithTrailingText) {
  EXPECT_TRUE(
      Contains(ParseError("preload-fingerprint/1 \nname=x\n"), "line 1"));
}

TEST(FingerprintParse, NamesBothFormatVersionsForAnotherFormat) {
  const std::string message = ParseError("preload-fingerprint/2\nname=x\n");
  EXPECT_TRUE(Contains(message, "line 1"));
  EXPECT_TRUE(Contains(message, "\"preload-fingerprint/2\""));
  EXPECT_TRUE(Contains(message, "format version 2, but"));
  EXPECT_TRUE(Contains(message, "reads format version 1 only"));
}

TEST(FingerprintParse, RefusesAnEmptyLineNamingIt) {
  const std::string message = ParseError(Payload("a=1\n\nb=2\n"));
  EXPECT_TRUE(Contains(message, "line 3"));
  EXPECT_TRUE(Contains(message, "empty line"));
}

TEST(FingerprintParse, RefusesAnEmptyLastLine) {
  EXPECT_TRUE(Contains(ParseError(Payload("a=1\n\n")), "line 3"));
}

TEST(FingerprintParse, RefusesALineWithoutEquals) {
  const std::string message = ParseError(Payload("a=1\njunk\n"));
  EXPECT_TRUE(Contains(message, "line 3"));
  EXPECT_TRUE(Contains(message, "\"junk\""));
}

TEST(FingerprintParse, RefusesAnEmptyKey) {
  const std::string message = ParseError(Payload("=1\n"));
  EXPECT_TRUE(Contains(message, "line 2"));
  EXPECT_TRUE(Contains(message, "empty key"));
}

TEST(FingerprintParse, RefusesKeyCharactersOutsideTheCharset) {
  for (std::string_view line : {"Name=x", "na me=x", "name\r=x", "nåme=x"}) {
    const std::string message = ParseError(Payload(line));
    EXPECT_TRUE(Contains(message, "line 2")) << line;
    EXPECT_TRUE(Contains(message, "[a-z0-9._-]")) << line;
  }
}

TEST(FingerprintParse, RefusesARepeatedKeyNamingBothLines) {
  const std::string message = ParseError(Payload("a=1\nb=2\na=3\n"));
  EXPECT_TRUE(Contains(message, "line 4"));
  EXPECT_TRUE(Contains(message, "\"a\" repeats"));
  EXPECT_TRUE(Contains(message, "first on line 2"));
}

// More fields than the repeat detector keeps on the stack.
std::string ManyFields(std::size_t count) {
  std::string fields;
  for (std::size_t i = 0; i < count; ++i) {
    fields += "key." + std::to_string(i) + "=" + std::to_string(i) + "\n";
  }
  return fields;
}

TEST(FingerprintParse, AcceptsManyDistinctKeys) {
  absl::StatusOr<Fingerprint> fp =
      Fingerprint::Parse(Payload(ManyFields(3000)));
  ASSERT_TRUE(fp.ok()) << fp.status();
  ASSERT_EQ(fp->fields().size(), 3000u);
  EXPECT_EQ(fp->Get("key.2999"), "2999");
}

TEST(FingerprintParse, RefusesAKeyRepeatedFarFromItsFirstLine) {
  const std::string message =
      ParseError(Payload(ManyFields(500) + "key.7=again\n"));
  EXPECT_TRUE(Contains(message, "line 502"));
  EXPECT_TRUE(Contains(message, "\"key.7\" repeats (first on line 9)"));
}

TEST(FingerprintParse, RefusesANulInsideTheText) {
  std::string payload = Payload("a=1\n");
  payload += std::string("b=\0x\n", 5);
  EXPECT_TRUE(Contains(ParseError(payload), "line 3"));
}

TEST(FingerprintParse, RefusesAPayloadOverTheSizeLimit) {
  std::string payload = Payload("a=");
  payload.append(kMaxPayloadBytes, 'x');
  EXPECT_TRUE(Contains(ParseError(payload), "65536"));
}

TEST(FingerprintParse, AcceptsAPayloadAtTheSizeLimit) {
  std::string payload = Payload("a=");
  payload.append(kMaxPayloadBytes - payload.size(), 'x');
  EXPECT_TRUE(Fingerprint::Parse(payload).ok());
}

TEST(FingerprintParse, CutsLongOffendingTextInTheMessage) {
  const std::string message =
      ParseError(Payload("a=1\n" + std::string(5000, 'J')));
  EXPECT_TRUE(Contains(message, "line 3"));
  EXPECT_TRUE(Contains(message, "...(cut)"));
  EXPECT_LT(message.size(), 300u);
}

TEST(FingerprintParse, EscapesControlBytesInTheMessage) {
  const std::string message = ParseError("\x01\x02garbage\n");
  EXPECT_TRUE(Contains(message, "\\x01\\x02garbage"));
}

TEST(FingerprintGet, ReturnsTheValueOfAPresentKey) {
  absl::StatusOr<Fingerprint> fp = Fingerprint::Parse(kSample);
  ASSERT_TRUE(fp.ok()) << fp.status();
  EXPECT_EQ(fp->Get("compiler.id"), "gcc");
  EXPECT_EQ(fp->Get("flags.cxx"), "-O2 -DNDEBUG");
}

TEST(FingerprintGet, ReturnsNulloptForAnAbsentKey) {
  absl::StatusOr<Fingerprint> fp = Fingerprint::Parse(kSample);
  ASSERT_TRUE(fp.ok()) << fp.status();
  EXPECT_EQ(fp->Get("compiler"), std::nullopt);
  EXPECT_EQ(fp->Get(""), std::nullopt);
}

TEST(FingerprintGet, DistinguishesAnEmptyValueFromAnAbsentKey) {
  absl::StatusOr<Fingerprint> fp = Fingerprint::Parse(kSample);
  ASSERT_TRUE(fp.ok()) << fp.status();
  ASSERT_TRUE(fp->Get("flags.options").has_value());
  EXPECT_EQ(*fp->Get("flags.options"), "");
}

TEST(FingerprintIdentity, ShorthandsReadTheIdentityFields) {
  absl::StatusOr<Fingerprint> fp = Fingerprint::Parse(kSample);
  ASSERT_TRUE(fp.ok()) << fp.status();
  EXPECT_EQ(fp->kind(), "plugin");
  EXPECT_EQ(fp->name(), "hello");
  EXPECT_EQ(fp->version(), "1.2.0");
}

TEST(FingerprintIdentity, ShorthandsAreEmptyWhenAbsent) {
  const Fingerprint fp = Fingerprint::FromFields({{"other", "x"}});
  EXPECT_EQ(fp.kind(), "");
  EXPECT_EQ(fp.name(), "");
  EXPECT_EQ(fp.version(), "");
}

TEST(FingerprintHostAbis, MapsEveryAbiFieldByName) {
  absl::StatusOr<Fingerprint> fp = Fingerprint::Parse(
      Payload("name=h\nabi.myapp=2.1\nabi.render-core=1.0.3\nabis=x\n"));
  ASSERT_TRUE(fp.ok()) << fp.status();
  const std::map<std::string, std::string, std::less<>> expected = {
      {"myapp", "2.1"}, {"render-core", "1.0.3"}};
  EXPECT_EQ(fp->HostAbis(), expected);
}

TEST(FingerprintHostAbis, IsEmptyWithoutAbiFields) {
  absl::StatusOr<Fingerprint> fp = Fingerprint::Parse(Payload("name=h\n"));
  ASSERT_TRUE(fp.ok()) << fp.status();
  EXPECT_TRUE(fp->HostAbis().empty());
}

TEST(FingerprintFromFields, SerializesFieldsInTheGivenOrder) {
  const Fingerprint fp =
      Fingerprint::FromFields({{"z", "1"}, {"a", ""}, {"m", "x=y"}});
  EXPECT_EQ(fp.Serialize(), Payload("z=1\na=\nm=x=y\n"));
}

TEST(FingerprintFromFields, DoesNotValidateKeysButParseDoes) {
  const Fingerprint fp = Fingerprint::FromFields({{"Bad Key", "1"}});
  EXPECT_EQ(fp.Get("Bad Key"), "1");
  EXPECT_FALSE(Fingerprint::Parse(fp.Serialize()).ok());
}

TEST(FingerprintCopy, SharesTheFieldsAndAMovedFromOneKeepsThem) {
  Fingerprint original = Fingerprint::FromFields({{"a", "1"}, {"b", "2"}});
  const Fingerprint copy = original;
  EXPECT_EQ(&copy.fields(), &original.fields());
  const Fingerprint moved = std::move(original);
  EXPECT_EQ(moved.Get("b"), "2");
  EXPECT_EQ(original.Get("a"), "1");  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(original.fields().size(), 2u);
}

TEST(FingerprintViews, AgreeWithTheOwnedFieldsAndOutliveTheSource) {
  std::optional<Fingerprint> copy;
  {
    // The payload's own buffer goes away; the fingerprint keeps a copy.
    std::string payload = Payload("a=1\nb=x=y\nc=\n");
    payload += std::string(3, '\0');  // note padding
    absl::StatusOr<Fingerprint> fp = Fingerprint::Parse(payload);
    ASSERT_TRUE(fp.ok()) << fp.status();
    copy = *fp;
    payload.assign(payload.size(), '#');
  }
  const std::vector<FingerprintFieldView>& views = copy->field_views();
  const std::vector<FingerprintField>& owned = copy->fields();
  ASSERT_EQ(views.size(), 3u);
  ASSERT_EQ(owned.size(), 3u);
  for (std::size_t i = 0; i < views.size(); ++i) {
    EXPECT_EQ(views[i].key, owned[i].key);
    EXPECT_EQ(views[i].value, owned[i].value);
  }
  EXPECT_EQ(views[1].value, "x=y");
  EXPECT_EQ(views[2].value, "");
  EXPECT_EQ(copy->payload(), Payload("a=1\nb=x=y\nc=\n"));
  EXPECT_EQ(copy->payload(), copy->Serialize());
}

TEST(FingerprintViews, FromFieldsPointIntoItsOwnPayload) {
  const Fingerprint fp = Fingerprint::FromFields({{"k", "v"}, {"long.key", "a b"}});
  const std::string_view payload = fp.payload();
  for (const FingerprintFieldView& field : fp.field_views()) {
    EXPECT_GE(field.key.data(), payload.data());
    EXPECT_LE(field.value.data() + field.value.size(),
              payload.data() + payload.size());
  }
  EXPECT_EQ(fp.field_views()[1].key, "long.key");
  EXPECT_EQ(fp.field_views()[1].value, "a b");
}

TEST(SdkFingerprint, DescribesThisSdk) {
  const Fingerprint& sdk = SdkFingerprint();
  EXPECT_EQ(sdk.kind(), "sdk");
  EXPECT_EQ(sdk.Get("sdk.version"), PRELOAD_SDK_VERSION_STRING);
  EXPECT_EQ(sdk.Get("sdk.abi"), std::to_string(PRELOAD_SDK_ABI_VERSION));
  EXPECT_EQ(sdk.Get("descriptor"), std::nullopt);
}

TEST(SdkFingerprint, IsParsedOnceForAllThreads) {
  std::vector<const Fingerprint*> seen(8, nullptr);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < seen.size(); ++i) {
    threads.emplace_back([&seen, i] { seen[i] = &SdkFingerprint(); });
  }
  for (std::thread& thread : threads) thread.join();
  for (const Fingerprint* fp : seen) EXPECT_EQ(fp, &SdkFingerprint());
}

}  // namespace
}  // namespace preload
