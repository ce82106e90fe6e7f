// Copyright the PreloadSDK authors.
//
// The hints: for each refused field, what a user can do about it, naming the
// flag or the version that would make the two builds agree.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "policy/internal/field_sides.h"

namespace preload::internal::rules {
namespace {

// "17" for 201703: the first level whose __cplusplus is >= the value, so
// that pre-standard values (201500 for -std=c++1z, 202100 for -std=c++2b)
// name the standard they lead to.
std::optional<std::string_view> StandardLevel(std::string_view cplusplus) {
  struct Level {
    std::uint64_t cplusplus;
    std::string_view name;
  };
  static constexpr Level kLevels[] = {
      {199711, "98"}, {201103, "11"}, {201402, "14"},    {201703, "17"},
      {202002, "20"}, {202302, "23"}, {UINT64_MAX, "26"}};
  const std::optional<std::uint64_t> value = ParseNumber(cplusplus);
  if (!value) return std::nullopt;
  for (const Level& level : kLevels) {
    if (*value <= level.cplusplus) return level.name;
  }
  return std::nullopt;
}

// A field one compiler flag switches: `flag` is in effect when the value is
// `value_with_flag`. The other texts say what the host does.
std::string FlagHint(const Sides& s, std::string_view flag,
                     std::string_view value_with_flag,
                     std::string_view host_with,
                     std::string_view host_without) {
  const bool known =
      (s.plugin == "0" || s.plugin == "1") && (s.host == "0" || s.host == "1");
  if (!known) {
    return Cat(
        {"build the plugin against the host's standard library, with "
         "the host's setting of ",
         flag, " (host: ", s.host, ", plugin: ", s.plugin, ")"});
  }
  if (s.plugin == value_with_flag) {
    return Cat({"rebuild the plugin without ", flag, " (", host_without, ")"});
  }
  return Cat(
      {"rebuild the plugin with ", flag, " like the host (", host_with, ")"});
}

}  // namespace

std::string MissingHint(const Sides& s) {
  return Cat({"only the ", s.plugin_present ? "plugin" : "host",
              "'s fingerprint has this field: build both with the same "
              "PreloadSDK version (plugin: ",
              PluginValue(s, "sdk.version"),
              ", host: ", HostValue(s, "sdk.version"), ")"});
}

std::string SdkAbiHint(const Sides& s) {
  return Cat({"rebuild the plugin with PreloadSDK ",
              HostValue(s, "sdk.version"),
              ", the host's version (the SDK's binary contract changed)"});
}

std::string TargetHint(const Sides& s) {
  std::string hint =
      Cat({"build the plugin for the host's target (",
           HostValue(s, "target.arch"), " ", HostValue(s, "target.os"), ", ",
           HostValue(s, "target.pointer_bits"), "-bit pointers, ",
           HostValue(s, "target.byte_order"),
           "-endian) with the host's toolchain"});
  if (s.field == "target.pointer_bits" && s.host == "32") {
    hint += " (on x86: add -m32)";
  } else if (s.field == "target.pointer_bits" && s.plugin == "32") {
    hint += " (on x86: drop -m32)";
  }
  return hint;
}

std::string CallingConventionHint(const Sides& s) {
  // Another architecture has other conventions altogether.
  if (HostValue(s, "target.arch") != PluginValue(s, "target.arch")) {
    return TargetHint(s);
  }
  return Cat({"functions use the ", s.plugin, " calling convention by default "
              "in the plugin, ", s.host, " in the host: every call across "
              "passes its arguments in the wrong registers; rebuild the "
              "plugin ", s.plugin == "ms" ? "without -mabi=ms" : "with the host's -mabi",
              " (mark the few functions that need another convention with "
              "__attribute__((ms_abi)) instead)"});
}

std::string CompilerHint(const Sides& s) {
  return Cat({"rebuild the plugin with the host's compiler (",
              HostValue(s, "compiler.id"), " ",
              HostValue(s, "compiler.version"), ")", OrCompatible(s)});
}

std::string StandardHint(const Sides& s) {
  const std::optional<std::string_view> host = StandardLevel(s.host);
  const std::optional<std::string_view> plugin = StandardLevel(s.plugin);
  if (!host) {
    return Cat(
        {"rebuild the plugin with the host's C++ standard level "
         "(__cplusplus ",
         s.host, ")", OrCompatible(s)});
  }
  return Cat({"rebuild the plugin with -std=c++", *host,
              " like the host (the plugin uses ",
              plugin ? Cat({"C++", *plugin}) : Cat({"__cplusplus ", s.plugin}),
              ")", OrCompatible(s)});
}

std::string ExceptionsHint(const Sides& s) {
  return FlagHint(s, "-fno-exceptions", "0",
                  "the host is built without exceptions",
                  "the host uses exceptions");
}

std::string RttiHint(const Sides& s) {
  return FlagHint(s, "-fno-rtti", "0", "the host is built without RTTI",
                  "the host uses RTTI");
}

std::string CharSignednessHint(const Sides& s) {
  const bool plugin_unsigned = s.plugin == "1";
  return Cat({"plain char is ", plugin_unsigned ? "unsigned" : "signed",
              " in the plugin, ", plugin_unsigned ? "signed" : "unsigned",
              " in the host: chars compare differently, so a std::set<char> "
              "or std::map<char, T> built on one side is searched wrongly on "
              "the other; rebuild the plugin ",
              plugin_unsigned ? "without -funsigned-char (or with -fsigned-char)"
                              : "without -fsigned-char (or with -funsigned-char)",
              " like the host"});
}

std::string GxxAbiHint(const Sides& s) {
  return Cat({"the plugin is built for GCC's C++ ABI version ", s.plugin,
              ", the host for ", s.host,
              " (-fabi-version=N, or another GCC release): class layouts and "
              "mangled names differ in corner cases (ABI 17, GCC 12, moved the "
              "members of classes derived from aggregates); rebuild the "
              "plugin with the host's GCC and without -fabi-version"});
}

std::string AlignedNewHint(const Sides& s) {
  const bool plugin_ignores = s.plugin == "0";
  return Cat({"new ", plugin_ignores ? "ignores" : "honours",
              " the alignment of over-aligned types in the plugin, ",
              plugin_ignores ? "honours" : "ignores",
              " it in the host: objects of such types that one side allocates "
              "are misaligned for the other; rebuild the plugin ",
              plugin_ignores
                  ? "without -fno-aligned-new (or with -faligned-new, the "
                    "default from C++17)"
                  : "with -fno-aligned-new like the host"});
}

std::string WeakHint(const Sides& s) {
  const bool plugin_without = s.plugin == "0";
  return Cat({"the ", plugin_without ? "plugin" : "host",
              " is built with -fno-weak, which gives type information no weak "
              "linkage: typeid, dynamic_cast and catch clauses do not match "
              "a type across the boundary; rebuild the plugin ",
              plugin_without ? "without -fno-weak"
                             : "with -fno-weak like the host"});
}

std::string Cxx11AbiHint(const Sides& s) {
  return FlagHint(s, "-D_GLIBCXX_USE_CXX11_ABI=0", "0",
                  "the host uses the old, pre-C++11 std::string ABI",
                  "the host uses the new std::string ABI");
}

std::string GlibcxxDebugHint(const Sides& s) {
  return FlagHint(s, "-D_GLIBCXX_DEBUG", "1",
                  "the host uses the debug-mode containers, whose layout "
                  "differs",
                  "the host uses the normal containers");
}

std::string StdlibNameHint(const Sides& s) {
  std::string hint =
      Cat({"rebuild the plugin against the host's standard "
           "library (",
           s.host, ")"});
  if (s.host == "libc++" || s.host == "libstdc++") {
    hint += Cat({"; with clang: -stdlib=", s.host});
  }
  return hint;
}

std::string StdlibReleaseHint(const Sides& s) {
  const std::string_view library = HostValue(s, "stdlib.name");
  const std::optional<std::uint64_t> plugin = ParseNumber(s.plugin);
  const std::optional<std::uint64_t> host = ParseNumber(s.host);
  if (plugin && host && *plugin > *host) {
    return Cat({"the plugin was built against ", library, " ", s.plugin,
                ", newer than the host's ", s.host,
                ": rebuild the plugin with the host's toolchain (", library,
                " ", s.host, " or older)"});
  }
  return Cat({"rebuild the plugin against the host's ", library, " ", s.host,
              OrCompatible(s)});
}

std::string SanitizerHint(const Sides& s) {
  std::string hint =
      Cat({"build the plugin with the host's sanitizers (host: ", s.host,
           ", plugin: ", s.plugin, ")"});
  if (s.host != "none") {
    hint += Cat({": -fsanitize=", s.host});
  } else {
    hint += Cat({": drop -fsanitize=", s.plugin});
  }
  hint += OrCompatible(s);
  return hint;
}

std::string AbseilHint(const Sides& s) {
  std::string hint = Cat({"rebuild the plugin against the host's Abseil (LTS ",
                          HostValue(s, "absl.lts"), ", inline namespace ",
                          HostValue(s, "absl.namespace"), ")"});
  constexpr std::string_view kStdPrefix = "absl.std_";
  if (StartsWith(s.field, kStdPrefix)) {
    const std::string_view type = s.field.substr(kStdPrefix.size());
    hint += Cat({"; absl::", type, " is std::", type, " in the ",
                 s.host == "1" ? "host's" : "plugin's",
                 " build but its own "
                 "type in the ",
                 s.host == "1" ? "plugin's" : "host's"});
  }
  return hint;
}

std::string LayoutHint(const Sides& s) {
  struct Probe {
    std::string_view field;
    std::string_view type;
    std::string_view flags;  // what typically changes it
  };
  static constexpr Probe kProbes[] = {
      {"layout.std_string", "std::string",
       "-D_GLIBCXX_USE_CXX11_ABI=0, -D_GLIBCXX_DEBUG or -m32"},
      {"layout.std_vector", "std::vector<int>", "-D_GLIBCXX_DEBUG or -m32"},
      {"layout.std_function", "std::function<void()>",
       "another standard library or -m32"},
      {"layout.long_double", "long double",
       "-mlong-double-64, -mlong-double-128 or -m96bit-long-double"},
      {"layout.max_align_t", "std::max_align_t",
       "-mlong-double-64, -mlong-double-128 or -m32"},
      {"layout.wchar_t", "wchar_t", "-fshort-wchar"},
      {"layout.long", "long", "-m32 or -mx32"},
      {"layout.enum", "an unscoped enum", "-fshort-enums"},
  };
  std::string_view type = s.field.substr(std::string_view("layout.").size());
  std::string_view flags = "-m32 or other target options";
  for (const Probe& probe : kProbes) {
    if (probe.field == s.field) {
      type = probe.type;
      flags = probe.flags;
    }
  }
  // Values are "size/alignment".
  const std::size_t plugin_slash = s.plugin.find('/');
  const std::size_t host_slash = s.host.find('/');
  const bool size_differs =
      s.plugin.substr(0, plugin_slash) != s.host.substr(0, host_slash);
  const bool alignment_differs =
      plugin_slash == std::string_view::npos ||
      host_slash == std::string_view::npos ||
      s.plugin.substr(plugin_slash) != s.host.substr(host_slash);
  const std::string_view what = !alignment_differs ? "size"
                                : !size_differs    ? "alignment"
                                                   : "size and alignment";
  return Cat({"the ", what, " of ", type,
              size_differs && alignment_differs ? " differ" : " differs",
              ": rebuild the plugin without the flag that changes it, "
              "typically ",
              flags, "; compare the flags.* fields of both fingerprints"});
}

// __LDBL_MANT_DIG__ names the format.
std::string_view LongDoubleFormat(std::string_view digits) {
  if (digits == "64") return "the x87 80-bit format";
  if (digits == "53") return "IEEE double (-mlong-double-64)";
  if (digits == "113") return "IEEE binary128 (-mlong-double-128)";
  return "an unknown format";
}

std::string LongDoubleHint(const Sides& s) {
  return Cat({"long double is ", LongDoubleFormat(s.plugin),
              " in the plugin, ", LongDoubleFormat(s.host),
              " in the host: every long double that crosses is misread; "
              "rebuild the plugin without -mlong-double-64, "
              "-mlong-double-128 or -m96bit-long-double"});
}

std::string HostAbiHint(const Sides& s) {
  const std::string_view name = AbiName(s);
  if (!s.host_present) {
    return Cat({"the host provides no \"", name,
                "\" ABI: load the plugin "
                "into a host that provides ",
                name, " ", s.plugin, ", or rebuild the plugin without it"});
  }
  const std::optional<AbiVersion> plugin = ParseAbiVersion(s.plugin);
  const std::optional<AbiVersion> host = ParseAbiVersion(s.host);
  if (!plugin || !host) {
    return Cat({"cannot compare ", name,
                " ABI versions (expected "
                "MAJOR.MINOR[.PATCH]): rebuild the plugin against the host's ",
                name, " ", s.host});
  }
  const bool plugin_newer =
      plugin->major > host->major ||
      (plugin->major == host->major && plugin->minor > host->minor);
  if (plugin_newer) {
    return Cat({"the plugin requires ", name, " ABI ", s.plugin,
                ", newer than the host's ", s.host, ": rebuild the host with ",
                name, " ", s.plugin, ", or rebuild the plugin against ", name,
                " ", s.host});
  }
  return Cat({"the plugin was built against ", name, " ABI ", s.plugin,
              ", the host provides ", s.host, ": rebuild the plugin against ",
              name, " ", s.host, OrCompatible(s)});
}

std::string AbiHashHint(const Sides& s) {
  const std::string_view name = AbiHashName(s);
  const std::string_view version = HostValue(s, Cat({"abi.", name}));
  if (!s.host_present) {
    return Cat({"the host declares ", name, " ", version,
                " without headers, so their hash cannot be checked: declare "
                "it with add_preload_abi in the host too",
                OrCompatible(s)});
  }
  return Cat({name, " ", version,
              " changed without a version bump: the host's headers hash to ",
              s.host, ", the plugin's to ", s.plugin,
              ". The ABI's author must bump its version when its headers "
              "change; until then, rebuild the plugin against the host's "
              "headers"});
}

}  // namespace preload::internal::rules
