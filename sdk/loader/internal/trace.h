// Copyright the PreloadSDK authors.
//
// loader/internal/trace.h — the loader's LD_DEBUG-style trace.
//
// A Tracer writes one line per event, "preload: <category>: <text>", to the
// sink of preload::TraceOptions (stderr when none is set). Each line is built
// first and then written with one call, so lines of concurrent loaders do not
// interleave. Categories that are off cost one branch: a line's parts are
// joined only when its category is on.
#ifndef PRELOAD_LOADER_INTERNAL_TRACE_H_
#define PRELOAD_LOADER_INTERNAL_TRACE_H_

#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "preload/loader.h"

namespace preload::internal {

enum class TraceCategory { kSearch, kVerify, kLoad };

class Tracer {
 public:
  explicit Tracer(TraceOptions options) : options_(std::move(options)) {}

  bool enabled(TraceCategory category) const;
  // Writes "preload: <category>: <text>" if the category is on, with every
  // control byte of `text` escaped (base/internal/escape.h).
  void Line(TraceCategory category, std::string_view text) const;

  // Writes the parts joined as by absl::StrCat, if the category is on; a line
  // nobody reads is never built (the accept path of every load traces).
  template <typename... Parts>
  void Line(TraceCategory category, const Parts&... parts) const {
    if (!enabled(category)) return;
    const std::string line = absl::StrCat(parts...);
    Line(category, std::string_view(line));
  }

 private:
  TraceOptions options_;
};

// Writes `line` and a newline to stderr with a single write, every control
// byte in it but a newline escaped (base/internal/escape.h).
void WriteStderrLine(std::string_view line);

}  // namespace preload::internal

#endif  // PRELOAD_LOADER_INTERNAL_TRACE_H_
