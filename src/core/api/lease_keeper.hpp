#pragma once
// Keeps a consumer visibly alive while its loop runs (DESIGN decision 2): a background thread writes the
// worker heartbeat whenever the last one is a heartbeat interval old (see liveness.hpp), and renews the
// leases of the messages being handled every lease/3, so a slow handler is neither reclaimed as a zombie nor
// redelivered to another consumer.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/api/store_state.hpp"

namespace pgqrs::detail {

class lease_keeper {
 public:
  /// `renew` false disables lease renewal (used when the caller injects a fake clock).
  lease_keeper(std::shared_ptr<worker_state> worker, std::chrono::microseconds lease, bool renew);
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

  std::shared_ptr<worker_state> m_worker;
  std::chrono::microseconds m_lease;
  std::chrono::microseconds m_heartbeat_every;
  bool m_renew;

  std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_stop = false;
  std::vector<std::int64_t> m_ids;
  timestamp m_last_renewal{};
  std::thread m_thread;  // last: starts after every other member is initialised
};

}  // namespace pgqrs::detail
