# pgqrs_require_package(<find_package arguments...> DEBIAN <package> [HINT <text>])
# find_package() that, when the package is missing, stops with a message naming what to install (the Debian
# package; scripts/install-deps.sh installs them all) instead of CMake's "Could NOT find X (missing:
# X_LIBRARY X_INCLUDE_DIR)". A `pip install .` shows the same message. A macro, so the variables the find
# module sets stay visible to the caller.
macro(pgqrs_require_package _pgqrs_name)
  cmake_parse_arguments(_pgqrs_req "" "DEBIAN;HINT" "" ${ARGN})
  find_package(${_pgqrs_name} ${_pgqrs_req_UNPARSED_ARGUMENTS} QUIET)
  if(NOT ${_pgqrs_name}_FOUND)
    set(_pgqrs_msg "pgqrs needs the development files of ${_pgqrs_name} and could not find them.\n"
                   "  Debian/Ubuntu: apt-get install ${_pgqrs_req_DEBIAN}\n"
                   "  (scripts/install-deps.sh installs every package the build and the tests need)")
    if(_pgqrs_req_HINT)
      string(APPEND _pgqrs_msg "\n  ${_pgqrs_req_HINT}")
    endif()
    message(FATAL_ERROR ${_pgqrs_msg})
  endif()
endmacro()
