// Reading and hashing a plugin file costs per MB (scripts/bench, "hashing"):
// what a Loader with trusted keys or allowed digests adds to every Open and
// Verify. Measures HashFile, which reads the file through its descriptor
// (pread, 256 KiB at a time), into both hashes at once and into each alone
// (a Loader with signatures only computes BLAKE2b-512, one with a digest
// list only SHA-256), over files of 1, 16 and 64 MiB with the page cache
// warm, and the two hashes alone over memory. Prints one JSON object.
//
//   bench_hash_cost DIR [REPETITIONS]
#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "signing/internal/signature.h"

namespace {

using Clock = std::chrono::steady_clock;

template <typename F>
double MedianSeconds(int reps, F&& run) {
  std::vector<double> times;
  for (int i = 0; i < reps; ++i) {
    const auto start = Clock::now();
    run();
    times.push_back(std::chrono::duration<double>(Clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || sodium_init() < 0) {
    std::fprintf(stderr, "usage: bench_hash_cost DIR [REPETITIONS]\n");
    return 2;
  }
  const int reps = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
  std::printf("{\"repetitions\": %d, \"files\": [", reps);
  const char* separator = "";
  double per_mib_64 = 0;
  for (int mib : {1, 16, 64}) {
    std::vector<unsigned char> bytes(static_cast<std::size_t>(mib) << 20);
    randombytes_buf(bytes.data(), bytes.size());
    const std::string path = std::string(argv[1]) + "/hash-" + std::to_string(mib) + ".bin";
    const int out = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0 || ::write(out, bytes.data(), bytes.size()) !=
                       static_cast<ssize_t>(bytes.size())) {
      std::perror(path.c_str());
      return 2;
    }
    ::close(out);
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    auto hash_file = [&](bool sha256, bool blake2b) {
      return MedianSeconds(reps, [&] {
        if (!preload::internal::HashFile(fd, bytes.size(), path, {sha256, blake2b})
                 .ok()) {
          std::abort();
        }
      });
    };
    const double file = hash_file(true, true);
    const double file_sha256 = hash_file(true, false);
    const double file_blake2b = hash_file(false, true);
    ::close(fd);
    unsigned char digest[64];
    const double sha256 = MedianSeconds(reps, [&] {
      crypto_hash_sha256(digest, bytes.data(), bytes.size());
    });
    const double blake2b = MedianSeconds(reps, [&] {
      crypto_generichash(digest, 64, bytes.data(), bytes.size(), nullptr, 0);
    });
    std::printf("%s{\"mib\": %d, \"hash_file_ms_per_mib\": %.3f, "
                "\"hash_file_sha256_ms_per_mib\": %.3f, "
                "\"hash_file_blake2b_ms_per_mib\": %.3f, "
                "\"sha256_ms_per_mib\": %.3f, \"blake2b_ms_per_mib\": %.3f}",
                separator, mib, file * 1e3 / mib, file_sha256 * 1e3 / mib,
                file_blake2b * 1e3 / mib, sha256 * 1e3 / mib, blake2b * 1e3 / mib);
    separator = ", ";
    per_mib_64 = file * 1e3 / mib;
    ::unlink(path.c_str());
  }
  std::printf("], \"hash_file_mib_per_s\": %.0f}\n", 1e3 / per_mib_64);
  return 0;
}
