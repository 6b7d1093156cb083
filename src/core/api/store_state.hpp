#pragma once
// Internal state behind pgqrs::store and the worker handles.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/common/rate_limit.hpp"
#include "core/ops/store_core.hpp"
#include "pgqrs/store.hpp"
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

  /// When this process last wrote the worker's heartbeat (steady clock, ns since its epoch); shared by the
  /// handle, its loops and their lease keepers so that none of them beats more often than needed.
  std::atomic<std::int64_t> last_beat{0};
  /// Poll loops running on this handle (several threads may share one consumer): the first one moves the
  /// worker to polling, the last one back to ready.
  std::mutex loops_mutex;
  int active_loops = 0;
  /// What this handle's loops did (consumer::loop_stats).
  std::atomic<std::uint64_t> messages_handled{0};
  std::atomic<std::uint64_t> handler_failures{0};
  std::atomic<std::uint64_t> transient_errors{0};

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

/// The shared core behind a store handle (what every builder and handle runs its operations on).
inline const store_core& core_of(const store& s) {
  return *state_of(s)->core;
}

/// The cached one-shot consumer of `queue`, registering it on first use. @throws queue_not_found
std::shared_ptr<worker_state> cached_consumer(store_state& state, const std::string& queue);
/// Drops `stale` from the cache if it is still the cached consumer of `queue` (its row was deleted), so the
/// next cached_consumer registers a new one. @returns whether `stale` was the cached consumer
bool forget_cached_consumer(store_state& state, const std::string& queue,
                            const std::shared_ptr<worker_state>& stale);

/// Builds a registered worker's state. `consumer` selects the consumer rules (lease release on cleanup).
std::shared_ptr<worker_state> make_worker_state(const core_ptr& core, const worker_record& record,
                                                std::optional<queue_record> queue, bool ephemeral,
                                                bool consumer);

}  // namespace pgqrs::detail
