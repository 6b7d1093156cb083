// Processes and one Turso file. Turso 0.8.3 locks the file for as long as one process has it open, so
// "several processes" means: a second opener is refused with a clear error while the first runs (never a
// corrupted file, never a half-open store), and processes that take turns, each SIGKILLed in the middle of
// its work, together archive every message exactly once: the next opener recovers the WAL the killed one
// left behind.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <thread>

#include <pgqrs/pgqrs.hpp>

#include "../support/child_process.hpp"
#include "children.hpp"

namespace pgqrs::process_tests {

int turso_open(const std::string& dsn) {
  try {
    auto s = connect(dsn);
    (void)s.messages().count();
  } catch (const connection_error& e) {
    std::printf("%s%s\n", e.what(), e.retryable() ? " (retryable)" : "");
    return 10;
  }
  return 0;
}

int turso_drain_one_by_one(const std::string& dsn, const std::string& out_path) {
  auto s = connect(dsn);
  auto c = s.consumer("jobs", "drainer-" + std::to_string(::getpid()));
  std::ofstream out(out_path, std::ios::app);
  for (;;) {
    auto msgs = c.dequeue_many_with_delay(1, std::chrono::seconds(1));
    if (msgs.empty()) {
      if (s.messages().count() == 0) return 0;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));  // a killed holder's lease runs out
      continue;
    }
    if (c.archive(msgs.front().id).has_value())
      out << msgs.front().id << std::endl;  // acknowledged: recorded at once
  }
}

namespace {

namespace fs = std::filesystem;

struct turso_file {
  fs::path dir = fs::temp_directory_path() / ("pgqrs-turso-mp-" + std::to_string(::getpid()));
  std::string dsn;
  turso_file() {
    fs::create_directories(dir);
    dsn = "turso://" + (dir / "queue.db").string();
  }
  ~turso_file() { fs::remove_all(dir); }
};

std::string read_all(const fs::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(turso_processes, a_second_process_is_refused_with_the_reason_and_the_first_is_unharmed) {
  turso_file f;
  auto s = connect(f.dsn);
  admin(s).install();
  s.queue("jobs");
  auto p = s.producer("jobs", "loader");
  for (int i = 0; i < 20; ++i) (void)p.enqueue(json{{"n", i}});

  const fs::path out = f.dir / "child.out";
  const pid_t child = pgqrs::testing::spawn_self({"--turso-open", f.dsn}, out.string());
  EXPECT_EQ(pgqrs::testing::wait_for(child), 10) << read_all(out);
  const std::string said = read_all(out);
  EXPECT_NE(said.find("can be open in only one process at a time"), std::string::npos) << said;
  EXPECT_NE(said.find("queue.db"), std::string::npos) << "the error names the file: " << said;
  EXPECT_NE(said.find("retryable"), std::string::npos) << "waiting for the other process may help: " << said;

  auto c = s.consumer("jobs", "after");
  auto msgs = c.dequeue_many(50);
  EXPECT_EQ(msgs.size(), 20U);
  for (const auto& m : msgs) EXPECT_TRUE(c.archive(m.id).has_value());
  EXPECT_EQ(s.messages().count(), 0);
}

TEST(turso_processes, processes_taking_turns_and_killed_mid_work_archive_every_message_exactly_once) {
  turso_file f;
  constexpr int total = 600;
  std::int64_t queue_id = 0;
  {
    auto cfg = config::from_dsn(f.dsn);
    cfg.validation.max_enqueue_per_second.reset();
    auto s = connect(cfg);
    admin(s).install();
    queue_id = s.queue("jobs").id;
    std::vector<json> batch;
    for (int i = 0; i < total; ++i) batch.push_back(json{{"n", i}});
    (void)s.producer("jobs", "loader").batch_enqueue(batch);
  }  // closed: the file is free for the children

  const fs::path acks = f.dir / "acks";
  std::mt19937 rng{std::random_device{}()};
  int kills = 0;
  int finished_by_itself = 0;
  for (int round = 0; round < 40 && finished_by_itself == 0; ++round) {
    const pid_t child = pgqrs::testing::spawn_self({"--turso-drain", f.dsn, acks.string()});
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(100, 400)(rng)));
    if (::kill(child, SIGKILL) == 0) {
      const int code = pgqrs::testing::wait_for(child);
      if (code == 128 + SIGKILL) {
        ++kills;
        continue;
      }
      ASSERT_EQ(code, 0) << "round " << round;
    }
    ++finished_by_itself;
  }
  if (finished_by_itself == 0) {  // the last stretch without a kill
    EXPECT_EQ(pgqrs::testing::wait_for(pgqrs::testing::spawn_self({"--turso-drain", f.dsn, acks.string()})),
              0);
  }
  std::printf("[ turso processes ] %d drainers SIGKILLed mid-work before the queue was empty\n", kills);
  EXPECT_GE(kills, 3) << "too few kills to mean anything: the drain was faster than expected";

  std::ifstream in(acks);
  std::multiset<std::int64_t> acknowledged;
  for (std::int64_t id = 0; in >> id;) acknowledged.insert(id);
  std::set<std::int64_t> distinct(acknowledged.begin(), acknowledged.end());
  EXPECT_EQ(acknowledged.size(), distinct.size()) << "a message was archived (acknowledged) twice";

  auto s = connect(f.dsn);
  EXPECT_EQ(s.messages().count(), 0) << "every message was archived";
  const auto archived = s.messages().list_archived_by_queue(queue_id);
  EXPECT_EQ(archived.size(), static_cast<std::size_t>(total));
  std::set<int> payloads;
  for (const auto& m : archived) payloads.insert(m.payload.at("n").get<int>());
  EXPECT_EQ(payloads.size(), static_cast<std::size_t>(total)) << "each payload archived once";
  for (std::int64_t id : distinct) {
    const auto m = s.messages().get(id);
    ASSERT_TRUE(m) << "acknowledged message " << id << " vanished";
    EXPECT_TRUE(m->archived_at) << "acknowledged message " << id << " is not archived";
  }
}

}  // namespace
}  // namespace pgqrs::process_tests
