// Durable workflows while PostgreSQL restarts under them (each case on a server of its own): a worker poll
// loop with two threads executes 3-step runs while the server is restarted (fast, immediate on a durable
// server, and fast through PgBouncer). The loop survives, every run finishes with the right output, every step
// is recorded once, and a step body runs again only where its checkpoint's commit was lost (in doubt) or the
// run was given back: at most twice, and for few runs.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include <pgqrs/pgqrs.hpp>

#include "../conformance/fixture.hpp"
#include "../support/pg_instance.hpp"

namespace pgqrs::testing {
namespace {

using namespace std::chrono_literals;

struct restart_case {
  bool pgbouncer;
  const char* mode;
};

class workflow_restart : public ::testing::TestWithParam<restart_case> {};

TEST_P(workflow_restart, a_worker_loop_rides_out_a_restart_and_every_run_finishes_with_each_step_recorded_once) {
  const auto [via_pgbouncer, mode] = GetParam();
  pg_instance pg(via_pgbouncer, std::string_view(mode) == "immediate");
  auto cfg = config::from_dsn(via_pgbouncer ? pg.pgbouncer_dsn() : pg.dsn());
  cfg.validation.max_enqueue_per_second.reset();
  cfg.max_connections = 6;
  auto s = connect(cfg);
  admin(s).install();

  std::mutex m;
  std::map<std::pair<int, std::string>, int> executions;  // (input, step) -> times its body ran
  auto count = [&](int x, const char* step) {
    std::lock_guard lock(m);
    ++executions[{x, step}];
  };
  workflow_def def("restarted", [&](workflow_run& run, const json& in) -> json {
    const int x = in.at("x").get<int>();
    auto a = workflow_step(run, "a", [&] {
      count(x, "a");
      std::this_thread::sleep_for(2ms);
      return x + 1;
    });
    auto b = workflow_step(run, "b", [&] {
      count(x, "b");
      std::this_thread::sleep_for(2ms);
      return a * 10;
    });
    return workflow_step(run, "c", [&] {
      count(x, "c");
      return b + 1;
    });
  });
  workflow().name(def).create(s);
  constexpr int runs = 300;
  std::vector<queue_message> msgs;
  for (int i = 0; i < runs; ++i) msgs.push_back(workflow().name(def).trigger(json{{"x", i}}).execute(s));

  // Short leases so a run whose lease keeper lost its connection comes back quickly.
  auto worker = workflow().name(def).concurrency(2).lease(3s).poll_interval(50ms);
  std::stop_source stop;
  std::exception_ptr loop_failure;
  std::jthread loop([&] {
    try {
      worker.poll(s, stop.get_token());
    } catch (...) {
      loop_failure = std::current_exception();
    }
  });
  // Restart once about a third of the runs are done.
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (worker.stats().runs_completed < runs / 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  const auto before = worker.stats().runs_completed;
  pg.restart(mode);

  auto checker = connect(config::from_dsn(pg.dsn()));
  const auto finished = [&] {
    return query_int(checker, "SELECT count(*) FROM pgqrs_workflow_runs WHERE status = 'SUCCESS'");
  };
  const auto wait_until = std::chrono::steady_clock::now() + 90s;
  while (finished() < runs && std::chrono::steady_clock::now() < wait_until && !loop_failure) {
    std::this_thread::sleep_for(100ms);
  }
  stop.request_stop();
  loop.join();
  if (loop_failure) {
    try {
      std::rethrow_exception(loop_failure);
    } catch (const std::exception& e) {
      FAIL() << "the worker loop ended: " << e.what();
    }
  }
  ASSERT_EQ(finished(), runs);
  for (int i = 0; i < runs; ++i) {
    EXPECT_EQ(run().message(msgs[static_cast<std::size_t>(i)]).get(checker), json((i + 1) * 10 + 1)) << "run " << i;
  }
  EXPECT_EQ(query_int(checker, "SELECT count(*) FROM pgqrs_workflow_steps"), 3 * runs);
  EXPECT_EQ(query_int(checker, "SELECT count(*) FROM pgqrs_messages"), 0);
  int repeated = 0;
  for (const auto& [key, n] : executions) {
    EXPECT_LE(n, 2) << "input " << key.first << " step " << key.second;
    if (n > 1) ++repeated;
  }
  EXPECT_EQ(executions.size(), static_cast<std::size_t>(3 * runs));
  EXPECT_LE(repeated, 10) << "step bodies ran again for more runs than an outage's in-flight work explains";
  const auto st = worker.stats();
  std::printf("[ workflow restart %-9s %s ] completed %llu before the restart, %llu in all; %d step bodies ran twice; "
              "%llu database failures waited out (runs given back, claims retried)\n",
              mode, via_pgbouncer ? "pgbouncer" : "direct   ", static_cast<unsigned long long>(before),
              static_cast<unsigned long long>(st.runs_completed), repeated,
              static_cast<unsigned long long>(st.transient_errors));
}

INSTANTIATE_TEST_SUITE_P(
    modes, workflow_restart,
    ::testing::Values(restart_case{false, "fast"}, restart_case{false, "immediate"}, restart_case{true, "fast"}),
    [](const ::testing::TestParamInfo<restart_case>& param_info) {
      return std::string(param_info.param.pgbouncer ? "pgbouncer_" : "direct_") + param_info.param.mode;
    });

}  // namespace
}  // namespace pgqrs::testing
