#pragma once
// Message operations (spec §3.2–§3.7), shared by all backends. Callers have validated payloads and arguments.

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/common/rate_limit.hpp"
#include "core/ops/store_core.hpp"
#include "pgqrs/types.hpp"

namespace pgqrs::detail {

/// Inserts serialized payloads into `queue`, all with the same vt and enqueued_at; one statement where the
/// dialect has array parameters, else one transaction. Returns the new messages ordered by id.
/// @throws queue_not_found if the queue was deleted meanwhile
std::vector<queue_message> insert_messages(const store_core& core, const queue_record& queue,
                                           std::span<const json> payloads,
                                           const std::vector<std::string>& texts, timestamp vt, timestamp now,
                                           std::optional<std::int64_t> producer_id);

/// Leases up to `limit` ready messages (vt <= now, read_ct < max_read_ct) in (vt, id) order, then sweeps
/// the queue for expired poison messages when that is due (dead_letter_ops.hpp).
/// `injected_now` replaces the wall clock (tests, backfills); without it PostgreSQL claims use the queue's
/// claim floor (claim_floor.hpp).
std::vector<queue_message> claim_messages(const store_core& core, std::int64_t queue_id,
                                          std::int64_t worker_id, std::size_t limit,
                                          std::chrono::microseconds lease,
                                          std::optional<timestamp> injected_now);
/// The claim floor (claim_floor.hpp) a claim on `queue_id` starts from: opened before the claim statement,
/// closed with the highest ready-time it claimed, so other claim statements (workflow runs) keep it too.
struct claim_window {
  bool use_floor = false;
  std::optional<timestamp> floor;
};
claim_window open_claim_window(const store_core& core, std::int64_t queue_id, std::optional<timestamp> injected_now);
void close_claim_window(const store_core& core, std::int64_t queue_id, const claim_window& w,
                        std::optional<timestamp> highest_ready);

/// The same claim on a connection the caller holds (inside its transaction), without telling an empty
/// result from a deleted worker row.
std::vector<queue_message> claim_messages(const store_core& core, connection& conn, std::int64_t queue_id,
                                          std::int64_t worker_id, std::size_t limit,
                                          std::chrono::microseconds lease,
                                          std::optional<timestamp> injected_now);

// Ownership-checked changes: each returns the ids (or rows) it changed.
std::vector<queue_message> archive_messages(const store_core& core, const std::vector<std::int64_t>& ids,
                                            std::int64_t worker_id, timestamp now);
std::vector<std::int64_t> archive_message_ids(const store_core& core, const std::vector<std::int64_t>& ids,
                                              std::int64_t worker_id, timestamp now);
std::vector<std::int64_t> delete_owned_messages(const store_core& core, const std::vector<std::int64_t>& ids,
                                                std::int64_t worker_id);
/// @throws validation_error for a negative `by`
std::vector<std::int64_t> extend_messages(const store_core& core, const std::vector<std::int64_t>& ids,
                                          std::int64_t worker_id, std::chrono::milliseconds by);
std::vector<std::int64_t> renew_leases(const store_core& core, const std::vector<std::int64_t>& ids,
                                       std::int64_t worker_id, timestamp until);
/// Releases owned messages until `visible_at`; those that reached max_read_ct go to the DLQ instead (at
/// `now`). @returns the ids released (dead-lettered ones included: their lease was given up too)
std::vector<std::int64_t> release_messages(const store_core& core, const std::vector<std::int64_t>& ids,
                                           std::int64_t worker_id, timestamp visible_at, timestamp now);
/// Releases every message the worker holds, dead-lettering the poison ones. @returns how many
std::uint64_t release_by_consumer(const store_core& core, std::int64_t worker_id, timestamp now);

/// For each of `ids` (in order), whether it is in `changed` (a repeated id: at its first place only).
std::vector<bool> flags_for(const std::vector<std::int64_t>& ids, std::vector<std::int64_t> changed);

// Lookups (live and archived unless named otherwise).
std::optional<queue_message> get_message(const store_core& core, std::int64_t id);
std::vector<queue_message> get_messages(const store_core& core, const std::vector<std::int64_t>& ids);

/// Moves an archived message back to its queue, ready now, read count reset. std::nullopt if not archived.
std::optional<queue_message> replay_message(const store_core& core, std::int64_t id, timestamp now);

/// The enqueue path of producers and of `enqueue().to()`: validates (structure, then `bucket` if any, then
/// sizes; spec §11.3) and inserts with enqueued_at = now, vt = now + delay.
/// @throws validation_error (also for an empty batch or negative delay), payload_too_large,
///         serialization_error, rate_limited, queue_not_found
std::vector<queue_message> enqueue_validated(const store_core& core, const queue_record& queue,
                                             std::span<const json> payloads, token_bucket* bucket,
                                             timestamp now, std::chrono::milliseconds delay,
                                             std::optional<std::int64_t> producer_id);

/// @throws validation_error for n == 0, n > default_max_batch_size, or a non-positive lease.
void check_dequeue_args(const store_core& core, std::size_t n, std::chrono::milliseconds lease);

}  // namespace pgqrs::detail
