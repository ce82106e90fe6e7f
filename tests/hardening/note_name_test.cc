// A plugin name the loader refuses (preload/plugin_name.h, docs/security.md):
// a note whose name is empty, or one add_preload_plugin could not have given
// (a path, control bytes, a digit first), is refused by Open and Verify
// before anything is mapped, with the name escaped in the message.
#include <random>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "fixture_paths.h"
#include "hardening_support.h"
#include "preload/loader.h"
#include "preload/plugin_name.h"

namespace preload::hardening {
namespace {

using ::testing::HasSubstr;

constexpr char kNameLine[] = "\nname=hx_probe\n";

// hx_probe with its name line replaced by `line` (every copy of the payload),
// which must keep the length so that the note stays well formed.
std::string WithNameLine(const std::string& line) {
  std::string bytes = ReadBytes(HX_PROBE);
  const std::string from = kNameLine;
  for (size_t at = bytes.find(from); at != std::string::npos;
       at = bytes.find(from, at + 1)) {
    bytes.replace(at, from.size(), line);
  }
  return bytes;
}

// The same, with an 8-byte name in place of "hx_probe".
std::string WithName(const std::string& name) {
  EXPECT_EQ(name.size(), 8u) << "the note's length would change";
  return WithNameLine("\nname=" + name + "\n");
}

bool HasControlByte(const std::string& text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) return true;
  }
  return false;
}

class NoteNameTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    ASSERT_NE(ReadBytes(HX_PROBE).find(kNameLine), std::string::npos)
        << "the fixture's payload changed";
  }
  // Opens a copy of hx_probe holding `bytes`; the status of Open.
  absl::Status OpenCopy(const std::string& bytes, const std::string& file) {
    const std::string path = dir_ / file;
    if (!WriteBytes(path, bytes)) return absl::InternalError("cannot write");
    Loader loader;
    absl::StatusOr<Plugin*> opened = loader.Open(path);
    EXPECT_FALSE(IsMapped(path)) << path;
    return opened.status();
  }
  absl::Status VerifyCopy(const std::string& bytes) {
    const std::string path = dir_ / "verify.so";
    if (!RewriteBytes(path, bytes)) return absl::InternalError("cannot write");
    return Loader().Verify(path).status();
  }
  ScratchDir dir_;
};

TEST_F(NoteNameTest, EmptyNameIsRefusedBeforeMapping) {
  // 14 bytes for 14: the name is empty, the rest becomes a field of its own.
  const absl::Status status = OpenCopy(WithNameLine("\nname=\nz=probe\n"), "empty.so");
  ASSERT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(status.message(), HasSubstr("plugin name is empty"));
  EXPECT_THAT(status.message(), HasSubstr(std::string(kPluginNameRule)));
}

TEST_F(NoteNameTest, NamesNoTargetCouldHaveAreRefusedBeforeMapping) {
  for (const std::string name : {"../probe", "hx/probe", "hx probe", "8x_probe",
                                 "_x_probe", "hx:probe", "h\xc3\xa9probe"}) {
    SCOPED_TRACE(name);
    const absl::Status status = OpenCopy(WithName(name), "bad.so");
    ASSERT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
    EXPECT_THAT(status.message(),
                HasSubstr("plugin name '" + name + "' (8 bytes) is not one "
                          "add_preload_plugin could give"));
  }
}

TEST_F(NoteNameTest, ControlBytesInTheNameAreEscaped) {
  const absl::Status status = OpenCopy(WithName("\x1b[2Jprob"), "esc.so");
  ASSERT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  const std::string message(status.message());
  EXPECT_THAT(message, HasSubstr("plugin name '\\x1b[2Jprob'"));
  EXPECT_FALSE(HasControlByte(message)) << message;
}

// The control: the same copy with a name the rule allows is accepted, so
// the refusals above are the name's.
TEST_F(NoteNameTest, AnAllowedNameInTheSameCopyIsAccepted) {
  EXPECT_TRUE(VerifyCopy(WithName("hx.probe")).ok());
  EXPECT_TRUE(VerifyCopy(WithName("Hx-Probe")).ok());
}

// Garbage names: Verify accepts exactly those IsPluginName allows. Each is
// drawn from the bytes a name may hold, then up to two of its bytes are
// replaced by one near the rule's edges or by any byte, so both kinds occur.
TEST_F(NoteNameTest, GarbageNamesAreRefusedExactlyWhenTheRuleSaysSo) {
  const std::string allowed = "AZaz09_.-hx";
  const std::string edges = "@[`{/:;+ \\\"$'\x1b\x7f\x80\xff";
  std::mt19937 random(14);
  int refused = 0, accepted = 0;
  for (int i = 0; i < 300; ++i) {
    std::string name(8, 'x');
    for (char& c : name) c = allowed[random() % allowed.size()];
    for (int changes = random() % 3; changes > 0; --changes) {
      name[random() % name.size()] =
          random() % 2 ? edges[random() % edges.size()]
                       : static_cast<char>(1 + random() % 255);
    }
    if (name.find('\n') != std::string::npos) continue;  // another line
    const absl::Status status = VerifyCopy(WithName(name));
    if (IsPluginName(name)) {
      EXPECT_TRUE(status.ok()) << status;
      ++accepted;
    } else {
      EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
      ++refused;
    }
  }
  EXPECT_GT(accepted, 0);
  EXPECT_GT(refused, 0);
}

}  // namespace
}  // namespace preload::hardening
