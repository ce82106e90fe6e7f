// Copyright the PreloadSDK authors.
//
// Loader::Verify — resolve, open, check who may write the file, read the
// note, parse, compare, close — and its parts on their own.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include "bench.h"
#include "preload/elf_notes.h"
#include "preload/fingerprint.h"
#include "preload/policy.h"

namespace preload::bench {
namespace {

void VerifyFiles(benchmark::State& state, const std::vector<std::string>& files,
                 bool check_file_trust) {
  Loader loader(Options(check_file_trust));
  std::size_t i = 0;
  for (auto _ : state) {
    absl::StatusOr<Fingerprint> fp = loader.Verify(files[i++ % files.size()]);
    if (!fp.ok()) {
      state.SkipWithError(std::string(fp.status().message()).c_str());
      break;
    }
    benchmark::DoNotOptimize(fp);
  }
}

void VerifyTiny(benchmark::State& state) {
  VerifyFiles(state, TheCorpus().Tiny(), true);
}
void VerifyTinyNoTrust(benchmark::State& state) {
  VerifyFiles(state, TheCorpus().Tiny(), false);
}
void VerifyDeps(benchmark::State& state) {
  VerifyFiles(state, TheCorpus().Deps(), true);
}

// open + the ELF note reader + close: the file part of Verify.
void ReadNote(benchmark::State& state) {
  const auto& files = TheCorpus().Tiny();
  std::size_t i = 0;
  for (auto _ : state) {
    const std::string& file = files[i++ % files.size()];
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    auto notes = FindElfNotes(fd, file, kNoteOwner, kNoteType);
    benchmark::DoNotOptimize(notes);
    ::close(fd);
  }
}

std::string TinyPayload() {
  const std::string& file = TheCorpus().Tiny().front();
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  auto notes = FindElfNotes(fd, file, kNoteOwner, kNoteType);
  ::close(fd);
  return notes.ok() && !notes->empty() ? notes->front().desc : std::string();
}

void ParsePayload(benchmark::State& state) {
  const std::string payload = TinyPayload();
  for (auto _ : state) {
    auto fp = Fingerprint::Parse(payload);
    benchmark::DoNotOptimize(fp);
  }
}

void ComparePolicy(benchmark::State& state) {
  const Loader loader(Options());
  const absl::StatusOr<Fingerprint> plugin = Fingerprint::Parse(TinyPayload());
  if (!plugin.ok()) {
    state.SkipWithError("no fingerprint in the tiny plugin");
    return;
  }
  for (auto _ : state) {
    Verdict verdict = Compare(loader.host_fingerprint(), *plugin, Policy::kStrict);
    benchmark::DoNotOptimize(verdict);
  }
}

}  // namespace

void RegisterVerify() {
  benchmark::RegisterBenchmark("Verify/tiny", VerifyTiny);
  benchmark::RegisterBenchmark("Verify/tiny_no_trust_check", VerifyTinyNoTrust);
  benchmark::RegisterBenchmark("Verify/deps", VerifyDeps);
  benchmark::RegisterBenchmark("VerifyPart/open_read_note_close", ReadNote);
  benchmark::RegisterBenchmark("VerifyPart/parse", ParsePayload);
  benchmark::RegisterBenchmark("VerifyPart/compare", ComparePolicy);
}

}  // namespace preload::bench
