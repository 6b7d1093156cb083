// pgqrs exit codes and error lines that need no prepared database: arguments, configuration, connections.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "../conformance/fixture.hpp"
#include "cli_fixture.hpp"
#if PGQRS_TEST_HAVE_POSTGRES
#include "../support/pg_instance.hpp"
#endif

namespace pgqrs::testing {
namespace {

std::size_t lines_of(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

/// A loopback port nothing listens on (bound, then closed).
int closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string temp_path(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / "pgqrs-tests";
  std::filesystem::create_directories(dir);
  return (dir / unique_name(name)).string();
}

TEST(cli_errors, help_works_on_every_command) {
  const std::vector<std::vector<std::string>> commands{
      {}, {"admin"}, {"admin", "install"}, {"admin", "reclaim"}, {"queue"}, {"queue", "messages"},
      {"queue", "replay-dlq"}, {"worker"}, {"worker", "health"}, {"workflow"}, {"workflow", "runs"},
      {"workflow", "trigger"}, {"message"}, {"message", "enqueue"}};
  for (auto args : commands) {
    args.push_back("--help");
    const auto r = run_cli(args);
    EXPECT_EQ(r.exit_code, 0) << ::testing::PrintToString(args) << ": " << r.err;
    EXPECT_NE(r.out.find("Usage:"), std::string::npos) << r.out;
    EXPECT_TRUE(r.err.empty()) << r.err;
  }
  const auto root = run_cli({"--help"});
  for (const char* group : {"admin", "queue", "worker", "workflow", "message", "--max-connections"}) {
    EXPECT_NE(root.out.find(group), std::string::npos) << group << " missing from\n" << root.out;
  }
}

TEST(cli_errors, bad_arguments_exit_with_2_and_one_line) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{}, {"frobnicate"}, {"queue"}, {"queue", "get"}, {"--format", "xml", "queue", "list"},
        {"worker", "get", "abc"}, {"queue", "messages", "q", "--limit", "0"}}) {
    const auto r = run_cli(args);
    EXPECT_EQ(r.exit_code, 2) << ::testing::PrintToString(args) << ": " << r.err;
    EXPECT_EQ(lines_of(r.err), 1U) << r.err;
    EXPECT_EQ(r.err.rfind("pgqrs: ", 0), 0U) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
}

TEST(cli_errors, a_bad_dsn_is_a_configuration_error_without_its_password) {
  for (const char* dsn : {"mysql://user:s3cret-pw@host/db", "postgresql//user:s3cret-pw@host/db", "sqlite:"}) {
    const auto r = run_cli({"--dsn", dsn, "queue", "list"});
    EXPECT_EQ(r.exit_code, 2) << dsn << ": " << r.err;
    EXPECT_EQ(lines_of(r.err), 1U) << r.err;
    EXPECT_EQ(r.err.find("s3cret-pw"), std::string::npos) << r.err;
  }
}

TEST(cli_errors, no_dsn_anywhere_is_a_configuration_error) {
  const auto r = run_program("/usr/bin/env", {"-u", "PGQRS_DSN", "-u", "PGQRS_CONFIG_FILE", cli_binary(), "queue", "list"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.err,
            "pgqrs: no database given: use --dsn, $PGQRS_DSN, --config FILE, $PGQRS_CONFIG_FILE or ./pgqrs.yaml\n");
}

TEST(cli_errors, a_bad_config_file_or_setting_is_a_configuration_error) {
  EXPECT_EQ(run_cli({"--config", "/nonexistent/pgqrs.yaml", "queue", "list"}).exit_code, 2);
  const auto path = temp_path("bad") + ".yaml";
  std::ofstream(path) << "dsn: sqlite:///tmp/x.db\nno_such_setting: 1\n";
  const auto r = run_cli({"--config", path, "queue", "list"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("no_such_setting"), std::string::npos) << r.err;
  EXPECT_EQ(run_cli({"--dsn", "sqlite:///tmp/x.db", "--max-connections", "many", "queue", "list"}).exit_code, 2);
  std::filesystem::remove(path);
}

TEST(cli_errors, the_config_file_gives_the_dsn_and_settings) {
  const auto db = temp_path("config") + ".db";
  const auto path = db + ".yaml";
  std::ofstream(path) << "dsn: sqlite://" << db << "\nmax_read_ct: 7\n";
  EXPECT_EQ(run_cli({"--config", path, "admin", "install"}).exit_code, 0);
  EXPECT_EQ(run_cli({"--config", path, "queue", "create", "from-config"}).exit_code, 0);
  const auto listed = run_cli({"--dsn", "sqlite://" + db, "--format", "json", "queue", "list"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_EQ(nlohmann::json::parse(listed.out)[0]["queue_name"], "from-config");
  for (const char* suffix : {"", "-wal", "-shm", ".yaml"}) std::filesystem::remove(db + suffix);
}

TEST(cli_errors, an_uninstalled_store_says_to_install) {
  const auto db = temp_path("fresh") + ".db";
  const auto r = run_cli({"--dsn", "sqlite://" + db, "queue", "list"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("install"), std::string::npos) << r.err;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
}

#if PGQRS_TEST_HAVE_POSTGRES
TEST(cli_errors, an_unreachable_server_is_a_connection_error) {
  const std::string dsn = "postgresql://postgres:s3cret-pw@127.0.0.1:" + std::to_string(closed_port()) + "/postgres";
  const auto r = run_cli({"--dsn", dsn, "--connection-timeout-seconds", "5", "queue", "list"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(lines_of(r.err), 1U) << r.err;
  EXPECT_EQ(r.err.find("s3cret-pw"), std::string::npos) << r.err;
}

TEST(cli_errors, a_wrong_password_is_a_connection_error_that_does_not_print_it) {
  pg_instance server(false);
  server.require_password("right-pw-8f3a");
  const auto with = [&](const std::string& password) {
    std::string dsn = server.dsn();
    dsn.insert(dsn.find('@'), ":" + password);
    return dsn;
  };
  const auto ok = run_cli({"--dsn", with("right-pw-8f3a"), "admin", "install"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  const auto r = run_cli({"--dsn", with("wrong-pw-77c1"), "queue", "list"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(lines_of(r.err), 1U) << r.err;
  EXPECT_NE(r.err.find("password authentication failed"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("wrong-pw-77c1"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("right-pw-8f3a"), std::string::npos) << r.err;
}
#endif

}  // namespace
}  // namespace pgqrs::testing
