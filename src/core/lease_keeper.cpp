#include "core/lease_keeper.hpp"

#include <algorithm>

#include "core/message_ops.hpp"
#include "core/worker_ops.hpp"

namespace pgqrs::detail {

lease_keeper::lease_keeper(core_ptr core, std::int64_t worker_id, std::chrono::microseconds lease, bool renew)
    : m_core(std::move(core)),
      m_worker_id(worker_id),
      m_lease(lease),
      m_heartbeat_every(std::chrono::seconds(m_core->cfg.heartbeat_interval)),
      m_renew(renew),
      m_last_renewal(now()),
      m_last_heartbeat(now()),
      m_thread([this] { run(); }) {}

lease_keeper::~lease_keeper() {
  {
    std::lock_guard lock(m_mutex);
    m_stop = true;
  }
  m_wake.notify_all();
  m_thread.join();
}

void lease_keeper::track(std::vector<std::int64_t> ids) {
  std::lock_guard lock(m_mutex);
  m_ids = std::move(ids);
  m_last_renewal = now();  // the claim itself just set a full lease
}

void lease_keeper::untrack() {
  std::lock_guard lock(m_mutex);
  m_ids.clear();
}

void lease_keeper::run() {
  const auto renew_every = m_lease / 3;
  const auto period = std::max(std::chrono::microseconds(std::chrono::milliseconds(10)),
                               m_renew ? std::min(renew_every, m_heartbeat_every) : m_heartbeat_every);
  std::unique_lock lock(m_mutex);
  while (!m_stop) {
    m_wake.wait_for(lock, period, [this] { return m_stop; });
    if (m_stop) break;
    const auto t = now();
    std::vector<std::int64_t> ids;
    bool renew = m_renew && !m_ids.empty() && t - m_last_renewal >= renew_every;
    bool beat = t - m_last_heartbeat >= m_heartbeat_every;
    if (renew) {
      ids = m_ids;
      m_last_renewal = t;
    }
    if (beat) m_last_heartbeat = t;
    if (!renew && !beat) continue;
    // Database calls happen without the lock so track/untrack never wait on I/O.
    lock.unlock();
    try {
      if (renew) renew_leases(*m_core, ids, m_worker_id, t + m_lease);
      if (beat) worker_heartbeat(*m_core, m_worker_id, t);
    } catch (...) {
      // Transient database trouble: the next tick tries again; leases are long enough to absorb a miss.
    }
    lock.lock();
  }
}

}  // namespace pgqrs::detail
