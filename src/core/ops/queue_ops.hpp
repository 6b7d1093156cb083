#pragma once
// Queue operations (spec §3.1), shared by all backends.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/ops/store_core.hpp"
#include "pgqrs/types.hpp"

namespace pgqrs::detail {

/// @throws validation_error for an empty, oversized, NUL-containing or non-UTF-8 name.
void check_queue_name(std::string_view name);

/// @throws queue_already_exists, validation_error
queue_record create_queue(const store_core& core, std::string_view name, timestamp now);
std::optional<queue_record> find_queue(const store_core& core, std::string_view name);
/// @throws queue_not_found
queue_record require_queue(const store_core& core, std::string_view name);
std::optional<queue_record> find_queue_by_id(const store_core& core, std::int64_t id);
std::vector<queue_record> list_queues(const store_core& core);
std::int64_t count_queues(const store_core& core);

/// Deletes the queue unless workers, messages (live or archived) or workflows still reference it.
/// @throws queue_not_found, validation_error naming what still references the queue
void delete_queue_checked(const store_core& core, const queue_record& queue);
/// Unchecked row delete (tables API). @returns whether a row was deleted
bool delete_queue_row(const store_core& core, std::int64_t id);
/// Removes every message (live and archived) and every worker of the queue, in one transaction.
/// @returns the number of messages removed. @throws queue_not_found
std::uint64_t purge_queue(const store_core& core, std::string_view name);

}  // namespace pgqrs::detail
