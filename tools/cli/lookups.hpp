#pragma once
// Lookups by name or id that fail with the library's not-found errors (exit code 4) instead of returning
// nothing, for commands whose subject must exist.

#include <cstdint>
#include <string_view>

#include "pgqrs/store.hpp"
#include "pgqrs/types.hpp"
#include "pgqrs/workflow.hpp"

namespace pgqrs::cli {

/// @throws queue_not_found
[[nodiscard]] queue_record require_queue(const store& s, std::string_view name);
/// @throws worker_not_found
[[nodiscard]] worker_record require_worker(const store& s, std::int64_t id);
/// Live or archived. @throws not_found
[[nodiscard]] queue_message require_message(const store& s, std::int64_t id);
/// @throws not_found
[[nodiscard]] run_record require_run(const store& s, std::int64_t id);

}  // namespace pgqrs::cli
