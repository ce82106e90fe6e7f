# PreloadSigning.cmake — the signing parts of the public functions
# (docs/signing.md):
#
#   add_preload_plugin(... SIGN_WITH <secret key file>)
#     signs the plugin after every link (`preload sign`), writing
#     <plugin>.so.minisig beside it. Only the key's path is in the build
#     files; its contents are read by `preload sign` alone, never copied into
#     an output, the note or a log.
#   target_preload_host(... TRUSTED_KEYS <public key file>...)
#     records the keys in the host's own note: its loaders then accept only
#     plugins signed by one of them.
#
# PreloadPlugin.cmake includes this file.

include_guard(GLOBAL)

# The `preload` tool that signs: the build tree's own target, or, from an
# installed package, the tool installed beside it (PRELOAD_SDK_TOOL, set by
# PreloadSDKConfig.cmake), or one on PATH.
function(_preload_signing_tool out fn)
  if(TARGET preload)
    set(${out} "$<TARGET_FILE:preload>" PARENT_SCOPE)
    return()
  endif()
  if(PRELOAD_SDK_TOOL AND EXISTS "${PRELOAD_SDK_TOOL}")
    set(${out} "${PRELOAD_SDK_TOOL}" PARENT_SCOPE)
    return()
  endif()
  find_program(PRELOAD_SDK_TOOL_ON_PATH preload)
  if(NOT PRELOAD_SDK_TOOL_ON_PATH)
    message(FATAL_ERROR "${fn}: SIGN_WITH needs the preload tool, which was "
      "not found: install PreloadSDK with its tool, or put preload on PATH")
  endif()
  set(${out} "${PRELOAD_SDK_TOOL_ON_PATH}" PARENT_SCOPE)
endfunction()

# add_preload_plugin's SIGN_WITH: a post-build step that signs the plugin.
function(_preload_sign_plugin fn target key)
  if(NOT IS_ABSOLUTE "${key}")
    set(key "${CMAKE_CURRENT_SOURCE_DIR}/${key}")
  endif()
  if(NOT EXISTS "${key}")
    message(FATAL_ERROR "${fn}: SIGN_WITH names ${key}, which does not exist; "
      "make a key pair with: preload keygen --out NAME")
  endif()
  _preload_signing_tool(tool "${fn}")
  if(TARGET preload)
    add_dependencies(${target} preload)
  endif()
  add_custom_command(TARGET ${target} POST_BUILD
    COMMAND "${tool}" sign --quiet --key "${key}" "$<TARGET_FILE:${target}>"
    COMMENT "Signing $<TARGET_FILE_NAME:${target}>"
    VERBATIM)
  set_property(TARGET ${target} APPEND PROPERTY ADDITIONAL_CLEAN_FILES
               "$<TARGET_FILE:${target}>.minisig")
  set_target_properties(${target} PROPERTIES PRELOAD_SIGNED ON)
endfunction()

# The key line of each public key file of target_preload_host's TRUSTED_KEYS,
# checked to be a minisign Ed25519 public key; the loader checks it again.
function(_preload_read_trusted_keys fn out)
  set(keys "")
  foreach(file IN LISTS ARGN)
    if(NOT IS_ABSOLUTE "${file}")
      set(file "${CMAKE_CURRENT_SOURCE_DIR}/${file}")
    endif()
    if(NOT EXISTS "${file}")
      message(FATAL_ERROR "${fn}: TRUSTED_KEYS names ${file}, which does not exist")
    endif()
    file(STRINGS "${file}" lines LIMIT_COUNT 4)
    set(key "")
    foreach(line IN LISTS lines)
      if(NOT line MATCHES "^untrusted comment: ")
        set(key "${line}")
        break()
      endif()
    endforeach()
    if(NOT key MATCHES "^RW[A-Za-z0-9+/]+$")
      message(FATAL_ERROR "${fn}: TRUSTED_KEYS: ${file} is not a minisign "
        "public key (what preload keygen or minisign -G writes as NAME.pub)")
    endif()
    string(LENGTH "${key}" length)
    if(NOT length EQUAL 56)
      message(FATAL_ERROR "${fn}: TRUSTED_KEYS: ${file} is not a minisign "
        "Ed25519 public key: its key line has ${length} characters, not 56")
    endif()
    list(APPEND keys "${key}")
    # A key replaced (rotation) must reach the note at the next build.
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${file}")
  endforeach()
  set(${out} "${keys}" PARENT_SCOPE)
endfunction()
