# `cmake --install` puts the two libraries, their headers, the executables and a
# CMake package config (with a version file) into the prefix.
include(CMakePackageConfigHelpers)

set(package_dir "${CMAKE_INSTALL_LIBDIR}/cmake/SettingsSessions")

install(TARGETS settings session EXPORT SettingsSessionsTargets
    ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}"
    INCLUDES DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/settings-sessions")
# Under a folder of the project's own name, so `settings/` and `session/` never
# collide with another package's headers in a shared prefix.
install(DIRECTORY "${PROJECT_SOURCE_DIR}/libsettings/include/"
                  "${PROJECT_SOURCE_DIR}/libsession/include/"
    DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/settings-sessions")
install(TARGETS settings-service settingsctl RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
install(EXPORT SettingsSessionsTargets
    NAMESPACE SettingsSessions::
    DESTINATION "${package_dir}")

configure_package_config_file(
    "${PROJECT_SOURCE_DIR}/cmake/SettingsSessionsConfig.cmake.in"
    "${PROJECT_BINARY_DIR}/SettingsSessionsConfig.cmake"
    INSTALL_DESTINATION "${package_dir}")
write_basic_package_version_file(
    "${PROJECT_BINARY_DIR}/SettingsSessionsConfigVersion.cmake"
    COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/SettingsSessionsConfig.cmake"
              "${PROJECT_BINARY_DIR}/SettingsSessionsConfigVersion.cmake"
    DESTINATION "${package_dir}")
