# cmake -DNAMES=<in> -DVERDICTS=<out> -P plugin_name_check.cmake
#
# add_preload_plugin's own naming rule (_preload_is_plugin_name) applied to
# each name of NAMES, one a line as "n:" and its bytes in hexadecimal, so that any byte but NUL
# survives CMake's lists; writes 1 or 0 a line to VERDICTS.
cmake_minimum_required(VERSION 3.20)
include("${CMAKE_CURRENT_LIST_DIR}/../../cmake/PreloadArguments.cmake")

file(STRINGS "${NAMES}" lines)
set(verdicts "")
foreach(line IN LISTS lines)
  # "n:" keeps the empty name's line from being an empty one.
  string(SUBSTRING "${line}" 2 -1 hex)
  set(name "")
  string(LENGTH "${hex}" hex_length)
  set(at 0)
  while(at LESS hex_length)
    string(SUBSTRING "${hex}" ${at} 2 pair)
    math(EXPR code "0x${pair}")
    string(ASCII ${code} byte)
    string(APPEND name "${byte}")
    math(EXPR at "${at} + 2")
  endwhile()
  _preload_is_plugin_name("${name}" valid)
  if(valid)
    string(APPEND verdicts "1\n")
  else()
    string(APPEND verdicts "0\n")
  endif()
endforeach()
file(WRITE "${VERDICTS}" "${verdicts}")
