# PreloadCodegen.cmake — the plumbing behind PreloadPlugin.cmake's functions:
# finding a Python that can import Jinja2, and generating each target's
# <target>_fingerprint.cc with preload_codegen from templates/*.j2. Nothing
# here is meant to be called by users; PreloadPlugin.cmake includes it.
#
# Before including this file, set PRELOAD_SDK_CODEGEN_DIR and
# PRELOAD_SDK_TEMPLATES_DIR. The values are stored as global properties so
# the functions work from any directory, also when the SDK is used through
# add_subdirectory.

include_guard(GLOBAL)

set_property(GLOBAL PROPERTY PRELOAD_SDK_CODEGEN_DIR "${PRELOAD_SDK_CODEGEN_DIR}")
set_property(GLOBAL PROPERTY PRELOAD_SDK_TEMPLATES_DIR "${PRELOAD_SDK_TEMPLATES_DIR}")

# Python with Jinja2 renders the templates; without them nothing can be
# built, so the choice is made, and any failure explained, at configure time.
# In order:
#   1. the interpreter an earlier configure of this tree chose, unless
#      Python3_EXECUTABLE changed since (cached);
#   2. when Python3_EXECUTABLE is not set: the one the installed package was
#      built with (PRELOAD_SDK_BUILD_PYTHON, set by PreloadSDKConfig.cmake).
#      It passed the check below when the SDK was built, so it is taken
#      unchecked: a fresh configure starts no Python before the codegen;
#   3. otherwise, or when that one is gone, the first that can import jinja2
#      of: Python3_EXECUTABLE (or, unset, FindPython's choice, which prefers
#      an active virtual environment), the package's, /usr/bin/python3. A
#      venv without Jinja2 thus does not hide a system Python that has it;
#      a status line says which was passed over and why.
function(_preload_find_python)
  get_property(python GLOBAL PROPERTY PRELOAD_SDK_PYTHON)
  if(python)
    return()
  endif()
  # What the project asked for, before FindPython sets a value of its own
  # (seen by the functions called from here).
  set(_preload_python_asked "${Python3_EXECUTABLE}")
  if(PRELOAD_SDK_PYTHON_WITH_JINJA2 AND EXISTS "${PRELOAD_SDK_PYTHON_WITH_JINJA2}"
     AND "${Python3_EXECUTABLE}" STREQUAL "${PRELOAD_SDK_PYTHON_CHOSEN_UNDER}")
    set_property(GLOBAL PROPERTY PRELOAD_SDK_PYTHON "${PRELOAD_SDK_PYTHON_WITH_JINJA2}")
    return()
  endif()
  if(NOT Python3_EXECUTABLE AND PRELOAD_SDK_BUILD_PYTHON
     AND EXISTS "${PRELOAD_SDK_BUILD_PYTHON}")
    _preload_use_python("${PRELOAD_SDK_BUILD_PYTHON}")
    return()
  endif()
  _preload_search_python()
endfunction()

function(_preload_use_python python)
  set_property(GLOBAL PROPERTY PRELOAD_SDK_PYTHON "${python}")
  set(PRELOAD_SDK_PYTHON_WITH_JINJA2 "${python}" CACHE INTERNAL
      "The Python that PreloadSDK generates the fingerprint code with")
  set(PRELOAD_SDK_PYTHON_CHOSEN_UNDER "${_preload_python_asked}" CACHE INTERNAL
      "Python3_EXECUTABLE when PreloadSDK chose its Python")
endfunction()

# Step 3 of _preload_find_python: the first candidate that can import jinja2;
# none is a configure error naming each candidate's own problem and fix.
function(_preload_search_python)
  if(NOT Python3_EXECUTABLE)
    find_package(Python3 QUIET COMPONENTS Interpreter)
  endif()
  set(candidates "")
  foreach(python IN ITEMS "${Python3_EXECUTABLE}" "${PRELOAD_SDK_BUILD_PYTHON}"
                          /usr/bin/python3)
    if(python AND EXISTS "${python}")
      list(APPEND candidates "${python}")
    endif()
  endforeach()
  list(REMOVE_DUPLICATES candidates)
  set(problems "")
  foreach(python IN LISTS candidates)
    _preload_python_problem(problem "${python}")
    if(NOT problem)
      if(problems)
        list(JOIN problems "; " problems)
        message(STATUS "PreloadSDK: generating code with ${python}; passed "
          "over ${problems}")
      endif()
      _preload_use_python("${python}")
      return()
    endif()
    list(APPEND problems "${problem}")
  endforeach()
  if(NOT problems)
    set(problems "no python3 was found; on Debian, 'apt-get install python3 python3-jinja2'")
  endif()
  list(JOIN problems "; " problems)
  message(FATAL_ERROR "PreloadSDK: no Python 3 that can import Jinja2 was "
    "found to generate the fingerprint code: ${problems}. Or name one with "
    "-DPython3_EXECUTABLE=<path>.")
endfunction()

# Starts `python` once. `out` is empty when it is a Python 3 that imports
# jinja2; otherwise it says what is wrong with it and how to fix it, for
# that interpreter: pip inside a virtual environment, apt for Debian's own.
function(_preload_python_problem out python)
  execute_process(COMMAND "${python}" -c [=[
import sys
if sys.version_info[0] != 3:
    print("version"); sys.exit(1)
try:
    import jinja2
except ImportError:
    print("venv" if sys.prefix != sys.base_prefix else sys.prefix); sys.exit(1)
]=] RESULT_VARIABLE failed OUTPUT_VARIABLE kind ERROR_QUIET
    OUTPUT_STRIP_TRAILING_WHITESPACE)
  set(problem "")
  if(NOT failed)
  elseif(kind STREQUAL "version")
    set(problem "${python} is not Python 3")
  elseif(kind STREQUAL "venv")
    string(CONCAT problem "${python} is a virtual environment without "
      "Jinja2: '${python} -m pip install jinja2'")
  elseif(kind STREQUAL "/usr")
    string(CONCAT problem "${python} cannot import jinja2: on Debian, "
      "'apt-get install python3-jinja2'")
  elseif(kind)
    string(CONCAT problem "${python} cannot import jinja2: install Jinja2 "
      "for it ('${python} -m pip install jinja2')")
  else()
    set(problem "${python} is not a Python 3 that runs")
  endif()
  set(${out} "${problem}" PARENT_SCOPE)
endfunction()
_preload_find_python()

# `value` made safe to place inside a generator expression: '>', ',' and ';'
# in flags would otherwise end it, split it or make it a list.
function(_preload_genex_escape out value)
  string(REPLACE ">" "$<ANGLE-R>" value "${value}")
  string(REPLACE "," "$<COMMA>" value "${value}")
  string(REPLACE ";" "$<SEMICOLON>" value "${value}")
  set(${out} "${value}" PARENT_SCOPE)
endfunction()

# A configuration's flags, as a generator expression: CMAKE_CXX_FLAGS_<CONFIG>
# for whichever configuration is being built (never CMAKE_BUILD_TYPE, so
# multi-config generators get each configuration's own).
function(_preload_config_flags_genex out)
  set(configs ${CMAKE_CONFIGURATION_TYPES} ${CMAKE_BUILD_TYPE}
              Debug Release RelWithDebInfo MinSizeRel)
  list(REMOVE_DUPLICATES configs)
  set(genex "")
  foreach(config IN LISTS configs)
    string(TOUPPER "${config}" upper)
    _preload_genex_escape(flags "${CMAKE_CXX_FLAGS_${upper}}")
    string(APPEND genex "$<$<CONFIG:${config}>:${flags}>")
  endforeach()
  set(${out} "${genex}" PARENT_SCOPE)
endfunction()

# Writes, per configuration, the header of raw flags the fingerprint records
# for diagnosis. Deferred to the end of the target's directory so that it sees
# the final CMAKE_CXX_FLAGS, the value the build itself uses.
function(_preload_write_flags_header target dir)
  _preload_config_flags_genex(config_flags)
  _preload_genex_escape(cxx_flags "${CMAKE_CXX_FLAGS}")
  set(prop "$<TARGET_PROPERTY:${target},")
  # Raw string literals: the flags need no escaping.
  set(content [=[
// Generated by PreloadSDK for one configuration. Do not edit.
#define PRELOAD_FP_BUILD_CONFIG R"preload($<CONFIG>)preload"
#define PRELOAD_FP_FLAGS_CXX R"preload(@cxx_flags@ @config_flags@)preload"
#define PRELOAD_FP_FLAGS_OPTIONS R"preload($<JOIN:@prop@COMPILE_OPTIONS>, >)preload"
#define PRELOAD_FP_FLAGS_DEFINITIONS R"preload($<JOIN:@prop@COMPILE_DEFINITIONS>, >)preload"
#define PRELOAD_FP_FLAGS_FEATURES R"preload($<JOIN:@prop@COMPILE_FEATURES>, >)preload"
]=])
  string(CONFIGURE "${content}" content @ONLY)
  file(GENERATE OUTPUT "${dir}/$<CONFIG>/preload_fingerprint_flags.h"
       CONTENT "${content}" TARGET ${target})
endfunction()

# Generates <target>_fingerprint.cc and adds it to the target.
#   kind: plugin, host or sdk.
# The file is rendered at the end of configuration, together with every other
# target's (_preload_render_fingerprints): one Python start per configure, not
# one per plugin.
function(_preload_add_fingerprint target kind name version)
  set(abis ${ARGN})
  get_property(templates GLOBAL PROPERTY PRELOAD_SDK_TEMPLATES_DIR)
  # A hidden directory: no target can be named like it.
  set(dir "${CMAKE_CURRENT_BINARY_DIR}/.preload/${target}")
  set(source "${dir}/${target}_fingerprint.cc")
  _preload_queue_fingerprint("${target}" "${kind}" "${name}" "${version}"
                             "${source}" ${abis})

  cmake_language(EVAL CODE "
    cmake_language(DEFER CALL _preload_write_flags_header
                   [[${target}]] [[${dir}]])")
  target_sources(${target} PRIVATE "${source}")
  # The flags header differs per configuration; only this source includes it.
  set_property(SOURCE "${source}" TARGET_DIRECTORY ${target} APPEND PROPERTY
               INCLUDE_DIRECTORIES "${dir}/$<CONFIG>")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
               "${templates}/fingerprint.cc.j2")
endfunction()

# `value` as a JSON string. ';', '[' and ']' are escaped too, so that a job
# never reads as a CMake list.
function(_preload_json_string out value)
  string(REPLACE "\\" "\\\\" value "${value}")
  string(REPLACE "\"" "\\\"" value "${value}")
  string(REPLACE "\n" "\\n" value "${value}")
  string(REPLACE "\r" "\\r" value "${value}")
  string(REPLACE "\t" "\\t" value "${value}")
  string(REPLACE ";" "\\u003b" value "${value}")
  string(REPLACE "[" "\\u005b" value "${value}")
  string(REPLACE "]" "\\u005d" value "${value}")
  set(${out} "\"${value}\"" PARENT_SCOPE)
endfunction()

# Adds one line to the manifest `preload_codegen fingerprints` reads: a JSON
# object with what `preload_codegen fingerprint` takes as arguments.
function(_preload_queue_fingerprint target kind name version output)
  set(abis "")
  foreach(abi IN LISTS ARGN)
    _preload_json_string(abi "${abi}")
    list(APPEND abis "${abi}")
  endforeach()
  list(JOIN abis ", " abis)
  set(job "{")
  foreach(key target kind name version output)
    _preload_json_string(value "${${key}}")
    string(APPEND job "\"${key}\": ${value}, ")
  endforeach()
  _preload_metadata_json(metadata ${target} ${kind})
  set(keys "")
  if(kind STREQUAL "host")
    get_target_property(trusted ${target} PRELOAD_TRUSTED_KEYS)
    foreach(key IN LISTS trusted)
      list(APPEND keys "\"${key}\"")  # base64: nothing to escape
    endforeach()
  endif()
  list(JOIN keys ", " keys)
  string(APPEND job "\"trusted_keys\": [${keys}], ")
  _preload_requires_json(requires ${target} ${kind})
  string(APPEND job "\"flags_header\": \"preload_fingerprint_flags.h\", "
                    "\"metadata\": {${metadata}}, \"requires\": [${requires}], "
                    "\"abis\": [${abis}]}\n")
  get_property(rendered GLOBAL PROPERTY PRELOAD_SDK_FINGERPRINTS_RENDERED)
  if(rendered)
    # Configuration is ending (a call deferred after ours): render it alone.
    _preload_render_fingerprints_now("${target}" "${job}" "${output}")
    return()
  endif()
  set_property(GLOBAL APPEND_STRING PROPERTY PRELOAD_SDK_FINGERPRINT_JOBS "${job}")
  set_property(GLOBAL APPEND PROPERTY PRELOAD_SDK_FINGERPRINT_OUTPUTS "${output}")
  get_property(scheduled GLOBAL PROPERTY PRELOAD_SDK_FINGERPRINTS_SCHEDULED)
  if(NOT scheduled)
    set_property(GLOBAL PROPERTY PRELOAD_SDK_FINGERPRINTS_SCHEDULED TRUE)
    cmake_language(DEFER DIRECTORY "${CMAKE_SOURCE_DIR}"
                   CALL _preload_render_fingerprints)
  endif()
endfunction()

# A plugin's metadata (add_preload_plugin's DESCRIPTION, LICENSE, ...), as
# the members of a JSON object: "description": "...", for those given.
function(_preload_metadata_json out target kind)
  set(members "")
  if(kind STREQUAL "plugin")
    get_property(keywords GLOBAL PROPERTY PRELOAD_PLUGIN_METADATA)
    foreach(keyword IN LISTS keywords)
      get_target_property(value ${target} PRELOAD_PLUGIN_${keyword})
      if(NOT "${value}" STREQUAL "" AND NOT "${value}" MATCHES "-NOTFOUND$")
        string(TOLOWER "${keyword}" key)
        _preload_json_string(value "${value}")
        list(APPEND members "\"${key}\": ${value}")
      endif()
    endforeach()
  endif()
  list(JOIN members ", " members)
  set(${out} "${members}" PARENT_SCOPE)
endfunction()

# A plugin's REQUIRES (PRELOAD_PLUGIN_REQUIRES), as the items of a JSON array.
function(_preload_requires_json out target kind)
  set(items "")
  if(kind MATCHES "plugin$")
    get_target_property(requires ${target} PRELOAD_PLUGIN_REQUIRES)
    if(requires)
      foreach(requirement IN LISTS requires)
        _preload_json_string(requirement "${requirement}")
        list(APPEND items "${requirement}")
      endforeach()
    endif()
  endif()
  list(JOIN items ", " items)
  set(${out} "${items}" PARENT_SCOPE)
endfunction()

# Deferred to the end of the top-level directory, after every target has
# queued its fingerprint.
function(_preload_render_fingerprints)
  set_property(GLOBAL PROPERTY PRELOAD_SDK_FINGERPRINTS_RENDERED TRUE)
  get_property(jobs GLOBAL PROPERTY PRELOAD_SDK_FINGERPRINT_JOBS)
  get_property(outputs GLOBAL PROPERTY PRELOAD_SDK_FINGERPRINT_OUTPUTS)
  _preload_render_fingerprints_now(all "${jobs}" "${outputs}")
endfunction()

# Runs the codegen once for all `jobs` (their manifest is named `name`), but
# only when something changed since the last run: the jobs, the generator or
# the templates, or an output that is gone. Starting Python at every
# configure is slow.
function(_preload_render_fingerprints_now name jobs outputs)
  get_property(python GLOBAL PROPERTY PRELOAD_SDK_PYTHON)
  get_property(codegen GLOBAL PROPERTY PRELOAD_SDK_CODEGEN_DIR)
  get_property(templates GLOBAL PROPERTY PRELOAD_SDK_TEMPLATES_DIR)
  set(manifest "${CMAKE_BINARY_DIR}/.preload/fingerprints-${name}.jsonl")
  set(stamp "${manifest}.stamp")
  set(command "${python}" -B -m preload_codegen fingerprints
      --templates "${templates}" --manifest "${manifest}")
  set(state "${command}\n${jobs}")
  if(EXISTS "${stamp}")
    file(READ "${stamp}" previous)
    if(previous STREQUAL state)
      file(GLOB inputs "${codegen}/preload_codegen/*.py" "${templates}/*.j2")
      set(fresh TRUE)
      foreach(file IN LISTS inputs)
        if("${file}" IS_NEWER_THAN "${stamp}")
          set(fresh FALSE)
        endif()
      endforeach()
      foreach(file IN LISTS outputs)
        if(NOT EXISTS "${file}")
          set(fresh FALSE)
        endif()
      endforeach()
      if(fresh)
        return()
      endif()
    endif()
  endif()
  file(WRITE "${manifest}" "${jobs}")
  execute_process(COMMAND ${CMAKE_COMMAND} -E env "PYTHONPATH=${codegen}" ${command}
    RESULT_VARIABLE failed ERROR_VARIABLE error)
  if(failed)
    _preload_codegen_failure_hint(hint "${python}" "${error}")
    message(FATAL_ERROR "PreloadSDK: generating the fingerprints failed: "
      "${error}${hint}")
  endif()
  file(WRITE "${stamp}" "${state}")
endfunction()

# When the chosen Python lost Jinja2 since it was chosen (or since the SDK
# was built with it): how to choose another (the codegen's own message says
# how to give this one Jinja2).
function(_preload_codegen_failure_hint out python error)
  set(hint "")
  if(error MATCHES "module 'jinja2' is missing|No module named '?jinja2")
    string(CONCAT hint "PreloadSDK chose ${python} when this tree was first "
      "configured; configure with -DPython3_EXECUTABLE=<path> to choose "
      "another.")
  endif()
  set(${out} "${hint}" PARENT_SCOPE)
endfunction()

# Runs `preload_codegen <ARGN>` now, at configure time; `out` is what it
# printed (add_preload_abi's header hash).
function(_preload_run_python out)
  get_property(python GLOBAL PROPERTY PRELOAD_SDK_PYTHON)
  get_property(codegen GLOBAL PROPERTY PRELOAD_SDK_CODEGEN_DIR)
  execute_process(
    COMMAND ${CMAKE_COMMAND} -E env "PYTHONPATH=${codegen}"
            "${python}" -B -m preload_codegen ${ARGN}
    RESULT_VARIABLE failed OUTPUT_VARIABLE output ERROR_VARIABLE error
    OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(failed)
    _preload_codegen_failure_hint(hint "${python}" "${error}")
    message(FATAL_ERROR "PreloadSDK: preload_codegen ${ARGV1} failed: "
      "${error}${hint}")
  endif()
  set(${out} "${output}" PARENT_SCOPE)
endfunction()
