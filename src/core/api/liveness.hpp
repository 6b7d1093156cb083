#pragma once
// Keeping workers visibly alive (spec §4.3–§4.4, made safe): a reaper (admin reclaim_messages) may only
// take work from workers that stopped beating, never from one that is running. Two rules make that hold:
//  * a worker beats before it claims when its last beat is older than half the heartbeat interval, so a
//    message is never leased by a worker that looks dead;
//  * a worker counts as dead only after several missed beats (stale_after), so a healthy loop whose next
//    beat is a moment late is not reclaimed.

#include <chrono>

#include "core/api/store_state.hpp"
#include "pgqrs/config.hpp"

namespace pgqrs::detail {

/// Beats missed before a worker counts as dead: the default zombie threshold is this many intervals.
inline constexpr int missed_beats_before_stale = 3;

/// The default zombie threshold of reclaim_messages: missed_beats_before_stale × heartbeat_interval.
[[nodiscard]] std::chrono::seconds stale_after(const config& cfg);

/// Writes the worker's heartbeat and records when. @throws worker_not_found, database errors
void beat(worker_state& ws);

/// Beats unless this process beat within `max_age`. @throws as beat
void beat_if_older_than(worker_state& ws, std::chrono::steady_clock::duration max_age);

/// Called before every claim: beats if the last beat is older than half the heartbeat interval.
void beat_before_claim(worker_state& ws);

}  // namespace pgqrs::detail
