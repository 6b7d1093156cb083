// PostgreSQL going away under a running application (issue 7, defects 3 and 4), each case on a server of its
// own so restarts disturb no other test:
//  * sessions the server ended while they sat idle in the pool (pg_terminate_backend, a restart) cost the
//    next calls nothing: the pool notices and reconnects;
//  * a handler poll loop and a producer ride out a restart (fast and immediate shutdown, directly and
//    through PgBouncer, whose server_login_retry stalls calls for a while): the loop keeps its worker, every
//    acknowledged message is handled, and a message is handled twice only where an acknowledgement was lost.
// The tests print what a user sees: failed calls during the outage and the time until calls succeed again.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <pgqrs/pgqrs.hpp>

#include "../conformance/fixture.hpp"
#include "../support/pg_instance.hpp"

namespace pgqrs::testing {
namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

double seconds_since(steady::time_point t) {
  return std::chrono::duration<double>(steady::now() - t).count();
}

config config_for(const std::string& dsn) {
  auto cfg = config::from_dsn(dsn);
  cfg.validation.max_enqueue_per_second.reset();
  cfg.max_connections = 4;
  return cfg;
}

/// Sessions of the server other than the caller's own that belong to pgqrs (application_name).
std::int64_t pgqrs_sessions(const store& admin_store) {
  return query_int(admin_store,
                   "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pgqrs' AND pid <> "
                   "pg_backend_pid()");
}

void terminate_pgqrs_sessions(const store& admin_store) {
  exec_sql(admin_store,
           "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'pgqrs' AND pid "
           "<> pg_backend_pid()");
  for (int i = 0; i < 200 && pgqrs_sessions(admin_store) > 0; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_EQ(pgqrs_sessions(admin_store), 0);
}

class pg_sessions : public ::testing::TestWithParam<bool> {};

TEST_P(pg_sessions, sessions_terminated_while_idle_in_the_pool_cost_the_next_calls_nothing) {
  pg_instance pg(GetParam());
  auto s = connect(config_for(GetParam() ? pg.pgbouncer_dsn() : pg.dsn()));
  admin(s).install();
  s.queue("jobs");
  auto p = s.producer("jobs", "p");
  auto c = s.consumer("jobs", "c");
  // Fill the pool: four calls at once open four connections.
  std::vector<std::thread> warm;
  for (int i = 0; i < 4; ++i) warm.emplace_back([&] { (void)s.messages().count(); });
  for (auto& t : warm) t.join();

  auto killer = connect(config::from_dsn(pg.dsn()));
  terminate_pgqrs_sessions(killer);

  // Six calls of different kinds, each must succeed on the first try.
  try {
    p.enqueue(json{{"n", 1}});
  } catch (const std::exception& e) {
    ADD_FAILURE() << e.what();
  }
  EXPECT_NO_THROW(p.enqueue(json{{"n", 2}}));
  std::optional<queue_message> m;
  EXPECT_NO_THROW(m = c.dequeue());
  ASSERT_TRUE(m);
  EXPECT_NO_THROW(EXPECT_TRUE(c.archive(m->id)));
  EXPECT_NO_THROW(EXPECT_EQ(s.messages().count(), 1));
  EXPECT_NO_THROW(c.heartbeat());
}

INSTANTIATE_TEST_SUITE_P(direct_and_pgbouncer, pg_sessions, ::testing::Values(false, true),
                         [](const auto& param_info) { return param_info.param ? "pgbouncer" : "direct"; });

struct restart_case {
  bool pgbouncer;
  const char* mode;
};

class pg_restart : public ::testing::TestWithParam<restart_case> {};

TEST_P(pg_restart, a_handler_loop_and_a_producer_ride_out_a_restart_and_nothing_acknowledged_is_lost) {
  const auto [via_pgbouncer, mode] = GetParam();
  // An immediate shutdown is a crash: only a durable server keeps what it acknowledged.
  pg_instance pg(via_pgbouncer, std::string_view(mode) == "immediate");
  auto s = connect(config_for(via_pgbouncer ? pg.pgbouncer_dsn() : pg.dsn()));
  admin(s).install();
  s.queue("jobs");
  auto c = s.consumer("jobs", "loop");

  std::mutex mu;
  std::map<std::int64_t, int> handled;
  std::stop_source stop;
  std::exception_ptr loop_error;
  std::thread loop([&] {
    try {
      dequeue().worker(c).poll_interval(10ms).handle([&](const queue_message& msg) {
        std::lock_guard lock(mu);
        ++handled[msg.id];
      }).poll(s, stop.get_token());
    } catch (...) {
      loop_error = std::current_exception();
    }
  });

  // The producer enqueues 600 messages at about 200/s; a failed enqueue is retried after 20 ms.
  constexpr int total = 600;
  std::set<std::int64_t> acknowledged;
  std::atomic<int> failed_calls{0};
  std::atomic<int> in_doubt{0};
  std::atomic<double> recovered_at{-1};
  std::atomic<double> slowest_call{0};
  const auto started = steady::now();
  std::thread producer_thread([&] {
    auto p = s.producer("jobs", "producer");
    for (int i = 0; i < total;) {
      const auto call_started = steady::now();
      try {
        acknowledged.insert(p.enqueue(json{{"n", i}}).id);
        slowest_call = std::max(slowest_call.load(), seconds_since(call_started));
        if (failed_calls > 0 && recovered_at < 0) recovered_at = seconds_since(started);
        ++i;
        std::this_thread::sleep_for(5ms);
      } catch (const in_doubt_error&) {
        ++in_doubt;  // may have been inserted: retried, so the queue may hold it twice
        ++failed_calls;
        std::this_thread::sleep_for(20ms);
      } catch (const error& e) {
        if (!e.retryable()) {
          ADD_FAILURE() << "enqueue failed with a non-retryable error: " << e.what();
          return;
        }
        ++failed_calls;
        std::this_thread::sleep_for(20ms);
      }
    }
  });

  std::this_thread::sleep_for(1s);
  const double restart_at = seconds_since(started);
  pg.restart(mode);
  const double restarted_at = seconds_since(started);
  producer_thread.join();
  // Everything acknowledged gets handled and archived (PgBouncer may stall calls for ~15 s after a restart).
  for (int i = 0; i < 600; ++i) {
    {
      std::lock_guard lock(mu);
      bool all = true;
      for (auto id : acknowledged) all = all && handled.count(id) > 0;
      if (all && s.messages().count() == 0) break;
    }
    std::this_thread::sleep_for(100ms);
  }
  stop.request_stop();
  loop.join();
  if (loop_error) {
    try {
      std::rethrow_exception(loop_error);
    } catch (const std::exception& e) {
      FAIL() << "the handler loop ended: " << e.what();
    }
  }

  std::size_t missing = 0, twice = 0;
  for (auto id : acknowledged) missing += handled.count(id) == 0 ? 1 : 0;
  for (const auto& [id, n] : handled) twice += n > 1 ? 1 : 0;
  const auto stats = c.loop_stats();
  std::printf(
      "[ restart %-9s %s ] restart took %.2f s; producer: %d failed calls (%d in doubt), calls succeeded again "
      "%.2f s after the restart began, slowest successful call %.2f s; loop: %llu transient errors, %zu of %zu "
      "messages handled twice\n",
      mode, via_pgbouncer ? "pgbouncer" : "direct   ", restarted_at - restart_at, failed_calls.load(),
      in_doubt.load(), recovered_at < 0 ? 0.0 : recovered_at - restart_at, slowest_call.load(),
      static_cast<unsigned long long>(stats.transient_errors), twice, handled.size());
  EXPECT_EQ(acknowledged.size(), static_cast<std::size_t>(total));
  EXPECT_EQ(missing, 0u) << "acknowledged messages never handled";
  // A message is handled twice only when the archive after its handler was lost (counted as transient).
  EXPECT_LE(twice, stats.transient_errors);
  EXPECT_EQ(c.status(), worker_status::ready);  // the same worker row, back to ready after stop
  EXPECT_EQ(s.messages().count(), 0);
  for (const auto& m : s.messages().list()) {
    ADD_FAILURE() << "left in the queue: id " << m.id << " read_ct " << m.read_ct << " vt " << format_rfc3339(m.vt)
                  << " consumer " << m.consumer_worker_id.value_or(-1) << " now " << format_rfc3339(now());
  }
}

INSTANTIATE_TEST_SUITE_P(
    modes, pg_restart,
    ::testing::Values(restart_case{false, "fast"}, restart_case{false, "immediate"},
                      restart_case{true, "fast"}),
    [](const auto& param_info) {
      return std::string(param_info.param.pgbouncer ? "pgbouncer_" : "direct_") + param_info.param.mode;
    });

}  // namespace
}  // namespace pgqrs::testing
