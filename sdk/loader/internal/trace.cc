// Copyright the PreloadSDK authors.
#include "loader/internal/trace.h"

#include <unistd.h>

#include <cerrno>
#include <string>

#include "base/internal/escape.h"

namespace preload::internal {
namespace {

std::string_view CategoryName(TraceCategory category) {
  switch (category) {
    case TraceCategory::kSearch: return "search";
    case TraceCategory::kVerify: return "verify";
    case TraceCategory::kLoad: return "load";
  }
  return "?";
}

}  // namespace

bool Tracer::enabled(TraceCategory category) const {
  switch (category) {
    case TraceCategory::kSearch: return options_.search;
    case TraceCategory::kVerify: return options_.verify;
    case TraceCategory::kLoad: return options_.load;
  }
  return false;
}

void Tracer::Line(TraceCategory category, std::string_view text) const {
  if (!enabled(category)) return;
  std::string line = "preload: ";
  // Paths and note values in a line come from files and the environment.
  line.append(CategoryName(category)).append(": ").append(EscapeText(text));
  if (options_.sink) {
    options_.sink(line);
  } else {
    WriteStderrLine(line);
  }
}

// write(2) rather than std::cerr: this runs before main, possibly before the
// iostreams of the program are initialised.
void WriteStderrLine(std::string_view line) {
  // Autoload's messages quote the environment and the loader's refusals.
  std::string buffer = EscapeKeepingLines(line);
  buffer.push_back('\n');
  const char* data = buffer.data();
  size_t left = buffer.size();
  while (left > 0) {
    const ssize_t written = ::write(STDERR_FILENO, data, left);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return;
    data += written;
    left -= static_cast<size_t>(written);
  }
}

}  // namespace preload::internal
