// Copyright the PreloadSDK authors.
//
// loader/internal/init_once.h — a plugin's PRELOAD_PLUGIN_INIT, run once per
// process per mapped image, and never re-entered.
//
// glibc maps a file once, however many names it is opened by (it compares
// device and inode), so two Loaders that open the same plugin file get the
// same image: its init runs for the first and is not run again for the
// second, which registers the plugin with the first's outcome. A sealed copy
// is a file of its own, so each is its own image. The registry is kept by
// this copy of the SDK, in the process: a library the program mapped by
// itself, not through a Loader, has not had its init run.
//
// An init that opens its own plugin again, directly or through plugins it
// opens, would recurse until the stack overflows; each thread keeps the
// inits it is running, so such an Open is refused before anything more is
// mapped, naming the cycle.
#ifndef PRELOAD_LOADER_INTERNAL_INIT_ONCE_H_
#define PRELOAD_LOADER_INTERNAL_INIT_ONCE_H_

#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace preload::internal {

// What an init belongs to: a file (device, inode), whichever copy of it is
// mapped, or a static plugin's record.
struct InitIdentity {
  std::pair<uint64_t, uint64_t> file{0, 0};
  const void* record = nullptr;
  bool operator==(const InitIdentity& other) const {
    return file == other.file && record == other.record;
  }
};

// FailedPrecondition naming the cycle when this thread is running the init
// of `identity` (labelled `label` in messages); OK otherwise.
absl::Status CheckNoInitCycle(const InitIdentity& identity,
                              const std::string& label);

// Marks this thread as running the init of `identity` for as long as it lives.
class InitInProgress {
 public:
  InitInProgress(const InitIdentity& identity, const std::string& label);
  ~InitInProgress();
  InitInProgress(const InitInProgress&) = delete;
  InitInProgress& operator=(const InitInProgress&) = delete;
};

enum class InitClaim { kRun, kAlreadyRan };

// Claims the init of the mapped image `handle` (what dlopen returned) for
// this thread. kRun: run it (with an InitInProgress), then call
// FinishImageInit; kAlreadyRan: it succeeded before, for this image, and is
// not run again. A thread that finds another running it waits for that
// outcome. An error when this thread is running it (a cycle).
absl::StatusOr<InitClaim> ClaimImageInit(void* handle,
                                         const InitIdentity& identity,
                                         const std::string& label);

// The outcome of an init claimed with kRun. A failed init is forgotten, as
// its image is closed: the next Open runs it again.
void FinishImageInit(void* handle, bool succeeded);

}  // namespace preload::internal

#endif  // PRELOAD_LOADER_INTERNAL_INIT_ONCE_H_
