# Turso engine (the Rust rewrite of SQLite) through its C ABI, the crates.io crate `turso_sdk_kit`.
#
# What this provides when PGQRS_WITH_TURSO is ON (include it after add_library(pgqrs)):
#   pgqrs::turso_engine_sys  IMPORTED static library: the engine (libpgqrs_turso_engine_sys.a, built by cargo
#                            from src/turso/rust) plus turso.h on its include path, linked with pthread/dl/m.
#   in the pgqrs library     our C++ RAII layer over it (src/turso/turso_engine.cpp, pgqrs::detail::turso), the
#                            SQLite-family engine adapter and the turso:// driver (open_turso), PGQRS_HAVE_TURSO.
#
# Why it is built this way:
#   * The engine is Rust; a release build takes minutes on 2 cores. cargo's target directory therefore lives in
#     a cache OUTSIDE the clone (PGQRS_CARGO_TARGET_DIR, default $HOME/.cache/pgqrs/cargo-target), shared by
#     every clone and build tree of this machine, so a fresh build directory costs seconds, not minutes.
#   * cargo runs on every build (a no-op check takes well under a second) and decides itself what is stale:
#     CMake cannot see the Rust dependency graph. Its output is copied into this build tree, so another clone
#     building a different lock file into the shared cache cannot swap the library under our link step.
#   * turso.h is not vendored: it is taken from the very crate version cargo resolved from Cargo.lock (its
#     source in the cargo registry) at configure time, so header and engine always match.
#   * Symbols are `turso_*`, so the engine links next to libsqlite3 without clashes (never use the
#     `turso_sqlite3` crate: it exports `sqlite3_*`).

if(NOT PGQRS_WITH_TURSO)
  return()
endif()

set(PGQRS_CARGO_TARGET_DIR "$ENV{HOME}/.cache/pgqrs/cargo-target" CACHE PATH
    "cargo target directory for the Turso engine (kept outside the clone, shared between build trees)")
set(PGQRS_CARGO_JOBS "2" CACHE STRING "Parallel rustc jobs for the Turso engine build (CARGO_BUILD_JOBS)")

set(_pgqrs_cargo_hints)
if(DEFINED ENV{CARGO_HOME})
  list(APPEND _pgqrs_cargo_hints "$ENV{CARGO_HOME}/bin")
endif()
list(APPEND _pgqrs_cargo_hints "$ENV{HOME}/.cargo/bin")
find_program(PGQRS_CARGO cargo HINTS ${_pgqrs_cargo_hints})
if(NOT PGQRS_CARGO)
  message(FATAL_ERROR "PGQRS_WITH_TURSO=ON needs cargo (https://rustup.rs); not found in PATH or ~/.cargo/bin")
endif()
get_filename_component(_pgqrs_cargo_bin "${PGQRS_CARGO}" DIRECTORY)

set(_pgqrs_turso_crate "${PROJECT_SOURCE_DIR}/src/turso/rust")
set(_pgqrs_turso_gen "${PROJECT_BINARY_DIR}/generated/turso")
# cargo runs in an environment of its own (`env -i` and the variables below), the same whoever builds: the
# build scripts of the engine's C dependencies (simsimd through the cc crate) declare rerun-if-env-changed on
# CC, CFLAGS, AR, CPATH and a dozen more, so the C++ build (scripts/build.sh) and the wheel build (pip, scikit-build-core) used to invalidate each
# other's cache in the shared target directory and rebuild the engine (minutes) on every switch.
# rustup's cargo proxy finds rustc through PATH, so the cargo directory leads it (an IDE may not have
# ~/.cargo/bin on PATH); where rustup, cargo's registry and a proxy live are passed through when set.
set(_pgqrs_cargo_env)
set(_pgqrs_cargo_passthrough HOME CARGO_HOME RUSTUP_HOME RUSTUP_TOOLCHAIN http_proxy https_proxy HTTP_PROXY
    HTTPS_PROXY no_proxy NO_PROXY SSL_CERT_FILE SSL_CERT_DIR)
foreach(_var IN LISTS _pgqrs_cargo_passthrough)
  if(DEFINED ENV{${_var}})
    list(APPEND _pgqrs_cargo_env "${_var}=$ENV{${_var}}")
  endif()
endforeach()
list(APPEND _pgqrs_cargo_env "PATH=${_pgqrs_cargo_bin}:/usr/local/bin:/usr/bin:/bin"
     "CARGO_TARGET_DIR=${PGQRS_CARGO_TARGET_DIR}" "CARGO_BUILD_JOBS=${PGQRS_CARGO_JOBS}")
find_program(PGQRS_ENV_PROGRAM env REQUIRED)

# ---- configure time: resolve the locked turso_sdk_kit and take its turso.h --------------------------------
# `cargo metadata` downloads the locked sources into the registry (~/.cargo/registry/src/...) if needed and
# reports where each package's manifest is.
execute_process(
  COMMAND ${PGQRS_ENV_PROGRAM} -i ${_pgqrs_cargo_env}
          ${PGQRS_CARGO} metadata --format-version 1 --locked --manifest-path "${_pgqrs_turso_crate}/Cargo.toml"
  OUTPUT_VARIABLE _pgqrs_turso_metadata
  ERROR_VARIABLE _pgqrs_turso_metadata_err
  RESULT_VARIABLE _pgqrs_turso_metadata_rc)
if(NOT _pgqrs_turso_metadata_rc EQUAL 0)
  message(FATAL_ERROR "cargo metadata for src/turso/rust failed:\n${_pgqrs_turso_metadata_err}")
endif()
# The registry directory of a package is named <name>-<version>; only turso_sdk_kit's manifest matches.
string(REGEX MATCH "\"manifest_path\":\"([^\"]*/turso_sdk_kit-([0-9][^\"/]*))/Cargo.toml\"" _pgqrs_match
       "${_pgqrs_turso_metadata}")
if(NOT _pgqrs_match)
  message(FATAL_ERROR "cargo metadata did not list turso_sdk_kit (is src/turso/rust/Cargo.lock intact?)")
endif()
set(PGQRS_TURSO_SDK_KIT_DIR "${CMAKE_MATCH_1}")
set(PGQRS_TURSO_VERSION "${CMAKE_MATCH_2}")
if(NOT EXISTS "${PGQRS_TURSO_SDK_KIT_DIR}/turso.h")
  message(FATAL_ERROR "turso_sdk_kit ${PGQRS_TURSO_VERSION} has no turso.h in ${PGQRS_TURSO_SDK_KIT_DIR}")
endif()
# Copied, not included from the registry: the include path then holds turso.h alone, and a changed header
# (a different locked version) re-triggers configure through configure_file's dependency tracking.
configure_file("${PGQRS_TURSO_SDK_KIT_DIR}/turso.h" "${_pgqrs_turso_gen}/include/turso.h" COPYONLY)
set_property(DIRECTORY "${PROJECT_SOURCE_DIR}" APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
             "${_pgqrs_turso_crate}/Cargo.toml" "${_pgqrs_turso_crate}/Cargo.lock")
message(STATUS "Turso engine: turso_sdk_kit ${PGQRS_TURSO_VERSION}, cargo target dir ${PGQRS_CARGO_TARGET_DIR}")

# ---- build time: cargo build --release --locked ----------------------------------------------------------
set(_pgqrs_turso_cargo_lib "${PGQRS_CARGO_TARGET_DIR}/release/libpgqrs_turso_engine_sys.a")
set(PGQRS_TURSO_ENGINE_LIB "${_pgqrs_turso_gen}/libpgqrs_turso_engine_sys.a")
add_custom_target(pgqrs_turso_engine_cargo
  COMMAND ${PGQRS_ENV_PROGRAM} -i ${_pgqrs_cargo_env}
          ${PGQRS_CARGO} build --release --locked --manifest-path "${_pgqrs_turso_crate}/Cargo.toml"
  COMMAND ${CMAKE_COMMAND} -E copy_if_different "${_pgqrs_turso_cargo_lib}" "${PGQRS_TURSO_ENGINE_LIB}"
  BYPRODUCTS "${PGQRS_TURSO_ENGINE_LIB}"
  WORKING_DIRECTORY "${_pgqrs_turso_crate}"
  COMMENT "cargo build --release: turso_sdk_kit ${PGQRS_TURSO_VERSION} (cold: minutes; warm: about a second)"
  USES_TERMINAL
  VERBATIM)

add_library(pgqrs_turso_engine_sys STATIC IMPORTED GLOBAL)
set_target_properties(pgqrs_turso_engine_sys PROPERTIES
  IMPORTED_LOCATION "${PGQRS_TURSO_ENGINE_LIB}"
  INTERFACE_INCLUDE_DIRECTORIES "${_pgqrs_turso_gen}/include")
# The native libraries a Rust std staticlib needs on Linux/glibc (`rustc --print native-static-libs` says
# -ldl -lgcc_s -lutil -lrt -lpthread -lm -lc; the compiler driver adds libc and libgcc_s itself).
target_link_libraries(pgqrs_turso_engine_sys INTERFACE Threads::Threads ${CMAKE_DL_LIBS} m rt util)
add_dependencies(pgqrs_turso_engine_sys pgqrs_turso_engine_cargo)
add_library(pgqrs::turso_engine_sys ALIAS pgqrs_turso_engine_sys)

# ---- our C++ layer over turso.h, and the Turso backend: part of the pgqrs library ----------------------------
target_sources(pgqrs PRIVATE src/turso/turso_engine.cpp src/turso/turso_family_engine.cpp
  src/turso/turso_database.cpp)
target_compile_definitions(pgqrs PRIVATE PGQRS_HAVE_TURSO=1)
# PRIVATE keeps turso.h off our includers' include paths; a static libpgqrs still forwards the archive to the
# final link ($<LINK_ONLY:pgqrs_turso_engine_sys>). Installed, the archive sits next to libpgqrs and
# pgqrsConfig.cmake re-creates this imported target around it.
target_link_libraries(pgqrs PRIVATE pgqrs_turso_engine_sys)
install(FILES "${PGQRS_TURSO_ENGINE_LIB}" DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT library)
