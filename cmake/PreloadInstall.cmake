# PreloadInstall.cmake — installing plugins where their hosts find them:
#
#   PRELOAD_PLUGIN_INSTALL_DIR   <libdir>/preload, relative to the prefix
#   install_preload_plugins(<target>... [DESTINATION <dir>] [COMPONENT <c>])
#
# A host installed in <prefix>/bin searches $ORIGIN/../lib/preload and
# $ORIGIN/../lib/<triplet>/preload (docs/preloading.md); the default
# destination is whichever of the two GNUInstallDirs' CMAKE_INSTALL_LIBDIR
# gives, so that plain `lib` and Debian's /usr layout both work.

include_guard(GLOBAL)

# The plugin directory for a libdir: <libdir>/preload when the loader
# searches it, lib/preload otherwise (lib64 is not searched).
function(_preload_plugin_install_dir out)
  set(libdir lib)
  if(CMAKE_INSTALL_LIBDIR)
    set(libdir "${CMAKE_INSTALL_LIBDIR}")
  endif()
  if(libdir MATCHES "^lib(/[a-z0-9_]+-linux-[a-z0-9_]+)?$")
    set(${out} "${libdir}/preload" PARENT_SCOPE)
  else()
    set(${out} "lib/preload" PARENT_SCOPE)
  endif()
endfunction()

# Set when the package is found; include(GNUInstallDirs) first for the /usr
# layout. A value the project set is kept.
if(NOT DEFINED PRELOAD_PLUGIN_INSTALL_DIR)
  _preload_plugin_install_dir(PRELOAD_PLUGIN_INSTALL_DIR)
endif()

# install_preload_plugins(<target>... [DESTINATION <dir>] [COMPONENT <c>])
# Installs each plugin into DESTINATION (default: the plugin directory of the
# libdir in effect now). A plugin linking the project's own shared libraries
# gets an INSTALL_RPATH from DESTINATION to the libdir ($ORIGIN/.. by
# default), unless it has one. The
# directories on the way get no group or other write permission whatever the
# umask: the loader refuses a plugin others could replace.
function(install_preload_plugins)
  cmake_parse_arguments(PARSE_ARGV 0 ARG "" "DESTINATION;COMPONENT" "")
  set(targets ${ARG_UNPARSED_ARGUMENTS})
  set(fn "install_preload_plugins(${targets})")
  if(NOT targets)
    message(FATAL_ERROR "install_preload_plugins: name the plugin targets")
  endif()
  if(ARG_KEYWORDS_MISSING_VALUES)
    message(FATAL_ERROR "${fn}: keywords given without a value: "
      "${ARG_KEYWORDS_MISSING_VALUES}")
  endif()
  foreach(target IN LISTS targets)
    _preload_check_installable("${fn}" "${target}")
  endforeach()
  set(destination "${ARG_DESTINATION}")
  if(NOT destination)
    _preload_plugin_install_dir(destination)
  endif()
  foreach(target IN LISTS targets)
    _preload_set_install_rpath(${target} "${destination}")
  endforeach()
  set(component "")
  if(ARG_COMPONENT)
    set(component COMPONENT "${ARG_COMPONENT}")
  endif()
  set(CMAKE_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE
      OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
  install(TARGETS ${targets} LIBRARY DESTINATION "${destination}" ${component})
  # A plugin signed at build time (SIGN_WITH) is installed with its
  # signature beside it, where the loader looks for it.
  foreach(target IN LISTS targets)
    get_target_property(signed ${target} PRELOAD_SIGNED)
    if(signed)
      install(FILES "$<TARGET_FILE:${target}>.minisig"
              DESTINATION "${destination}" PERMISSIONS OWNER_READ OWNER_WRITE
              GROUP_READ WORLD_READ ${component})
    endif()
  endforeach()
  _preload_install_without_group_write("${destination}" ${component})
endfunction()

function(_preload_check_installable fn target)
  if(NOT TARGET "${target}")
    message(FATAL_ERROR "${fn}: ${target}: no such target")
  endif()
  get_target_property(name "${target}" PRELOAD_PLUGIN_NAME)
  if(NOT name)
    message(FATAL_ERROR "${fn}: ${target} is not a plugin; make it with "
      "add_preload_plugin")
  endif()
endfunction()

# A plugin without an INSTALL_RPATH of its own finds the project's shared
# libraries, installed into the libdir, relative to where it is installed:
# $ORIGIN/.. from <libdir>/preload, whatever the prefix.
function(_preload_set_install_rpath target destination)
  get_target_property(rpath "${target}" INSTALL_RPATH)
  if(rpath)
    return()
  endif()
  set(libdir lib)
  if(CMAKE_INSTALL_LIBDIR)
    set(libdir "${CMAKE_INSTALL_LIBDIR}")
  endif()
  set(to_libdir "..")
  if(NOT IS_ABSOLUTE "${destination}" AND NOT IS_ABSOLUTE "${libdir}")
    file(RELATIVE_PATH to_libdir "/p/${destination}" "/p/${libdir}")
  endif()
  string(REGEX REPLACE "/$" "" to_libdir "${to_libdir}")
  if(to_libdir STREQUAL "")
    set(to_libdir ".")
  endif()
  set_target_properties("${target}" PROPERTIES INSTALL_RPATH "$ORIGIN/${to_libdir}")
endfunction()

# At install time, `chmod go-w` each directory from the destination up to
# the prefix: a directory created under umask 002 (or an existing one made
# group-writable) would make the loader refuse every plugin in it. Relative
# (under the prefix) destinations only.
function(_preload_install_without_group_write destination)
  if(IS_ABSOLUTE "${destination}")
    return()
  endif()
  set(dirs "\${root}")
  set(dir "${destination}")
  while(dir AND NOT dir STREQUAL ".")
    list(APPEND dirs "\${root}/${dir}")
    get_filename_component(dir "${dir}" DIRECTORY)
  endwhile()
  list(JOIN dirs " " dirs)
  install(CODE "
    set(root \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}\")
    execute_process(COMMAND chmod go-w ${dirs})" ${ARGN})
endfunction()
