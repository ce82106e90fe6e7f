// Copyright the PreloadSDK authors.
#include "loader/internal/init_once.h"

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"

namespace preload::internal {
namespace {

struct Running {
  InitIdentity identity;
  std::string label;
};

// The inits this thread is running, outermost first.
thread_local std::vector<Running> this_thread_inits;

// The images whose init is running or has succeeded. Never destroyed: a
// plugin's code may call into the loader while the program exits.
struct ImageState {
  bool done = false;  // false: running on `thread`
  std::thread::id thread;
};
struct Images {
  std::mutex mutex;
  std::condition_variable changed;
  std::map<const void*, ImageState> states;
};
Images& TheImages() {
  static Images* const images = new Images;
  return *images;
}

}  // namespace

absl::Status CheckNoInitCycle(const InitIdentity& identity,
                              const std::string& label) {
  for (std::size_t i = 0; i < this_thread_inits.size(); ++i) {
    if (!(this_thread_inits[i].identity == identity)) continue;
    std::string cycle;
    for (std::size_t j = i; j < this_thread_inits.size(); ++j) {
      absl::StrAppend(&cycle, this_thread_inits[j].label, "'s init opens ");
    }
    return absl::FailedPreconditionError(absl::StrCat(
        label, ": opened again while its own PRELOAD_PLUGIN_INIT is running "
        "on this thread (", cycle, label, "): a cycle, which would recurse "
        "without end, so this Open was refused and nothing more was mapped. "
        "An init must not open its own plugin, directly or through the "
        "plugins it opens"));
  }
  return absl::OkStatus();
}

InitInProgress::InitInProgress(const InitIdentity& identity,
                               const std::string& label) {
  this_thread_inits.push_back({identity, label});
}

InitInProgress::~InitInProgress() { this_thread_inits.pop_back(); }

absl::StatusOr<InitClaim> ClaimImageInit(void* handle,
                                         const InitIdentity& identity,
                                         const std::string& label) {
  Images& images = TheImages();
  std::unique_lock<std::mutex> lock(images.mutex);
  for (auto it = images.states.find(handle); it != images.states.end();
       it = images.states.find(handle)) {
    if (it->second.done) return InitClaim::kAlreadyRan;
    // Found before mapping by CheckNoInitCycle; kept so that no path leads
    // to a thread waiting for itself.
    if (it->second.thread == std::this_thread::get_id()) {
      absl::Status cycle = CheckNoInitCycle(identity, label);
      if (!cycle.ok()) return cycle;
      return absl::FailedPreconditionError(absl::StrCat(
          label, ": opened again while its own PRELOAD_PLUGIN_INIT is "
          "running on this thread"));
    }
    images.changed.wait(lock);
  }
  images.states[handle] = ImageState{false, std::this_thread::get_id()};
  return InitClaim::kRun;
}

void FinishImageInit(void* handle, bool succeeded) {
  Images& images = TheImages();
  {
    std::lock_guard<std::mutex> lock(images.mutex);
    if (succeeded) {
      images.states[handle].done = true;
    } else {
      images.states.erase(handle);
    }
  }
  images.changed.notify_all();
}

}  // namespace preload::internal
