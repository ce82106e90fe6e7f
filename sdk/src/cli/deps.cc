// Copyright the PreloadSDK authors.
#include "cli/deps.h"

#include <elf.h>
#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "internal/string_view.h"
#include "internal/unique_fd.h"

namespace preload::cli {

struct DependencyResolver::Object {
  std::string path;    // absolute, symlinks kept, as ld.so names it
  std::string origin;  // what $ORIGIN expands to
  ElfDynamic dynamic;
  const Object* parent = nullptr;  // the object that needed it
  int depth = 0;
};

namespace {

using internal::ToAbsl;

struct MachineDirs {
  std::string triplet;   // Debian's multiarch directory name
  std::string platform;  // what $PLATFORM expands to
};

MachineDirs DirsFor(const ElfIdentity& id) {
  if (id.machine == EM_X86_64 && id.elf_class == 64) {
    return {"x86_64-linux-gnu", "x86_64"};
  }
  if (id.machine == EM_386) return {"i386-linux-gnu", "i686"};
  if (id.machine == EM_AARCH64) return {"aarch64-linux-gnu", "aarch64"};
  return {"", ""};
}

std::vector<std::string> DefaultDirs(const ElfIdentity& id) {
  const std::string triplet = DirsFor(id).triplet;
  if (triplet.empty()) return {"/lib", "/usr/lib"};
  return {"/lib/" + triplet, "/usr/lib/" + triplet, "/lib", "/usr/lib"};
}

// Drops "." components and doubled slashes; keeps ".." (a symlink may sit
// before it, so it cannot be resolved lexically).
std::string Tidy(const std::string& path) {
  std::vector<std::string> parts;
  for (absl::string_view part : absl::StrSplit(path, '/')) {
    if (part.empty() || part == ".") continue;
    parts.emplace_back(part);
  }
  const std::string joined = absl::StrJoin(parts, "/");
  if (path.empty() || path[0] != '/') return joined.empty() ? "." : joined;
  return "/" + joined;
}

std::string Absolute(const std::string& path) {
  if (!path.empty() && path[0] == '/') return Tidy(path);
  char cwd[4096];
  if (::getcwd(cwd, sizeof cwd) == nullptr) return Tidy(path);
  return Tidy(absl::StrCat(cwd, "/", path));
}

std::string DirName(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// Expands $ORIGIN, $LIB and $PLATFORM, bare or in braces.
std::string ExpandTokens(const std::string& text, const std::string& origin,
                         const ElfIdentity& id) {
  const MachineDirs dirs = DirsFor(id);
  const std::pair<std::string, std::string> tokens[] = {
      {"ORIGIN", origin},
      {"LIB", dirs.triplet.empty() ? "lib" : "lib/" + dirs.triplet},
      {"PLATFORM", dirs.platform}};
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    bool replaced = false;
    if (text[i] == '$') {
      for (const auto& [name, value] : tokens) {
        const std::string braced = "{" + name + "}";
        const std::string_view rest = std::string_view(text).substr(i + 1);
        std::size_t length = 0;
        if (rest.substr(0, braced.size()) == braced) {
          length = braced.size();
        } else if (rest.substr(0, name.size()) == name &&
                   (rest.size() == name.size() ||
                    !(std::isalnum(static_cast<unsigned char>(rest[name.size()])) ||
                      rest[name.size()] == '_'))) {
          length = name.size();
        }
        if (length == 0) continue;
        out += value;
        i += length;
        replaced = true;
        break;
      }
    }
    if (!replaced) out += text[i];
  }
  return out;
}

std::vector<std::string> SplitPath(const std::string& list, bool semicolons) {
  std::vector<std::string> out;
  for (absl::string_view entry :
       absl::StrSplit(list, semicolons ? absl::ByAnyChar(":;")
                                       : absl::ByAnyChar(":"))) {
    out.emplace_back(entry);
  }
  return out;
}

enum class Probe { kAbsent, kWrongClass, kUsable };

Probe ProbeCandidate(const std::string& path, const ElfIdentity& want) {
  internal::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (!fd.valid()) return Probe::kAbsent;
  absl::StatusOr<ElfIdentity> id = ReadElfIdentity(fd.get(), path);
  if (!id.ok()) return Probe::kWrongClass;
  return id->SameCodeAs(want) ? Probe::kUsable : Probe::kWrongClass;
}

// Tries `dir`/`name`; records the outcome in `library`. True when found.
bool TryIn(const std::string& dir, const std::string& name,
           const ElfIdentity& want, Library* library) {
  const std::string candidate =
      Tidy(absl::StrCat(dir.empty() ? "." : dir, "/", name));
  library->searched.push_back(candidate);
  switch (ProbeCandidate(candidate, want)) {
    case Probe::kAbsent: return false;
    case Probe::kWrongClass: library->skipped.push_back(candidate); return false;
    case Probe::kUsable: break;
  }
  library->found = true;
  library->path = Absolute(candidate);
  return true;
}

absl::Status OpenError(const std::string& path, int error) {
  const std::string message =
      absl::StrCat(path, ": cannot open: ", std::strerror(error));
  if (error == ENOENT) return absl::NotFoundError(message);
  if (error == EACCES || error == EPERM) {
    return absl::PermissionDeniedError(message);
  }
  return absl::InvalidArgumentError(message);
}

absl::StatusOr<ElfDynamic> ReadDynamicOf(const std::string& path) {
  internal::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (!fd.valid()) return OpenError(path, errno);
  return ReadElfDynamic(fd.get(), path);
}

}  // namespace

SearchSettings SearchSettings::FromEnvironment() {
  SearchSettings settings;
  if (const char* paths = std::getenv("LD_LIBRARY_PATH");
      paths != nullptr && *paths != '\0') {
    settings.ld_library_path = SplitPath(paths, /*semicolons=*/true);
  }
  return settings;
}

DependencyResolver::DependencyResolver(SearchSettings settings)
    : settings_(std::move(settings)) {}
DependencyResolver::~DependencyResolver() = default;

const LdSoCache* DependencyResolver::Cache(std::string* problem) {
  if (!cache_loaded_) {
    cache_loaded_ = true;
    absl::StatusOr<LdSoCache> cache = LdSoCache::Load(settings_.cache_file);
    if (cache.ok()) {
      cache_ = std::make_unique<LdSoCache>(*std::move(cache));
    } else {
      cache_problem_ = std::string(cache.status().message());
    }
  }
  if (!cache_) *problem = cache_problem_;
  return cache_.get();
}

Library DependencyResolver::Find(const std::string& name,
                                 const Object& requester,
                                 const std::vector<const Object*>& chain,
                                 const ElfIdentity& id,
                                 std::string* cache_problem) {
  Library library;
  library.name = name;
  library.needed_by = requester.path;
  library.depth = requester.depth + 1;
  const auto try_list = [&](const std::string& list, const Object& owner,
                            const char* via, bool semicolons) {
    for (const std::string& entry : SplitPath(list, semicolons)) {
      const std::string dir = ExpandTokens(entry, owner.origin, id);
      if (TryIn(dir, name, id, &library)) {
        library.via = via;
        library.search_entry = entry;
        return true;
      }
    }
    return false;
  };
  if (name.find('/') != std::string::npos) {
    const std::string path = ExpandTokens(name, requester.origin, id);
    if (TryIn(DirName(path), path.substr(path.rfind('/') + 1), id, &library)) {
      library.via = "path";
    }
    return library;
  }
  if (!requester.dynamic.runpath) {
    for (const Object* owner : chain) {
      if (owner->dynamic.rpath &&
          try_list(*owner->dynamic.rpath, *owner, "rpath", false)) {
        return library;
      }
    }
  }
  for (const std::string& dir : settings_.ld_library_path) {
    if (TryIn(ExpandTokens(dir, requester.origin, id), name, id, &library)) {
      library.via = "ld_library_path";
      library.search_entry = dir;
      return library;
    }
  }
  if (requester.dynamic.runpath &&
      try_list(*requester.dynamic.runpath, requester, "runpath", false)) {
    return library;
  }
  if (requester.dynamic.flags_1 & DF_1_NODEFLIB) return library;
  if (const LdSoCache* cache = Cache(cache_problem)) {
    library.searched.push_back(settings_.cache_file);
    for (const std::string& path : cache->Lookup(name)) {
      if (TryIn(DirName(path), path.substr(path.rfind('/') + 1), id,
                &library)) {
        library.searched.pop_back();  // the path is not another place
        library.via = "ld.so.cache";
        return library;
      }
    }
  }
  for (const std::string& dir :
       settings_.default_dirs ? *settings_.default_dirs : DefaultDirs(id)) {
    if (TryIn(dir, name, id, &library)) {
      library.via = "default";
      return library;
    }
  }
  return library;
}

absl::StatusOr<DepsReport> DependencyResolver::Resolve(const std::string& path,
                                                       bool recursive) {
  absl::StatusOr<ElfDynamic> root_dynamic = ReadDynamicOf(path);
  if (!root_dynamic.ok()) return root_dynamic.status();
  DepsReport report;
  report.path = path;
  report.dynamic = *root_dynamic;
  const ElfIdentity id = root_dynamic->identity;

  std::deque<Object> objects;  // stable addresses for the parent links
  const std::string absolute = Absolute(path);
  objects.push_back(Object{absolute, DirName(absolute), *root_dynamic});
  std::set<std::string> seen_names, seen_paths{absolute};
  if (root_dynamic->soname) seen_names.insert(*root_dynamic->soname);
  for (std::size_t next = 0; next < objects.size(); ++next) {
    const Object& requester = objects[next];
    std::vector<const Object*> chain;
    for (const Object* o = &requester; o != nullptr; o = o->parent) {
      chain.push_back(o);
    }
    for (const std::string& name : requester.dynamic.needed) {
      if (!seen_names.insert(name).second) continue;
      Library library = Find(name, requester, chain, id, &report.cache_problem);
      if (!library.found) report.missing.push_back(name);
      const bool descend = library.found && recursive &&
                           seen_paths.insert(library.path).second;
      if (descend) {
        absl::StatusOr<ElfDynamic> dynamic = ReadDynamicOf(library.path);
        if (dynamic.ok()) {
          if (dynamic->soname) seen_names.insert(*dynamic->soname);
          objects.push_back(Object{library.path, DirName(library.path),
                                   *std::move(dynamic), &requester,
                                   library.depth});
        } else {
          library.error = std::string(dynamic.status().message());
        }
      }
      report.libraries.push_back(std::move(library));
    }
  }
  return report;
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
    libraries.push_back(std::move(entry));
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
              {"all_found", report.missing.empty()}};
}

std::string DepsToText(const DepsReport& report, std::string_view indent) {
  std::string out;
  for (const Library& library : report.libraries) {
    absl::StrAppend(&out, ToAbsl(indent),
                    std::string(2 * (library.depth - 1), ' '), library.name,
                    " => ");
    if (library.found) {
      std::string how = library.via;
      if (!library.search_entry.empty()) {
        absl::StrAppend(&how, " ", library.search_entry);
      }
      if (library.depth > 1) {
        absl::StrAppend(&how, "; needed by ",
                        library.needed_by.substr(
                            library.needed_by.rfind('/') + 1));
      }
      absl::StrAppend(&out, library.path, " (", how, ")\n");
      if (!library.error.empty()) {
        absl::StrAppend(&out, ToAbsl(indent), "    unreadable: ",
                        library.error, "\n");
      }
    } else {
      absl::StrAppend(&out, Paint("not found", Color::kRed), "; searched ",
                      absl::StrJoin(library.searched, ", "), "\n");
    }
  }
  return out;
}

std::string DepsSummary(const DepsReport& report) {
  const std::size_t total = report.libraries.size();
  if (report.missing.empty()) {
    return absl::StrCat("all ", total, total == 1 ? " library" : " libraries",
                        " found");
  }
  return absl::StrCat(report.missing.size(), " of ", total,
                      total == 1 ? " library" : " libraries", " not found: ",
                      absl::StrJoin(report.missing, ", "));
}

}  // namespace preload::cli
