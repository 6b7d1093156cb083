// Several *processes* drain one queue stored in one SQLite file: no message is delivered twice and none is
// lost. The test binary re-executes itself in child mode (`--drain DSN QUEUE OUT`) for each consumer process.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include <pgqrs/pgqrs.hpp>

#include "../support/child_process.hpp"

namespace pgqrs::process_tests {

int drain(const std::string& dsn, const std::string& queue, const std::string& out_path,
          const std::string& producers_done) {
  auto store = pgqrs::connect(dsn);
  auto consumer = store.consumer(queue, "drainer-" + std::to_string(::getpid()));
  std::ofstream out(out_path);
  int empty_rounds = 0;
  while (empty_rounds < 3) {
    auto msgs = consumer.dequeue_many(7);
    if (msgs.empty()) {
      const bool producing = !producers_done.empty() && !std::filesystem::exists(producers_done);
      if (!producing && store.messages().count() == 0) ++empty_rounds;
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

int produce(const std::string& dsn, const std::string& queue, int count, const std::string& out_path) {
  auto cfg = pgqrs::config::from_dsn(dsn);
  cfg.validation.max_enqueue_per_second.reset();
  auto store = pgqrs::connect(cfg);
  auto producer = store.producer(queue, "producer-" + std::to_string(::getpid()));
  std::ofstream out(out_path);
  for (int i = 0; i < count; i += 10) {
    std::vector<pgqrs::json> batch;
    for (int k = i; k < std::min(count, i + 10); ++k) batch.push_back(pgqrs::json{{"n", k}, {"pid", ::getpid()}});
    // Written once enqueue returned: these ids are acknowledged, so each must be archived exactly once.
    for (const auto& m : producer.batch_enqueue(batch)) out << m.id << "\n";
  }
  out.flush();
  return out ? 0 : 3;
}

namespace {

std::multiset<std::int64_t> read_ids(const std::vector<std::string>& paths, int* files_with_ids = nullptr) {
  std::multiset<std::int64_t> ids;
  for (const auto& path : paths) {
    std::ifstream in(path);
    std::int64_t id = 0;
    int n = 0;
    while (in >> id) {
      ids.insert(id);
      ++n;
    }
    if (files_with_ids != nullptr) *files_with_ids += n > 0 ? 1 : 0;
  }
  return ids;
}

}  // namespace

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
    children.push_back(pgqrs::testing::spawn_self({"--drain", dsn, "jobs", outs.back(), ""}));
  }
  for (pid_t pid : children) EXPECT_EQ(pgqrs::testing::wait_for(pid), 0) << "a drain child failed";

  int processes_with_work = 0;
  const auto archived = read_ids(outs, &processes_with_work);
  std::set<std::int64_t> unique(archived.begin(), archived.end());
  EXPECT_EQ(archived.size(), static_cast<std::size_t>(total)) << "archived count (duplicates or losses)";
  EXPECT_EQ(unique.size(), static_cast<std::size_t>(total));
  EXPECT_GE(processes_with_work, 2) << "the processes did not actually share the work";
  auto store = pgqrs::connect(dsn);
  EXPECT_EQ(store.messages().count(), 0);
  std::filesystem::remove_all(dir);
}

// Under load (issue 14): eight consumer processes drain while two producer processes are still enqueueing, all
// on one SQLite file. Every acknowledged enqueue is archived exactly once, and no child fails: a "database is
// locked" escaping any call would end that child with an error.
TEST(multiprocess, eight_consumers_and_two_producers_share_one_sqlite_file_without_duplicates_or_losses) {
  const int per_producer = 2500;
  auto dir = std::filesystem::temp_directory_path() / ("pgqrs-mp8-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string dsn = "sqlite://" + (dir / "queue.db").string();
  {
    auto store = pgqrs::connect(dsn);
    pgqrs::admin(store).install();
    store.queue("jobs");
  }
  const std::string producers_done = (dir / "produced").string();
  std::vector<pid_t> consumers, producers;
  std::vector<std::string> archived_files, enqueued_files;
  for (int i = 0; i < 8; ++i) {
    archived_files.push_back((dir / ("archived" + std::to_string(i) + ".txt")).string());
    consumers.push_back(pgqrs::testing::spawn_self({"--drain", dsn, "jobs", archived_files.back(), producers_done}));
  }
  for (int i = 0; i < 2; ++i) {
    enqueued_files.push_back((dir / ("enqueued" + std::to_string(i) + ".txt")).string());
    producers.push_back(pgqrs::testing::spawn_self(
        {"--produce", dsn, "jobs", std::to_string(per_producer), enqueued_files.back()}));
  }
  for (pid_t pid : producers) EXPECT_EQ(pgqrs::testing::wait_for(pid), 0) << "a producer failed";
  std::ofstream(producers_done).put('\n');
  for (pid_t pid : consumers) EXPECT_EQ(pgqrs::testing::wait_for(pid), 0) << "a consumer failed";

  const auto enqueued = read_ids(enqueued_files);
  int consumers_with_work = 0;
  const auto archived = read_ids(archived_files, &consumers_with_work);
  EXPECT_EQ(enqueued.size(), static_cast<std::size_t>(2 * per_producer));
  EXPECT_EQ(archived, enqueued) << "every acknowledged enqueue archived exactly once";
  EXPECT_GE(consumers_with_work, 4) << "the consumers did not actually share the work";
  std::printf("[ multiprocess sqlite ] 2 producer + 8 consumer processes, %zu messages: 0 lost, 0 duplicated, "
              "%d consumers did work\n", archived.size(), consumers_with_work);
  std::filesystem::remove_all(dir);
}

}  // namespace pgqrs::process_tests
