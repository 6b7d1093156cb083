#pragma once
// How the SQLite family waits for a lock another connection (or process) holds: short sleeps growing from
// 50 µs to 2 ms, with jitter so competing processes do not retry in lockstep, until the busy timeout has
// passed. Engines never wait themselves (see engine.hpp); this is the one waiting policy.

#include <chrono>
#include <cstdint>

namespace pgqrs::detail::sqlite_family {

class busy_wait {
 public:
  busy_wait(std::chrono::milliseconds timeout, std::uint64_t& rng_state)
      : m_timeout(timeout), m_rng(rng_state), m_started(std::chrono::steady_clock::now()) {}

  /// Sleeps before the next attempt. @returns false (without sleeping) once the timeout has passed
  bool sleep();

 private:
  std::chrono::milliseconds m_timeout;
  std::uint64_t& m_rng;
  std::chrono::steady_clock::time_point m_started;
  int m_attempts = 0;
};

/// Calls `attempt()` until it succeeds, sleeping while it fails with fault::busy and the timeout allows.
/// Only for calls that can be repeated from scratch after a busy failure (BEGIN IMMEDIATE, COMMIT, an
/// autocommit read that returned no row yet, an open-time pragma).
template <typename Attempt>
auto retry_while_busy(std::chrono::milliseconds timeout, std::uint64_t& rng_state, Attempt&& attempt)
    -> decltype(attempt());

}  // namespace pgqrs::detail::sqlite_family

#include "sqlite_family/busy_wait_impl.hpp"
