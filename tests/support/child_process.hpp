#pragma once
// Tests that need real processes (several writers on one SQLite file, a consumer killed with SIGKILL) run
// their own binary again in a child mode: main() dispatches on argv[1] before GoogleTest sees it.

#include <sys/types.h>

#include <string>
#include <vector>

namespace pgqrs::testing {

/// Starts this test binary again with `args` (argv[1..]), its stdout written to `stdout_path` when given.
/// @throws std::runtime_error if it cannot start
pid_t spawn_self(const std::vector<std::string>& args, const std::string& stdout_path = {});

/// Waits for the child; returns its exit code, or 128 + signal number if a signal ended it.
int wait_for(pid_t pid);

/// What a program run to its end printed, and how it ended.
struct program_result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs `path` with `args` (argv[1..]) in this process's environment, stdin from /dev/null, and waits for it.
/// @throws std::runtime_error if it cannot start
program_result run_program(const std::string& path, const std::vector<std::string>& args);

}  // namespace pgqrs::testing
