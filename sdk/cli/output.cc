// Copyright the PreloadSDK authors.
#include "cli/internal/output.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "base/internal/escape.h"

namespace preload::cli {
namespace {

bool UseColor() {
  static const bool use = [] {
    if (std::getenv("NO_COLOR") != nullptr) return false;
    const char* term = std::getenv("TERM");
    if (term != nullptr && std::string_view(term) == "dumb") return false;
    return ::isatty(STDOUT_FILENO) == 1;
  }();
  return use;
}

const char* Code(Color color) {
  switch (color) {
    case Color::kGreen: return "\033[32m";
    case Color::kYellow: return "\033[33m";
    case Color::kRed: return "\033[31m";
    case Color::kBold: return "\033[1m";
    case Color::kDim: return "\033[2m";
    case Color::kNone: break;
  }
  return "";
}

}  // namespace

std::string Paint(std::string_view text, Color color) {
  if (color == Color::kNone || !UseColor()) return std::string(text);
  return std::string(Code(color)) + std::string(text) + "\033[0m";
}

std::string Pad(std::string_view text, std::size_t width) {
  std::size_t columns = 0;
  for (char c : text) columns += (static_cast<unsigned char>(c) & 0xc0) != 0x80;
  std::string out(text);
  if (columns < width) out.append(width - columns, ' ');
  return out;
}

void PrintJson(const Json& json) {
  std::cout << json.dump(2, ' ', false, Json::error_handler_t::replace)
            << "\n";
}

void PrintError(std::string_view command, std::string_view message) {
  std::cout.flush();
  std::cerr << "preload";
  if (!command.empty()) std::cerr << " " << command;
  std::cerr << ": " << internal::EscapeKeepingLines(message) << "\n";
}

}  // namespace preload::cli

namespace preload::cli {

void PrintError(std::string_view command, const absl::Status& status) {
  PrintError(command, std::string(status.message()));
}

void PrintUsageError(std::string_view command, std::string_view message,
                     bool json) {
  if (json) {
    PrintJson(Json{{"command", command.empty() ? Json(nullptr) : Json(command)},
                   {"error", message},
                   {"exit_status", 2}});
  }
  PrintError(command, message);
}

void PrintUsageError(std::string_view command, const absl::Status& status,
                     bool json) {
  PrintUsageError(command, std::string(status.message()), json);
}

}  // namespace preload::cli
