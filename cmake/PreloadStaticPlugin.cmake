# PreloadStaticPlugin.cmake — what add_preload_plugin(<target> STATIC ...)
# does differently from a shared plugin. Kept apart from the rest of the
# functions and the codegen plumbing: the one entry point is
# _preload_add_static_plugin_library, called by add_preload_plugin.
#
# A static plugin is linked into its host: `target_link_libraries(app PRIVATE
# <target>)`. It is an OBJECT library, so its objects are put on the host's
# link line as they are, never dropped as unreferenced archive members: the
# user needs no whole-archive flags. The loader finds it through a record its
# fingerprint source puts in the executable's preload_static_plugins_v1
# section (<preload/plugin_abi.h>).
include_guard(GLOBAL)

# The C identifier the codegen makes of a plugin's name for its descriptor
# symbol (preload_codegen.fingerprint.descriptor_symbol): the suffix of the
# static plugin's own entry section.
function(_preload_descriptor_suffix out name)
  string(REGEX REPLACE "[^A-Za-z0-9_]" "_" suffix "${name}")
  set(${out} "${suffix}" PARENT_SCOPE)
endfunction()

# Makes <target> an OBJECT library of `sources` for the plugin `name`
# (add_preload_plugin's NAME), compiled so that its
# PRELOAD_EXPORT and PRELOAD_PLUGIN_INIT entries go to a section of its own:
# two static plugins in one executable keep two tables of entries.
# The definition is private to the plugin and recorded, like any other, in
# the fingerprint's flags.definitions (informational only).
function(_preload_add_static_plugin_library target name)
  add_library(${target} OBJECT ${ARGN})
  _preload_descriptor_suffix(suffix "${name}")
  target_compile_definitions(${target} PRIVATE
    "PRELOAD_STATIC_PLUGIN=\"${suffix}\"")
  set_target_properties(${target} PROPERTIES PRELOAD_PLUGIN_LINKAGE static)
endfunction()
