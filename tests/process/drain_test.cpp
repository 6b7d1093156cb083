// Several *processes* drain one queue stored in one SQLite file: no message is delivered twice and none is
// lost. The test binary re-executes itself in child mode (`--drain DSN QUEUE OUT`) for each consumer process.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include <pgqrs/pgqrs.hpp>

#include "../support/child_process.hpp"

namespace pgqrs::process_tests {

int drain(const std::string& dsn, const std::string& queue, const std::string& out_path) {
  auto store = pgqrs::connect(dsn);
  auto consumer = store.consumer(queue, "drainer-" + std::to_string(::getpid()));
  std::ofstream out(out_path);
  int empty_rounds = 0;
  while (empty_rounds < 3) {
    auto msgs = consumer.dequeue_many(7);
    if (msgs.empty()) {
      if (store.messages().count() == 0) ++empty_rounds;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      continue;
    }
    empty_rounds = 0;
    std::vector<std::int64_t> ids;
    for (const auto& m : msgs) ids.push_back(m.id);
    auto ok = consumer.archive_many(ids);
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (ok[i]) out << ids[i] << "\n";
    }
  }
  out.flush();
  return out ? 0 : 3;
}

TEST(multiprocess, four_processes_drain_one_sqlite_file_without_duplicates_or_losses) {
  const int total = 5000;
  auto dir = std::filesystem::temp_directory_path() / ("pgqrs-mp-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string dsn = "sqlite://" + (dir / "queue.db").string();
  {
    auto cfg = pgqrs::config::from_dsn(dsn);
    cfg.validation.max_enqueue_per_second.reset();
    auto store = pgqrs::connect(cfg);
    pgqrs::admin(store).install();
    store.queue("jobs");
    auto producer = store.producer("jobs", "loader");
    std::vector<pgqrs::json> chunk;
    for (int i = 0; i < total; ++i) chunk.push_back(pgqrs::json{{"n", i}});
    producer.batch_enqueue(chunk);
  }

  std::vector<pid_t> children;
  std::vector<std::string> outs;
  for (int i = 0; i < 4; ++i) {
    outs.push_back((dir / ("out" + std::to_string(i) + ".txt")).string());
    children.push_back(pgqrs::testing::spawn_self({"--drain", dsn, "jobs", outs.back()}));
  }
  for (pid_t pid : children) EXPECT_EQ(pgqrs::testing::wait_for(pid), 0) << "a drain child failed";

  std::multiset<std::int64_t> archived;
  int processes_with_work = 0;
  for (const auto& path : outs) {
    std::ifstream in(path);
    std::int64_t id = 0;
    int n = 0;
    while (in >> id) {
      archived.insert(id);
      ++n;
    }
    processes_with_work += n > 0 ? 1 : 0;
  }
  std::set<std::int64_t> unique(archived.begin(), archived.end());
  EXPECT_EQ(archived.size(), static_cast<std::size_t>(total)) << "archived count (duplicates or losses)";
  EXPECT_EQ(unique.size(), static_cast<std::size_t>(total));
  EXPECT_GE(processes_with_work, 2) << "the processes did not actually share the work";
  auto store = pgqrs::connect(dsn);
  EXPECT_EQ(store.messages().count(), 0);
  std::filesystem::remove_all(dir);
}

}  // namespace pgqrs::process_tests
