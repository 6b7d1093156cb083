#include "core/api/lease_keeper.hpp"

#include <algorithm>

#include "core/api/liveness.hpp"
#include "core/common/log.hpp"
#include "core/ops/message_ops.hpp"

namespace pgqrs::detail {

lease_keeper::lease_keeper(std::shared_ptr<worker_state> worker, std::chrono::microseconds lease, bool renew)
    : m_worker(std::move(worker)),
      m_lease(lease),
      m_heartbeat_every(m_worker->core->cfg.heartbeat_interval),
      m_renew(renew),
      m_last_renewal(now()),
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
  // Checking at half the heartbeat interval keeps the beat's age under 1.5 intervals, well inside the
  // stale threshold of several intervals.
  const auto check_every = m_heartbeat_every / 2;
  // Waking at a quarter of the renewal interval keeps the first renewal after track() within 1.25 × lease/3
  // of the claim, wherever the claim falls between two wake-ups (waking once per interval could put it at
  // 2 × lease/3, leaving a short lease almost no margin). A wake-up without work costs no database call.
  const auto period = std::max(std::chrono::microseconds(std::chrono::milliseconds(10)),
                               m_renew ? std::min(renew_every / 4, check_every) : check_every);
  bool beat_failing = false;
  std::unique_lock lock(m_mutex);
  while (!m_stop) {
    m_wake.wait_for(lock, period, [this] { return m_stop; });
    if (m_stop) break;
    const auto t = now();
    std::vector<std::int64_t> ids;
    const bool renew = m_renew && !m_ids.empty() && t - m_last_renewal >= renew_every;
    if (renew) {
      ids = m_ids;
      m_last_renewal = t;
    }
    // Database calls happen without the lock so track/untrack never wait on I/O.
    lock.unlock();
    try {
      if (renew) renew_leases(*m_worker->core, ids, m_worker->record.id, t + m_lease);
      beat_if_older_than(*m_worker, m_heartbeat_every);
      if (beat_failing) log(log_level::info, "worker " + std::to_string(m_worker->record.id) + ": heartbeats resumed");
      beat_failing = false;
    } catch (const std::exception& e) {
      // Transient database trouble: the next tick tries again; leases and the stale threshold are long
      // enough to absorb a few misses.
      if (!beat_failing) {
        log(log_level::warning, "worker " + std::to_string(m_worker->record.id) +
                                    ": heartbeat or lease renewal failed, retrying: " + e.what());
      }
      beat_failing = true;
    }
    lock.lock();
  }
}

}  // namespace pgqrs::detail
