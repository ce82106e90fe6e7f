# Installs the SDK as a relocatable CMake package: find_package(PreloadSDK).
include(CMakePackageConfigHelpers)

set(PRELOAD_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/PreloadSDK")
set(PRELOAD_INSTALL_DATADIR "${CMAKE_INSTALL_DATADIR}/PreloadSDK")

install(TARGETS preload_headers preload_sdk EXPORT PreloadSDKTargets
        ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}"
        INCLUDES DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
# PreloadSDK::autoload is an object library: its one object (the constructor
# that loads PRELOAD_PLUGINS before main) is installed and linked as is.
install(TARGETS preload_autoload EXPORT PreloadSDKTargets
        OBJECTS DESTINATION "${CMAKE_INSTALL_LIBDIR}/PreloadSDK")
# The command-line tool; not exported, nothing links it.
install(TARGETS preload RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
install(DIRECTORY sdk/include/preload DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
install(EXPORT PreloadSDKTargets NAMESPACE PreloadSDK::
        DESTINATION "${PRELOAD_INSTALL_CMAKEDIR}")
install(DIRECTORY codegen/preload_codegen DESTINATION "${PRELOAD_INSTALL_DATADIR}/codegen"
        PATTERN "__pycache__" EXCLUDE)
install(DIRECTORY templates/ DESTINATION "${PRELOAD_INSTALL_DATADIR}/templates")

get_property(PRELOAD_SDK_BUILD_PYTHON GLOBAL PROPERTY PRELOAD_SDK_PYTHON)
set(PRELOAD_SDK_LIBC_PTHREAD "${CMAKE_HAVE_LIBC_PTHREAD}")
configure_package_config_file(cmake/PreloadSDKConfig.cmake.in
  "${CMAKE_CURRENT_BINARY_DIR}/PreloadSDKConfig.cmake"
  INSTALL_DESTINATION "${PRELOAD_INSTALL_CMAKEDIR}"
  PATH_VARS PRELOAD_INSTALL_DATADIR CMAKE_INSTALL_BINDIR)
write_basic_package_version_file(
  "${CMAKE_CURRENT_BINARY_DIR}/PreloadSDKConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion)
install(FILES
  "${CMAKE_CURRENT_BINARY_DIR}/PreloadSDKConfig.cmake"
  "${CMAKE_CURRENT_BINARY_DIR}/PreloadSDKConfigVersion.cmake"
  cmake/PreloadPlugin.cmake
  cmake/PreloadArguments.cmake
  cmake/PreloadInstall.cmake
  cmake/PreloadBuildTree.cmake
  cmake/PreloadCodegen.cmake
  cmake/PreloadStaticPlugin.cmake
  cmake/PreloadSigning.cmake
  cmake/PreloadRequirements.cmake
  DESTINATION "${PRELOAD_INSTALL_CMAKEDIR}")
