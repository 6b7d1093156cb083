#include "core/api/poll_loop.hpp"

#include <condition_variable>
#include <mutex>
#include <string>

#include "core/common/log.hpp"
#include "core/ops/worker_ops.hpp"

namespace pgqrs::detail {

void stop_if_not_running(const store_core& core, std::int64_t worker_id, bool stopped_too) {
  const auto status = require_worker(core, worker_id).status;
  if (status == worker_status::interrupted) {
    try {
      worker_suspend(core, worker_id, now());
    } catch (const state_transition_error&) {
      // Another loop sharing this consumer suspended it first: it was interrupted all the same.
    }
    throw suspended("worker interrupted");
  }
  if (status == worker_status::suspended) throw suspended("worker suspended");
  if (stopped_too && status == worker_status::stopped) throw suspended("worker stopped");
}

bool may_take_work(const store_core& core, std::int64_t worker_id) {
  const auto status = require_worker(core, worker_id).status;
  return status != worker_status::interrupted && status != worker_status::suspended &&
         status != worker_status::stopped;
}

namespace {
/// polling → ready at the end of a poll, translating a refused move into the reason the poll must stop.
void finish_poll(const store_core& core, std::int64_t worker_id) {
  try {
    worker_complete_poll(core, worker_id, now());
  } catch (const state_transition_error&) {
    stop_if_not_running(core, worker_id, true);
    throw;
  }
}
}  // namespace

bool sleep_for(std::chrono::milliseconds d, const std::stop_token& stop) {
  std::mutex m;
  std::condition_variable_any cv;
  std::unique_lock lock(m);
  return !cv.wait_for(lock, stop, d, [] { return false; });
}

poll_membership::poll_membership(const store_core& core, worker_state& ws) : m_core(core), m_ws(ws) {
  std::lock_guard lock(m_ws.loops_mutex);
  if (m_ws.active_loops == 0) worker_start_polling(m_core, m_ws.record.id, now());
  ++m_ws.active_loops;
}

poll_membership::~poll_membership() {
  if (m_left) return;
  std::lock_guard lock(m_ws.loops_mutex);
  --m_ws.active_loops;
}

void poll_membership::finish() {
  std::lock_guard lock(m_ws.loops_mutex);
  m_left = true;
  if (--m_ws.active_loops == 0) finish_poll(m_core, m_ws.record.id);
}

std::chrono::milliseconds note_transient(worker_state& ws, backoff& pause, const error& e) {
  ws.transient_errors.fetch_add(1, std::memory_order_relaxed);
  const auto wait = pause.next();
  // The first failure of a run of them, then one line per capped wait: enough to see an outage.
  if (pause.failures() == 1 || wait >= backoff::max_delay) {
    log(log_level::warning, "consumer " + std::to_string(ws.record.id) + " (" + ws.record.name + "): " + e.what() +
                                "; retrying in " + std::to_string(wait.count()) + " ms (" +
                                std::to_string(pause.failures()) + " in a row)");
  }
  return wait;
}

void note_recovered(worker_state& ws, backoff& pause) {
  if (pause.failures() > 0) {
    log(log_level::info, "consumer " + std::to_string(ws.record.id) + " (" + ws.record.name +
                             "): database reachable again after " + std::to_string(pause.failures()) +
                             " failed attempt(s)");
  }
  pause.reset();
}

}  // namespace pgqrs::detail
