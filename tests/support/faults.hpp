#pragma once
// Arming the library's fault hooks from tests (src/core/db/fault_hooks.hpp).

namespace pgqrs::testing {

/// The next `n` commits of this process lose their outcome: PostgreSQL cuts the connection right after
/// sending COMMIT; the SQLite family commits, then reports an I/O error.
void lose_next_commits(int n);
/// Disarms whatever is left.
void clear_faults();

}  // namespace pgqrs::testing
