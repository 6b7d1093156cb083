// pgqrs admin install|verify|stats|reclaim|dlq (retention: operations_commands.cpp)
#include <CLI/CLI.hpp>
#include <memory>

#include "arguments.hpp"
#include "commands.hpp"
#include "context.hpp"
#include "lookups.hpp"
#include "pgqrs/admin.hpp"
#include "pgqrs/tables.hpp"
#include "records.hpp"

namespace pgqrs::cli {

namespace {

void add_reclaim(CLI::App& group, context& ctx) {
  struct args {
    std::optional<std::string> queue;
    std::optional<std::string> older_than;
  };
  auto a = std::make_shared<args>();
  auto* cmd = group.add_subcommand(
      "reclaim", "Release the messages of workers without a heartbeat for --older-than and mark them stopped");
  cmd->add_option("-q,--queue", a->queue, "Only this queue (default: every queue)");
  cmd->add_option("--older-than", a->older_than,
                  "Heartbeat age that makes a worker dead, e.g. 30s, 5m (default: 3 heartbeat intervals)");
  cmd->callback([&ctx, a] {
    std::optional<std::chrono::seconds> older_than;
    if (a->older_than) older_than = parse_seconds(*a->older_than, "--older-than");
    const auto& s = ctx.store();
    std::vector<queue_record> queues;
    if (a->queue) {
      queues.push_back(require_queue(s, *a->queue));
    } else {
      queues = s.queues().list();
    }
    std::uint64_t released = 0;
    for (const auto& q : queues) released += admin(s).reclaim_messages(q.id, older_than);
    ctx.print(ordered_json{{"queues", queues.size()}, {"released_messages", released}});
  });
}

}  // namespace

void add_admin_commands(CLI::App& root, context& ctx) {
  auto& group = add_group(root, "admin", "Schema and whole-database operations");

  group.add_subcommand("install", "Create the schema and apply pending migrations (idempotent)")->callback([&ctx] {
    const auto& s = ctx.store();
    admin(s).install();
    ctx.print(ordered_json{{"installed", true}, {"schema_version", admin(s).system_stats().schema_version}});
  });

  group.add_subcommand("verify", "Check tables, schema version and message references")->callback([&ctx] {
    admin(ctx.store()).verify();
    ctx.print(ordered_json{{"verified", true}});
  });

  group.add_subcommand("stats", "Queue, worker and message counts of the whole database")->callback([&ctx] {
    ctx.print(record_json(admin(ctx.store()).system_stats()));
  });

  add_reclaim(group, ctx);
  add_retention_command(group, ctx);

  group.add_subcommand("dlq", "Move every poison message (read max_read_ct times) to the archive")->callback([&ctx] {
    const auto ids = admin(ctx.store()).dlq();
    ctx.print(ordered_json{{"dead_lettered_messages", ids.size()}, {"ids", ids}});
  });
}

}  // namespace pgqrs::cli
