// Several processes open and install a fresh SQLite file at the same moment (issue 7, defect 10): opening
// must wait for the locks other openers hold (switching a new file to WAL takes an exclusive lock) instead of
// failing with "database is locked".
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <pgqrs/pgqrs.hpp>

#include "../support/child_process.hpp"
#include "children.hpp"

namespace pgqrs::process_tests {

int open_and_install(const std::string& dsn, const std::string& go_file) {
  while (!std::filesystem::exists(go_file)) std::this_thread::sleep_for(std::chrono::microseconds(200));
  auto s = connect(dsn);
  admin(s).install();
  try {
    s.queue("jobs");
  } catch (const queue_already_exists&) {
  }
  enqueue().message(json{{"pid", ::getpid()}}).to("jobs").execute(s);
  return 0;
}

namespace {

TEST(multiprocess, processes_opening_and_installing_a_new_sqlite_file_at_once_all_succeed) {
  const auto dir = std::filesystem::temp_directory_path() / ("pgqrs-open-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  constexpr int rounds = 12;
  constexpr int processes = 6;
  for (int round = 0; round < rounds; ++round) {
    const auto db = dir / ("fresh" + std::to_string(round) + ".db");
    const auto go = dir / ("go" + std::to_string(round));
    const std::string dsn = "sqlite://" + db.string();
    std::vector<pid_t> children;
    for (int i = 0; i < processes; ++i) children.push_back(pgqrs::testing::spawn_self({"--open-install", dsn, go}));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // all children waiting for the go file
    std::ofstream(go.string()).put('1');
    for (pid_t pid : children) EXPECT_EQ(pgqrs::testing::wait_for(pid), 0) << "round " << round;
    EXPECT_EQ(connect(dsn).messages().count(), processes) << "round " << round;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace pgqrs::process_tests
