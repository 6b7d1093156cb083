#pragma once
/// @file producer.hpp
/// A producer enqueues into one queue. Every enqueue validates the payload (spec §11.3) and takes tokens
/// from the producer's rate limiter (§11.4) before inserting.

#include <chrono>
#include <optional>
#include <span>
#include <vector>

#include "pgqrs/config.hpp"
#include "pgqrs/types.hpp"
#include "pgqrs/worker.hpp"

namespace pgqrs {

class producer : public worker {
 public:
  /// A copy whose "now" is fixed at `t` (deterministic tests, backfills).
  [[nodiscard]] producer with_time(timestamp t) const;

  /// @throws validation_error, payload_too_large, serialization_error, rate_limited, queue_not_found
  queue_message enqueue(const json& payload) const;
  /// Ready `delay` after now. @throws as enqueue
  queue_message enqueue_delayed(const json& payload, std::chrono::milliseconds delay) const;
  /// With an explicit "now": enqueued_at = now, vt = now + delay. @throws as enqueue
  queue_message enqueue_at(const json& payload, timestamp now, std::chrono::milliseconds delay) const;

  /// All-or-nothing: every payload is validated before anything is inserted, in one statement/transaction.
  /// @throws as enqueue (errors name the index of the offending payload)
  std::vector<queue_message> batch_enqueue(std::span<const json> payloads) const;
  std::vector<queue_message> batch_enqueue_delayed(std::span<const json> payloads,
                                                   std::chrono::milliseconds delay) const;
  std::vector<queue_message> batch_enqueue_at(std::span<const json> payloads, timestamp now,
                                              std::chrono::milliseconds delay) const;

  /// Any message (live or archived) by id.
  [[nodiscard]] std::optional<queue_message> get_message_by_id(std::int64_t id) const;
  /// Moves an archived (or dead-lettered) message back to its queue: ready now, read count reset.
  /// @returns std::nullopt if the message is not archived
  std::optional<queue_message> replay_dlq(std::int64_t archived_id) const;

  [[nodiscard]] const pgqrs::validation_config& validation_config() const;
  /// std::nullopt when rate limiting is disabled.
  [[nodiscard]] std::optional<pgqrs::rate_limit_status> rate_limit_status() const;

 private:
  friend class detail::handle_factory;
  explicit producer(std::shared_ptr<detail::worker_state> state) : worker(std::move(state)) {}
};

}  // namespace pgqrs
