#include "pgqrs/worker.hpp"

#include "core/api/liveness.hpp"
#include "core/api/store_state.hpp"
#include "core/ops/worker_ops.hpp"

namespace pgqrs {

const std::shared_ptr<detail::worker_state>& detail::state_of(const worker& w) noexcept {
  return w.m_state;
}

std::int64_t worker::worker_id() const {
  return m_state->record.id;
}

const std::string& worker::name() const {
  return m_state->record.name;
}

pgqrs::worker_record worker::worker_record() const {
  return detail::require_worker(*m_state->core, m_state->record.id);
}

worker_status worker::status() const {
  return worker_record().status;
}

void worker::suspend() const {
  detail::worker_suspend(*m_state->core, worker_id(), current_time());
}

void worker::resume() const {
  detail::worker_resume(*m_state->core, worker_id(), current_time());
}

void worker::shutdown() const {
  detail::worker_shutdown(*m_state->core, worker_id(), current_time());
}

void worker::heartbeat() const {
  if (!m_time) return detail::beat(*m_state);
  detail::worker_heartbeat(*m_state->core, worker_id(), *m_time);  // injected time: not a real beat
}

bool worker::is_healthy(std::chrono::seconds max_age) const {
  return worker_record().heartbeat_at >= current_time() - max_age;
}

const queue_record& worker::queue() const {
  return *m_state->queue;
}

backend_kind worker::backend() const {
  return m_state->core->db->kind();
}

timestamp worker::current_time() const {
  return m_time ? *m_time : now();
}

}  // namespace pgqrs
