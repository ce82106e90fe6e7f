// Copyright the PreloadSDK authors.
#include "base/internal/escape.h"
#include "cli/internal/render.h"

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/internal/string_view.h"

namespace preload::cli {
namespace {

using internal::ToAbsl;

// A value longer than this is cut in the table (JSON has it whole); only the
// raw flags are ever that long, and they are informational.
constexpr std::size_t kMaxTableValue = 40;

struct Group {
  std::string_view id, title;
  std::vector<std::string_view> prefixes;  // a prefix ending in '.' or a key
};

const std::vector<Group>& Groups() {
  static const auto* const groups = new std::vector<Group>{
      {"identity", "Identity", {"kind", "name", "version", "descriptor", "requires"}},
      {"metadata", "Metadata", {"description", "license", "author", "url"}},
      {"sdk", "SDK", {"sdk."}},
      {"toolchain", "Toolchain",
       {"target.", "compiler.", "cxx.", "stdlib.", "cpu."}},
      {"abi", "ABI-relevant settings",
       {"glibcxx.", "sanitizers", "absl.", "layout.", "fp."}},
      {"host_abis", "Host ABIs", {"abi."}},
      {"build", "Build (informational)", {"build.", "flags."}},
      {"other", "Other fields", {}}};
  return *groups;
}

bool Matches(std::string_view key, std::string_view prefix) {
  if (prefix.back() == '.') return key.substr(0, prefix.size()) == prefix;
  return key == prefix;
}

// Escaped first: a value comes from the file (base/internal/escape.h).
std::string Cut(std::string_view raw) {
  const std::string value = internal::EscapeText(raw);
  if (value.size() <= kMaxTableValue) return value;
  return absl::StrCat(ToAbsl(value.substr(0, kMaxTableValue - 3)), "...");
}

std::string Shown(const std::string& value, bool present) {
  if (!present) return "(absent)";
  if (value.empty()) return "\"\"";
  return Cut(value);
}

Color ColorOf(Outcome outcome) {
  switch (outcome) {
    case Outcome::kRefused: return Color::kRed;
    case Outcome::kAllowed: return Color::kYellow;
    case Outcome::kInformational: return Color::kDim;
    case Outcome::kEqual: return Color::kNone;
  }
  return Color::kNone;
}

Json Side(const std::string& value, bool present) {
  return Json{{"present", present},
              {"value", present ? Json(value) : Json(nullptr)}};
}

}  // namespace

std::string_view FieldGroup(std::string_view key) {
  for (const Group& group : Groups()) {
    for (std::string_view prefix : group.prefixes) {
      if (Matches(key, prefix)) return group.id;
    }
  }
  return "other";
}

std::string FingerprintToText(const Fingerprint& fingerprint,
                              std::string_view indent) {
  std::size_t width = 0;
  for (const FingerprintField& field : fingerprint.fields()) {
    width = std::max(width, field.key.size());
  }
  std::string out;
  for (const Group& group : Groups()) {
    std::string lines;
    for (const FingerprintField& field : fingerprint.fields()) {
      if (FieldGroup(field.key) != group.id) continue;
      absl::StrAppend(&lines, ToAbsl(indent), "  ",
                      Pad(internal::EscapeText(field.key), width + 2),
                      internal::EscapeText(field.value), "\n");
    }
    if (lines.empty()) continue;
    absl::StrAppend(&out, ToAbsl(indent), Paint(group.title, Color::kBold),
                    "\n", lines);
  }
  return out;
}

Json FingerprintToJson(const Fingerprint& fingerprint) {
  Json fields = Json::array();
  for (const FingerprintField& field : fingerprint.fields()) {
    fields.push_back(Json{{"key", field.key},
                          {"value", field.value},
                          {"group", FieldGroup(field.key)}});
  }
  Json abis = Json::object();
  for (const auto& [name, version] : fingerprint.HostAbis()) {
    abis[name] = version;
  }
  return Json{{"kind", fingerprint.kind()},
              {"name", fingerprint.name()},
              {"version", fingerprint.version()},
              {"fields", std::move(fields)},
              {"host_abis", std::move(abis)}};
}

std::string Describe(const Fingerprint& fingerprint) {
  std::string out = absl::StrCat(internal::EscapeText(fingerprint.kind()), " ",
                                 internal::EscapeText(fingerprint.name()));
  if (!fingerprint.version().empty()) {
    absl::StrAppend(&out, " ", internal::EscapeText(fingerprint.version()));
  }
  return out;
}

namespace {

// A row of the check table: every row with `all`, else only the fields that
// differ (refused, allowed).
bool Shows(const FieldComparison& c, bool all) {
  return all || c.outcome == Outcome::kRefused || c.outcome == Outcome::kAllowed;
}

// "(29 equal, 12 info not shown; --all shows every field)", or "" when
// every row is shown.
std::string HiddenRows(const Verdict& verdict, bool all) {
  if (all) return "";
  int equal = 0, info = 0;
  for (const FieldComparison& c : verdict.comparisons()) {
    equal += c.outcome == Outcome::kEqual;
    info += c.outcome == Outcome::kInformational;
  }
  if (equal + info == 0) return "";
  return absl::StrCat("(", equal, " equal, ", info,
                      " info not shown; --all shows every field)");
}

}  // namespace

std::string VerdictToText(const Verdict& verdict, std::string_view indent,
                          bool all) {
  std::size_t field_width = 5, plugin_width = 6;
  bool any = false;
  for (const FieldComparison& c : verdict.comparisons()) {
    if (!Shows(c, all)) continue;
    any = true;
    field_width = std::max(field_width, c.field.size());
    plugin_width = std::max(
        plugin_width, Shown(c.plugin_value, c.plugin_present).size());
  }
  std::string out;
  if (any) {
    absl::StrAppend(
        &out, ToAbsl(indent),
        Paint(absl::StrCat(Pad("field", field_width + 2), Pad("outcome", 9),
                           Pad("plugin", plugin_width + 2), "host"),
              Color::kBold),
        "\n");
  } else {
    absl::StrAppend(&out, ToAbsl(indent), "no field differs\n");
  }
  for (const FieldComparison& c : verdict.comparisons()) {
    if (!Shows(c, all)) continue;
    const std::string line = absl::StrCat(
        Pad(internal::EscapeText(c.field), field_width + 2),
        Pad(OutcomeName(c.outcome), 9),
        Pad(Shown(c.plugin_value, c.plugin_present), plugin_width + 2),
        Shown(c.host_value, c.host_present));
    absl::StrAppend(&out, ToAbsl(indent), Paint(line, ColorOf(c.outcome)),
                    "\n");
    if (!c.hint.empty() &&
        (c.outcome == Outcome::kRefused || c.outcome == Outcome::kAllowed)) {
      absl::StrAppend(&out, ToAbsl(indent), "    ",
                      internal::EscapeText(c.hint), "\n");
    }
  }
  if (const std::string hidden = HiddenRows(verdict, all); !hidden.empty()) {
    absl::StrAppend(&out, ToAbsl(indent), Paint(hidden, Color::kDim), "\n");
  }
  return out;
}

Json VerdictToJson(const Verdict& verdict) {
  Json comparisons = Json::array();
  for (const FieldComparison& c : verdict.comparisons()) {
    comparisons.push_back(Json{{"field", c.field},
                               {"outcome", OutcomeName(c.outcome)},
                               {"plugin", Side(c.plugin_value, c.plugin_present)},
                               {"host", Side(c.host_value, c.host_present)},
                               {"hint", c.hint}});
  }
  return Json{{"policy", PolicyName(verdict.policy())},
              {"accepted", verdict.accepted()},
              {"refused_count", verdict.Refusals().size()},
              {"comparisons", std::move(comparisons)}};
}

std::string_view ResultName(FileKind kind) {
  switch (kind) {
    case FileKind::kPreload: return "ok";
    case FileKind::kNotPreload: return "not_plugin";
    case FileKind::kCorrupt: return "corrupt";
    case FileKind::kIoError: return "error";
  }
  return "error";
}

}  // namespace preload::cli
