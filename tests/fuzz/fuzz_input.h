// Copyright the PreloadSDK authors.
//
// The fuzzers that read whole files get each input through one memfd for the
// whole run, rewritten per input: creating one per input would churn file
// descriptors for nothing.
#ifndef TESTS_FUZZ_FUZZ_INPUT_H_
#define TESTS_FUZZ_FUZZ_INPUT_H_

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>

#include "fuzz_check.h"

// The run's memfd, named `name` in /proc/self/fd.
inline int InputFile(const char* name) {
  static const int fd = memfd_create(name, MFD_CLOEXEC);
  FUZZ_CHECK(fd >= 0);
  return fd;
}

// Makes the file hold exactly the input.
inline void WriteInput(int fd, const uint8_t* data, size_t size) {
  FUZZ_CHECK(ftruncate(fd, 0) == 0);
  size_t done = 0;
  while (done < size) {
    const ssize_t n = pwrite(fd, data + done, size - done,
                             static_cast<off_t>(done));
    FUZZ_CHECK(n > 0);
    done += static_cast<size_t>(n);
  }
}

#endif  // TESTS_FUZZ_FUZZ_INPUT_H_
