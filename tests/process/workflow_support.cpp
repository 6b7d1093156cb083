#include "workflow_support.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "../conformance/fixture.hpp"
#include "../support/child_process.hpp"
#include "../support/raw_sql.hpp"

namespace pgqrs::process_tests::wfp {

config config_of(const std::string& dsn, const std::string& schema) {
  auto cfg = config::from_dsn(dsn);
  if (cfg.backend() == backend_kind::postgres) cfg.schema = schema;
  cfg.validation.max_enqueue_per_second.reset();
  return cfg;
}

std::int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void append_event(const std::filesystem::path& dir, const std::string& kind, std::int64_t run_id) {
  const std::string line =
      kind + " " + std::to_string(run_id) + " " + std::to_string(::getpid()) + " " + std::to_string(steady_ns()) + "\n";
  const int fd = ::open((dir / "events").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0) throw std::runtime_error("cannot open the events file");
  const auto n = ::write(fd, line.data(), line.size());  // one write: lines of several processes never mix
  ::close(fd);
  if (n != static_cast<ssize_t>(line.size())) throw std::runtime_error("cannot write the events file");
}

std::vector<event> read_events(const std::filesystem::path& dir) {
  std::vector<event> out;
  std::ifstream in(dir / "events");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    event e;
    if (fields >> e.kind >> e.run_id >> e.pid >> e.ns) out.push_back(e);
  }
  return out;
}

namespace {

[[noreturn]] void block_until_killed(const std::filesystem::path& dir, std::int64_t run_id) {
  append_event(dir, "ready", run_id);
  for (;;) std::this_thread::sleep_for(1s);
}

/// One autocommit INSERT (query_rows: on SQLite it waits for other processes' write locks, which exec_sql's
/// scripts do not; a "database is locked" would make the step fail transiently and wait for a retry).
void side_effect(const store& s, std::int64_t run_id, const std::string& step) {
  (void)pgqrs::testing::query_rows(s, "INSERT INTO " + pgqrs::testing::table(s, "side_effects") +
                                  " (run_id, step, pid) VALUES (" + std::to_string(run_id) + ", '" + step + "', " +
                                  std::to_string(::getpid()) + ")");
}

}  // namespace

std::int64_t five_steps_result(std::int64_t x) {
  for (int i = 1; i <= 5; ++i) x = x * 3 + i;
  return x;
}

workflow_def make_def(const std::string& name, const store& s, const std::filesystem::path& dir, bool victim) {
  if (name == "five_steps") {
    return workflow_def(name, [s, dir, victim](workflow_run& run, const json& in) -> json {
      append_event(dir, "enter", run.id());
      const std::string kill = in.value("kill", "");
      const int at = in.value("step", 0);
      std::int64_t v = in.at("x").get<std::int64_t>();
      for (int i = 1; i <= 5; ++i) {
        const std::string step = "s" + std::to_string(i);
        v = workflow_step(run, step, [&] {
          side_effect(s, run.id(), step);
          if (victim && kill == "mid" && at == i) block_until_killed(dir, run.id());
          return v * 3 + i;
        });
        // Here step i's checkpoint is committed.
        if (victim && kill == "after" && at == i) block_until_killed(dir, run.id());
      }
      return json{{"v", v}};
    });
  }
  if (name == "pay") {
    return workflow_def(name, [s, dir, victim](workflow_run& run, const json& in) -> json {
      append_event(dir, "enter", run.id());
      const std::string kill = in.value("kill", "");
      const auto amount = in.at("amount").get<std::int64_t>();
      const auto ledger = pgqrs::testing::table(s, "ledger");
      auto debited = run.transaction_step("debit", [&](transaction& tx) -> std::int64_t {
        append_event(dir, "txbody", run.id());
        tx.execute("INSERT INTO " + ledger + " (run_id, amount) VALUES (" + std::to_string(run.id()) + ", " +
                   std::to_string(amount) + ")");
        // Killed here: the user's row is written in the step's transaction, which is not committed.
        if (victim && kill == "in_tx") block_until_killed(dir, run.id());
        return amount;
      });
      auto sent = workflow_step(run, "notify", [&] {
        // Killed here: the debit (row and checkpoint) is committed.
        if (victim && kill == "after_commit") block_until_killed(dir, run.id());
        side_effect(s, run.id(), "notify");
        return std::string("sent");
      });
      return json{{"debited", debited}, {"notify", sent}};
    });
  }
  if (name == "fence") {
    return workflow_def(name, [s, dir, victim](workflow_run& run, const json&) -> json {
      append_event(dir, "enter", run.id());
      auto one = workflow_step(run, "s1", [&] {
        side_effect(s, run.id(), "s1");
        return 1;
      });
      std::string who;
      try {
        who = workflow_step(run, "s2", [&]() -> std::string {
          side_effect(s, run.id(), "s2");
          if (!victim) return "B";
          // Stopped (SIGSTOP) here past the lease; continues once the parent lets it.
          append_event(dir, "ready", run.id());
          while (!std::filesystem::exists(dir / "release")) std::this_thread::sleep_for(5ms);
          return "A";
        });
      } catch (const lease_lost&) {
        append_event(dir, "lease_lost", run.id());
        throw;
      }
      auto done = workflow_step(run, "s3", [&] {
        side_effect(s, run.id(), "s3");
        return who + "-done";
      });
      return json{{"s1", one}, {"s2", who}, {"s3", done}};
    });
  }
  if (name == "nap") {
    return workflow_def(name, [s, dir](workflow_run& run, const json& in) -> json {
      append_event(dir, "enter", run.id());
      workflow_step(run, "before", [&] {
        side_effect(s, run.id(), "before");
        return 1;
      });
      run.sleep("nap", std::chrono::milliseconds(in.at("nap_ms").get<std::int64_t>()));
      auto at = workflow_step(run, "after", [&] {
        side_effect(s, run.id(), "after");
        return std::chrono::duration_cast<std::chrono::microseconds>(run.current_time().time_since_epoch()).count();
      });
      return json{{"after_us", at}};
    });
  }
  throw std::invalid_argument("no test workflow named " + name);
}

// ---------------------------------------------------------------- parent fixture

std::vector<std::string> backends() {
#if PGQRS_TEST_HAVE_POSTGRES
  return {"sqlite", "postgres", "pgbouncer"};
#else
  return {"sqlite"};
#endif
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void wf_process::SetUp() {
  const auto tag = std::to_string(::getpid()) + "_" + std::to_string(++m_counter);
  m_dir = std::filesystem::temp_directory_path() / ("pgqrs-wfproc-" + tag);
  std::filesystem::remove_all(m_dir);
  std::filesystem::create_directories(m_dir);
  m_schema = "wfproc_" + tag;
  const auto& backend = GetParam();
  if (backend == "postgres" || backend == "pgbouncer") {
    const char* var = backend == "postgres" ? "PGQRS_PG_DSN" : "PGQRS_PGBOUNCER_DSN";
    const char* dsn = std::getenv(var);
    if (dsn == nullptr || *dsn == '\0') FAIL() << var << " is not set: run the suite with scripts/test.sh";
    m_dsn = dsn;
  } else {
    m_dsn = "sqlite://" + (m_dir / "wf.db").string();
  }
  m_store.emplace(connect(config_of(m_dsn, m_schema)));
  admin(s()).install();
  pgqrs::testing::exec_sql(s(), "CREATE TABLE " + table("side_effects") +
                                    " (run_id BIGINT NOT NULL, step TEXT NOT NULL, pid BIGINT NOT NULL)");
  pgqrs::testing::exec_sql(s(), "CREATE TABLE " + table("ledger") + " (run_id BIGINT NOT NULL, amount BIGINT NOT NULL)");
  for (const char* name : {"five_steps", "pay", "fence", "nap"}) workflow().name(name).create(s());
}

void wf_process::kill_all_children() {
  for (pid_t pid : m_children) {
    ::kill(pid, SIGCONT);
    ::kill(pid, SIGKILL);
    (void)pgqrs::testing::wait_for(pid);
  }
  m_children.clear();
}

void wf_process::TearDown() {
  kill_all_children();
  if (m_store && m_store->backend() == backend_kind::postgres) {
    try {
      pgqrs::testing::exec_sql(s(), "DROP SCHEMA IF EXISTS \"" + m_schema + "\" CASCADE");
    } catch (const std::exception& e) {
      ADD_FAILURE() << "dropping the test schema failed: " << e.what();
    }
  }
  m_store.reset();
  if (!HasFailure()) std::filesystem::remove_all(m_dir);
}

std::string wf_process::table(const std::string& name) const {
  return pgqrs::testing::table(*m_store, name);
}

pid_t wf_process::spawn(const std::vector<std::string>& args) {
  const pid_t pid = pgqrs::testing::spawn_self(args);
  m_children.push_back(pid);
  return pid;
}

pid_t wf_process::spawn_victim(const std::string& workflow, std::chrono::milliseconds lease) {
  return spawn({"--wf-victim", m_dsn, m_schema, m_dir.string(), workflow, std::to_string(lease.count())});
}

pid_t wf_process::spawn_rescuer(const std::string& workflow, std::chrono::milliseconds lease, int runs) {
  return spawn({"--wf-rescuer", m_dsn, m_schema, m_dir.string(), workflow, std::to_string(lease.count()),
                std::to_string(runs)});
}

int wf_process::reap(pid_t pid) {
  const int code = pgqrs::testing::wait_for(pid);
  std::erase(m_children, pid);
  return code;
}

int wf_process::reap_within(pid_t pid, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      std::erase(m_children, pid);
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
      return -1;
    }
    if (r < 0) {
      ADD_FAILURE() << "waitpid " << pid << " failed";
      return -1;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      ADD_FAILURE() << "child " << pid << " did not end within " << timeout.count() << " s; killed";
      ::kill(pid, SIGCONT);
      ::kill(pid, SIGKILL);
      (void)reap(pid);
      return -1;
    }
    std::this_thread::sleep_for(5ms);
  }
}

std::int64_t wf_process::stop_outside_transactions(pid_t pid, std::int64_t message_id) {
  const bool sqlite = s().backend() != backend_kind::postgres;
  for (int attempt = 0; attempt < 200; ++attempt) {
    const auto t = steady_ns();
    ::kill(pid, SIGSTOP);
    int status = 0;
    if (::waitpid(pid, &status, WUNTRACED) != pid || !WIFSTOPPED(status)) {
      ADD_FAILURE() << "child " << pid << " did not stop";
      return t;
    }
    try {
      if (sqlite) {
        pgqrs::testing::exec_sql(s(), "BEGIN IMMEDIATE; COMMIT;");  // fails at once while another writer holds it
      } else {
        (void)pgqrs::testing::query_rows(s(), "SELECT id FROM " + table("pgqrs_messages") + " WHERE id = " +
                                                  std::to_string(message_id) + " FOR UPDATE NOWAIT");
      }
      return t;
    } catch (const std::exception& e) {
      std::printf("[ stop ] child %d stopped holding a lock (%s); continuing it and trying again\n", pid, e.what());
      ::kill(pid, SIGCONT);
      std::this_thread::sleep_for(20ms);
    }
  }
  ADD_FAILURE() << "could not stop child " << pid << " outside a transaction";
  return 0;
}

std::int64_t wf_process::kill_child(pid_t pid) {
  const auto t = steady_ns();
  ::kill(pid, SIGKILL);
  EXPECT_EQ(reap(pid), 128 + SIGKILL);
  return t;
}

std::vector<event> wf_process::wait_for_events(const std::string& kind, std::size_t n, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::vector<event> found;
    for (auto& e : read_events(m_dir)) {
      if (e.kind == kind) found.push_back(e);
    }
    if (found.size() >= n || std::chrono::steady_clock::now() > deadline) {
      EXPECT_GE(found.size(), n) << "timed out waiting for " << n << " '" << kind << "' events";
      return found;
    }
    std::this_thread::sleep_for(5ms);
  }
}

std::vector<std::int64_t> wf_process::side_effect_pids(std::int64_t run_id, const std::string& step) {
  auto rows = pgqrs::testing::query_rows(s(), "SELECT pid FROM " + table("side_effects") + " WHERE run_id = " +
                                                  std::to_string(run_id) + " AND step = '" + step + "' ORDER BY pid");
  std::vector<std::int64_t> pids;
  for (std::size_t r = 0; r < rows.size(); ++r) pids.push_back(rows.i64(r, 0));
  return pids;
}

json wf_process::stats_of(pid_t pid) const {
  std::ifstream in(m_dir / ("stats-" + std::to_string(pid) + ".json"));
  if (!in) return json();
  return json::parse(in);
}

}  // namespace pgqrs::process_tests::wfp
