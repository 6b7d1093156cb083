#include "pgqrs/dequeue.hpp"

#include <condition_variable>
#include <mutex>

#include "core/api/handle_factory.hpp"
#include "core/api/lease_keeper.hpp"
#include "core/api/liveness.hpp"
#include "core/api/poll_loop.hpp"
#include "core/common/log.hpp"
#include "core/ops/message_ops.hpp"
#include "core/common/retry.hpp"
#include "core/api/store_state.hpp"
#include "core/ops/worker_ops.hpp"
#include "pgqrs/errors.hpp"

namespace pgqrs {

namespace {

using steady = std::chrono::steady_clock;
using detail::note_recovered;
using detail::note_transient;
using detail::poll_membership;
using detail::sleep_for;
using detail::stop_if_not_running;

std::vector<std::int64_t> ids_of(const std::vector<queue_message>& msgs) {
  std::vector<std::int64_t> ids;
  ids.reserve(msgs.size());
  for (const auto& m : msgs) ids.push_back(m.id);
  return ids;
}

}  // namespace

// ---------------------------------------------------------------- builder

dequeue_builder& dequeue_builder::from(std::string queue) {
  m_queue = std::move(queue);
  return *this;
}

dequeue_builder& dequeue_builder::worker(const consumer& c) {
  m_consumer = c;
  return *this;
}

dequeue_builder& dequeue_builder::batch(std::size_t n) {
  m_batch = n;
  return *this;
}

dequeue_builder& dequeue_builder::with_vt(std::chrono::milliseconds lease) {
  m_lease = lease;
  return *this;
}

dequeue_builder& dequeue_builder::poll_interval(std::chrono::milliseconds interval) {
  m_poll_interval = interval;
  return *this;
}

dequeue_builder& dequeue_builder::until(std::chrono::milliseconds max_wait) {
  m_until = max_wait;
  return *this;
}

dequeue_builder& dequeue_builder::at(timestamp t) {
  m_at = t;
  return *this;
}

consumer dequeue_builder::resolve(const store& s) const {
  if (m_consumer) return *m_consumer;
  if (m_queue) return detail::handle_factory::make_consumer(detail::cached_consumer(*detail::state_of(s), *m_queue));
  throw validation_error("Queue name is required. Use .from(\"queue-name\") or .worker(&consumer)");
}

std::chrono::milliseconds dequeue_builder::lease(const store& s) const {
  if (m_lease) return *m_lease;
  if (m_at) return detail::core_of(s).cfg.default_lock_time;
  return default_lease;
}

std::chrono::milliseconds dequeue_builder::interval(const store& s) const {
  return m_poll_interval.value_or(detail::core_of(s).cfg.poll_interval);
}

std::vector<queue_message> dequeue_builder::fetch(const consumer& c, const store& s) const {
  const auto& core = detail::core_of(s);
  const auto l = lease(s);
  detail::check_dequeue_args(core, m_batch, l);
  detail::beat_before_claim(*detail::state_of(c));
  return detail::claim_messages(core, c.queue().id, c.worker_id(), m_batch, l, m_at);
}

std::optional<queue_message> dequeue_builder::fetch_one(const store& s) const {
  dequeue_builder one = *this;
  one.m_batch = 1;
  auto msgs = one.fetch_all(s);
  if (msgs.empty()) return std::nullopt;
  return std::move(msgs.front());
}

std::vector<queue_message> dequeue_builder::fetch_all(const store& s) const {
  auto c = resolve(s);
  try {
    stop_if_not_running(detail::core_of(s), c.worker_id(), false);
    return fetch(c, s);
  } catch (const worker_not_found&) {
    // The store's own consumer for from(queue) was deleted (purge_queue, delete_worker): register anew.
    if (m_consumer || !detail::forget_cached_consumer(*detail::state_of(s), *m_queue, detail::state_of(c))) throw;
    auto fresh = resolve(s);
    return fetch(fresh, s);
  }
}

std::vector<queue_message> dequeue_builder::poll(const store& s) const {
  check_poll_batch();
  const auto& core = detail::core_of(s);
  auto c = resolve(s);
  auto& ws = *detail::state_of(c);
  stop_if_not_running(core, c.worker_id(), false);
  poll_membership membership(core, ws);
  const auto tick = interval(s);
  const auto heartbeat_every = core.cfg.heartbeat_interval;
  const auto started = steady::now();
  detail::backoff pause;
  for (;;) {
    std::vector<queue_message> msgs;
    try {
      msgs = fetch(c, s);
      note_recovered(ws, pause);
    } catch (const error& e) {
      // A wait for messages outlives a database restart like the handler loops do.
      if (!detail::is_transient(e)) throw;
      sleep_for(note_transient(ws, pause, e), {});
      continue;
    }
    if (!msgs.empty()) {
      membership.finish();
      return msgs;
    }
    auto wait = tick;
    if (m_until) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(started + *m_until - steady::now());
      if (left.count() <= 0) {
        membership.finish();
        return {};
      }
      wait = std::min(wait, left);
    }
    sleep_for(wait, {});
    try {
      detail::beat_if_older_than(ws, heartbeat_every);
      stop_if_not_running(core, c.worker_id(), true);
    } catch (const error& e) {
      if (!detail::is_transient(e)) throw;
      sleep_for(note_transient(ws, pause, e), {});
    }
  }
}

void dequeue_builder::check_poll_batch() const {
  if (m_batch == 0) throw validation_error("batch size must be >= 1 for poll");
}

void dequeue_handler::check_handler_batch() const {
  if (m_single && m_builder->m_batch != 1) {
    throw validation_error("single-message handlers require batch size = 1, got " +
                           std::to_string(m_builder->m_batch));
  }
}

dequeue_handler dequeue_builder::handle(message_handler f) const {
  return dequeue_handler(*this, std::move(f), {});
}

dequeue_handler dequeue_builder::handle_batch(batch_handler f) const {
  return dequeue_handler(*this, {}, std::move(f));
}

// ---------------------------------------------------------------- handlers

dequeue_handler::dequeue_handler(const dequeue_builder& b, message_handler single, batch_handler batch)
    : m_builder(std::make_shared<const dequeue_builder>(b)),
      m_single(std::move(single)),
      m_batch(std::move(batch)) {}

namespace {

/// Runs the handler over `msgs` with their leases kept alive; archives on success, releases and rethrows on
/// failure. With `survive_ack_loss` (poll loops) a transient failure of the archive or release is counted
/// and logged instead of thrown: the lease then expires and the message is delivered again (at least once).
void handle_messages(const detail::store_core& core, detail::worker_state& ws, detail::lease_keeper& keeper,
                     const message_handler& single, const batch_handler& batch,
                     const std::vector<queue_message>& msgs, std::optional<timestamp> at, bool survive_ack_loss) {
  auto ids = ids_of(msgs);
  keeper.track(ids);
  std::exception_ptr failure;
  try {
    if (single) {
      single(msgs.front());
    } else {
      batch(msgs);
    }
  } catch (...) {
    failure = std::current_exception();
  }
  keeper.untrack();
  try {
    if (failure) {
      ws.handler_failures.fetch_add(1, std::memory_order_relaxed);
      const auto t = at.value_or(now());
      detail::release_messages(core, ids, ws.record.id, t, t);
    } else {
      // Ownership-checked: if the lease was lost (expired and claimed elsewhere) the archive is a no-op.
      detail::archive_message_ids(core, ids, ws.record.id, at.value_or(now()));
      ws.messages_handled.fetch_add(ids.size(), std::memory_order_relaxed);
    }
  } catch (const error& e) {
    if (!survive_ack_loss || !detail::is_transient(e)) {
      if (failure) std::rethrow_exception(failure);  // the handler's error is the one to report
      throw;
    }
    ws.transient_errors.fetch_add(1, std::memory_order_relaxed);
    detail::log(log_level::warning, "consumer " + std::to_string(ws.record.id) + ": could not " +
                                        (failure ? "release" : "archive") + " " + std::to_string(ids.size()) +
                                        " message(s), they will be delivered again when their lease ends: " +
                                        e.what());
  }
  if (failure) std::rethrow_exception(failure);
}

}  // namespace

bool dequeue_handler::execute(const store& s) const {
  const auto& b = *m_builder;
  check_handler_batch();
  const auto& core = detail::core_of(s);
  auto c = b.resolve(s);
  stop_if_not_running(core, c.worker_id(), false);
  auto msgs = b.fetch(c, s);
  if (msgs.empty()) return false;
  detail::lease_keeper keeper(detail::state_of(c), b.lease(s), !b.m_at);
  handle_messages(core, *detail::state_of(c), keeper, m_single, m_batch, msgs, b.m_at, false);
  return true;
}

void dequeue_handler::poll(const store& s) const {
  run_loop(s, {});
}

void dequeue_handler::poll(const store& s, std::stop_token stop) const {
  run_loop(s, std::move(stop));
}

void dequeue_handler::run_loop(const store& s, std::stop_token stop) const {
  const auto& b = *m_builder;
  if (b.m_until) throw validation_error("until() is not supported with handler poll loops");
  b.check_poll_batch();
  check_handler_batch();
  const auto& core = detail::core_of(s);
  auto c = b.resolve(s);
  const auto ws_ptr = detail::state_of(c);
  auto& ws = *ws_ptr;
  stop_if_not_running(core, c.worker_id(), false);
  poll_membership membership(core, ws);
  // Heartbeats and lease renewal for the whole loop, idle or busy.
  detail::lease_keeper keeper(ws_ptr, b.lease(s), !b.m_at);
  const auto tick = b.interval(s);
  detail::backoff pause;
  auto last_status_check = steady::now();
  for (;;) {
    if (stop.stop_requested()) {
      try {
        membership.finish();
      } catch (const error& e) {
        if (!detail::is_transient(e)) throw;
        // Stopping while the database is away: the worker row stays `polling` until it is reclaimed.
        detail::log(log_level::warning, "consumer " + std::to_string(ws.record.id) +
                                            ": stopped without marking the worker ready: " + e.what());
      }
      return;
    }
    std::vector<queue_message> msgs;
    try {
      msgs = b.fetch(c, s);
      if (msgs.empty()) {
        stop_if_not_running(core, c.worker_id(), true);
        last_status_check = steady::now();
      }
      note_recovered(ws, pause);
    } catch (const error& e) {
      if (!detail::is_transient(e)) throw;
      // The database went away (restart, failover, a pooler retrying its login) or is busy: wait, then
      // carry on with the same worker. Leases already taken expire on their own if the outage outlasts them.
      sleep_for(note_transient(ws, pause, e), stop);
      continue;
    }
    if (msgs.empty()) {
      sleep_for(tick, stop);
      continue;
    }
    handle_messages(core, ws, keeper, m_single, m_batch, msgs, b.m_at, true);
    // Under continuous load the queue is never empty: still notice interrupt()/suspend() once per tick.
    if (steady::now() - last_status_check >= tick) {
      try {
        stop_if_not_running(core, c.worker_id(), true);
        last_status_check = steady::now();
      } catch (const error& e) {
        if (!detail::is_transient(e)) throw;
        sleep_for(note_transient(ws, pause, e), stop);
      }
    }
  }
}

}  // namespace pgqrs
