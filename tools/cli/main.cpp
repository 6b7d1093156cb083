// pgqrs: the command-line tool over the library (docs/cli.md).
//   pgqrs [--dsn DSN | $PGQRS_DSN] [--schema S] [--config FILE] [--format table|json] GROUP COMMAND [ARGS]
//   pgqrs metrics --format prometheus
// Exit codes: 0 ok, 1 other failure, 2 configuration or arguments, 3 connection, 4 not found (exit_codes.hpp).
#include <CLI/CLI.hpp>
#include <iostream>

#include "commands.hpp"
#include "context.hpp"
#include "exit_codes.hpp"

namespace pgqrs::cli {

CLI::App& add_group(CLI::App& root, const std::string& name, const std::string& description) {
  auto* group = root.add_subcommand(name, description);
  group->require_subcommand(1);
  return *group;
}

namespace {

int run(int argc, char** argv) {
  context ctx;
  CLI::App app{"pgqrs: queues, workers and durable workflows in PostgreSQL, SQLite, Turso or S3", "pgqrs"};
  // Global options are accepted after the command too (`pgqrs queue list --format json`).
  app.fallthrough();
  app.require_subcommand(1);
  ctx.add_options(app);
  add_admin_commands(app, ctx);
  add_queue_commands(app, ctx);
  add_worker_commands(app, ctx);
  add_workflow_commands(app, ctx);
  add_message_commands(app, ctx);
  add_metrics_command(app, ctx);
  // Checked after parsing and before any command runs, so a wrong --format changes nothing.
  app.parse_complete_callback([&] {
    if (ctx.prometheus() && !app.got_subcommand("metrics")) {
      throw CLI::ValidationError("--format", "prometheus is only for `pgqrs metrics`");
    }
  });
  try {
    app.parse(argc, argv);  // runs the chosen command's callback
    return static_cast<int>(exit_code::ok);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    std::cerr << "pgqrs: " << e.what() << " (see --help)\n";
    return static_cast<int>(exit_code::config);
  } catch (const std::exception& e) {
    std::cerr << error_line(e, ctx.dsn_for_errors()) << "\n";
    return static_cast<int>(exit_code_of(e));
  }
}

}  // namespace
}  // namespace pgqrs::cli

int main(int argc, char** argv) {
  return pgqrs::cli::run(argc, argv);
}
