# PreloadArguments.cmake — what PreloadPlugin.cmake's functions do with the
# arguments a user gets wrong, and the few keywords that only set properties:
#
#   - an argument that is not a keyword: a source file given as add_library
#     takes it ("did you mean SOURCES hello.cc?"), a lower-case keyword
#     ("did you mean VERSION?"), anything else named with the keywords;
#   - VERSION checked as <major>.<minor>[.<patch>];
#   - NAME, the plugin's identity, which is also its file name;
#   - DESCRIPTION, LICENSE, AUTHOR and URL, recorded in the note;
#   - target_preload_host called twice for one target.
#
# Every message starts with the function and the target, as the others do.

include_guard(GLOBAL)

# The metadata keywords of add_preload_plugin; each is recorded in the note
# as the field of its lower-case name (templates/fingerprint.cc.j2). A global
# property, as the functions are global and variables are not.
set_property(GLOBAL PROPERTY PRELOAD_PLUGIN_METADATA DESCRIPTION LICENSE AUTHOR URL)

# Explains the first argument cmake_parse_arguments did not take, if any.
# Run before _preload_check_arguments, which reports the rest as a list.
function(_preload_explain_unparsed fn keywords unparsed)
  if(NOT unparsed)
    return()
  endif()
  list(GET unparsed 0 first)
  string(TOUPPER "${first}" upper)
  if(upper IN_LIST keywords)
    message(FATAL_ERROR "${fn}: unknown argument ${first}: keywords are "
      "upper-case; did you mean ${upper}?")
  endif()
  # add_library(hello hello.cc) habits: the files before any keyword.
  set(files "")
  foreach(item IN LISTS unparsed)
    if(item MATCHES "\\.[A-Za-z0-9+]+$" OR EXISTS "${CMAKE_CURRENT_SOURCE_DIR}/${item}")
      list(APPEND files "${item}")
    endif()
  endforeach()
  if(files AND "SOURCES" IN_LIST keywords)
    list(JOIN files " " shown)
    message(FATAL_ERROR "${fn}: unknown arguments: ${shown}; did you mean "
      "SOURCES ${shown}? (sources follow the SOURCES keyword)")
  endif()
  list(JOIN unparsed " " shown)
  list(JOIN keywords ", " names)
  message(FATAL_ERROR "${fn}: unknown arguments: ${shown} (the keywords are "
    "${names})")
endfunction()

# A VERSION, when given, is compared and shown as <major>.<minor>[.<patch>].
function(_preload_check_version fn version)
  if(NOT "${version}" STREQUAL "" AND
     NOT version MATCHES "^[0-9]+\\.[0-9]+(\\.[0-9]+)?$")
    message(FATAL_ERROR "${fn}: VERSION '${version}' is not "
      "<major>.<minor>[.<patch>], e.g. 1.2.0")
  endif()
endfunction()

# The one naming rule (preload/plugin_name.h states it, IsPluginName applies
# it in the loader, tests/unit/plugin_name_test.cc keeps the three equal): an
# ASCII letter, then ASCII letters, digits, '_', '.' and '-'; at most 252
# bytes, so that <name>.so is a file name.
function(_preload_is_plugin_name name out)
  string(LENGTH "${name}" length)
  if(length LESS_EQUAL 252 AND name MATCHES "^[A-Za-z][A-Za-z0-9_.-]*$")
    set(${out} TRUE PARENT_SCOPE)
  else()
    set(${out} FALSE PARENT_SCOPE)
  endif()
endfunction()

# The plugin's name: NAME, or the target's name. It is what the loader
# searches a bare name as (<name>.so), what the note records, and what
# makes the descriptor symbol, so it must be a word of a file name.
function(_preload_plugin_name fn target name out)
  string(CONCAT rule "must start with a letter and hold only letters, "
         "digits, '_', '.' and '-', at most 252 of them")
  if("${name}" STREQUAL "")
    _preload_is_plugin_name("${target}" valid)
    if(NOT valid)
      message(FATAL_ERROR "${fn}: the target's name '${target}' is the "
        "plugin's name, which ${rule}; give the plugin a NAME")
    endif()
    set(name "${target}")
  else()
    _preload_is_plugin_name("${name}" valid)
    if(NOT valid)
      message(FATAL_ERROR "${fn}: NAME '${name}' ${rule}")
    endif()
  endif()
  set(${out} "${name}" PARENT_SCOPE)
endfunction()

# One rule for a plugin's identity: its file is <name>.so, so that
# Loader::Open("<name>") finds the plugin that calls itself <name>.
# OUTPUT_NAME set afterwards would break that; it is checked at the end of
# the directory, when the project has had its say.
function(_preload_set_plugin_file_name fn target name)
  set_target_properties(${target} PROPERTIES OUTPUT_NAME "${name}")
  cmake_language(EVAL CODE "
    cmake_language(DEFER CALL _preload_check_plugin_file_name
                   [[${fn}]] [[${target}]] [[${name}]])")
endfunction()

function(_preload_check_plugin_file_name fn target name)
  get_target_property(output_name ${target} OUTPUT_NAME)
  if(NOT output_name STREQUAL name)
    message(FATAL_ERROR "${fn}: OUTPUT_NAME '${output_name}' differs from "
      "the plugin's name '${name}': the loader finds a plugin named "
      "'${name}' as ${name}.so. To rename the plugin, give it NAME "
      "${output_name} instead")
  endif()
endfunction()

# DESCRIPTION, LICENSE, AUTHOR and URL become target properties
# (PRELOAD_PLUGIN_DESCRIPTION, ...), which the codegen records in the note.
# `ARG_<keyword>` are the caller's parsed arguments.
function(_preload_set_plugin_metadata fn target)
  get_property(metadata GLOBAL PROPERTY PRELOAD_PLUGIN_METADATA)
  foreach(keyword IN LISTS metadata)
    set(value "${ARG_${keyword}}")
    if(value MATCHES "[\n\r]")
      message(FATAL_ERROR "${fn}: ${keyword} may not hold a line break")
    endif()
    set_target_properties(${target} PROPERTIES PRELOAD_PLUGIN_${keyword} "${value}")
  endforeach()
endfunction()

# A target has one fingerprint; a second call would generate a second one.
function(_preload_check_host_once fn target)
  get_target_property(plugin ${target} PRELOAD_PLUGIN_NAME)
  if(plugin)
    message(FATAL_ERROR "${fn}: ${target} is a plugin (add_preload_plugin); "
      "target_preload_host is for the executable that loads plugins")
  endif()
  get_target_property(host ${target} PRELOAD_HOST)
  if(host)
    message(FATAL_ERROR "${fn}: called a second time for ${target}; give "
      "its VERSION, HOST_ABI and ABIS in one call")
  endif()
  set_target_properties(${target} PROPERTIES PRELOAD_HOST TRUE)
endfunction()
