// Secrets never reach the log (issue 14): a handler loop, a workflow loop and a producer run against a
// PostgreSQL server of their own whose DSN carries a password, while the server is restarted and then refuses
// that password for a while (every reconnect fails with libpq's authentication error). Everything the library
// logs in that time (all levels, captured with set_log_sink) and every error the producer is given must be
// free of the password; and there must be something logged, or the test proves nothing.
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include <pgqrs/log.hpp>
#include <pgqrs/pgqrs.hpp>

#include "../conformance/fixture.hpp"
#include "../support/pg_instance.hpp"

namespace pgqrs::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* password = "Pw-9c41-never-logged";
constexpr const char* other_password = "Other-7d2e-pw";

std::string with_password(std::string dsn, const std::string& pw) {
  dsn.insert(dsn.find('@'), ":" + pw);
  return dsn;
}

/// Collects every message the library logs while it lives (all levels); silences the library afterwards.
class captured_log {
 public:
  captured_log() {
    set_log_sink([this](log_level level, std::string_view message) {
      std::lock_guard lock(m_mutex);
      m_lines.push_back(std::string(to_string(level)) + ": " + std::string(message));
    });
  }
  captured_log(const captured_log&) = delete;
  captured_log& operator=(const captured_log&) = delete;
  ~captured_log() { set_log_sink({}); }

  [[nodiscard]] std::vector<std::string> lines() const {
    std::lock_guard lock(m_mutex);
    return m_lines;
  }

 private:
  mutable std::mutex m_mutex;
  std::vector<std::string> m_lines;
};

TEST(secrets, a_password_in_the_dsn_never_reaches_the_log_or_an_error_while_connections_fail) {
  pg_instance pg(false);
  pg.require_password(password);
  captured_log log;
  auto cfg = config::from_dsn(with_password(pg.dsn(), password));
  cfg.validation.max_enqueue_per_second.reset();
  cfg.max_connections = 4;
  cfg.connection_timeout = 2s;
  auto s = connect(cfg);
  admin(s).install();
  s.queue("jobs");

  workflow_def def("secretive", [](workflow_run& run, const json& in) -> json {
    return workflow_step(run, "only", [&] { return in.at("x").get<int>() + 1; });
  });
  workflow().name(def).create(s);

  std::stop_source stop;
  auto consumer = s.consumer("jobs", "loop");
  std::jthread handler_loop([&] {
    dequeue().worker(consumer).poll_interval(20ms).handle([](const queue_message&) {}).poll(s, stop.get_token());
  });
  auto workflows = workflow().name(def).concurrency(1).lease(2s).poll_interval(20ms);
  std::jthread workflow_loop([&] { workflows.poll(s, stop.get_token()); });

  std::vector<std::string> errors;
  auto producer = s.producer("jobs", "producer");
  const auto produce_for = [&](std::chrono::milliseconds how_long) {
    const auto until = std::chrono::steady_clock::now() + how_long;
    for (int i = 0; std::chrono::steady_clock::now() < until; ++i) {
      try {
        (void)producer.enqueue(json{{"n", i}});
        (void)workflow().name(def).trigger(json{{"x", i}}).execute(s);
      } catch (const std::exception& e) {
        errors.emplace_back(e.what());
      }
      std::this_thread::sleep_for(20ms);
    }
  };

  produce_for(500ms);
  pg.restart("fast");  // every pooled session is gone: the loops and the producer reconnect
  produce_for(500ms);
  pg.require_password(other_password);  // reconnects now fail with libpq's authentication error
  auto killer = connect(config::from_dsn(with_password(pg.dsn(), other_password)));
  exec_sql(killer, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'pgqrs' AND pid "
                   "<> pg_backend_pid()");
  produce_for(2500ms);
  pg.require_password(password);
  produce_for(1500ms);
  stop.request_stop();
  handler_loop.join();
  workflow_loop.join();

  const auto lines = log.lines();
  std::size_t warnings = 0;
  for (const auto& line : lines) {
    EXPECT_EQ(line.find(password), std::string::npos) << line;
    EXPECT_EQ(line.find(other_password), std::string::npos) << line;
    warnings += line.rfind("warning: ", 0) == 0 ? 1 : 0;
  }
  for (const auto& what : errors) EXPECT_EQ(what.find(password), std::string::npos) << what;
  EXPECT_GT(warnings, 0U) << "nothing was logged while connections failed: the test proved nothing";
  EXPECT_FALSE(errors.empty()) << "the producer never saw a failure: the test proved nothing";
  // After the password is accepted again, the application works without being recreated.
  EXPECT_NO_THROW((void)producer.enqueue(json{{"after", true}}));
  std::printf("[ secrets ] %zu log lines (%zu warnings) and %zu errors checked; none holds the password\n",
              lines.size(), warnings, errors.size());
  for (const auto& line : lines) std::printf("[ secrets ]   %s\n", line.c_str());
}

}  // namespace
}  // namespace pgqrs::testing
