#include "cli_fixture.hpp"

#include <cstdlib>
#include <sstream>

namespace pgqrs::testing {

const std::string& cli_binary() {
  static const std::string path = PGQRS_CLI_BINARY;
  return path;
}

program_result run_cli(const std::vector<std::string>& args) {
  return run_program(cli_binary(), args);
}

std::vector<std::size_t> expect_aligned_table(const std::string& table) {
  std::vector<std::string> lines;
  std::istringstream in(table);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  EXPECT_GE(lines.size(), 2U) << table;
  if (lines.size() < 2) return {};
  std::vector<std::size_t> starts;
  const std::string& rule = lines[1];
  for (std::size_t i = 0; i < rule.size(); ++i) {
    if (rule[i] == '-' && (i == 0 || rule[i - 1] == ' ')) starts.push_back(i);
  }
  for (const auto& line : lines) {
    for (std::size_t k = 1; k < starts.size(); ++k) {
      const std::size_t c = starts[k];
      // Two spaces before every cell and the cell itself not blank (empty values print as N/A).
      EXPECT_TRUE(line.size() > c && line[c - 1] == ' ' && line[c - 2] == ' ' && line[c] != ' ')
          << "column " << k << " does not start at offset " << c << " in line '" << line << "' of\n"
          << table;
    }
  }
  return starts;
}

std::vector<std::vector<std::string>> table_cells(const std::string& table) {
  std::vector<std::vector<std::string>> out;
  std::istringstream in(table);
  for (std::string line; std::getline(in, line);) {
    auto& cells = out.emplace_back();
    std::size_t pos = 0;
    while (pos < line.size()) {
      const std::size_t gap = line.find("  ", pos);
      cells.push_back(line.substr(pos, gap - pos));
      if (gap == std::string::npos) break;
      pos = line.find_first_not_of(' ', gap);
    }
  }
  return out;
}

void cli_test::SetUp() {
  const auto backend = current_backend();
  if (backend == backend_under_test::postgres && std::getenv("PGQRS_PG_DSN") == nullptr) {
    GTEST_SKIP() << "PGQRS_PG_DSN is not set (scripts/pg_server.sh start)";
  }
  if (backend == backend_under_test::s3 && std::getenv("AWS_ENDPOINT_URL") == nullptr) {
    GTEST_SKIP() << "AWS_ENDPOINT_URL is not set (scripts/moto_server.sh)";
  }
  store_test::SetUp();
}

program_result cli_test::pgqrs(const std::vector<std::string>& args) {
  std::vector<std::string> all{"--dsn", m_config.dsn, "--schema", m_config.schema};
  all.insert(all.end(), args.begin(), args.end());
  return run_cli(all);
}

nlohmann::json cli_test::pgqrs_json(const std::vector<std::string>& args) {
  std::vector<std::string> all{"--format", "json"};
  all.insert(all.end(), args.begin(), args.end());
  const auto r = pgqrs(all);
  EXPECT_EQ(r.exit_code, 0) << "pgqrs " << ::testing::PrintToString(args) << ": " << r.err;
  try {
    return nlohmann::json::parse(r.out);
  } catch (const nlohmann::json::exception& e) {
    ADD_FAILURE() << "not JSON (" << e.what() << "): " << r.out;
    return {};
  }
}

std::string cli_test::pgqrs_table(const std::vector<std::string>& args) {
  const auto r = pgqrs(args);
  EXPECT_EQ(r.exit_code, 0) << "pgqrs " << ::testing::PrintToString(args) << ": " << r.err;
  return r.out;
}

}  // namespace pgqrs::testing
