#include "core/api/store_state.hpp"

#include "core/ops/message_ops.hpp"
#include "core/ops/queue_ops.hpp"
#include "core/ops/worker_ops.hpp"

namespace pgqrs::detail {

namespace {
/// Producers take tokens from a bucket of their own; consumers have none.
std::optional<token_bucket> bucket_for(bool consumer, const config& cfg) {
  if (consumer) return std::nullopt;
  return token_bucket::from_rules(cfg.validation);
}
}  // namespace

worker_state::worker_state(core_ptr c, worker_record r, std::optional<queue_record> q, bool is_ephemeral,
                           bool is_consumer)
    : core(std::move(c)),
      record(std::move(r)),
      queue(std::move(q)),
      ephemeral(is_ephemeral),
      consumer(is_consumer),
      bucket(bucket_for(is_consumer, core->cfg)),
      // Registration just wrote the heartbeat.
      last_beat(std::chrono::duration_cast<std::chrono::nanoseconds>(
                    std::chrono::steady_clock::now().time_since_epoch())
                    .count()) {}

worker_state::~worker_state() {
  if (!ephemeral) return;
  try {
    const auto t = now();
    if (consumer) release_by_consumer(*core, record.id, t);
    worker_mark_stopped(*core, record.id, t);
  } catch (...) {
    // Best effort: the database may be gone. Leases expire on their own; the row stays for purge.
  }
}

std::shared_ptr<worker_state> make_worker_state(const core_ptr& core, const worker_record& record,
                                                std::optional<queue_record> queue, bool ephemeral,
                                                bool consumer) {
  return std::make_shared<worker_state>(core, record, std::move(queue), ephemeral, consumer);
}

std::shared_ptr<worker_state> cached_consumer(store_state& state, const std::string& queue) {
  std::lock_guard lock(state.cache_mutex);
  auto it = state.from_consumers.find(queue);
  if (it != state.from_consumers.end()) return it->second;
  auto q = require_queue(*state.core, queue);
  auto record = register_ephemeral_worker(*state.core, q.id, now());
  auto ws = make_worker_state(state.core, record, q, true, true);
  state.from_consumers.emplace(queue, ws);
  return ws;
}

bool forget_cached_consumer(store_state& state, const std::string& queue,
                            const std::shared_ptr<worker_state>& stale) {
  std::lock_guard lock(state.cache_mutex);
  auto it = state.from_consumers.find(queue);
  if (it == state.from_consumers.end() || it->second != stale) return it != state.from_consumers.end();
  stale->ephemeral = false;  // its row is gone: nothing to clean up when the last copy goes
  state.from_consumers.erase(it);
  return true;
}

}  // namespace pgqrs::detail
