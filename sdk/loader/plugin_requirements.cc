// Copyright the PreloadSDK authors.
//
// preload::Plugin's requirements: the plugins loaded before it because its
// note requires them (loader/internal/requirements.cc sets them).
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/internal/string_view.h"
#include "preload/loader.h"

namespace preload {

absl::StatusOr<const Plugin*> Plugin::Required(std::string_view name) const {
  std::vector<std::string> names;
  for (const Plugin* required : requirements_) {
    if (required->name() == name) return required;
    names.emplace_back(required->name());
  }
  return absl::NotFoundError(absl::StrCat(
      "plugin '", internal::ToAbsl(this->name()), "' does not require '",
      internal::ToAbsl(name), "'; it requires: ",
      names.empty() ? "nothing" : absl::StrJoin(names, ", ")));
}

}  // namespace preload
