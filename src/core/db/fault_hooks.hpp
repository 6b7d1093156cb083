#pragma once
// Faults a test can arm so that the paths real failures take run on demand: a connection lost while a COMMIT
// is in flight cannot be timed from outside. When nothing is armed a hook costs one relaxed atomic load per
// commit. Only tests (through tests/support) arm them.

#include <atomic>

namespace pgqrs::detail {

struct fault_hooks {
  /// The next N commits, after being sent (PostgreSQL: the connection is cut once the COMMIT is on the wire)
  /// or executed (SQLite family: reported as an I/O error), leave their outcome unknown to the caller.
  static inline std::atomic<int> commits_to_lose{0};

  /// Consumes one armed commit loss. @returns whether this commit must be lost
  static bool take_commit_loss() noexcept {
    int n = commits_to_lose.load(std::memory_order_relaxed);
    while (n > 0) {
      if (commits_to_lose.compare_exchange_weak(n, n - 1, std::memory_order_relaxed)) return true;
    }
    return false;
  }
};

}  // namespace pgqrs::detail
