#pragma once
// Dead-lettering (spec §3.5, docs/operations.md): poison messages (read_ct >= max_read_ct) move to the
// archive with dead_lettered_at set. The original left them in the live table until an admin ran dlq(), so
// they piled up in the claim path (every claim walked over them). Here they move as soon as they become
// poison: when released (by their consumer, a reaper or an admin) and when their lease expires (found by a
// bounded sweep in the claim path). admin dlq() is still there for everything else (leased poison messages,
// a lowered max_read_ct).

#include <cstdint>
#include <optional>
#include <vector>

#include "core/db/database.hpp"
#include "pgqrs/types.hpp"

namespace pgqrs::detail {

struct store_core;

/// admin dlq(): every poison message of every queue, leased or not, in one transaction. @returns their ids
std::vector<std::int64_t> dead_letter_all(const store_core& core, timestamp now);

/// After a release whose rows are (id, read_ct): moves the released messages that reached max_read_ct to the
/// archive, on `conn` (inside the caller's transaction, if any). @returns the ids moved
std::vector<std::int64_t> dead_letter_released(const store_core& core, connection& conn, const row_set& released,
                                               timestamp now);
/// The same on a pooled connection, and only when some row is poison (the common release costs nothing more).
void dead_letter_released(const store_core& core, const row_set& released, timestamp now);

/// Called after each claim on `queue_id`: when a sweep is due, moves the poison messages among the first
/// visible rows of the queue (claims skip them: expired leases at the read limit) to the archive. A claim
/// with an injected time that came back short always sweeps (tests, backfills: deterministic). A failed
/// sweep is logged and left for the next one: the claim it follows has already leased its messages.
void sweep_expired_poison(const store_core& core, std::int64_t queue_id, std::optional<timestamp> injected_now,
                          bool claim_was_short);

}  // namespace pgqrs::detail
