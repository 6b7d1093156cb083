#pragma once
// Internal state behind pgqrs::store and the worker handles.

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/rate_limit.hpp"
#include "core/store_core.hpp"
#include "pgqrs/types.hpp"

namespace pgqrs::detail {

/// Shared by every copy of one producer/consumer handle.
struct worker_state {
  core_ptr core;
  worker_record record;  // as registered
  std::optional<queue_record> queue;
  bool ephemeral = false;
  bool consumer = false;
  /// Producers only; std::nullopt when rate limiting is disabled.
  std::optional<token_bucket> bucket;

  worker_state(core_ptr c, worker_record r, std::optional<queue_record> q, bool is_ephemeral,
               bool is_consumer);
  worker_state(const worker_state&) = delete;
  worker_state& operator=(const worker_state&) = delete;
  /// Ephemeral workers clean up after themselves (DESIGN decision 7): a consumer releases its leases, and
  /// the row is marked stopped so purge_old_workers can remove it. Errors are swallowed (destructor).
  ~worker_state();
};

/// Behind pgqrs::store. Holds the one-shot consumers used by `dequeue().from(queue)`, one per queue, so that
/// repeated one-shot calls reuse a worker row instead of creating one per call.
struct store_state {
  core_ptr core;
  std::mutex cache_mutex;
  std::map<std::string, std::shared_ptr<worker_state>> from_consumers;

  explicit store_state(core_ptr c) : core(std::move(c)) {}
};

/// The cached one-shot consumer of `queue`, registering it on first use. @throws queue_not_found
std::shared_ptr<worker_state> cached_consumer(store_state& state, const std::string& queue);

/// Builds a registered worker's state. `consumer` selects the consumer rules (lease release on cleanup).
std::shared_ptr<worker_state> make_worker_state(const core_ptr& core, const worker_record& record,
                                                std::optional<queue_record> queue, bool ephemeral,
                                                bool consumer);

}  // namespace pgqrs::detail
