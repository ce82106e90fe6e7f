// Copyright the PreloadSDK authors.
#include "elf/internal/library_search.h"

#include <elf.h>
#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "base/internal/string_view.h"
#include "base/internal/unique_fd.h"

namespace preload::internal {

namespace {

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

}  // namespace

std::string MultiarchTriplet(const ElfIdentity& id) { return DirsFor(id).triplet; }

std::string OwnMultiarchTriplet() {
  ElfIdentity own;
  own.elf_class = sizeof(void*) == 8 ? 64 : 32;
#if defined(__x86_64__)
  own.machine = EM_X86_64;
#elif defined(__i386__)
  own.machine = EM_386;
#elif defined(__aarch64__)
  own.machine = EM_AARCH64;
#endif
  return MultiarchTriplet(own);
}

namespace {

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
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (!fd.valid()) return Probe::kAbsent;
  absl::StatusOr<ElfIdentity> id = ReadElfIdentity(fd.get(), path);
  if (!id.ok()) return Probe::kWrongClass;
  return id->SameCodeAs(want) ? Probe::kUsable : Probe::kWrongClass;
}

// Tries `dir`/`name`; records the outcome in `library`. True when found.
bool TryIn(const std::string& dir, const std::string& name,
           const ElfIdentity& want, FoundLibrary* library) {
  const std::string candidate =
      Tidy(absl::StrCat(dir.empty() ? "." : dir, "/", name));
  library->searched.push_back(candidate);
  switch (ProbeCandidate(candidate, want)) {
    case Probe::kAbsent: return false;
    case Probe::kWrongClass: library->skipped.push_back(candidate); return false;
    case Probe::kUsable: break;
  }
  library->found = true;
  library->path = AbsolutePath(candidate);
  return true;
}

bool NamesOrigin(std::string_view entry) {
  return absl::StrContains(ToAbsl(entry), "$ORIGIN") ||
         absl::StrContains(ToAbsl(entry), "${ORIGIN}");
}

}  // namespace

std::string AbsolutePath(const std::string& path) {
  if (!path.empty() && path[0] == '/') return Tidy(path);
  char cwd[4096];
  if (::getcwd(cwd, sizeof cwd) == nullptr) return Tidy(path);
  return Tidy(absl::StrCat(cwd, "/", path));
}

std::string DirectoryOf(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::vector<std::string> SplitLibraryPath(std::string_view value) {
  return SplitPath(std::string(value), /*semicolons=*/true);
}

LibrarySearch::LibrarySearch(LibrarySearchSettings settings)
    : settings_(std::move(settings)) {}
LibrarySearch::~LibrarySearch() = default;

const LdSoCache* LibrarySearch::Cache() {
  if (!cache_loaded_) {
    cache_loaded_ = true;
    absl::StatusOr<LdSoCache> cache = LdSoCache::Load(settings_.cache_file);
    if (cache.ok()) {
      cache_ = std::make_unique<LdSoCache>(*std::move(cache));
    } else {
      cache_problem_ = std::string(cache.status().message());
    }
  }
  return cache_.get();
}

FoundLibrary LibrarySearch::Find(const std::string& name,
                                 const SearchingObject& requester) {
  const ElfIdentity& id = requester.dynamic.identity;
  FoundLibrary library;
  const auto try_list = [&](const std::string& list, const SearchingObject& owner,
                            const char* via) {
    for (const std::string& entry : SplitPath(list, /*semicolons=*/false)) {
      const std::string dir = ExpandTokens(entry, owner.origin, id);
      if (TryIn(dir, name, id, &library)) {
        library.via = via;
        library.search_entry = entry;
        library.through_origin = NamesOrigin(entry);
        return true;
      }
    }
    return false;
  };
  if (name.find('/') != std::string::npos) {
    const std::string path = ExpandTokens(name, requester.origin, id);
    if (TryIn(DirectoryOf(path), path.substr(path.rfind('/') + 1), id, &library)) {
      library.via = "path";
    }
    return library;
  }
  if (!requester.dynamic.runpath) {
    for (const SearchingObject* owner = &requester; owner != nullptr;
         owner = owner->parent) {
      if (owner->dynamic.rpath && try_list(*owner->dynamic.rpath, *owner, "rpath")) {
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
      try_list(*requester.dynamic.runpath, requester, "runpath")) {
    return library;
  }
  if (!settings_.system_directories ||
      (requester.dynamic.flags_1 & DF_1_NODEFLIB)) {
    return library;
  }
  const LdSoCache* cache = Cache();
  if (cache == nullptr) library.cache_problem = cache_problem_;
  if (cache != nullptr) {
    library.searched.push_back(settings_.cache_file);
    for (const std::string& path : cache->Lookup(name)) {
      if (TryIn(DirectoryOf(path), path.substr(path.rfind('/') + 1), id,
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

}  // namespace preload::internal
