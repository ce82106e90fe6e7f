// Copyright the PreloadSDK authors.
//
// The table of the tool's commands: names, synopses, help texts, the flags
// each accepts and the function that runs it.
#include "cli/internal/cli.h"

namespace preload::cli {

const std::vector<CommandSpec>& Commands() {
  static const auto* const commands = new std::vector<CommandSpec>{
      {"inspect", "inspect FILE... [--json]",
       "print the fingerprint of plugins and hosts, and a plugin's exports",
       "Prints the build fingerprint of each PreloadSDK plugin or host, grouped:\n"
       "identity, metadata, SDK, toolchain, ABI-relevant settings, host ABIs,\n"
       "the raw build flags, the GNU build-id, and for a plugin its exports\n"
       "(name, kind, and type as Plugin::Lookup<T> compares it, read from\n"
       "the file's export records) and the key id its signature\n"
       "(PLUGIN.so.minisig) names, unverified: 'check --trusted-key'\n"
       "verifies it. Nothing is loaded.",
       {"json"}, 1, -1, RunInspect},
      {"check", "check PLUGIN... [--against HOST] [--policy strict|compatible] [--trusted-key NAME.pub]... [--all] [--allow-insecure] [--json]",
       "compare plugins with a host, field by field, and find their libraries",
       "Compares each plugin's fingerprint with the host's under the policy\n"
       "and shows the fields that differ: allowed (the policy allows it) or\n"
       "refused (with what to do about it); --all shows every field, also\n"
       "the equal ones and info (never compared). Without --against, the\n"
       "host is this tool's own build. Also resolves the plugin's libraries\n"
       "like ld.so (see 'preload deps'): a compatible plugin whose library\n"
       "cannot be found is reported, with the missing ones (--all: every\n"
       "one). A file others may write is 'untrusted' (--allow-insecure\n"
       "checks it all the same). With --trusted-key, or a host whose note\n"
       "trusts keys (target_preload_host TRUSTED_KEYS), the plugin must be\n"
       "signed by one of them (PLUGIN.so.minisig): otherwise it is\n"
       "'unsigned', 'wrong_key' or 'bad_signature' (changed since signed,\n"
       "or another file's signature).",
       {"json", "against", "policy", "trusted_key", "all", "allow_insecure"}, 1, -1,
       RunCheck},
      {"scan", "scan DIR... [--against HOST] [--policy strict|compatible] [--trusted-key NAME.pub]... [--allow-insecure] [--json]",
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
       {"json", "against", "policy", "trusted_key", "allow_insecure"}, 1, -1, RunScan},
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
      {"keygen", "keygen --out NAME [--json]",
       "make a key pair to sign plugins with",
       "Writes a new Ed25519 key pair in minisign's formats: the secret key\n"
       "to NAME.key (mode 0600, not protected by a password, for signing in\n"
       "builds and CI) and the public key to NAME.pub, which hosts trust\n"
       "(target_preload_host TRUSTED_KEYS, LoaderOptions::trusted_keys).\n"
       "Prints the key id. Existing files are never overwritten.",
       {"json", "out"}, 0, 0, RunKeygen},
      {"sign", "sign --key NAME.key PLUGIN... [--quiet] [--json]",
       "sign plugins: write PLUGIN.so.minisig beside each",
       "Signs each file with the secret key, as 'minisign -S' does: an\n"
       "Ed25519 signature of the file's BLAKE2b-512 hash and a trusted\n"
       "comment (the time, SOURCE_DATE_EPOCH when set, and the file name),\n"
       "written to FILE.minisig. 'minisign -Vm FILE -p NAME.pub' verifies\n"
       "it; so do the loader and 'preload check --trusted-key'. The key's\n"
       "contents are never printed.",
       {"json", "key", "quiet"}, 1, -1, RunSign},
      {"digest", "digest FILE... [--json]",
       "print the SHA-256 of plugin files, as sha256sum does",
       "Prints one line per file in sha256sum's format ('<digest>  FILE'),\n"
       "which LoaderOptions::allowed_sha256 takes through ReadSha256File\n"
       "and 'sha256sum -c' checks.",
       {"json"}, 1, -1, RunDigest},
  };
  return *commands;
}

}  // namespace preload::cli
