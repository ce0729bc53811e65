# Debian packages of Setia through CPack (issue #7; docs/install.md, packaging/check-packages.sh).
#
#   cmake -S . -B build/pkg -G Ninja -DCMAKE_BUILD_TYPE=Release -DSETIA_BUILD_TESTS=OFF
#   cmake --build build/pkg --target setia setiactl setia-agent setia-hub
#   (cd build/pkg && cpack -G DEB)      -> setia_<v>-1_<arch>.deb, setia-agent_<v>-1_<arch>.deb,
#                                          setia-hub_<v>-1_<arch>.deb
#
# Three binary packages, one per CPack component:
#   setia        the terminal app, setiactl, the udev rules, the desktop entry, AppStream data,
#                the icon, the docs; creates the `setia` system user and /var/lib/setia, /etc/setia
#   setia-agent  the local API for the POS (systemd unit setia-agent.service); needs setia
#                (the user, the store, setiactl to make the store)
#   setia-hub    the central server (systemd units setia-hub.service, setia-hub@.service; options
#                in /etc/default/setia-hub); stands alone (no GUI libraries), creates the same
#                user and /var/lib/setia itself (debian/system-user.sh, shared with setia), and
#                the operator's token /etc/setia/hub-operator.token
# The per-store provisioning package is made without CMake: packaging/make-store-package.sh.
#
# Included once, at the end of the top-level CMakeLists.txt, after every target exists.

set(SETIA_PKG_DIR ${CMAKE_CURRENT_LIST_DIR})
set(SETIA_DEB_REVISION 1 CACHE STRING "Debian revision of the packages (the -N in 0.1.0-N)")
set(SETIA_DEB_MAINTAINER "Setia maintainers <maintainers@users.noreply.h-seed-5a0069dd.example>"
    CACHE STRING "Maintainer field of the packages")

# ---- files beside the executables (the executables' own install() rules are in app/*/CMakeLists.txt)

# udev: the scanners', card readers' and receipt printers' USB nodes for the seat's user and
# group setia. /lib/udev/rules.d, as Debian 12's own packages ship them (debhelper in bookworm
# still uses /lib; lintian's udev check reads lib/udev/rules.d).
install(FILES ${SETIA_PKG_DIR}/udev/70-setia-scanners.rules
        DESTINATION /lib/udev/rules.d COMPONENT setia)

# systemd unit of the agent: /lib/systemd/system, where Debian 12's packages ship units (moving
# files between /lib and /usr/lib across package versions is unsafe with dpkg on merged /usr).
install(FILES ${SETIA_PKG_DIR}/systemd/setia-agent.service
        DESTINATION /lib/systemd/system COMPONENT setia-agent)

# The hub: setia-hub.service (options in /etc/default/setia-hub) and, for more hub processes on
# one PostgreSQL, the template setia-hub@.service made from it (instance N reads
# /etc/default/setia-hub-N), so the hardening is written once.
file(READ ${SETIA_PKG_DIR}/systemd/setia-hub.service _hub_unit)
string(REPLACE "Description=Setia hub (central sync server of the terminals)"
               "Description=Setia hub %i (central sync server of the terminals, options in /etc/default/setia-hub-%i)"
               _hub_template "${_hub_unit}")
string(REPLACE "EnvironmentFile=/etc/default/setia-hub\n" "EnvironmentFile=/etc/default/setia-hub-%i\n"
               _hub_template "${_hub_template}")
string(REPLACE "\n[Unit]\n" "\n# setia-hub@N.service: a further hub process; see setia-hub.service.\n[Unit]\n"
               _hub_template "${_hub_template}")
if(_hub_template STREQUAL _hub_unit OR NOT _hub_template MATCHES "setia-hub-%i\n")
  message(FATAL_ERROR "Packaging: setia-hub@.service could not be made from setia-hub.service")
endif()
file(CONFIGURE OUTPUT ${CMAKE_BINARY_DIR}/packaging/systemd/setia-hub@.service CONTENT "${_hub_template}" @ONLY)
install(FILES ${SETIA_PKG_DIR}/systemd/setia-hub.service ${CMAKE_BINARY_DIR}/packaging/systemd/setia-hub@.service
        DESTINATION /lib/systemd/system COMPONENT setia-hub)
# The first /etc/default/setia-hub, copied there by the postinst when it is missing.
install(FILES ${SETIA_PKG_DIR}/systemd/setia-hub.default DESTINATION share/setia-hub RENAME default
        COMPONENT setia-hub)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${SETIA_PKG_DIR}/systemd/setia-hub.service)

# Desktop entry, AppStream metadata, icon (the ids follow the reverse-DNS rule of AppStream).
install(FILES ${SETIA_PKG_DIR}/desktop/id.setia.Terminal.desktop
        DESTINATION share/applications COMPONENT setia)
install(FILES ${SETIA_PKG_DIR}/desktop/id.setia.Terminal.metainfo.xml
        DESTINATION share/metainfo COMPONENT setia)
install(FILES ${SETIA_PKG_DIR}/desktop/id.setia.Terminal.svg
        DESTINATION share/icons/hicolor/scalable/apps COMPONENT setia)

# Docs. Every package needs its own copyright file and a changelog (lintian: no-copyright-file,
# no-changelog), gzip'd with -n so the package is the same byte for byte on every build.
set(_setia_version "${PROJECT_VERSION}-${SETIA_DEB_REVISION}")
if(DEFINED ENV{SOURCE_DATE_EPOCH})
  set(_setia_when_epoch $ENV{SOURCE_DATE_EPOCH})
else()
  execute_process(COMMAND git -C ${CMAKE_SOURCE_DIR} log -1 --format=%ct
                  OUTPUT_VARIABLE _setia_when_epoch OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
endif()
if(_setia_when_epoch MATCHES "^[0-9]+$")
  execute_process(COMMAND date -u -R -d @${_setia_when_epoch} OUTPUT_VARIABLE _setia_when OUTPUT_STRIP_TRAILING_WHITESPACE)
else()
  string(TIMESTAMP _setia_when "%a, %d %b %Y %H:%M:%S +0000" UTC)
endif()
foreach(pkg IN ITEMS setia setia-agent setia-hub)
  set(_dir ${CMAKE_BINARY_DIR}/packaging/doc/${pkg})
  file(MAKE_DIRECTORY ${_dir})
  file(WRITE ${_dir}/changelog.Debian
    "${pkg} (${_setia_version}) bookworm; urgency=medium\n\n"
    "  * Built from the Setia source tree with CPack (packaging/Packaging.cmake).\n\n"
    " -- ${SETIA_DEB_MAINTAINER}  ${_setia_when}\n")
  execute_process(COMMAND gzip -9nf ${_dir}/changelog.Debian RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "Packaging: gzip of ${_dir}/changelog.Debian failed")
  endif()
  install(FILES ${SETIA_PKG_DIR}/debian/copyright ${_dir}/changelog.Debian.gz
          DESTINATION share/doc/${pkg} COMPONENT ${pkg})
endforeach()
install(FILES ${CMAKE_SOURCE_DIR}/docs/install.md ${CMAKE_SOURCE_DIR}/docs/terminal.md
              ${CMAKE_SOURCE_DIR}/docs/cli.md ${CMAKE_SOURCE_DIR}/docs/hardware.md
        DESTINATION share/doc/setia COMPONENT setia)
# setia-agent.service's Documentation= points here.
install(FILES ${CMAKE_SOURCE_DIR}/docs/agent.md DESTINATION share/doc/setia-agent COMPONENT setia-agent)
# setia-hub.service's Documentation= points to sync.md; install.md has "Installing the hub".
install(FILES ${CMAKE_SOURCE_DIR}/docs/sync.md ${CMAKE_SOURCE_DIR}/docs/install.md
              ${CMAKE_SOURCE_DIR}/docs/api/hub-openapi.yaml
        DESTINATION share/doc/setia-hub COMPONENT setia-hub)

# The till's two postrm scripts share the purge guard (debian/purge-store.sh), the postinst
# scripts of setia and setia-hub the system user (debian/system-user.sh), pasted in here so each
# script stands alone, as dpkg runs it.
# The preinst scripts of setia and setia-agent share the copy of the previous version's binaries
# (debian/keep-previous.sh). @_setia_version@ in a script is this package's version.
file(READ ${SETIA_PKG_DIR}/debian/purge-store.sh _setia_purge_store)
file(READ ${SETIA_PKG_DIR}/debian/system-user.sh _setia_system_user)
file(READ ${SETIA_PKG_DIR}/debian/keep-previous.sh _setia_keep_previous)
foreach(script IN ITEMS setia/preinst setia-agent/preinst setia/postrm setia-agent/postrm setia/postinst setia-hub/postinst)
  file(READ ${SETIA_PKG_DIR}/debian/${script} _text)
  string(REPLACE "#SETIA_PURGE_STORE#\n" "${_setia_purge_store}" _text "${_text}")
  string(REPLACE "#SETIA_SYSTEM_USER#\n" "${_setia_system_user}" _text "${_text}")
  string(REPLACE "#SETIA_KEEP_PREVIOUS#\n" "${_setia_keep_previous}" _text "${_text}")
  if(_text MATCHES "#SETIA_[A-Z_]+#")
    message(FATAL_ERROR "Packaging: debian/${script} has a marker that is not replaced: ${CMAKE_MATCH_0}")
  endif()
  file(CONFIGURE OUTPUT ${CMAKE_BINARY_DIR}/packaging/debian/${script} CONTENT "${_text}" @ONLY)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${SETIA_PKG_DIR}/debian/${script})
endforeach()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
  ${SETIA_PKG_DIR}/debian/purge-store.sh ${SETIA_PKG_DIR}/debian/system-user.sh ${SETIA_PKG_DIR}/debian/keep-previous.sh)

# Manual pages, gzip'd reproducibly.
foreach(page IN ITEMS setia:setia setiactl:setia setia-agent:setia-agent setia-hub:setia-hub)
  string(REPLACE ":" ";" page "${page}")
  list(GET page 0 _name)
  list(GET page 1 _comp)
  set(_man ${CMAKE_BINARY_DIR}/packaging/man/${_name}.1)
  configure_file(${SETIA_PKG_DIR}/man/${_name}.1 ${_man} COPYONLY)
  execute_process(COMMAND gzip -9nf ${_man} RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "Packaging: gzip of ${_man} failed")
  endif()
  install(FILES ${_man}.gz DESTINATION share/man/man1 COMPONENT ${_comp})
endforeach()

# lintian overrides: tags that do not apply to packages made outside the Debian archive.
foreach(pkg IN ITEMS setia setia-agent setia-hub)
  file(CONFIGURE OUTPUT ${CMAKE_BINARY_DIR}/packaging/lintian/${pkg} CONTENT
"# Not an upload to Debian: there are no Debian bugs to close.
${pkg}: initial-upload-closes-no-bugs
")
  install(FILES ${CMAKE_BINARY_DIR}/packaging/lintian/${pkg} DESTINATION share/lintian/overrides COMPONENT ${pkg})
endforeach()

# ---- CPack

# `cpack` (and `cmake --install`) install what is built and do not build `all` first:
# check-packages.sh builds the four executables, nothing else (tests are not packaged).
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME setia)
set(CPACK_PACKAGE_VENDOR "Setia")
set(CPACK_PACKAGE_CONTACT "${SETIA_DEB_MAINTAINER}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
# CPack's own default summary: with it, CPackDeb does not put the project's DESCRIPTION in front
# of each package's description (each has its own synopsis, the first line below).
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${CMAKE_PROJECT_NAME} built using CMake")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/packages)
set(CPACK_COMPONENTS_ALL setia setia-agent setia-hub)
set(CPACK_DEB_COMPONENT_INSTALL ON)
# Absolute destinations (/lib/udev, /lib/systemd) are meant: no warning for them.
set(CPACK_WARN_ON_ABSOLUTE_INSTALL_DESTINATION OFF)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)                    # name_version-revision_arch.deb
set(CPACK_DEBIAN_PACKAGE_RELEASE ${SETIA_DEB_REVISION})
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${SETIA_DEB_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://setia.id/")
# Shared-library dependencies from dpkg-shlibdeps (libqt6*, libzxing2, libusb-1.0-0, libpcsclite1,
# libssl3, libsqlite3-0, libc6, libstdc++6 ... with the versions Debian 12 needs); plugins that are
# loaded at run time are not seen by it and are listed by hand below.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)
# Maintainer scripts 0755, control files 0644 (lintian: control-file-has-bad-permissions).
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)

set(CPACK_DEBIAN_SETIA_PACKAGE_NAME setia)
set(CPACK_DEBIAN_SETIA_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_SETIA_DESCRIPTION [[offline-first loyalty terminal for stores
Setia is the loyalty terminal on a store's till: members are found by card,
QR code or phone, points are earned and redeemed in a local SQLite ledger
that never loses or double-counts a point, and the till keeps working when
the network is down.

This package holds the terminal app (setia), the administration command line
(setiactl), udev rules that give the seat's user access to supported USB
barcode scanners and receipt printers, and the desktop entry. It creates the
system user setia and /var/lib/setia. A store is provisioned by its own small
package, made with make-store-package.sh.
]])
# qt6 plugins loaded at run time: the SQLite driver (the store is opened through Qt Sql);
# the platform plugins (xcb, offscreen) and the GStreamer multimedia plugin are in
# libqt6gui6 and libqt6multimedia6, which dpkg-shlibdeps finds.
set(CPACK_DEBIAN_SETIA_PACKAGE_DEPENDS "adduser, libqt6sql6-sqlite")
# pcscd: contactless card readers; the GStreamer plugins: the camera scanner (v4l2src).
set(CPACK_DEBIAN_SETIA_PACKAGE_RECOMMENDS "pcscd, gstreamer1.0-plugins-good")
set(CPACK_DEBIAN_SETIA_PACKAGE_CONTROL_EXTRA
    ${CMAKE_BINARY_DIR}/packaging/debian/setia/preinst ${CMAKE_BINARY_DIR}/packaging/debian/setia/postinst
    ${CMAKE_BINARY_DIR}/packaging/debian/setia/postrm)

set(CPACK_DEBIAN_SETIA-AGENT_PACKAGE_NAME setia-agent)
set(CPACK_DEBIAN_SETIA-AGENT_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_SETIA-AGENT_DESCRIPTION [[loyalty service of Setia for the store's POS software
setia-agent is the local API of the Setia loyalty terminal for a store's own
POS software: it listens on 127.0.0.1:8787 only, with a bearer token, and
runs as the system user setia under systemd (setia-agent.service) with a
read-only system around it. It also takes USB barcode scanners, receipt
printers and contactless readers (PC/SC) for the POS.
]])
set(CPACK_DEBIAN_SETIA-AGENT_PACKAGE_DEPENDS "setia (= ${_setia_version}), libqt6sql6-sqlite")
set(CPACK_DEBIAN_SETIA-AGENT_PACKAGE_RECOMMENDS "pcscd")
set(CPACK_DEBIAN_SETIA-AGENT_PACKAGE_CONTROL_EXTRA
    ${CMAKE_BINARY_DIR}/packaging/debian/setia-agent/preinst ${SETIA_PKG_DIR}/debian/setia-agent/postinst
    ${SETIA_PKG_DIR}/debian/setia-agent/prerm ${CMAKE_BINARY_DIR}/packaging/debian/setia-agent/postrm)

set(CPACK_DEBIAN_SETIA-HUB_PACKAGE_NAME setia-hub)
set(CPACK_DEBIAN_SETIA-HUB_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_SETIA-HUB_PACKAGE_SECTION net)
set(CPACK_DEBIAN_SETIA-HUB_DESCRIPTION [[central sync server of the Setia loyalty terminals
setia-hub is the server a chain's Setia terminals sync with: they push their
signed ledger events and pull the change feed (members, cards, vouchers,
programs from the other stores) and their offline redemption lease. It keeps
the chain's data in SQLite or PostgreSQL; several hub processes can share one
PostgreSQL database.

It runs as the system user setia under systemd (setia-hub.service), on
127.0.0.1:8470 behind a TLS proxy such as nginx, with a read-only system
around it. The options are in /etc/default/setia-hub; the operator's token is
made in /etc/setia/hub-operator.token at installation.
]])
# Qt loads the SQL driver as a plugin (invisible to dpkg-shlibdeps): SQLite by default,
# PostgreSQL with --postgres; the hub needs one of the two and the package cannot know which.
# No Recommends: postgresql: the default is SQLite, and a PostgreSQL for several hubs is
# usually on a machine of its own; Recommends would install and start a database server on
# every hub by default. nginx: the TLS proxy in front of the hub (any proxy does).
set(CPACK_DEBIAN_SETIA-HUB_PACKAGE_DEPENDS "adduser, libqt6sql6-sqlite, libqt6sql6-psql")
set(CPACK_DEBIAN_SETIA-HUB_PACKAGE_SUGGESTS "postgresql, nginx")
set(CPACK_DEBIAN_SETIA-HUB_PACKAGE_CONTROL_EXTRA
    ${CMAKE_BINARY_DIR}/packaging/debian/setia-hub/postinst ${SETIA_PKG_DIR}/debian/setia-hub/prerm
    ${SETIA_PKG_DIR}/debian/setia-hub/postrm)

include(CPack)
