// Copyright the PreloadSDK authors.
#include "cli/internal/deps.h"

#include <elf.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <deque>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/internal/errno_status.h"
#include "base/internal/escape.h"
#include "base/internal/string_view.h"
#include "base/internal/unique_fd.h"

namespace preload::cli {
namespace {

using internal::ToAbsl;

// Names and paths come from the file's dynamic section and the file system.
std::string Safe(std::string_view text) { return internal::EscapeText(text); }

absl::StatusOr<ElfDynamic> ReadDynamicOf(const std::string& path) {
  internal::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (!fd.valid()) {
    return internal::ErrnoStatus(errno, absl::StrCat(path, ": cannot open"));
  }
  return ReadElfDynamic(fd.get(), path);
}

}  // namespace

internal::LibrarySearchSettings SearchSettingsFromEnvironment() {
  internal::LibrarySearchSettings settings;
  if (const char* paths = std::getenv("LD_LIBRARY_PATH");
      paths != nullptr && *paths != '\0') {
    settings.ld_library_path = internal::SplitLibraryPath(paths);
  }
  return settings;
}

DependencyResolver::DependencyResolver(SearchSettings settings)
    : search_(std::move(settings)) {}

// internal::AbsolutePath, with the working directory asked once per resolver
// rather than once per file (the tool never changes it), and the directory
// part tidied once for the files of one directory: AbsolutePath drops empty
// and "." parts, so a plain name joins the tidied directory unchanged.
std::string DependencyResolver::Absolute(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  const std::string_view name =
      slash == std::string::npos ? std::string_view(path)
                                 : std::string_view(path).substr(slash + 1);
  if (name.empty() || name == ".") return AbsoluteOnce(path);
  const std::string_view dir = std::string_view(path).substr(0, path.size() - name.size());
  if (!last_directory_ || *last_directory_ != dir) {
    last_directory_ = std::string(dir);
    last_directory_absolute_ = AbsoluteOnce(dir.empty() ? "." : std::string(dir));
  }
  if (last_directory_absolute_ == ".") return std::string(name);  // no cwd
  return last_directory_absolute_ == "/"
             ? absl::StrCat("/", ToAbsl(name))
             : absl::StrCat(last_directory_absolute_, "/", ToAbsl(name));
}

std::string DependencyResolver::AbsoluteOnce(const std::string& path) {
  if (!path.empty() && path[0] == '/') return internal::AbsolutePath(path);
  if (!working_directory_) {
    char cwd[4096];
    working_directory_ =
        ::getcwd(cwd, sizeof cwd) != nullptr ? std::string(cwd) : std::string();
  }
  // Without one, AbsolutePath tidies the relative path as it is.
  if (working_directory_->empty()) return internal::AbsolutePath(path);
  return internal::AbsolutePath(absl::StrCat(*working_directory_, "/", path));
}

// Breadth-first, each name resolved once, like ld.so's list of loaded
// objects.
absl::StatusOr<DepsReport> DependencyResolver::Resolve(const std::string& path,
                                                       bool recursive) {
  return Resolve(path, ReadDynamicOf(path), recursive);
}

namespace {

// Everything a file's report depends on besides its own path: its directory
// ($ORIGIN, and where its lists' unsafe entries are) and its whole dynamic
// section. DT strings hold no NUL, which separates the parts.
std::string ReportKey(const std::string& origin, const ElfDynamic& d,
                      bool recursive) {
  const auto optional = [](const std::optional<std::string>& value) {
    return value ? "=" + *value : std::string("none");
  };
  const std::string nul(1, '\0');
  return absl::StrCat(recursive, " ", d.has_dynamic, " ", d.flags_1, " ",
                      d.identity.elf_class, " ", d.identity.big_endian, " ",
                      d.identity.machine, " ", d.identity.type, nul, origin, nul,
                      optional(d.soname), nul, optional(d.rpath), nul,
                      optional(d.runpath), nul, absl::StrJoin(d.needed, nul));
}

// Whether ReportKey(o, a, r) == ReportKey(o, b, r): what it keys on, field by
// field.
bool SameReportKey(const ElfDynamic& a, const ElfDynamic& b) {
  return a.has_dynamic == b.has_dynamic && a.flags_1 == b.flags_1 &&
         a.identity.elf_class == b.identity.elf_class &&
         a.identity.big_endian == b.identity.big_endian &&
         a.identity.machine == b.identity.machine &&
         a.identity.type == b.identity.type && a.soname == b.soname &&
         a.rpath == b.rpath && a.runpath == b.runpath && a.needed == b.needed;
}

// A file is not searched again as its own dependency (ld.so's list of
// loaded objects): a report that found a library at `absolute` would differ
// for the file at that path.
bool FindsFile(const DepsReport& report, const std::string& absolute) {
  for (const Library& library : report.libraries) {
    if (library.found && library.path == absolute) return true;
  }
  return false;
}

}  // namespace

// A file of the same directory with the same dynamic section as one resolved
// before gets that one's report, with its own path.
absl::StatusOr<DepsReport> DependencyResolver::Resolve(
    const std::string& path, const absl::StatusOr<ElfDynamic>& root_dynamic,
    bool recursive) {
  if (!root_dynamic.ok()) return root_dynamic.status();
  const std::string absolute = Absolute(path);
  std::string key =
      ReportKey(internal::DirectoryOf(absolute), *root_dynamic, recursive);
  if (const DepsReport* kept = Kept(key, absolute)) {
    DepsReport report = *kept;
    report.path = path;
    for (Library& library : report.libraries) {
      if (library.depth == 1) library.needed_by = absolute;
    }
    return report;
  }
  DepsReport report = ResolveAnew(path, absolute, *root_dynamic, recursive);
  if (!FindsFile(report, absolute)) reports_.try_emplace(std::move(key), report);
  return report;
}

const DepsReport* DependencyResolver::Kept(const std::string& key,
                                           const std::string& absolute) const {
  auto it = reports_.find(key);
  if (it == reports_.end() || FindsFile(it->second, absolute)) return nullptr;
  return &it->second;
}

absl::StatusOr<DepsOutcome> DependencyResolver::Outcome(
    const std::string& path, const absl::StatusOr<ElfDynamic>& dynamic,
    bool recursive) {
  const auto outcome = [](const DepsReport& report) {
    return DepsOutcome{!report.missing.empty(), report.unsafe() > 0,
                       DepsSummary(report)};
  };
  if (dynamic.ok()) {
    const std::string absolute = Absolute(path);
    std::string origin = internal::DirectoryOf(absolute);
    // A scan meets a directory's plugins one after another, most of them
    // alike: the file before's kept report, without building the key.
    if (last_ && last_->recursive == recursive && last_->origin == origin &&
        SameReportKey(last_->dynamic, *dynamic) &&
        !FindsFile(*last_->report, absolute)) {
      return last_->outcome;
    }
    const DepsReport* kept =
        Kept(ReportKey(origin, *dynamic, recursive), absolute);
    if (kept != nullptr) {  // says nothing of its path
      last_ = LastOutcome{std::move(origin), *dynamic, recursive, kept, outcome(*kept)};
      return last_->outcome;
    }
  }
  absl::StatusOr<DepsReport> report = Resolve(path, dynamic, recursive);
  if (!report.ok()) return report.status();
  return outcome(*report);
}

DepsReport DependencyResolver::ResolveAnew(const std::string& path,
                                           const std::string& absolute,
                                           const ElfDynamic& root_dynamic,
                                           bool recursive) {
  DepsReport report;
  report.path = path;
  report.dynamic = root_dynamic;

  std::deque<internal::SearchingObject> objects;  // stable parent links
  objects.push_back({absolute, internal::DirectoryOf(absolute), root_dynamic});
  std::set<std::string> seen_names, seen_paths{absolute};
  if (root_dynamic.soname) seen_names.insert(*root_dynamic.soname);
  report.unsafe_search_entries =
      UnsafeSearchEntries(root_dynamic, internal::DirectoryOf(absolute));
  for (std::size_t next = 0; next < objects.size(); ++next) {
    const internal::SearchingObject& requester = objects[next];
    for (const std::string& name : requester.dynamic.needed) {
      if (!seen_names.insert(name).second) continue;
      Library library = Find(name, requester, &report.cache_problem);
      if (!library.found) report.missing.push_back(name);
      if (library.found) {
        library.writable_by_others = WhoElseCouldWrite(library.path);
      }
      const bool descend = library.found && recursive &&
                           seen_paths.insert(library.path).second;
      if (descend) {
        const absl::StatusOr<ElfDynamic>& dynamic = DynamicOf(library.path);
        if (dynamic.ok()) {
          if (dynamic->soname) seen_names.insert(*dynamic->soname);
          objects.push_back({library.path, internal::DirectoryOf(library.path),
                             *dynamic, &requester, library.depth});
        } else {
          library.error = std::string(dynamic.status().message());
        }
      }
      report.libraries.push_back(std::move(library));
    }
  }
  return report;
}

namespace {

// What a search from `requester` depends on besides `name`, so that equal
// keys mean equal answers. For a library, its own path (which fixes its
// lists and $ORIGIN) and the DT_RPATH of each object that needed it, with
// that object's $ORIGIN. For the file checked itself, which no other file
// shares a path with but many share a directory and lists with: its
// directory ($ORIGIN, which its lists, LD_LIBRARY_PATH or the name itself
// may use), its lists, -z nodeflib and the code it runs (which candidates fit,
// $LIB and $PLATFORM). LD_LIBRARY_PATH, the cache, the default directories
// and the working directory are the same for the whole resolver.
std::string SearchKey(const std::string& name,
                      const internal::SearchingObject& requester) {
  if (requester.parent == nullptr) {
    const ElfDynamic& d = requester.dynamic;
    return absl::StrCat(name, "\nfile in ", requester.origin, "\n",
                        d.rpath ? "rpath " + *d.rpath : "", "\n",
                        d.runpath ? "runpath " + *d.runpath : "", "\n",
                        (d.flags_1 & DF_1_NODEFLIB) != 0, " ",
                        d.identity.elf_class, " ", d.identity.big_endian, " ",
                        d.identity.machine);
  }
  std::string key = absl::StrCat(name, "\n", requester.path);
  for (const internal::SearchingObject* up = requester.parent; up != nullptr;
       up = up->parent) {
    if (up->dynamic.rpath) {
      absl::StrAppend(&key, "\n", up->origin, "\n", *up->dynamic.rpath);
    }
  }
  return key;
}

}  // namespace

const internal::FoundLibrary& DependencyResolver::FindOnce(
    const std::string& name, const internal::SearchingObject& requester) {
  std::string key = SearchKey(name, requester);
  auto it = found_.find(key);
  if (it == found_.end()) {
    it = found_.emplace(std::move(key), search_.Find(name, requester)).first;
  }
  return it->second;
}

const absl::StatusOr<ElfDynamic>& DependencyResolver::DynamicOf(
    const std::string& library) {
  auto it = dynamics_.find(library);
  if (it == dynamics_.end()) {
    it = dynamics_.emplace(library, ReadDynamicOf(library)).first;
  }
  return it->second;
}

const std::string& DependencyResolver::WhoElseCouldWrite(
    const std::string& library) {
  auto it = writers_.find(library);
  if (it == writers_.end()) {
    it = writers_.emplace(library, WhoElseCouldWriteFile(library)).first;
  }
  return it->second;
}

Library DependencyResolver::Find(const std::string& name,
                                 const internal::SearchingObject& requester,
                                 std::string* cache_problem) {
  internal::FoundLibrary found = FindOnce(name, requester);
  if (!found.cache_problem.empty()) *cache_problem = found.cache_problem;
  Library library;
  library.name = name;
  library.needed_by = requester.path;
  library.depth = requester.depth + 1;
  library.found = found.found;
  library.path = std::move(found.path);
  library.via = std::move(found.via);
  library.search_entry = std::move(found.search_entry);
  library.skipped = std::move(found.skipped);
  library.searched = std::move(found.searched);
  return library;
}

size_t DepsReport::unsafe() const {
  size_t count = unsafe_search_entries.size();
  for (const Library& library : libraries) {
    if (!library.writable_by_others.empty()) ++count;
  }
  return count;
}

Json DepsToJson(const DepsReport& report) {
  Json libraries = Json::array();
  for (const Library& library : report.libraries) {
    Json entry = {{"name", library.name},
                  {"needed_by", library.needed_by},
                  {"depth", library.depth},
                  {"found", library.found},
                  {"path", library.found ? Json(library.path) : Json(nullptr)},
                  {"via", library.found ? Json(library.via) : Json(nullptr)},
                  {"search_entry", library.search_entry.empty()
                                       ? Json(nullptr)
                                       : Json(library.search_entry)},
                  {"skipped", library.skipped}};
    if (!library.found) entry["searched"] = library.searched;
    if (!library.error.empty()) entry["error"] = library.error;
    entry["writable_by_others"] = library.writable_by_others.empty()
                                      ? Json(nullptr)
                                      : Json(library.writable_by_others);
    libraries.push_back(std::move(entry));
  }
  Json unsafe_entries = Json::array();
  for (const UnsafeSearchEntry& unsafe : report.unsafe_search_entries) {
    unsafe_entries.push_back(Json{{"list", unsafe.list},
                                  {"entry", unsafe.entry},
                                  {"path", unsafe.path},
                                  {"reason", unsafe.reason}});
  }
  const ElfDynamic& d = report.dynamic;
  const auto optional = [](const std::optional<std::string>& value) {
    return value ? Json(*value) : Json(nullptr);
  };
  return Json{{"path", report.path},
              {"elf_class", d.identity.elf_class},
              {"machine", d.identity.machine},
              {"soname", optional(d.soname)},
              {"rpath", optional(d.rpath)},
              {"runpath", optional(d.runpath)},
              {"needed", d.needed},
              {"libraries", std::move(libraries)},
              {"missing", report.missing},
              {"all_found", report.missing.empty()},
              {"unsafe_search_entries", std::move(unsafe_entries)}};
}

std::string DepsToText(const DepsReport& report, std::string_view indent,
                       bool missing_only) {
  std::string out;
  for (const UnsafeSearchEntry& unsafe : report.unsafe_search_entries) {
    absl::StrAppend(&out, ToAbsl(indent), "DT_", unsafe.list == "runpath" ? "RUNPATH" : "RPATH",
                    " entry ", Safe(unsafe.entry), ": ",
                    Paint("others could write there", Color::kRed), ": ",
                    Safe(unsafe.reason), "\n");
  }
  for (const Library& library : report.libraries) {
    if (missing_only && library.found) continue;
    absl::StrAppend(&out, ToAbsl(indent),
                    std::string(2 * (library.depth - 1), ' '), Safe(library.name),
                    " => ");
    if (library.found) {
      std::string how = library.via;
      if (!library.search_entry.empty()) {
        absl::StrAppend(&how, " ", Safe(library.search_entry));
      }
      if (library.depth > 1) {
        absl::StrAppend(&how, "; needed by ",
                        Safe(library.needed_by.substr(
                            library.needed_by.rfind('/') + 1)));
      }
      absl::StrAppend(&out, Safe(library.path), " (", how, ")\n");
      if (!library.writable_by_others.empty()) {
        absl::StrAppend(&out, ToAbsl(indent), "    ",
                        Paint("others could write it", Color::kRed), ": ",
                        Safe(library.writable_by_others), "\n");
      }
      if (!library.error.empty()) {
        absl::StrAppend(&out, ToAbsl(indent), "    unreadable: ",
                        Safe(library.error), "\n");
      }
    } else {
      absl::StrAppend(&out, Paint("not found", Color::kRed), "; searched ",
                      Safe(absl::StrJoin(library.searched, ", ")), "\n");
    }
  }
  return out;
}

std::string DepsSummary(const DepsReport& report) {
  const std::size_t total = report.libraries.size();
  std::string summary =
      report.missing.empty()
          ? absl::StrCat("all ", total, total == 1 ? " library" : " libraries",
                         " found")
          : absl::StrCat(report.missing.size(), " of ", total,
                         total == 1 ? " library" : " libraries",
                         " not found: ",
                         Safe(absl::StrJoin(report.missing, ", ")));
  if (const size_t unsafe = report.unsafe(); unsafe > 0) {
    absl::StrAppend(&summary, "; ", unsafe,
                    unsafe == 1 ? " in a place" : " in places",
                    " others could write");
  }
  return summary;
}

}  // namespace preload::cli
