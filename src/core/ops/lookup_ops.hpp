#pragma once
// Lookups and unchecked changes behind the raw table API (spec §3.7), shared by all backends.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ops/store_core.hpp"
#include "pgqrs/types.hpp"

namespace pgqrs::detail {

std::vector<queue_message> list_live_messages(const store_core& core);
std::int64_t count_live_messages(const store_core& core);
std::vector<queue_message> list_queue_messages(const store_core& core, std::int64_t queue_id, std::size_t limit);
std::vector<queue_message> list_consumer_messages(const store_core& core, std::int64_t worker_id);
std::int64_t count_consumer_messages(const store_core& core, std::int64_t worker_id);
std::int64_t count_worker_references(const store_core& core, std::int64_t worker_id);
std::int64_t count_claimable(const store_core& core, std::int64_t queue_id, timestamp now);
std::vector<queue_message> list_archived(const store_core& core, std::int64_t queue_id);
std::int64_t count_queue_messages(const store_core& core, std::int64_t queue_id);
bool replace_payload(const store_core& core, std::int64_t id, const std::string& payload_text);
std::optional<worker_record> find_worker_by_name(const store_core& core, std::string_view name);
std::vector<worker_record> list_queue_workers(const store_core& core, std::int64_t queue_id);
std::int64_t count_workers(const store_core& core);
std::vector<worker_record> list_zombies(const store_core& core, std::int64_t queue_id, timestamp stale_before);
bool delete_worker_row(const store_core& core, std::int64_t id);

}  // namespace pgqrs::detail
