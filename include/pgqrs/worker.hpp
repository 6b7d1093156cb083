#pragma once
/// @file worker.hpp
/// Common part of producers and consumers: every one is a registered row in `pgqrs_workers` with a status
/// state machine (spec §4.2) used for cooperative shutdown.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "pgqrs/config.hpp"
#include "pgqrs/types.hpp"

namespace pgqrs {

class worker;

namespace detail {
struct worker_state;
class handle_factory;
/// The library's access to a handle's shared state (not part of the public API).
const std::shared_ptr<worker_state>& state_of(const worker& w) noexcept;
}  // namespace detail

/// Not copyable as itself: a copy of a producer or consumer is made as that type, so a `worker` can never be
/// a sliced copy that skips the consumer's rules (e.g. its shutdown check for held leases).
class worker {
 public:
  virtual ~worker() = default;

  [[nodiscard]] std::int64_t worker_id() const;
  [[nodiscard]] const std::string& name() const;
  /// Reads the worker's row. @throws worker_not_found if it was deleted
  [[nodiscard]] pgqrs::worker_record worker_record() const;
  [[nodiscard]] worker_status status() const;

  /// ready|polling|interrupted → suspended. @throws state_transition_error
  void suspend() const;
  /// suspended → ready. @throws state_transition_error
  void resume() const;
  /// suspended → stopped. @throws state_transition_error (consumers: worker_has_pending_messages)
  virtual void shutdown() const;
  /// Records liveness. @throws worker_not_found
  void heartbeat() const;
  /// Whether the last heartbeat is at most `max_age` old.
  [[nodiscard]] bool is_healthy(std::chrono::seconds max_age) const;

  /// The injected time (see with_time of producer/consumer) or the wall clock.
  [[nodiscard]] timestamp current_time() const;
  /// The queue this producer or consumer works on.
  [[nodiscard]] const queue_record& queue() const;
  /// The backend of the store this worker belongs to.
  [[nodiscard]] backend_kind backend() const;

 protected:
  explicit worker(std::shared_ptr<detail::worker_state> state) : m_state(std::move(state)) {}
  worker(const worker&) = default;
  worker(worker&&) noexcept = default;
  worker& operator=(const worker&) = default;
  worker& operator=(worker&&) noexcept = default;
  /// A copy of the derived handle whose "now" is fixed at `t` (producer/consumer::with_time).
  template <typename Self>
  [[nodiscard]] Self copy_with_time(timestamp t) const {
    Self copy = static_cast<const Self&>(*this);
    copy.m_time = t;
    return copy;
  }
  friend const std::shared_ptr<detail::worker_state>& detail::state_of(const worker& w) noexcept;
  std::shared_ptr<detail::worker_state> m_state;
  std::optional<timestamp> m_time;
};

}  // namespace pgqrs
