#pragma once
// What every poll loop shares (the dequeue handler loops and the workflow worker loops): the worker status
// rules that end a loop (spec §3.8), membership of several loops in one consumer's `polling` state, and
// waiting out database trouble with logged backoff.

#include <chrono>
#include <cstdint>
#include <stop_token>

#include "core/api/store_state.hpp"
#include "core/common/retry.hpp"
#include "pgqrs/errors.hpp"

namespace pgqrs::detail {

/// An interrupted worker is moved to suspended and the caller stops with `suspended("worker interrupted")`;
/// a suspended (or, with `stopped_too`, stopped) one stops too. @throws suspended
void stop_if_not_running(const store_core& core, std::int64_t worker_id, bool stopped_too);
/// Whether the worker may take more work (not interrupted, suspended or stopped); changes nothing.
[[nodiscard]] bool may_take_work(const store_core& core, std::int64_t worker_id);

/// Sleeps `d` unless `stop` is requested first. @returns false if stopped
bool sleep_for(std::chrono::milliseconds d, const std::stop_token& stop);

/// One poll loop's share of a consumer handle that several loops (threads) may poll through at once: the
/// first loop to start moves the worker to polling, the last one to finish normally moves it back to ready.
/// A loop that ends by throwing just leaves.
class poll_membership {
 public:
  poll_membership(const store_core& core, worker_state& ws);
  poll_membership(const poll_membership&) = delete;
  poll_membership& operator=(const poll_membership&) = delete;
  ~poll_membership();
  /// Leaves; the last loop completes the poll (polling → ready). @throws suspended, state_transition_error
  void finish();

 private:
  const store_core& m_core;
  worker_state& m_ws;
  bool m_left = false;
};

/// Counts and logs a failure a loop waits out; returns how long to wait before the next attempt.
std::chrono::milliseconds note_transient(worker_state& ws, backoff& pause, const error& e);
/// Logs the end of a run of failures and resets the backoff.
void note_recovered(worker_state& ws, backoff& pause);

}  // namespace pgqrs::detail
