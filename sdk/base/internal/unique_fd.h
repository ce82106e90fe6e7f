// Copyright the PreloadSDK authors.
//
// A file descriptor that closes itself.
#ifndef PRELOAD_BASE_INTERNAL_UNIQUE_FD_H_
#define PRELOAD_BASE_INTERNAL_UNIQUE_FD_H_

#include <unistd.h>

#include <utility>

namespace preload::internal {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) Reset(std::exchange(other.fd_, -1));
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { Reset(); }

  int get() const { return fd_; }
  // Gives up ownership: the descriptor stays open for the process's life.
  int Release() { return std::exchange(fd_, -1); }
  bool valid() const { return fd_ >= 0; }
  void Reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

}  // namespace preload::internal

#endif  // PRELOAD_BASE_INTERNAL_UNIQUE_FD_H_
