# PreloadRequirements.cmake — add_preload_plugin's REQUIRES: the plugins a
# plugin needs loaded first (docs/requirements.md).
#
#   - each requirement checked against the grammar of docs/cmake.md at
#     configure time, with a message that says what is wrong;
#   - recorded as the target property PRELOAD_PLUGIN_REQUIRES, which the
#     codegen writes into the note's `requires` field;
#   - a build dependency on each required plugin built by the same project,
#     added at the end of configuration, when every plugin is known. An edge
#     that would close a cycle is left out (CMake refuses cyclic dependencies
#     between modules) and reported: the loader will refuse such a plugin.

include_guard(GLOBAL)

# One number of a version: no leading zeros, at most 9 digits (the loader's
# limit too).
set(_PRELOAD_VERSION_NUMBER "(0|[1-9][0-9]?[0-9]?[0-9]?[0-9]?[0-9]?[0-9]?[0-9]?[0-9]?)")
set(_PRELOAD_REQUIREMENT_NAME "[A-Za-z][A-Za-z0-9_.-]*")

# Checks each requirement of plugin `name`; the messages say which part of a
# requirement is wrong.
function(_preload_check_requirements fn name)
  set(n "${_PRELOAD_VERSION_NUMBER}")
  set(version_regex "^${n}\\.${n}(\\.${n})?$")
  set(seen "")
  foreach(requirement IN LISTS ARGN)
    set(hint "(expected NAME, NAME>=VERSION, NAME==VERSION or NAME^VERSION, "
             "VERSION as MAJOR.MINOR[.PATCH], e.g. codec_core>=1.2)")
    string(JOIN "" hint ${hint})
    if(NOT requirement MATCHES "^(${_PRELOAD_REQUIREMENT_NAME})(.*)$")
      message(FATAL_ERROR "${fn}: REQUIRES '${requirement}': a requirement "
        "starts with a plugin's name, which starts with a letter ${hint}")
    endif()
    set(required "${CMAKE_MATCH_1}")
    set(rest "${CMAKE_MATCH_2}")
    if(NOT rest STREQUAL "")
      if(NOT rest MATCHES "^(>=|==|\\^)(.*)$")
        message(FATAL_ERROR "${fn}: REQUIRES '${requirement}': '${rest}' after "
          "the name '${required}' does not start with >=, == or ^ ${hint}")
      endif()
      set(version "${CMAKE_MATCH_2}")
      if(version STREQUAL "")
        message(FATAL_ERROR "${fn}: REQUIRES '${requirement}': the version "
          "after the operator is missing ${hint}")
      endif()
      if(NOT version MATCHES "${version_regex}")
        message(FATAL_ERROR "${fn}: REQUIRES '${requirement}': '${version}' is "
          "not a version: MAJOR.MINOR[.PATCH], numbers without leading zeros "
          "${hint}")
      endif()
    endif()
    if(required STREQUAL name)
      message(FATAL_ERROR "${fn}: REQUIRES '${requirement}': a plugin cannot "
        "require itself")
    endif()
    if(required IN_LIST seen)
      message(FATAL_ERROR "${fn}: REQUIRES names '${required}' twice; give "
        "one requirement per plugin")
    endif()
    list(APPEND seen "${required}")
  endforeach()
endfunction()

# The plugin name of a requirement: "a>=1.2" -> "a".
function(_preload_requirement_name out requirement)
  string(REGEX MATCH "^${_PRELOAD_REQUIREMENT_NAME}" required "${requirement}")
  set(${out} "${required}" PARENT_SCOPE)
endfunction()

# Records the requirements and, once, schedules the build dependencies.
function(_preload_set_plugin_requirements target name)
  set_target_properties(${target} PROPERTIES PRELOAD_PLUGIN_REQUIRES "${ARGN}")
  set_property(GLOBAL PROPERTY "_PRELOAD_PLUGIN_TARGET_${name}" "${target}")
  if(NOT ARGN)
    return()
  endif()
  set_property(GLOBAL APPEND PROPERTY _PRELOAD_PLUGINS_WITH_REQUIREMENTS "${target}")
  get_property(scheduled GLOBAL PROPERTY _PRELOAD_REQUIREMENT_DEPS_SCHEDULED)
  if(NOT scheduled)
    set_property(GLOBAL PROPERTY _PRELOAD_REQUIREMENT_DEPS_SCHEDULED TRUE)
    cmake_language(DEFER DIRECTORY "${CMAKE_SOURCE_DIR}"
                   CALL _preload_add_requirement_dependencies)
  endif()
endfunction()

# The targets of this build that plugin target `target` requires.
function(_preload_required_targets out target)
  set(result "")
  get_target_property(requires ${target} PRELOAD_PLUGIN_REQUIRES)
  foreach(requirement IN LISTS requires)
    _preload_requirement_name(required "${requirement}")
    get_property(required_target GLOBAL PROPERTY "_PRELOAD_PLUGIN_TARGET_${required}")
    if(required_target)
      list(APPEND result "${required_target}")
    endif()
  endforeach()
  set(${out} "${result}" PARENT_SCOPE)
endfunction()

# True in `out` when `to` is reachable from `from` through requirements.
function(_preload_requirement_reaches out from to)
  set(queue "${from}")
  set(visited "")
  while(queue)
    list(POP_FRONT queue current)
    if(current STREQUAL to)
      set(${out} TRUE PARENT_SCOPE)
      return()
    endif()
    if(current IN_LIST visited)
      continue()
    endif()
    list(APPEND visited "${current}")
    _preload_required_targets(next "${current}")
    list(APPEND queue ${next})
  endwhile()
  set(${out} FALSE PARENT_SCOPE)
endfunction()

# Deferred to the end of the top-level directory: each plugin of this build
# depends on the plugins of this build it requires, so that building it
# builds them.
function(_preload_add_requirement_dependencies)
  get_property(targets GLOBAL PROPERTY _PRELOAD_PLUGINS_WITH_REQUIREMENTS)
  set(cyclic "")
  foreach(target IN LISTS targets)
    _preload_required_targets(required "${target}")
    foreach(required_target IN LISTS required)
      _preload_requirement_reaches(cycle "${required_target}" "${target}")
      if(cycle)
        list(APPEND cyclic "${target} -> ${required_target}")
      else()
        add_dependencies(${target} ${required_target})
      endif()
    endforeach()
  endforeach()
  if(cyclic)
    list(JOIN cyclic ", " edges)
    message(WARNING "add_preload_plugin: these requirements are part of a "
      "cycle, which the loader refuses to load: ${edges}. No build "
      "dependency was added for them.")
  endif()
endfunction()
