// Copyright the PreloadSDK authors.
//
// The physical floor: what any reader of a file's first bytes must pay, on
// the same files the other methods read, round-robin.
#include <benchmark/benchmark.h>
#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "bench.h"

namespace preload::bench {
namespace {

void OpenFstatClose(benchmark::State& state) {
  const auto& files = TheCorpus().Tiny();
  std::size_t i = 0;
  for (auto _ : state) {
    const int fd = ::open(files[i++ % files.size()].c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st;
    benchmark::DoNotOptimize(::fstat(fd, &st));
    ::close(fd);
  }
}

void OpenPreadClose(benchmark::State& state) {
  const auto& files = TheCorpus().Tiny();
  std::size_t i = 0;
  char buffer[4096];
  for (auto _ : state) {
    const int fd = ::open(files[i++ % files.size()].c_str(), O_RDONLY | O_CLOEXEC);
    benchmark::DoNotOptimize(::pread(fd, buffer, sizeof buffer, 0));
    ::close(fd);
  }
}

// As OpenPreadClose, but each name is looked up relative to an open
// directory, as a directory scan does.
void OpenatPreadClose(benchmark::State& state) {
  const auto& files = TheCorpus().Tiny();
  const std::string dir = std::filesystem::path(files[0]).parent_path();
  std::vector<std::string> names;
  for (const auto& f : files) names.push_back(std::filesystem::path(f).filename());
  const int dirfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  std::size_t i = 0;
  char buffer[4096];
  for (auto _ : state) {
    const int fd =
        ::openat(dirfd, names[i++ % names.size()].c_str(), O_RDONLY | O_CLOEXEC);
    benchmark::DoNotOptimize(::pread(fd, buffer, sizeof buffer, 0));
    ::close(fd);
  }
  ::close(dirfd);
}

// The SDK's ideal: one open, one fstat, one 4 KiB pread, one close.
void OpenFstatPreadClose(benchmark::State& state) {
  const auto& files = TheCorpus().Tiny();
  std::size_t i = 0;
  char buffer[4096];
  for (auto _ : state) {
    const int fd = ::open(files[i++ % files.size()].c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st;
    benchmark::DoNotOptimize(::fstat(fd, &st));
    benchmark::DoNotOptimize(::pread(fd, buffer, sizeof buffer, 0));
    ::close(fd);
  }
}

// Three reads where one would do: the ELF header, the program headers, the
// last note segment.
void OpenThreePreadsClose(benchmark::State& state) {
  const auto& files = TheCorpus().Tiny();
  std::size_t i = 0;
  char note[4096];
  for (auto _ : state) {
    const int fd = ::open(files[i++ % files.size()].c_str(), O_RDONLY | O_CLOEXEC);
    Elf64_Ehdr ehdr;
    benchmark::DoNotOptimize(::pread(fd, &ehdr, sizeof ehdr, 0));
    Elf64_Phdr phdrs[64];
    const std::size_t n = std::min<std::size_t>(ehdr.e_phnum, 64);
    benchmark::DoNotOptimize(::pread(fd, phdrs, n * sizeof(Elf64_Phdr), ehdr.e_phoff));
    for (std::size_t p = n; p-- > 0;) {
      if (phdrs[p].p_type != PT_NOTE) continue;
      benchmark::DoNotOptimize(::pread(
          fd, note, std::min<std::size_t>(phdrs[p].p_filesz, sizeof note),
          phdrs[p].p_offset));
      break;
    }
    ::close(fd);
  }
}

// mmap of the whole file instead of a read.
void OpenMmapClose(benchmark::State& state) {
  const auto& files = TheCorpus().Tiny();
  std::size_t i = 0;
  for (auto _ : state) {
    const int fd = ::open(files[i++ % files.size()].c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st;
    ::fstat(fd, &st);
    void* map = ::mmap(nullptr, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    char first = static_cast<const volatile char*>(map)[0];
    benchmark::DoNotOptimize(first);
    ::munmap(map, st.st_size);
    ::close(fd);
  }
}

}  // namespace

void RegisterFloor() {
  benchmark::RegisterBenchmark("Floor/open_fstat_close", OpenFstatClose);
  benchmark::RegisterBenchmark("Floor/open_pread4k_close", OpenPreadClose);
  benchmark::RegisterBenchmark("Floor/openat_pread4k_close", OpenatPreadClose);
  benchmark::RegisterBenchmark("Floor/open_fstat_pread4k_close", OpenFstatPreadClose);
  benchmark::RegisterBenchmark("Floor/open_3preads_close", OpenThreePreadsClose);
  benchmark::RegisterBenchmark("Floor/open_mmap_close", OpenMmapClose);
}

}  // namespace preload::bench
