#pragma once
// Shared helpers of the Turso engine tests: a private temporary directory per test, one-value queries, and
// the second process (turso_probe) for cross-process cases.

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>

#include "turso/turso_engine.hpp"

namespace pgqrs::test::turso {

namespace engine = pgqrs::detail::turso;

/// Each test gets its own directory (tests run in parallel under ctest), removed afterwards.
class temp_dir_test : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "pgqrs-turso-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    m_dir = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(m_dir, ec);
  }
  [[nodiscard]] std::string path(std::string_view name = "test.db") const { return (m_dir / name).string(); }

  std::filesystem::path m_dir;
};

/// First column of the first row as an integer.
inline std::int64_t scalar_int(engine::connection& conn, std::string_view sql) {
  auto stmt = conn.prepare(sql);
  EXPECT_EQ(stmt.step(), engine::step_result::row) << sql;
  return stmt.column_int64(0);
}

/// First column of the first row as text.
inline std::string scalar_text(engine::connection& conn, std::string_view sql) {
  auto stmt = conn.prepare(sql);
  EXPECT_EQ(stmt.step(), engine::step_result::row) << sql;
  return std::string(stmt.column_text(0));
}

/// Runs turso_probe (see turso_probe.cpp) and returns its exit status and its one line of output.
inline std::pair<int, std::string> run_probe(const std::string& mode, const std::string& db_path,
                                             const std::string& features = "", int busy_ms = 2000) {
  std::string command = std::string("'") + PGQRS_TURSO_PROBE + "' " + mode + " '" + db_path + "' " +
                        (features.empty() ? std::string("-") : features) + " " + std::to_string(busy_ms);
  command += " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {-1, "popen failed"};
  std::string output;
  std::array<char, 512> buffer{};
  while (fgets(buffer.data(), static_cast<int>(buffer.size()), pipe) != nullptr) output += buffer.data();
  const int status = pclose(pipe);
  while (!output.empty() && (output.back() == '\n' || output.back() == '\r')) output.pop_back();
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

}  // namespace pgqrs::test::turso
