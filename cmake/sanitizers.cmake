# Sanitizer and fuzzer builds (issue 14): scripts/sanitize.sh and scripts/fuzz.sh configure build trees of
# their own with these; normal builds leave both empty.
#
#   PGQRS_SANITIZE="address;undefined"   ASan + UBSan on everything this project compiles (GCC or Clang)
#   PGQRS_SANITIZE="thread"              TSan
#   PGQRS_BUILD_FUZZERS=ON               libFuzzer targets under tests/fuzz (Clang only); the library is
#                                        instrumented for coverage (-fsanitize=fuzzer-no-link) and built with
#                                        ASan + UBSan unless PGQRS_SANITIZE says otherwise.
#
# Flags go on every target through add_compile_options/add_link_options, so the library, the tests and the
# tools are instrumented alike; third-party libraries (libpq, libsqlite3, the Turso engine) are not, which
# ASan and UBSan tolerate (TSan may then report races inside them: scripts/sanitize.sh has a suppressions file).

set(PGQRS_SANITIZE "" CACHE STRING "Sanitizers for every target, e.g. \"address;undefined\" or \"thread\"")
option(PGQRS_BUILD_FUZZERS "Build the libFuzzer targets of tests/fuzz (needs Clang)" OFF)

if(PGQRS_BUILD_FUZZERS)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "PGQRS_BUILD_FUZZERS needs Clang (libFuzzer); configure with CXX=clang++ "
                        "(Debian: apt-get install clang libclang-rt-dev), or use scripts/fuzz.sh")
  endif()
  if(NOT PGQRS_SANITIZE)
    set(PGQRS_SANITIZE address undefined)
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

if(PGQRS_SANITIZE)
  if("thread" IN_LIST PGQRS_SANITIZE AND "address" IN_LIST PGQRS_SANITIZE)
    message(FATAL_ERROR "PGQRS_SANITIZE: thread and address sanitizers cannot be combined")
  endif()
  list(JOIN PGQRS_SANITIZE "," _pgqrs_sanitizers)
  # No recovery: a UBSan finding fails the test that hit it instead of scrolling past in its log.
  add_compile_options(-fsanitize=${_pgqrs_sanitizers} -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${_pgqrs_sanitizers})
  message(STATUS "pgqrs: sanitizers ${_pgqrs_sanitizers}")
endif()
