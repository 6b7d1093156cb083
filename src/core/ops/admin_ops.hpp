#pragma once
// Administrative operations over workers (spec §4.4, §4.5, §5.1), shared by all backends.

#include <cstdint>
#include <optional>
#include <vector>

#include "core/ops/store_core.hpp"
#include "pgqrs/types.hpp"

namespace pgqrs::detail {

/// For each worker of the queue whose heartbeat is older than `cutoff`: stops it and releases its messages,
/// in one transaction, only if it is still stale then. @returns messages released
std::uint64_t reclaim_zombies(const store_core& core, std::int64_t queue_id, timestamp cutoff, timestamp now);
std::vector<worker_record> list_workers(const store_core& core);
/// @throws worker_not_found, validation_error while messages (live or archived) refer to it
std::uint64_t delete_unreferenced_worker(const store_core& core, std::int64_t worker_id);
/// Deletes stopped workers idle since before `idle_before` that no message refers to. @returns how many
std::uint64_t purge_stopped_workers(const store_core& core, timestamp idle_before);
/// @throws worker_not_found, validation_error for an admin worker
std::vector<queue_message> worker_messages(const store_core& core, std::int64_t worker_id);
worker_stats queue_worker_stats(const store_core& core, const queue_record& queue, timestamp now);
std::vector<worker_health_stats> worker_health(const store_core& core, timestamp stale_before, bool group_by_queue);
/// Message counts of one queue (`queue_id`) or of every queue (std::nullopt), by queue name.
std::vector<queue_metrics> queue_message_metrics(const store_core& core, std::optional<std::int64_t> queue_id,
                                                 timestamp now);
pgqrs::system_stats database_stats(const store_core& core, timestamp now);
/// Unexpired leases the worker holds in the queue.
std::int64_t count_held_messages(const store_core& core, std::int64_t queue_id, std::int64_t worker_id,
                                 timestamp now);

}  // namespace pgqrs::detail
