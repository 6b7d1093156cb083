#pragma once
/// @file consumer.hpp
/// A consumer leases messages from one queue and acknowledges them. A lease is `vt` in the future: until it
/// passes, no other consumer receives the message; after it passes, the message is delivered again and the
/// new lease takes over ownership. Every acknowledgement is ownership-checked and returns false (not an
/// error) when this consumer no longer owns the message.

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "pgqrs/types.hpp"
#include "pgqrs/worker.hpp"

namespace pgqrs {

/// Lease used by dequeue calls that do not name one (the original's effective default).
inline constexpr std::chrono::seconds default_lease{30};

class consumer : public worker {
 public:
  /// A copy whose "now" is fixed at `t`.
  [[nodiscard]] consumer with_time(timestamp t) const;

  /// Leases one message for 30 s. @returns std::nullopt when nothing is ready
  [[nodiscard]] std::optional<queue_message> dequeue() const;
  /// Leases up to `n` messages for 30 s. @throws validation_error for n == 0 or n > default_max_batch_size
  [[nodiscard]] std::vector<queue_message> dequeue_many(std::size_t n) const;
  /// Leases one message for `lease`. @throws validation_error for a non-positive lease
  [[nodiscard]] std::optional<queue_message> dequeue_delay(std::chrono::milliseconds lease) const;
  [[nodiscard]] std::vector<queue_message> dequeue_many_with_delay(std::size_t n, std::chrono::milliseconds lease) const;
  /// Leases as if the time were `now`: messages with vt <= now are ready; the lease ends at now + lease.
  [[nodiscard]] std::vector<queue_message> dequeue_at(std::size_t n, std::chrono::milliseconds lease, timestamp now) const;

  /// Moves the message to the archive. @returns the archived message, or std::nullopt if not owned
  [[nodiscard]] std::optional<queue_message> archive(std::int64_t id) const;
  /// @returns per input id whether it was archived
  [[nodiscard]] std::vector<bool> archive_many(const std::vector<std::int64_t>& ids) const;
  /// Deletes the message. @returns false if not owned
  [[nodiscard]] bool delete_message(std::int64_t id) const;
  [[nodiscard]] std::vector<bool> delete_many(const std::vector<std::int64_t>& ids) const;
  /// Adds `additional` to the message's current vt. @returns false if not owned
  /// @throws validation_error for a negative `additional` (use release_messages to give a message back)
  [[nodiscard]] bool extend_vt(std::int64_t id, std::chrono::milliseconds additional) const;
  [[nodiscard]] std::vector<bool> extend_vt_many(const std::vector<std::int64_t>& ids,
                                   std::chrono::milliseconds additional) const;
  /// Makes owned messages ready now (read count kept). @returns how many were released
  [[nodiscard]] std::uint64_t release_messages(const std::vector<std::int64_t>& ids) const;
  /// Makes an owned message ready at `visible_at`. @returns false if not owned
  [[nodiscard]] bool release_with_visibility(std::int64_t id, timestamp visible_at) const;

  /// ready|polling → polling. @throws state_transition_error
  void poll() const;
  /// polling → ready. @throws state_transition_error
  void complete_poll() const;
  /// polling → interrupted: asks a running poll loop (in any process) to stop. @throws state_transition_error
  void interrupt() const;
  /// What the handler poll loops of this handle (all copies) did so far.
  [[nodiscard]] pgqrs::loop_stats loop_stats() const;

  /// suspended → stopped, refused while this consumer holds unexpired leases.
  /// @throws worker_has_pending_messages, state_transition_error
  void shutdown() const override;

 private:
  friend class detail::handle_factory;
  explicit consumer(std::shared_ptr<detail::worker_state> state) : worker(std::move(state)) {}
};

}  // namespace pgqrs
