// Copyright the PreloadSDK authors.
//
// Runs one command (standard output to /dev/null) and prints its wall time
// from fork to exit, its CPU time (user + system) and its peak resident set,
// as "WALL_S CPU_S MAXRSS_KIB" (tests/bench/cli_scan.py). A launcher of its
// own because the kernel counts the peak of the process that forked the
// child too: a child started by Python would report Python's.
//
//   bench_spawn_measure COMMAND [ARGS...]
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs("usage: bench_spawn_measure COMMAND [ARGS...]\n", stderr);
    return 2;
  }
  timespec start {}, end {};
  ::clock_gettime(CLOCK_MONOTONIC, &start);
  const pid_t child = ::fork();
  if (child == 0) {
    const int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (null < 0 || ::dup2(null, 1) < 0) ::_exit(127);
    ::execv(argv[1], argv + 1);
    ::_exit(127);
  }
  if (child < 0) return 2;
  int status = 0;
  rusage usage {};
  if (::wait4(child, &status, 0, &usage) != child) return 2;
  ::clock_gettime(CLOCK_MONOTONIC, &end);
  const double wall = (end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) * 1e-9;
  const double cpu = usage.ru_utime.tv_sec + usage.ru_utime.tv_usec * 1e-6 +
                     usage.ru_stime.tv_sec + usage.ru_stime.tv_usec * 1e-6;
  std::printf("%.6f %.6f %ld\n", wall, cpu, usage.ru_maxrss);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "bench_spawn_measure: %s failed (status %d)\n", argv[1], status);
    return 1;
  }
  return 0;
}
