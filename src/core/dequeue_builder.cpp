#include "pgqrs/dequeue.hpp"

#include <condition_variable>
#include <mutex>

#include "core/lease_keeper.hpp"
#include "core/message_ops.hpp"
#include "core/store_state.hpp"
#include "core/worker_ops.hpp"
#include "pgqrs/errors.hpp"

namespace pgqrs {

namespace {

using steady = std::chrono::steady_clock;

const detail::store_core& core_of(const store& s) {
  return *s.state()->core;
}

/// The terminal-status rules of spec §3.8: an interrupted worker is moved to suspended and the caller
/// stops with `suspended("worker interrupted")`; a suspended (or, inside loops, stopped) one stops too.
void stop_if_not_running(const detail::store_core& core, std::int64_t worker_id, bool stopped_too) {
  const auto status = detail::require_worker(core, worker_id).status;
  if (status == worker_status::interrupted) {
    detail::worker_suspend(core, worker_id, now());
    throw suspended("worker interrupted");
  }
  if (status == worker_status::suspended) throw suspended("worker suspended");
  if (stopped_too && status == worker_status::stopped) throw suspended("worker stopped");
}

/// polling → ready at the end of a poll, translating a refused move into the reason the poll must stop.
void finish_poll(const detail::store_core& core, std::int64_t worker_id) {
  try {
    detail::worker_complete_poll(core, worker_id, now());
  } catch (const state_transition_error&) {
    stop_if_not_running(core, worker_id, true);
    throw;
  }
}

/// Sleeps `d` unless `stop` is requested first. @returns false if stopped
bool sleep_for(std::chrono::milliseconds d, const std::stop_token& stop) {
  std::mutex m;
  std::condition_variable_any cv;
  std::unique_lock lock(m);
  return !cv.wait_for(lock, stop, d, [] { return false; });
}

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
  if (m_queue) return consumer(detail::cached_consumer(*s.state(), *m_queue));
  throw validation_error("Queue name is required. Use .from(\"queue-name\") or .worker(&consumer)");
}

std::chrono::milliseconds dequeue_builder::lease(const store& s) const {
  if (m_lease) return *m_lease;
  if (m_at) return std::chrono::seconds(core_of(s).cfg.default_lock_time_seconds);
  return default_lease;
}

std::chrono::milliseconds dequeue_builder::interval(const store& s) const {
  return m_poll_interval.value_or(std::chrono::milliseconds(core_of(s).cfg.poll_interval_ms));
}

std::vector<queue_message> dequeue_builder::fetch(const consumer& c, const store& s) const {
  const auto& core = core_of(s);
  const auto l = lease(s);
  detail::check_dequeue_args(core, m_batch, l);
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
  stop_if_not_running(core_of(s), c.worker_id(), false);
  return fetch(c, s);
}

std::vector<queue_message> dequeue_builder::poll(const store& s) const {
  if (m_batch == 0) throw validation_error("batch size must be >= 1 for poll");
  const auto& core = core_of(s);
  auto c = resolve(s);
  stop_if_not_running(core, c.worker_id(), false);
  detail::worker_start_polling(core, c.worker_id(), now());
  const auto tick = interval(s);
  const auto heartbeat_every = std::chrono::seconds(core.cfg.heartbeat_interval);
  const auto started = steady::now();
  auto last_heartbeat = started;
  for (;;) {
    auto msgs = fetch(c, s);
    if (!msgs.empty()) {
      finish_poll(core, c.worker_id());
      return msgs;
    }
    auto wait = tick;
    if (m_until) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(started + *m_until - steady::now());
      if (left.count() <= 0) {
        finish_poll(core, c.worker_id());
        return {};
      }
      wait = std::min(wait, left);
    }
    sleep_for(wait, {});
    if (steady::now() - last_heartbeat >= heartbeat_every) {
      detail::worker_heartbeat(core, c.worker_id(), now());
      last_heartbeat = steady::now();
    }
    stop_if_not_running(core, c.worker_id(), true);
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

/// Runs the handler over `msgs` with leases kept alive; archives on success, releases and rethrows on
/// failure.
void handle_messages(const detail::store_core& core, const consumer& c, detail::lease_keeper& keeper,
                     const message_handler& single, const batch_handler& batch,
                     const std::vector<queue_message>& msgs, std::optional<timestamp> at) {
  auto ids = ids_of(msgs);
  keeper.track(ids);
  try {
    if (single) {
      single(msgs.front());
    } else {
      batch(msgs);
    }
  } catch (...) {
    keeper.untrack();
    detail::release_messages(core, ids, c.worker_id(), at.value_or(now()));
    throw;
  }
  keeper.untrack();
  // Ownership-checked: if the lease was lost (expired and claimed elsewhere) the archive is a no-op.
  detail::archive_message_ids(core, ids, c.worker_id(), at.value_or(now()));
}

}  // namespace

bool dequeue_handler::execute(const store& s) const {
  const auto& b = *m_builder;
  if (m_single && b.m_batch != 1) {
    throw validation_error("single-message handlers require batch size = 1, got " +
                           std::to_string(b.m_batch));
  }
  const auto& core = core_of(s);
  auto c = b.resolve(s);
  stop_if_not_running(core, c.worker_id(), false);
  auto msgs = b.fetch(c, s);
  if (msgs.empty()) return false;
  detail::lease_keeper keeper(s.state()->core, c.worker_id(), b.lease(s), !b.m_at);
  handle_messages(core, c, keeper, m_single, m_batch, msgs, b.m_at);
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
  if (b.m_batch == 0) throw validation_error("batch size must be >= 1 for poll");
  if (m_single && b.m_batch != 1) {
    throw validation_error("single-message handlers require batch size = 1, got " +
                           std::to_string(b.m_batch));
  }
  const auto& core = core_of(s);
  auto c = b.resolve(s);
  stop_if_not_running(core, c.worker_id(), false);
  detail::worker_start_polling(core, c.worker_id(), now());
  // Heartbeats and lease renewal for the whole loop, idle or busy.
  detail::lease_keeper keeper(s.state()->core, c.worker_id(), b.lease(s), !b.m_at);
  const auto tick = b.interval(s);
  auto last_status_check = steady::now();
  for (;;) {
    if (stop.stop_requested()) {
      finish_poll(core, c.worker_id());
      return;
    }
    auto msgs = b.fetch(c, s);
    if (msgs.empty()) {
      stop_if_not_running(core, c.worker_id(), true);
      last_status_check = steady::now();
      sleep_for(tick, stop);
      continue;
    }
    handle_messages(core, c, keeper, m_single, m_batch, msgs, b.m_at);
    // Under continuous load the queue is never empty: still notice interrupt()/suspend() once per tick.
    if (steady::now() - last_status_check >= tick) {
      stop_if_not_running(core, c.worker_id(), true);
      last_status_check = steady::now();
    }
  }
}

}  // namespace pgqrs
