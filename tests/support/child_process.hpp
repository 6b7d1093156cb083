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

}  // namespace pgqrs::testing
