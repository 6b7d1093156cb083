#pragma once
// Keeps a consumer visibly alive while its handler runs (DESIGN decision 3): a background thread writes the
// worker heartbeat every heartbeat interval and renews the leases of the messages being handled every
// lease/3, so a slow handler is neither reclaimed as a zombie nor redelivered to another consumer.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "core/store_core.hpp"

namespace pgqrs::detail {

class lease_keeper {
 public:
  /// `renew` false disables lease renewal (used when the caller injects a fake clock).
  lease_keeper(core_ptr core, std::int64_t worker_id, std::chrono::microseconds lease, bool renew);
  lease_keeper(const lease_keeper&) = delete;
  lease_keeper& operator=(const lease_keeper&) = delete;
  /// Stops and joins the thread.
  ~lease_keeper();

  /// The handler starts working on `ids`.
  void track(std::vector<std::int64_t> ids);
  /// The handler finished.
  void untrack();

 private:
  void run();

  core_ptr m_core;
  std::int64_t m_worker_id;
  std::chrono::microseconds m_lease;
  std::chrono::microseconds m_heartbeat_every;
  bool m_renew;

  std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_stop = false;
  std::vector<std::int64_t> m_ids;
  timestamp m_last_renewal{};
  timestamp m_last_heartbeat{};
  std::thread m_thread;  // last: starts after every other member is initialised
};

}  // namespace pgqrs::detail
