// Export records (<preload/plugin_abi.h>): what a plugin exports, read from
// its file, agrees with what Plugin::Lookup accepts; a plugin built without
// records still loads; a stripped one keeps them; corrupted ones are refused
// with a message.
#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "fixtures/typed_exports.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "base/internal/unique_fd.h"
#include "loader/internal/export_records.h"
#include "preload/loader.h"
#include "preload/plugin_abi.h"
#include "preload/required.h"
#include "test_support.h"

extern "C" int preload_find_export_v1(const char* plugin, const char* name,
                                      const char* type, void** address,
                                      void* context, preload_report_fn report);

namespace preload {
namespace {

using internal::ExportKind;
using internal::ExportRecord;
using internal::ExportRecords;
using ::testing::HasSubstr;

absl::StatusOr<ExportRecords> RecordsOf(const std::string& path) {
  internal::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return absl::NotFoundError(path);
  return internal::ReadExportRecords(fd.get(), path);
}

// What the test host knows of each export: its type, through a typed lookup.
struct Expected {
  std::string type;  // TypeName<T>() in this host
  std::function<absl::Status(const Plugin&, const std::string&)> lookup;
};

template <typename T>
Expected Typed() {
  return {TypeName<T>(), [](const Plugin& plugin, const std::string& name) {
            return plugin.Lookup<T>(name).status();
          }};
}

std::map<std::string, Expected> TypedExports() {
  using namespace typed_exports;
  return {
      {"Join", Typed<std::string(const std::vector<std::string>&)>()},
      {"Apply", Typed<int(const std::function<int(int)>&, int) noexcept>()},
      {"MakeCounter", Typed<std::unique_ptr<Counter>()>()},
      {"SharedCounter", Typed<Counter>()},
      {"Greeting", Typed<const char* const>()},
      {"Table", Typed<std::map<std::string, int>>()},
      {"Scale", Typed<double[3]>()},
      {"Mode", Typed<Mode>()},
      {"Hook", Typed<void (*)(int)>()},
  };
}

TEST(ExportRecordsTest, EveryRecordIsWhatLookupAccepts) {
  absl::StatusOr<ExportRecords> records = RecordsOf(FX_TYPED_EXPORTS);
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_TRUE(records->recorded);
  Loader loader;
  absl::StatusOr<Plugin*> plugin = loader.Open(FX_TYPED_EXPORTS);
  ASSERT_TRUE(plugin.ok()) << plugin.status();
  const std::map<std::string, Expected> expected = TypedExports();
  std::vector<std::string> listed;
  bool init_listed = false;
  for (const ExportRecord& record : records->exports) {
    if (record.kind == ExportKind::kInit) {
      init_listed = true;
      continue;
    }
    listed.push_back(record.name);
    // The very spelling the file shows finds the export...
    void* address = nullptr;
    EXPECT_EQ(preload_find_export_v1("fx_typed_exports", record.name.c_str(),
                                     record.type.c_str(), &address, nullptr,
                                     nullptr),
              0)
        << record.name << " as " << record.type;
    EXPECT_NE(address, nullptr);
    // ...and it is what this host's TypeName<T> spells for the type.
    auto it = expected.find(record.name);
    ASSERT_NE(it, expected.end()) << "unexpected export " << record.name;
    EXPECT_EQ(record.type, it->second.type);
    EXPECT_TRUE(it->second.lookup(**plugin, record.name).ok()) << record.name;
    EXPECT_EQ(record.kind, record.name == "Join" || record.name == "Apply" ||
                                   record.name == "MakeCounter"
                               ? ExportKind::kFunction
                               : ExportKind::kVariable)
        << record.name;
  }
  EXPECT_TRUE(init_listed);
  EXPECT_EQ(listed, (*plugin)->ExportNames());  // both sorted
  EXPECT_EQ(listed.size(), expected.size());
}

TEST(ExportRecordsTest, SpellingsAreTheSdkOnes) {
  absl::StatusOr<ExportRecords> records = RecordsOf(FX_TYPED_EXPORTS);
  ASSERT_TRUE(records.ok()) << records.status();
  std::map<std::string, std::string> types;
  for (const ExportRecord& record : records->exports) {
    types[record.name] = record.type;
  }
  EXPECT_EQ(types["Join"], "std::string(const std::vector<std::string>&)");
  EXPECT_EQ(types["Apply"], "int(const std::function<int(int)>&, int) noexcept");
  EXPECT_EQ(types["MakeCounter"], "std::unique_ptr<typed_exports::Counter>()");
  EXPECT_EQ(types["Greeting"], "const char* const");
  EXPECT_EQ(types["Scale"], "double[3]");
  EXPECT_EQ(types["Hook"], "void(*)(int)");
  EXPECT_EQ(types["init"], "");
}

TEST(ExportRecordsTest, PluginWithoutRecordsLoadsAndSaysSo) {
  absl::StatusOr<ExportRecords> records = RecordsOf(FX_TYPED_EXPORTS_V1);
  ASSERT_TRUE(records.ok()) << records.status();
  EXPECT_FALSE(records->recorded);
  EXPECT_TRUE(records->exports.empty());
  Loader loader;
  absl::StatusOr<Plugin*> plugin = loader.Open(FX_TYPED_EXPORTS_V1);
  ASSERT_TRUE(plugin.ok()) << plugin.status();
  for (const auto& [name, expected] : TypedExports()) {
    EXPECT_TRUE(expected.lookup(**plugin, name).ok()) << name;
  }
}

TEST(ExportRecordsTest, StrippedPluginKeepsItsRecords) {
  absl::StatusOr<ExportRecords> full = RecordsOf(FX_GOOD);
  absl::StatusOr<ExportRecords> stripped = RecordsOf(FX_GOOD_STRIPPED);
  ASSERT_TRUE(full.ok()) << full.status();
  ASSERT_TRUE(stripped.ok()) << stripped.status();
  ASSERT_TRUE(stripped->recorded);
  ASSERT_EQ(stripped->exports.size(), 4u);  // Answer, Greet, InitRan, init
  for (std::size_t i = 0; i < full->exports.size(); ++i) {
    EXPECT_EQ(stripped->exports[i].name, full->exports[i].name);
    EXPECT_EQ(stripped->exports[i].type, full->exports[i].type);
  }
}

// A copy of a real plugin with one change, and what reading its records says.
class CorruptedRecordsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ifstream in(FX_TYPED_EXPORTS, std::ios::binary);
    bytes_.assign(std::istreambuf_iterator<char>(in), {});
    ASSERT_FALSE(bytes_.empty());
  }
  // Where the record of `name` of kind `kind` starts: its note header.
  std::size_t NoteOf(char kind, const std::string& name) {
    const std::string desc = std::string(1, PRELOAD_EXPORT_RECORD_FORMAT) +
                             kind + name + std::string(1, '\0');
    const std::size_t at = bytes_.find(desc);
    EXPECT_NE(at, std::string::npos) << name;
    return at - 24;  // 12 bytes of header, "PreloadSDK" padded to 12
  }
  uint32_t DescSize(std::size_t note) {
    uint32_t size;
    std::memcpy(&size, &bytes_[note + 4], 4);
    return size;
  }
  void SetDescSize(std::size_t note, uint32_t size) {
    std::memcpy(&bytes_[note + 4], &size, 4);
  }
  std::string Read() {
    const std::string path = ::preload::testing::UniqueTempDir() + "/bad.so";
    std::ofstream(path, std::ios::binary) << bytes_;
    absl::StatusOr<ExportRecords> records = RecordsOf(path);
    ::unlink(path.c_str());
    EXPECT_FALSE(records.ok());
    return records.ok() ? "" : std::string(records.status().message());
  }
  std::string bytes_;
};

TEST_F(CorruptedRecordsTest, NameWithoutNulIsRefused) {
  const std::size_t note = NoteOf(PRELOAD_RECORD_FUNCTION, "Join");
  const uint32_t size = DescSize(note);
  for (uint32_t i = 2; i < size; ++i) bytes_[note + 24 + i] = 'x';
  EXPECT_THAT(Read(), HasSubstr("name runs to the end of the record"));
}

TEST_F(CorruptedRecordsTest, TypeWithoutNulIsRefused) {
  const std::size_t note = NoteOf(PRELOAD_RECORD_FUNCTION, "Join");
  bytes_[note + 24 + DescSize(note) - 1] = 'x';
  EXPECT_THAT(Read(), HasSubstr("type runs to the end of the record"));
}

TEST_F(CorruptedRecordsTest, DescSizePastTheSegmentIsRefused) {
  SetDescSize(NoteOf(PRELOAD_RECORD_VARIABLE, "Table"), 0x7ffffff0);
  EXPECT_THAT(Read(), HasSubstr("bad.so"));
}

TEST_F(CorruptedRecordsTest, ShorterDescSizeIsRefused) {
  // The record then ends inside the type, and the next note is misread.
  const std::size_t note = NoteOf(PRELOAD_RECORD_VARIABLE, "Table");
  SetDescSize(note, DescSize(note) - 3);
  EXPECT_THAT(Read(), HasSubstr("bad.so"));
}

TEST_F(CorruptedRecordsTest, DuplicateNameIsRefused) {
  // "Mode" renamed "Hook": the same length, so the note stays well-formed.
  const std::size_t note = NoteOf(PRELOAD_RECORD_VARIABLE, "Mode");
  std::memcpy(&bytes_[note + 26], "Hook", 4);
  EXPECT_THAT(Read(), HasSubstr("'Hook' is exported more than once"));
}

TEST_F(CorruptedRecordsTest, OtherFormatIsRefused) {
  bytes_[NoteOf(PRELOAD_RECORD_FUNCTION, "Apply") + 24] = 9;
  EXPECT_THAT(Read(), HasSubstr("a record of format 9; this tool reads format 1"));
}

TEST_F(CorruptedRecordsTest, UnknownKindIsRefused) {
  bytes_[NoteOf(PRELOAD_RECORD_FUNCTION, "Apply") + 25] = 'Z';
  EXPECT_THAT(Read(), HasSubstr("unknown kind 90"));
}

TEST_F(CorruptedRecordsTest, BytesAfterTheTypeAreRefused) {
  // Apply's record is 58 bytes, padded to 60 with NULs: one more is claimed.
  const std::size_t note = NoteOf(PRELOAD_RECORD_FUNCTION, "Apply");
  ASSERT_EQ(DescSize(note), 58u);
  SetDescSize(note, 59);
  EXPECT_THAT(Read(), HasSubstr("1 bytes follow the type"));
}

TEST_F(CorruptedRecordsTest, TruncatedFileIsRefused) {
  bytes_.resize(NoteOf(PRELOAD_RECORD_VARIABLE, "Table") + 30);
  EXPECT_FALSE(Read().empty());
}

TEST_F(CorruptedRecordsTest, MissingTableMarkerIsRefused) {
  const std::string marker = std::string("\x01T\0\0", 4);
  const std::size_t at = bytes_.find(std::string("PreloadSDK\0\0", 12) + marker);
  ASSERT_NE(at, std::string::npos);
  const uint32_t other_type = 0x12345678;  // no longer an export record
  std::memcpy(&bytes_[at - 4], &other_type, 4);
  EXPECT_THAT(Read(), HasSubstr("export records without the table's marker"));
}

TEST(ExportRecordParseTest, WellFormedRecordsParse) {
  const std::string desc("\x01" "FGreet\0int()\0", 14);  // outlives r's views
  absl::StatusOr<internal::RawExportRecord> r = internal::ParseExportRecord(desc);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->kind, 'F');
  EXPECT_EQ(r->name, "Greet");
  EXPECT_EQ(r->type, "int()");
  EXPECT_TRUE(internal::ParseExportRecord(std::string("\x01T\0\0", 4)).ok());
}

TEST(ExportRecordParseTest, MalformedRecordsSayWhy) {
  const std::pair<std::string, std::string> cases[] = {
      {std::string("\x01" "F\0", 3), "shorter than the smallest"},
      {std::string("\x01" "F\0\0", 4), "an export has an empty name"},
      {std::string("\x01VA\0\0", 5), "an export has an empty type"},
      {std::string("\x01VA\0int", 7), "type runs to the end"},
      {std::string("\x01VAint", 6), "name runs to the end"},
      {std::string("\x01VA\0int\0\0", 9), "1 bytes follow the type"},
      {std::string("\x01TA\0\0", 5), "the table's marker has a name"},
  };
  for (const auto& [desc, message] : cases) {
    absl::StatusOr<internal::RawExportRecord> r = internal::ParseExportRecord(desc);
    ASSERT_FALSE(r.ok()) << message;
    EXPECT_THAT(std::string(r.status().message()), HasSubstr(message));
  }
}

}  // namespace
}  // namespace preload
