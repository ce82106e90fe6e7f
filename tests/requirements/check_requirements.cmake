# Runs add_preload_plugin's REQUIRES check on one list of requirements:
#   cmake -DREQUIRES=<list> -P check_requirements.cmake
# Succeeds or stops with the message the user would get
# (requirements_cmake_test.py).
cmake_minimum_required(VERSION 3.25)
include("${CMAKE_CURRENT_LIST_DIR}/../../cmake/PreloadRequirements.cmake")
_preload_check_requirements("add_preload_plugin(p)" p ${REQUIRES})
message(STATUS "accepted: ${REQUIRES}")
