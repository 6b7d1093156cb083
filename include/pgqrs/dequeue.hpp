#pragma once
/// @file dequeue.hpp
/// `pgqrs::dequeue()` — fetch, poll, and handler loops (spec §3.8).
///
/// Handlers report failure by throwing: the message is released (ready again now) and the exception is
/// rethrown to the caller. While a handler runs, a background thread keeps the worker's heartbeat and the
/// message leases alive (lease renewed every lease/3), so a slow handler is never delivered twice
/// concurrently.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "pgqrs/consumer.hpp"
#include "pgqrs/store.hpp"
#include "pgqrs/types.hpp"

namespace pgqrs {

using message_handler = std::function<void(const queue_message&)>;
using batch_handler = std::function<void(const std::vector<queue_message>&)>;

class dequeue_builder;

/// `.handle(f)` / `.handle_batch(f)` of a dequeue builder.
class dequeue_handler {
 public:
  /// One immediate fetch; runs the handler if something was leased; archives on success, releases and
  /// rethrows on failure. @returns whether a message (batch) was handled
  bool execute(const store& s) const;
  /// Long-running loop: waits for messages, handles, archives, repeats. Ends by throwing: `suspended` after
  /// `consumer.interrupt()` or suspend (from any process), or the handler's exception after releasing.
  /// @throws validation_error if until() was set
  void poll(const store& s) const;
  /// Same, and returns normally (worker back to ready) once `stop` is requested.
  void poll(const store& s, std::stop_token stop) const;

 private:
  friend class dequeue_builder;
  dequeue_handler(const dequeue_builder& b, message_handler single, batch_handler batch);
  void run_loop(const store& s, std::stop_token stop) const;
  /// @throws validation_error for a single-message handler with a batch above 1
  void check_handler_batch() const;

  std::shared_ptr<const dequeue_builder> m_builder;
  message_handler m_single;
  batch_handler m_batch;
};

class dequeue_builder {
 public:
  /// Lease through a consumer of this store cached per queue (reused across calls; released and stopped
  /// when the store is closed).
  dequeue_builder& from(std::string queue);
  dequeue_builder& worker(const consumer& c);
  /// Messages per fetch (default 1).
  dequeue_builder& batch(std::size_t n);
  /// Lease length (default 30 s; 5 s with at()).
  dequeue_builder& with_vt(std::chrono::milliseconds lease);
  /// Sleep between empty polls (default config.poll_interval_ms).
  dequeue_builder& poll_interval(std::chrono::milliseconds interval);
  /// Upper bound of poll()'s wait; without it poll() waits until something arrives.
  dequeue_builder& until(std::chrono::milliseconds max_wait);
  /// Use `t` as "now".
  dequeue_builder& at(timestamp t);

  /// One immediate attempt. @throws suspended if the worker is interrupted (it becomes suspended) or
  /// suspended
  [[nodiscard]] std::optional<queue_message> fetch_one(const store& s) const;
  [[nodiscard]] std::vector<queue_message> fetch_all(const store& s) const;
  /// Waits (polling every poll_interval, heartbeating every heartbeat_interval) until at least one message
  /// is leased or until() expires (then returns empty). Worker: ready → polling → ready.
  /// @throws suspended, state_transition_error, validation_error (batch 0)
  [[nodiscard]] std::vector<queue_message> poll(const store& s) const;

  /// @throws validation_error at execute/poll time if batch != 1
  [[nodiscard]] dequeue_handler handle(message_handler f) const;
  [[nodiscard]] dequeue_handler handle_batch(batch_handler f) const;

 private:
  friend class dequeue_handler;
  consumer resolve(const store& s) const;
  std::vector<queue_message> fetch(const consumer& c, const store& s) const;
  std::chrono::milliseconds lease(const store& s) const;
  std::chrono::milliseconds interval(const store& s) const;
  /// @throws validation_error for batch 0 (polls; fetches check it with the other dequeue arguments)
  void check_poll_batch() const;

  std::optional<std::string> m_queue;
  std::optional<consumer> m_consumer;
  std::size_t m_batch = 1;
  std::optional<std::chrono::milliseconds> m_lease;
  std::optional<std::chrono::milliseconds> m_poll_interval;
  std::optional<std::chrono::milliseconds> m_until;
  std::optional<timestamp> m_at;
};

[[nodiscard]] inline dequeue_builder dequeue() {
  return {};
}

}  // namespace pgqrs
