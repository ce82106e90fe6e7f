// Copyright the PreloadSDK authors.
//
// bench_verify_loop FILE COUNT [no-trust] — Loader::Verify of FILE, COUNT
// times (with no-trust: without the file trust check), for
// callgrind and strace (scripts/bench): the difference between two counts,
// divided by the difference of the counts, is the cost of one verification
// without the process's start-up.
#include <cstdlib>
#include <iostream>

#include "preload/loader.h"

int main(int argc, char** argv) {
  if (argc != 3 && argc != 4) {
    std::cerr << "usage: bench_verify_loop FILE COUNT [no-trust]\n";
    return 2;
  }
  preload::LoaderOptions options;
  options.default_search_path = false;
  options.check_file_trust = argc == 3;
  preload::Loader loader(std::move(options));
  const long count = std::strtol(argv[2], nullptr, 10);
  for (long i = 0; i < count; ++i) {
    absl::StatusOr<preload::Fingerprint> fp = loader.Verify(argv[1]);
    if (!fp.ok()) {
      std::cerr << fp.status() << "\n";
      return 1;
    }
  }
  return 0;
}
