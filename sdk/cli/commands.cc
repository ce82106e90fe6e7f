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
      {"check", "check PLUGIN... [--against HOST] [--policy strict|compatible] [--all] [--allow-insecure] [--json]",
       "compare plugins with a host, field by field, and find their libraries",
       "Compares each plugin's fingerprint with the host's under the policy\n"
       "and shows the fields that differ: allowed (the policy allows it) or\n"
       "refused (with what to do about it); --all shows every field, also\n"
       "the equal ones and info (never compared). Without --against, the\n"
       "host is this tool's own build. Also resolves the plugin's libraries\n"
       "like ld.so (see 'preload deps'): a compatible plugin whose library\n"
       "cannot be found is reported, with the missing ones (--all: every\n"
       "one). A file others may write is 'untrusted' (--allow-insecure\n"
       "checks it all the same).",
       {"json", "against", "policy", "all", "allow_insecure"}, 1, -1, RunCheck},
      {"scan", "scan DIR... [--against HOST] [--policy strict|compatible] [--allow-insecure] [--json]",
       "check every .so under directories, one line each",
       "Walks the directories (following symlinks, never around a loop) and\n"
       "checks every file whose name ends in .so as 'check' does, printing one\n"
       "line per file as it goes: compatible, refused (the first reason),\n"
       "untrusted, missing_libraries, unsafe_libraries, missing_requirements,\n"
       "unsatisfied_requirements, not_plugin, corrupt or error; then a count.\n"
       "A plugin's requirements (the plugins it requires) are looked for in\n"
       "its own directory as NAME.so and checked alike: missing_requirements\n"
       "when one is not there or not compatible, unsatisfied_requirements when\n"
       "its version does not meet the constraint.",
       {"json", "against", "policy", "allow_insecure"}, 1, -1, RunScan},
      {"deps", "deps FILE... [--direct] [--json]",
       "find the libraries a file needs and the plugins a plugin requires",
       "Reads DT_NEEDED, DT_RPATH and DT_RUNPATH from the file and resolves\n"
       "each library as glibc's ld.so would: DT_RPATH (without DT_RUNPATH),\n"
       "LD_LIBRARY_PATH, DT_RUNPATH, /etc/ld.so.cache, the default\n"
       "directories; $ORIGIN, $LIB and $PLATFORM expanded, libraries of\n"
       "another ELF class skipped. Libraries' own dependencies are followed\n"
       "unless --direct is given. For a plugin, also shows the plugins it\n"
       "requires, and theirs, as a tree: each found by name (NAME.so) in\n"
       "PRELOAD_PLUGIN_PATH, then in the plugin's own directory, with its\n"
       "version; missing, unsatisfied (a version that does not meet the\n"
       "constraint), not_plugin and cycle are reported. Nothing is loaded.",
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
