// Copyright the PreloadSDK authors.
//
// preload::Plugin: a loaded plugin's exports, looked up by name and type.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/internal/string_view.h"
#include "preload/loader.h"

namespace preload {

using internal::ToAbsl;

absl::StatusOr<void*> Plugin::LookupAddress(std::string_view name,
                                            const std::string& type) const {
  auto it = exports_.find(ToAbsl(name));
  if (it == exports_.end()) {
    std::string known;
    for (const std::string& export_name : ExportNames()) {
      absl::StrAppend(&known, known.empty() ? "" : ", ", export_name);
    }
    return absl::NotFoundError(absl::StrCat(
        "plugin '", ToAbsl(this->name()), "' (", path_, ") exports no '",
        ToAbsl(name), "'; its exports: ", known.empty() ? "none" : known));
  }
  if (it->second.type != type) {
    return absl::InvalidArgumentError(absl::StrCat(
        "plugin '", ToAbsl(this->name()), "' exports '", ToAbsl(name),
        "' as ", it->second.type, ", but it was looked up as ", type));
  }
  return it->second.address;
}

std::vector<std::string> Plugin::ExportNames() const {
  std::vector<std::string> names;
  names.reserve(exports_.size());
  for (const auto& [name, unused] : exports_) names.push_back(name);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace preload
