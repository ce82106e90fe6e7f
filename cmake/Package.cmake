# The SDK as a Debian package: `cpack -G DEB` in a tree configured with
# -DCMAKE_INSTALL_PREFIX=/usr (scripts/package does both). The package
# holds exactly what `cmake --install` installs, plus what Debian's policy
# asks of every package: a copyright file and a compressed changelog in
# /usr/share/doc/preload-sdk. GNUInstallDirs under /usr gives the multiarch
# libdir (lib/x86_64-linux-gnu), where find_package looks.

set(PRELOAD_DEB_NAME preload-sdk)
set(PRELOAD_DEB_DOCDIR "${CMAKE_INSTALL_DATAROOTDIR}/doc/${PRELOAD_DEB_NAME}")

# Debian wants the changelog compressed with gzip -9n (no name, no time, so
# the bytes are reproducible).
set(changelog "${PROJECT_BINARY_DIR}/packaging/changelog.Debian")
add_custom_command(OUTPUT "${changelog}.gz"
  COMMAND ${CMAKE_COMMAND} -E copy
          "${PROJECT_SOURCE_DIR}/packaging/debian/changelog" "${changelog}"
  COMMAND gzip -9nf "${changelog}"
  DEPENDS "${PROJECT_SOURCE_DIR}/packaging/debian/changelog"
  VERBATIM)
add_custom_target(preload_deb_changelog ALL DEPENDS "${changelog}.gz")
install(FILES "${changelog}.gz" packaging/debian/copyright
        DESTINATION "${PRELOAD_DEB_DOCDIR}")
file(GLOB docs "${PROJECT_SOURCE_DIR}/docs/*.md")
install(FILES README.md ${docs} DESTINATION "${PRELOAD_DEB_DOCDIR}")

set(CPACK_PACKAGE_NAME "${PRELOAD_DEB_NAME}")
set(CPACK_PACKAGE_VENDOR "PreloadSDK")
set(CPACK_PACKAGE_CONTACT "PreloadSDK maintainers <preload-sdk@example.org>")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_GENERATOR DEB)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGING_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE
    OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The headers include Abseil's; the CMake package needs CMake 3.25; the
# functions run the code generator (Python 3 with Jinja2) and compile what it
# writes. shlibdeps adds what /usr/bin/preload links (libabsl20220623, libc6,
# libstdc++6, ...). libsodium-dev: libpreload.a's signature checks link
# libsodium, so a host linking the SDK needs it; liburing-dev: its batched
# directory scans link liburing.
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "libabsl-dev (>= 0~20220623), libsodium-dev, liburing-dev, cmake (>= 3.25), python3, python3-jinja2, g++ | clang")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The synopsis, then paragraphs; CPack indents them and marks the blank line
# as Debian's control format wants.
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "C++ plugins whose build fingerprint is checked before loading")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
"PreloadSDK builds C++ plugins and hosts that carry a build fingerprint, an
ELF note filled in by the compiler while it compiles each binary: compiler,
standard library and its ABI, exceptions, RTTI, sanitizers, type sizes and
the host ABIs a plugin needs. Its loader reads a plugin's note from the file
and compares it with the host's before mapping it, and refuses a plugin
built differently with a message naming every differing field.

This package holds the loader library and headers, the CMake package
(find_package(PreloadSDK) with add_preload_plugin and target_preload_host),
the fingerprint code generator and the preload command-line tool.")
set(CPACK_PROJECT_CONFIG_FILE "${PROJECT_SOURCE_DIR}/cmake/PackageCheck.cmake")
include(CPack)
