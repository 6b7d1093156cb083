#pragma once
// Runs the built `pgqrs` binary as a child process against the conformance fixture's database (its own schema,
// SQLite file or S3 object per test), after the test set up a known state through the library.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "../conformance/fixture.hpp"
#include "../support/child_process.hpp"

namespace pgqrs::testing {

/// The binary under test (its path is compiled in by tests/cli/CMakeLists.txt).
const std::string& cli_binary();

/// Runs `pgqrs args...` with nothing added.
program_result run_cli(const std::vector<std::string>& args);

/// Column start offsets of an aligned table (from its rule line of dashes); fails the test when a line's
/// cells do not start exactly there.
std::vector<std::size_t> expect_aligned_table(const std::string& table);

/// The cells of each line of a table (split at runs of two or more spaces).
std::vector<std::vector<std::string>> table_cells(const std::string& table);

class cli_test : public store_test {
 protected:
  /// Skips PostgreSQL (S3) cases when PGQRS_PG_DSN (AWS_ENDPOINT_URL) is unset, then sets up the store.
  void SetUp() override;

  /// `pgqrs --dsn <test dsn> --schema <test schema> args...`
  program_result pgqrs(const std::vector<std::string>& args);
  /// The same with `--format json`; expects exit code 0 and returns stdout parsed.
  nlohmann::json pgqrs_json(const std::vector<std::string>& args);
  /// The same with the table format; expects exit code 0 and returns stdout.
  std::string pgqrs_table(const std::vector<std::string>& args);
};

}  // namespace pgqrs::testing
