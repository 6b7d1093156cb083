#pragma once
/// @file admin.hpp
/// Administrative operations (spec §5.1): schema install/verify, queue lifecycle, dead-lettering, and
/// recovery of work held by dead workers. Unlike the original, admin calls do not register a worker row
/// each (that grew the workers table without bound).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pgqrs/store.hpp"
#include "pgqrs/types.hpp"

namespace pgqrs {

class admin_builder {
 public:
  explicit admin_builder(store s) : m_store(std::move(s)) {}

  /// Creates the schema (PostgreSQL: the configured schema too) and applies pending migrations. Idempotent
  /// and safe to run from several processes at once.
  void install() const;
  /// Same as install() (the original's name).
  void bootstrap() const { install(); }
  /// Checks tables, schema version and references. @throws schema_validation_error
  void verify() const;

  /// @throws queue_already_exists, validation_error
  queue_record create_queue(std::string_view name) const;
  /// @throws queue_not_found
  [[nodiscard]] queue_record get_queue(std::string_view name) const;
  /// Refuses while workers, messages (live or archived) or workflows reference the queue.
  /// @throws validation_error, queue_not_found
  void delete_queue(const queue_record& queue) const;
  void delete_queue_by_name(std::string_view name) const;
  /// Deletes every message (live and archived) and every worker of the queue. @returns messages removed
  std::uint64_t purge_queue(std::string_view name) const;

  /// Moves every poison message (read_ct >= max_read_ct) of every queue to the archive. @returns their ids
  std::vector<std::int64_t> dlq() const;
  /// For each worker of the queue whose heartbeat is older than `older_than`: releases its messages and
  /// marks it stopped, both in one transaction and only if it is still stale then. The default threshold is
  /// three heartbeat intervals (the original uses one, which let a reaper take work from healthy workers
  /// between two beats). Running loops beat every interval and before each claim, so a live worker is
  /// never reclaimed with a threshold above the interval. @returns messages released
  std::uint64_t reclaim_messages(std::int64_t queue_id,
                                 std::optional<std::chrono::seconds> older_than = std::nullopt) const;
  /// Releases every message leased by the worker, whatever its health. @returns messages released
  std::uint64_t release_worker_messages(std::int64_t worker_id) const;

  [[nodiscard]] std::vector<worker_record> list_workers() const;
  /// Deletes a worker no message refers to. @throws validation_error if referenced, worker_not_found
  std::uint64_t delete_worker(std::int64_t worker_id) const;
  /// Deletes stopped workers idle for longer than `older_than` that no message refers to. @returns count
  std::uint64_t purge_old_workers(std::chrono::seconds older_than) const;
  /// Messages (live and archived) whose current or last owner is the worker.
  /// @throws validation_error for an admin worker (no queue), worker_not_found
  [[nodiscard]] std::vector<queue_message> get_worker_messages(std::int64_t worker_id) const;

  /// Status counts, held leases and ages of the queue's workers. @throws queue_not_found
  [[nodiscard]] pgqrs::worker_stats worker_stats(std::string_view queue_name) const;
  /// Status counts and stale workers (ready/polling without a heartbeat for `heartbeat_timeout`): one
  /// "Global" row, or one row per queue name when `group_by_queue` ("Admin" for workers without a queue).
  [[nodiscard]] std::vector<pgqrs::worker_health_stats> worker_health_stats(
      std::chrono::seconds heartbeat_timeout, bool group_by_queue) const;

  /// Message counts of the queue. @throws queue_not_found
  [[nodiscard]] pgqrs::queue_metrics queue_metrics(std::string_view queue_name) const;
  /// Message counts of every queue (empty ones included), by name.
  [[nodiscard]] std::vector<pgqrs::queue_metrics> all_queues_metrics() const;
  /// Queue, worker and message counts of the whole database, and the schema version.
  [[nodiscard]] pgqrs::system_stats system_stats() const;

  [[nodiscard]] const store& target() const { return m_store; }

 private:
  store m_store;
};

/// `pgqrs::admin(store).install()`.
[[nodiscard]] inline admin_builder admin(const store& s) {
  return admin_builder(s);
}

}  // namespace pgqrs
