// Copyright the PreloadSDK authors.
//
// The table of the tool's commands: names, synopses, help texts, the flags
// each accepts and the function that runs it.
#include "cli/internal/cli.h"

namespace preload::cli {

const std::vector<CommandSpec>& Commands() {
  static const auto* const commands = new std::vector<CommandSpec>{
      {"inspect", "inspect FILE... [--json]",
       "print the fingerprint of plugins and hosts",
       "Prints the build fingerprint of each PreloadSDK plugin or host, grouped:\n"
       "identity, SDK, toolchain, ABI-relevant settings, host ABIs, the raw\n"
       "build flags, and the GNU build-id. Nothing is loaded.",
       {"json"}, 1, -1, RunInspect},
      {"check", "check PLUGIN... [--against HOST] [--policy strict|compatible] [--json]",
       "compare plugins with a host, field by field, and find their libraries",
       "Compares each plugin's fingerprint with the host's under the policy,\n"
       "as a table of every field: equal, allowed (differs, but the policy\n"
       "allows it), refused (with what to do about it), or info (never\n"
       "compared). Without --against, the host is this tool's own build.\n"
       "Also resolves the plugin's libraries like ld.so (see 'preload deps'),\n"
       "so a compatible plugin whose library cannot be found is reported.",
       {"json", "against", "policy"}, 1, -1, RunCheck},
      {"scan", "scan DIR... [--against HOST] [--policy strict|compatible] [--json]",
       "check every .so under directories, one line each",
       "Walks the directories (following symlinks, never around a loop) and\n"
       "checks every file whose name ends in .so as 'check' does, printing one\n"
       "line per file as it goes: compatible, refused (the first reason),\n"
       "missing_libraries, not_plugin, corrupt or error; then a count.",
       {"json", "against", "policy"}, 1, -1, RunScan},
      {"deps", "deps FILE... [--direct] [--json]",
       "find the libraries a file needs, as the dynamic loader would",
       "Reads DT_NEEDED, DT_RPATH and DT_RUNPATH from the file and resolves\n"
       "each library as glibc's ld.so would: DT_RPATH (without DT_RUNPATH),\n"
       "LD_LIBRARY_PATH, DT_RUNPATH, /etc/ld.so.cache, the default\n"
       "directories; $ORIGIN, $LIB and $PLATFORM expanded, libraries of\n"
       "another ELF class skipped. Libraries' own dependencies are followed\n"
       "unless --direct is given. Nothing is loaded.",
       {"json", "direct"}, 1, -1, RunDeps},
      {"fingerprint", "fingerprint [--json]",
       "print the fingerprint of the toolchain this tool was built with",
       "Prints this tool's own fingerprint: what 'check' and 'scan' compare\n"
       "plugins with when --against is not given.",
       {"json"}, 0, 0, RunFingerprint},
      {"new", "new plugin NAME [--dir DIR] [--abi NAME=VERSION]... [--json]",
       "create a ready-to-build plugin project",
       "Creates DIR (default: ./NAME) holding a plugin project that builds as\n"
       "it is against the installed SDK: CMakeLists.txt (find_package and\n"
       "add_preload_plugin), NAME.cc (PRELOAD_EXPORT, PRELOAD_PLUGIN_INIT)\n"
       "and a README. Existing files are never overwritten. --abi adds a\n"
       "host ABI the plugin requires (HOST_ABI NAME VERSION).",
       {"json", "dir", "abi"}, 2, 2, RunNew},
  };
  return *commands;
}

}  // namespace preload::cli
