// How long a message waits after its consumer process is SIGKILLed in the middle of the handler: until its
// lease expires (no reaper), or until a reaper finds the worker stale (three missed heartbeats). Measured and
// bounded on SQLite and PostgreSQL; the numbers are printed for the notes.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include <pgqrs/pgqrs.hpp>

#include "../conformance/fixture.hpp"
#include "../support/child_process.hpp"
#include "children.hpp"

namespace pgqrs::process_tests {

using namespace std::chrono_literals;

namespace {
config config_of(const std::string& dsn, const std::string& schema, int heartbeat_s) {
  auto cfg = config::from_dsn(dsn);
  if (cfg.backend() == backend_kind::postgres) cfg.schema = schema;
  cfg.heartbeat_interval = std::chrono::seconds(heartbeat_s);
  return cfg;
}
}  // namespace

int hold_lease(const std::string& dsn, const std::string& schema, int lease_ms, int heartbeat_s,
               const std::string& out_path) {
  auto s = connect(config_of(dsn, schema, heartbeat_s));
  auto c = s.consumer("jobs", "holder-" + std::to_string(::getpid()));
  dequeue().worker(c).with_vt(std::chrono::milliseconds(lease_ms)).poll_interval(10ms)
      .handle([&](const queue_message& m) {
        std::ofstream(out_path) << m.id << std::endl;
        for (;;) std::this_thread::sleep_for(1s);  // the parent kills us here
      })
      .poll(s);
  return 3;
}

namespace {

class redelivery : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    m_dir = std::filesystem::temp_directory_path() / ("pgqrs-redeliver-" + std::to_string(::getpid()) + "-" +
                                                      std::to_string(++m_counter));
    std::filesystem::create_directories(m_dir);
    m_schema = "redeliver_" + std::to_string(::getpid()) + "_" + std::to_string(m_counter);
    if (GetParam() == "postgres") {
      const char* pg = std::getenv("PGQRS_PG_DSN");
      if (pg == nullptr) FAIL() << "PGQRS_PG_DSN is not set: run the suite with scripts/test.sh";
      m_dsn = pg;
    } else {
      m_dsn = "sqlite://" + (m_dir / "queue.db").string();
    }
  }
  void TearDown() override {
    if (GetParam() == "postgres" && !m_dsn.empty()) {
      pgqrs::testing::exec_sql(connect(m_dsn), "DROP SCHEMA IF EXISTS \"" + m_schema + "\" CASCADE");
    }
    std::filesystem::remove_all(m_dir);
  }

  /// Starts a holder child, SIGKILLs it once its handler runs, returns the time from the kill until another
  /// consumer gets the message; `reap` runs reclaim_messages (default threshold) every 100 ms meanwhile.
  double seconds_to_redelivery(int lease_ms, int heartbeat_s, bool reap) {
    auto s = connect(config_of(m_dsn, m_schema, heartbeat_s));
    admin(s).install();
    const auto q = s.queue("jobs");
    enqueue().message(json{{"job", 1}}).to("jobs").execute(s);
    const auto out = (m_dir / "claimed").string();
    const pid_t child = pgqrs::testing::spawn_self(
        {"--hold-lease", m_dsn, m_schema, std::to_string(lease_ms), std::to_string(heartbeat_s), out});
    for (int i = 0; i < 1000 && !std::filesystem::exists(out); ++i) std::this_thread::sleep_for(10ms);
    EXPECT_TRUE(std::filesystem::exists(out)) << "the child never handled the message";
    std::this_thread::sleep_for(200ms);  // the child's handler is running
    const auto killed = std::chrono::steady_clock::now();
    ::kill(child, SIGKILL);
    EXPECT_EQ(pgqrs::testing::wait_for(child), 128 + SIGKILL);
    auto other = s.consumer("jobs", "rescuer");
    for (int i = 0; i < 6000; ++i) {
      if (reap) (void)admin(s).reclaim_messages(q.id);
      if (auto m = other.dequeue()) {
        EXPECT_TRUE(other.archive(m->id));
        EXPECT_EQ(m->read_ct, 2);
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - killed).count();
      }
      std::this_thread::sleep_for(reap ? 100ms : 20ms);
    }
    ADD_FAILURE() << "the message was never delivered again";
    return 1e9;
  }

  std::filesystem::path m_dir;
  std::string m_dsn;
  std::string m_schema;
  static inline int m_counter = 0;
};

TEST_P(redelivery, a_killed_consumers_message_comes_back_when_its_lease_ends) {
  const double t = seconds_to_redelivery(2000, 5, false);
  std::printf("[ redelivery %-8s ] lease 2 s, no reaper: delivered again %.2f s after SIGKILL\n",
              GetParam().c_str(), t);
  // The lease keeper renewed the 2 s lease every lease/3 until the kill, so it ends 1.33..2 s after it: not
  // given away before that, and back soon after. The upper bound is generous because a loaded machine (the
  // suite runs tests in parallel) delays the child and the poll; without lease expiry it would never return.
  EXPECT_GE(t, 1.2);
  EXPECT_LE(t, 2.0 + 3.0);
}

TEST_P(redelivery, a_reaper_brings_a_killed_consumers_message_back_before_its_lease_ends) {
  const double t = seconds_to_redelivery(60000, 1, true);
  std::printf("[ redelivery %-8s ] lease 60 s, reaper every 100 ms, heartbeat 1 s: delivered again %.2f s after "
              "SIGKILL\n",
              GetParam().c_str(), t);
  // Stale after 3 beats of 1 s, counted from the last beat (at most 1.5 s before the kill): far sooner than
  // the 60 s lease, which is what shows the reaper did it (generous bound for a loaded machine).
  EXPECT_LE(t, 3.0 + 5.0);
}

#if PGQRS_TEST_HAVE_POSTGRES
INSTANTIATE_TEST_SUITE_P(backends, redelivery, ::testing::Values("sqlite", "postgres"),
                         [](const auto& param_info) { return param_info.param; });
#else
INSTANTIATE_TEST_SUITE_P(backends, redelivery, ::testing::Values("sqlite"),
                         [](const auto& param_info) { return param_info.param; });
#endif

}  // namespace
}  // namespace pgqrs::process_tests
