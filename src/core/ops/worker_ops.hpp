#pragma once
// Worker registration and the status state machine (spec §4.1–§4.4), shared by all backends.

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ops/store_core.hpp"
#include "pgqrs/types.hpp"

namespace pgqrs::detail {

/// Prefix of generated worker names (spec §4.1).
inline constexpr std::string_view ephemeral_prefix = "__ephemeral__";

/// Named registration: inserts, or reuses a stopped row of that name.
/// @throws validation_error if the name is active or suspended, or invalid
worker_record register_worker(const store_core& core, std::string_view name,
                              std::optional<std::int64_t> queue_id, timestamp now);
/// Registers a fresh `__ephemeral__<uuid>` worker.
worker_record register_ephemeral_worker(const store_core& core, std::optional<std::int64_t> queue_id,
                                        timestamp now);

std::optional<worker_record> find_worker(const store_core& core, std::int64_t id);
/// @throws worker_not_found
worker_record require_worker(const store_core& core, std::int64_t id);

/// One edge of the state machine: moves to `to` if the current status is in `from`.
/// @throws state_transition_error("Invalid state transition from <cur> to <to>: <reason>"), worker_not_found
worker_record transition_worker(const store_core& core, std::int64_t id, worker_status to,
                                std::initializer_list<worker_status> from, std::string_view reason,
                                timestamp now);

// The named edges of spec §4.2, with the original's error texts.
worker_record worker_start_polling(const store_core& core, std::int64_t id, timestamp now);
worker_record worker_complete_poll(const store_core& core, std::int64_t id, timestamp now);
worker_record worker_interrupt(const store_core& core, std::int64_t id, timestamp now);
worker_record worker_suspend(const store_core& core, std::int64_t id, timestamp now);
worker_record worker_resume(const store_core& core, std::int64_t id, timestamp now);
worker_record worker_shutdown(const store_core& core, std::int64_t id, timestamp now);
/// Any status → stopped (zombie reclaim, ephemeral cleanup).
worker_record worker_mark_stopped(const store_core& core, std::int64_t id, timestamp now);

/// @throws worker_not_found
void worker_heartbeat(const store_core& core, std::int64_t id, timestamp now);

/// "<hostname>-<uuid4>" style unique names and raw UUIDs.
std::string random_uuid();

}  // namespace pgqrs::detail
