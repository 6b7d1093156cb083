#pragma once
// How long-running loops (handler poll loops, later workflow workers) treat failures that go away by
// themselves: a lost connection, a restarting server, a busy SQLite file. They back off and go on, on the
// same store and worker; they never end because of one (DESIGN decision 7).

#include <algorithm>
#include <chrono>

#include "pgqrs/errors.hpp"

namespace pgqrs::detail {

/// Failures a loop waits out: retryable ones, and in-doubt commits (the loop's next claim or the lease
/// expiry settles what happened to the message).
[[nodiscard]] inline bool is_transient(const error& e) noexcept {
  return e.retryable() || e.code() == error_code::in_doubt;
}

/// Exponential backoff between attempts: 100 ms doubling to 5 s, reset after a success.
class backoff {
 public:
  [[nodiscard]] std::chrono::milliseconds next() {
    const auto d = m_delay;
    m_delay = std::min(m_delay * 2, max_delay);
    ++m_failures;
    return d;
  }
  void reset() {
    m_delay = first_delay;
    m_failures = 0;
  }
  /// Consecutive failures since the last reset.
  [[nodiscard]] int failures() const { return m_failures; }

  static constexpr std::chrono::milliseconds first_delay{100};
  static constexpr std::chrono::milliseconds max_delay{5000};

 private:
  std::chrono::milliseconds m_delay = first_delay;
  int m_failures = 0;
};

}  // namespace pgqrs::detail
