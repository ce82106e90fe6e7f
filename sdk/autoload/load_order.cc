// Copyright the PreloadSDK authors.
#include "autoload/internal/load_order.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <optional>
#include <string_view>

#include "base/internal/unique_fd.h"
#include "preload/elf_notes.h"
#include "preload/fingerprint.h"
#include "preload/requirements.h"

namespace preload::internal {
namespace {

struct Listed {
  std::string spec;
  std::string name;                   // from its note; "" if unknown
  std::vector<std::string> requires;  // names
};

// The plugin name and requirements in the note of the file `path`, if it is
// a regular file with a readable note. Nothing is trusted or loaded here.
void ReadIdentity(Listed& listed) {
  if (listed.spec.find('/') == std::string::npos) return;  // found by name anyway
  UniqueFd fd(::open(listed.spec.c_str(),
                     O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  struct stat st {};
  if (!fd.valid() || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return;
  absl::StatusOr<std::vector<ElfNote>> notes =
      FindElfNotes(fd.get(), static_cast<uint64_t>(st.st_size), listed.spec,
                   kNoteOwner, kNoteType);
  if (!notes.ok() || notes->empty()) return;
  absl::StatusOr<Fingerprint> fingerprint = Fingerprint::Parse(notes->front().desc);
  if (!fingerprint.ok()) return;
  absl::StatusOr<std::vector<Requirement>> needs = RequirementsOf(*fingerprint);
  if (!needs.ok()) return;
  listed.name = std::string(fingerprint->name());
  for (const Requirement& requirement : *needs) {
    listed.requires.push_back(requirement.name);
  }
}

class Sorter {
 public:
  explicit Sorter(std::vector<Listed> listed)
      : listed_(std::move(listed)), state_(listed_.size(), kNew) {}

  std::vector<std::string> Sort() {
    for (std::size_t i = 0; i < listed_.size(); ++i) Visit(i);
    return std::move(order_);
  }

 private:
  enum State { kNew, kVisiting, kDone };

  // A listed plugin after those it requires; a cycle is left to the loader.
  void Visit(std::size_t i) {
    if (state_[i] != kNew) return;
    state_[i] = kVisiting;
    for (const std::string& required : listed_[i].requires) {
      for (std::size_t j = 0; j < listed_.size(); ++j) {
        if (listed_[j].name == required) Visit(j);
      }
    }
    state_[i] = kDone;
    order_.push_back(listed_[i].spec);
  }

  std::vector<Listed> listed_;
  std::vector<State> state_;
  std::vector<std::string> order_;
};

}  // namespace

std::vector<std::string> RequirementOrder(const std::vector<std::string>& specs) {
  std::vector<Listed> listed;
  bool any_requirement = false;
  for (const std::string& spec : specs) {
    listed.push_back(Listed{spec, "", {}});
    ReadIdentity(listed.back());
    any_requirement = any_requirement || !listed.back().requires.empty();
  }
  if (!any_requirement) return specs;
  return Sorter(std::move(listed)).Sort();
}

}  // namespace preload::internal
