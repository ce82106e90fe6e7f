// Copyright the PreloadSDK authors.
//
// autoload/internal/load_order.h — the order PRELOAD_PLUGINS is opened in,
// so that the order inside the variable does not matter for requirements.
//
// The loader finds a requirement by name: among the plugins it has already
// loaded, then in the search path. A plugin listed by path in a directory
// that is not in the search path is found only if it was loaded before the
// plugins that require it; so every listed plugin is opened after the listed
// plugins it requires. This only orders: each is then opened, and checked,
// by Loader::Open, which also reports a cycle.
#ifndef PRELOAD_AUTOLOAD_INTERNAL_LOAD_ORDER_H_
#define PRELOAD_AUTOLOAD_INTERNAL_LOAD_ORDER_H_

#include <string>
#include <vector>

namespace preload::internal {

// `specs` (PRELOAD_PLUGINS' items) reordered so that a plugin listed by path
// comes after the listed plugins it requires; otherwise in the given order.
// Reads only the notes of the files named by path; a file it cannot read
// keeps its place (Open reports why).
std::vector<std::string> RequirementOrder(const std::vector<std::string>& specs);

}  // namespace preload::internal

#endif  // PRELOAD_AUTOLOAD_INTERNAL_LOAD_ORDER_H_
