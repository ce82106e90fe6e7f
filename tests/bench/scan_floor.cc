// Copyright the PreloadSDK authors.
//
// The safe floor of a directory scan as a whole process, what `preload scan`
// is compared with (tests/bench/cli_scan.py): for every entry of each
// directory given, openat on the directory's descriptor, fstat (a reader
// that may not crash must know the file is regular and how long it is), one
// 4 KiB pread and close. Prints how many files it read, so the work cannot
// be left out.
//
//   bench_scan_floor DIR...
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

namespace {

// Reads every regular file of `dir`; returns how many, or -1.
long ReadDirectory(const char* dir) {
  DIR* stream = ::opendir(dir);
  if (stream == nullptr) return -1;
  const int dir_fd = ::dirfd(stream);
  long files = 0;
  char page[4096];
  while (const dirent* entry = ::readdir(stream)) {
    if (entry->d_name[0] == '.') continue;
    const int fd = ::openat(dir_fd, entry->d_name,
                            O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) continue;
    struct stat info {};
    if (::fstat(fd, &info) == 0 && S_ISREG(info.st_mode) &&
        ::pread(fd, page, sizeof page, 0) > 0) {
      ++files;
    }
    ::close(fd);
  }
  ::closedir(stream);
  return files;
}

}  // namespace

int main(int argc, char** argv) {
  long total = 0;
  for (int i = 1; i < argc; ++i) {
    const long files = ReadDirectory(argv[i]);
    if (files < 0) {
      std::perror(argv[i]);
      return 2;
    }
    total += files;
  }
  std::printf("%ld files\n", total);
  return 0;
}
