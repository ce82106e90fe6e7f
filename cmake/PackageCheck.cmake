# Read by cpack (CPACK_PROJECT_CONFIG_FILE): a Debian package installs to
# /usr, and GNUInstallDirs chose the multiarch libdir only if the tree was
# configured for /usr, so refuse any other tree rather than make a package
# with the wrong layout.
if(CPACK_GENERATOR STREQUAL "DEB" AND
   NOT CPACK_PACKAGING_INSTALL_PREFIX STREQUAL "/usr")
  message(FATAL_ERROR "PreloadSDK: the Debian package installs to /usr, but "
    "this tree was configured for ${CPACK_PACKAGING_INSTALL_PREFIX}; "
    "configure with -DCMAKE_INSTALL_PREFIX=/usr, or run scripts/package")
endif()
