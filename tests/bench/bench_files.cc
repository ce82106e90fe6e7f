// Copyright the PreloadSDK authors.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench.h"

namespace preload::bench {
namespace {

std::string ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// `n` files named <stem>_NNNNN.so in `dir`, each written separately.
std::vector<std::string> WriteCopies(const std::string& bytes,
                                     const std::string& dir,
                                     const std::string& stem, std::size_t n) {
  std::filesystem::create_directories(dir);
  std::vector<std::string> files;
  files.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::string path = absl::StrFormat("%s/%s_%05d.so", dir, stem, i);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
    if (fd < 0 || ::write(fd, bytes.data(), bytes.size()) !=
                      static_cast<ssize_t>(bytes.size())) {
      throw std::runtime_error("cannot write " + path);
    }
    ::close(fd);
    files.push_back(std::move(path));
  }
  return files;
}

long StatusKib(const char* key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string prefix = std::string(key) + ":";
  while (std::getline(in, line)) {
    if (line.compare(0, prefix.size(), prefix) == 0) {
      return std::strtol(line.c_str() + prefix.size(), nullptr, 10);
    }
  }
  return -1;
}

}  // namespace

std::unique_ptr<Corpus> Corpus::Make(const std::string& parent,
                                     std::size_t load_files,
                                     const std::vector<std::size_t>& scan_sizes) {
  auto corpus = std::make_unique<Corpus>();
  std::string pattern = parent + "/preload-bench-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("cannot make a directory in " + parent);
  }
  ::chmod(pattern.c_str(), 0755);
  corpus->root_ = pattern;
  const std::string tiny = ReadWhole(BENCH_TINY);
  const std::string deps = ReadWhole(BENCH_DEPS);
  corpus->scan_sizes_ = scan_sizes;
  for (std::size_t n : scan_sizes) {
    const std::string dir = absl::StrCat(corpus->root_, "/scan_", n);
    corpus->scan_dirs_[n] = dir;
    corpus->scan_files_[n] = WriteCopies(tiny, dir, "tiny", n);
  }
  corpus->deps_ = WriteCopies(deps, corpus->root_ + "/deps", "deps",
                              std::min<std::size_t>(load_files, 200));
  for (const char* kind : {"tiny", "deps"}) {
    const std::string& bytes = std::string(kind) == "tiny" ? tiny : deps;
    for (const char* method : {"dlopen", "fd_dlopen", "verify_and_load",
                               "sealed_copy_and_load"}) {
      const std::string pool = absl::StrCat(kind, "/", method);
      corpus->pools_[pool] = WriteCopies(
          bytes, absl::StrCat(corpus->root_, "/load_", kind, "_", method), kind,
          load_files);
    }
  }
  return corpus;
}

Corpus::~Corpus() {
  if (!keep_ && !root_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(root_, ignored);
  }
}

const std::vector<std::string>& Corpus::Tiny() const {
  return scan_files_.rbegin()->second;
}

std::string Corpus::Fresh(const std::string& pool) {
  std::vector<std::string>& files = pools_.at(pool);
  std::size_t& next = next_[pool];
  return next < files.size() ? files[next++] : std::string();
}

LoaderOptions Options(bool check_file_trust) {
  LoaderOptions options;
  options.check_file_trust = check_file_trust;
  options.default_search_path = false;
  options.name = "bench";
  return options;
}

void ResetPeakRss() {
  // "5" resets the peak resident set size (VmHWM) to the current one.
  if (std::FILE* f = std::fopen("/proc/self/clear_refs", "w")) {
    std::fputs("5", f);
    std::fclose(f);
  }
}
long PeakRssKib() { return StatusKib("VmHWM"); }
long CurrentRssKib() { return StatusKib("VmRSS"); }

}  // namespace preload::bench
