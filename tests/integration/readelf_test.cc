// Our ELF reader and binutils' readelf agree on a real plugin's notes.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "preload/elf_notes.h"
#include "preload/fingerprint.h"
#include "test_support.h"

namespace preload {
namespace {

std::string Run(const std::string& command) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
  if (!pipe) return "";
  std::string output;
  char buffer[4096];
  while (size_t n = std::fread(buffer, 1, sizeof buffer, pipe.get())) {
    output.append(buffer, n);
  }
  return output;
}

// The bytes after `marker` on the line that has it, written as hex pairs.
std::string HexAfter(const std::string& text, const std::string& marker) {
  const size_t at = text.find(marker);
  if (at == std::string::npos) return "";
  std::istringstream hex(text.substr(at + marker.size(),
                                     text.find('\n', at) - at - marker.size()));
  std::string bytes, pair;
  while (hex >> pair) bytes += static_cast<char>(std::stoi(pair, nullptr, 16));
  return bytes;
}

std::string ToHex(const std::string& bytes) {
  std::string out;
  char pair[3];
  for (unsigned char c : bytes) {
    std::snprintf(pair, sizeof pair, "%02x", c);
    out += pair;
  }
  return out;
}

std::vector<ElfNote> OurNotes(const char* path) {
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  EXPECT_GE(fd, 0);
  absl::StatusOr<std::vector<ElfNote>> notes = ReadElfNotes(fd, path);
  ::close(fd);
  EXPECT_TRUE(notes.ok()) << notes.status();
  return notes.ok() ? *notes : std::vector<ElfNote>{};
}

void ExpectReadelfAgrees(const char* path) {
  const std::string readelf = Run(std::string("readelf -n -W '") + path + "'");
  ASSERT_THAT(readelf, ::testing::HasSubstr("PreloadSDK"));
  // The fingerprint's line: the export records' notes come before it.
  const size_t fingerprint_at = readelf.find("(0x46505250)");
  ASSERT_NE(fingerprint_at, std::string::npos);
  const std::string payload =
      HexAfter(readelf.substr(fingerprint_at), "description data: ");
  bool saw_fingerprint = false, saw_build_id = false;
  for (const ElfNote& note : OurNotes(path)) {
    if (note.owner == "PreloadSDK" && note.type == kNoteType) {
      EXPECT_EQ(note.desc, payload);
      EXPECT_TRUE(Fingerprint::Parse(note.desc).ok());
      saw_fingerprint = true;
    }
    if (note.owner == "GNU" && note.type == 3) {
      // readelf prints the build-id as one hex string, not byte pairs.
      const size_t at = readelf.find("Build ID: ");
      EXPECT_EQ(ToHex(note.desc), readelf.substr(at + 10, note.desc.size() * 2));
      saw_build_id = true;
    }
  }
  EXPECT_TRUE(saw_fingerprint);
  EXPECT_TRUE(saw_build_id);
}

TEST(ReadelfTest, ReaderAgreesWithReadelfOnAPlugin) { ExpectReadelfAgrees(FX_GOOD); }

TEST(ReadelfTest, ReaderAgreesWithReadelfOnAStrippedPlugin) {
  ExpectReadelfAgrees(FX_GOOD_STRIPPED);
}

}  // namespace
}  // namespace preload
