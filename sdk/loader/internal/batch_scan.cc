// Copyright the PreloadSDK authors.
#include "loader/internal/batch_scan.h"

#include <elf.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/internal/batch_reader.h"
#include "base/internal/string_view.h"
#include "loader/internal/plugin_file.h"

namespace preload::internal {
namespace {

// Would a file-by-file scan have had the descriptors this batch had? Only if
// no open ran out of them and none came within the loader's reserve of the
// limit (RegularFile): a batch holds many at once, a file-by-file scan one.
bool WithinDescriptorLimit(const std::vector<FetchedFile>& files) {
  rlimit limit{};
  const bool limited = ::getrlimit(RLIMIT_NOFILE, &limit) == 0 &&
                       limit.rlim_cur != RLIM_INFINITY;
  for (const FetchedFile& file : files) {
    if (file.open_error == EMFILE || file.open_error == ENFILE) return false;
    if (limited && file.fd.valid() &&
        static_cast<rlim_t>(file.fd.get()) + kReservedDescriptors >= limit.rlim_cur) {
      return false;
    }
  }
  return true;
}

// Where verification will read past the first bytes of a small plugin, so
// that one more submission fetches it for the whole batch: the dynamic
// section with the 256 bytes before it, where the init arrays usually lie
// (what the start-up check reads in one, elf/internal/startup_code.cc), and
// the first 2 KiB of the segment after the first, which with GNU ld's
// layout is the code, where .init and the start-up functions usually are.
// A guess only, for speed: what it misses is read from the descriptor as
// usual. Native 64-bit files only; the program headers must lie in the
// bytes fetched.
void WantStartupRanges(std::size_t index, const FetchedFile& file,
                       std::vector<WantedRange>& wanted) {
  if (!file.info || !file.first_bytes || !S_ISREG(file.info->st_mode)) return;
  const std::string_view bytes = *file.first_bytes;
  const uint64_t size = static_cast<uint64_t>(file.info->st_size);
  Elf64_Ehdr ehdr;
  if (bytes.size() < sizeof ehdr || bytes.compare(0, SELFMAG, ELFMAG) != 0 ||
      bytes[EI_CLASS] != ELFCLASS64 || bytes[EI_DATA] != ELFDATA2LSB) {
    return;
  }
  std::memcpy(&ehdr, bytes.data(), sizeof ehdr);
  if (ehdr.e_phentsize != sizeof(Elf64_Phdr) || ehdr.e_phoff > bytes.size() ||
      ehdr.e_phnum > (bytes.size() - ehdr.e_phoff) / sizeof(Elf64_Phdr)) {
    return;
  }
  auto want = [&](uint64_t from, uint64_t length) {
    if (from >= size || from + length <= bytes.size()) return;  // nothing to fetch
    length = std::min({length, size - from, uint64_t{kMaxWantedBytes}});
    wanted.push_back({index, from, static_cast<std::size_t>(length)});
  };
  bool code = false;
  for (uint16_t i = 0; i < ehdr.e_phnum; ++i) {
    Elf64_Phdr phdr;
    std::memcpy(&phdr, bytes.data() + ehdr.e_phoff + i * sizeof phdr, sizeof phdr);
    if (phdr.p_type == PT_DYNAMIC && phdr.p_filesz <= kMaxWantedBytes) {
      const uint64_t before = std::min<uint64_t>(phdr.p_offset, 256);
      want(phdr.p_offset - before, before + phdr.p_filesz);
    } else if (phdr.p_type == PT_LOAD && phdr.p_offset > 0 && !code) {
      code = true;
      want(phdr.p_offset, std::min<uint64_t>(phdr.p_filesz, 2048));
    }
  }
}

// The names of a directory gathered a batch at a time, fetched together,
// then verified one by one in their order.
class BatchedScan {
 public:
  BatchedScan(const LoaderState& loader, const CheckedDirectory& directory,
              std::string_view path, EntryVisitor visit)
      : loader_(loader), directory_(directory), path_(path), visit_(visit),
        capacity_(loader.directory_reads.batch_files) {
    if (capacity_ == 0 || capacity_ > 1024) capacity_ = 1;  // Create refuses it
  }

  void Add(std::string_view name) {
    names_.emplace_back(name);
    if (names_.size() >= capacity_) Flush();
  }

  void Flush() {
    if (names_.empty()) return;
    if (!started_) Start();
    if (reader_ != nullptr) Fetch();
    for (std::size_t i = 0; i < names_.size(); ++i) {
      visit_(names_[i], Verify(names_[i], reader_ != nullptr ? &fetched_[i] : nullptr));
    }
    names_.clear();
    fetched_.clear();
  }

 private:
  // The ring, made on the first batch, if there are files enough for one.
  void Start() {
    started_ = true;
    // Read as before batches existed, and traced alike.
    if (names_.size() < kMinBatchedFiles) return;
    absl::StatusOr<std::unique_ptr<BatchReader>> reader =
        BatchReader::Create(BatchOptionsFor(loader_.directory_reads));
    if (!reader.ok()) {
      Trace(absl::StrCat("one file at a time (", reader.status().message(), ")"));
      return;
    }
    reader_ = *std::move(reader);
    Trace(reader_->description());
  }

  void Fetch() {
    absl::Status fetched = reader_->Fetch(
        directory_.fd.get(), names_, kPluginOpenFlags | O_NOFOLLOW, fetched_);
    if (!fetched.ok()) return Stop(FromAbsl(fetched.message()));
    if (!WithinDescriptorLimit(fetched_)) {
      return Stop("the process is short of file descriptors");
    }
    if (!loader_.directory_reads.read_startup_ranges) return;
    wanted_.clear();
    for (std::size_t i = 0; i < fetched_.size(); ++i) {
      WantStartupRanges(i, fetched_[i], wanted_);
    }
    absl::Status more = reader_->FetchRanges(wanted_, fetched_);
    if (!more.ok()) return Stop(FromAbsl(more.message()));
  }

  // From here on file by file, holding no descriptor of the batch.
  void Stop(std::string_view why) {
    fetched_.clear();
    reader_.reset();
    Trace(absl::StrCat("one file at a time from here (", ToAbsl(why), ")"));
  }

  absl::StatusOr<Fingerprint> Verify(const std::string& name, FetchedFile* fetched) {
    absl::StatusOr<PluginFile> file = loader_.OpenAndVerify(
        EntryPath(directory_, name), /*to_load=*/false, &directory_, fetched);
    if (!file.ok()) return PrintableStatus(file.status());
    if (reader_ != nullptr) reader_->CloseLater(std::move(file->fd));
    return *std::move(file->fingerprint);
  }

  void Trace(std::string_view how) const {
    loader_.trace->Line(TraceCategory::kVerify, ToAbsl(path_), ": directory reads: ", ToAbsl(how));
  }

  const LoaderState& loader_;
  const CheckedDirectory& directory_;
  std::string_view path_;
  EntryVisitor visit_;
  std::size_t capacity_;
  bool started_ = false;
  std::unique_ptr<BatchReader> reader_;
  std::vector<std::string> names_;
  std::vector<FetchedFile> fetched_;
  std::vector<WantedRange> wanted_;
};

}  // namespace

absl::Status VerifyEntries(const LoaderState& loader,
                           const CheckedDirectory& directory,
                           std::string_view path, EntryVisitor visit) {
  // A refused directory's entries are each checked the whole way, by path.
  const bool batched = loader.directory_reads.batched &&
                       (!loader.check_file_trust || directory.trusted);
  if (!batched) {
    return ForEachPluginFile(directory.fd.get(), path, [&](std::string_view name) {
      absl::StatusOr<PluginFile> file = loader.OpenAndVerify(
          EntryPath(directory, name), /*to_load=*/false, &directory);
      if (!file.ok()) return visit(name, PrintableStatus(file.status()));
      visit(name, *std::move(file->fingerprint));
    });
  }
  BatchedScan scan(loader, directory, path, visit);
  absl::Status listed = ForEachPluginFile(
      directory.fd.get(), path, [&](std::string_view name) { scan.Add(name); });
  scan.Flush();  // what was gathered is verified even if readdir failed late
  return listed;
}

void VerifyNames(const LoaderState& loader, const CheckedDirectory& directory,
                 const std::vector<std::string>& names, EntryVisitor visit) {
  const bool batched = loader.directory_reads.batched &&
                       (!loader.check_file_trust || directory.trusted);
  if (!batched) {
    for (const std::string& name : names) {
      absl::StatusOr<PluginFile> file = loader.OpenAndVerify(
          EntryPath(directory, name), /*to_load=*/false, &directory);
      if (!file.ok()) {
        visit(name, PrintableStatus(file.status()));
      } else {
        visit(name, *std::move(file->fingerprint));
      }
    }
    return;
  }
  BatchedScan scan(loader, directory, directory.path, visit);
  for (const std::string& name : names) scan.Add(name);
  scan.Flush();
}

BatchOptions BatchOptionsFor(const DirectoryReads& reads) {
  BatchOptions options;
  options.files = reads.batch_files;
  options.read_bytes = reads.read_bytes;
  options.sqpoll = reads.poll_submissions;
  options.register_buffers = reads.register_buffers;
  options.stat_in_ring = reads.stat_in_ring;
  return options;
}

}  // namespace preload::internal
