# Included by the top-level CMakeLists.txt when PRELOAD_FUZZ is ON, before any
# target exists: the whole tree (the SDK, and every plugin and host, so their
# fingerprints agree) is compiled with coverage for libFuzzer and with
# AddressSanitizer and UndefinedBehaviorSanitizer. Only the *_fuzzer targets
# link libFuzzer itself (tests/fuzz/CMakeLists.txt).
if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "PRELOAD_FUZZ needs Clang (libFuzzer); this build uses "
    "${CMAKE_CXX_COMPILER_ID}. Configure with -DCMAKE_CXX_COMPILER=clang++ "
    "(Debian: apt-get install clang libclang-rt-14-dev)")
endif()
if(NOT PRELOAD_BUILD_TESTS)
  message(FATAL_ERROR "PRELOAD_FUZZ builds targets of tests/fuzz: it needs "
    "PRELOAD_BUILD_TESTS=ON")
endif()
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined
                    -fno-sanitize-recover=all -fno-omit-frame-pointer)
add_link_options(-fsanitize=address,undefined)
