// pgqrs admin retention, pgqrs metrics: the operations layer (include/pgqrs/operations.hpp, docs/operations.md).
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "arguments.hpp"
#include "commands.hpp"
#include "context.hpp"
#include "pgqrs/admin.hpp"
#include "pgqrs/operations.hpp"
#include "records.hpp"

namespace pgqrs::cli {

void add_retention_command(CLI::App& admin_group, context& ctx) {
  struct args {
    std::optional<std::string> archived, runs, workers;
    std::size_t batch_size = retention_policy{}.batch_size;
  };
  auto a = std::make_shared<args>();
  auto* cmd = admin_group.add_subcommand(
      "retention", "Delete archived messages, finished workflow runs and stopped workers older than the given ages");
  cmd->add_option("--archived-older-than", a->archived, "Archived (and dead-lettered) messages, e.g. 7d, 12h");
  cmd->add_option("--runs-older-than", a->runs, "Finished workflow runs (SUCCESS, ERROR, CANCELLED) with their steps");
  cmd->add_option("--workers-older-than", a->workers, "Stopped workers nothing refers to");
  cmd->add_option("--batch-size", a->batch_size, "Rows per statement (default 1000), so locks stay short");
  cmd->callback([&ctx, a] {
    if (!a->archived && !a->runs && !a->workers) {
      throw usage_error("retention: give at least one of --archived-older-than, --runs-older-than, --workers-older-than");
    }
    retention_policy policy;
    if (a->archived) policy.archived_messages_older_than = parse_seconds(*a->archived, "--archived-older-than");
    if (a->runs) policy.finished_runs_older_than = parse_seconds(*a->runs, "--runs-older-than");
    if (a->workers) policy.stopped_workers_older_than = parse_seconds(*a->workers, "--workers-older-than");
    policy.batch_size = a->batch_size;
    const auto report = apply_retention(ctx.store(), policy);
    ctx.print(ordered_json{{"archived_messages_deleted", report.archived_messages_deleted},
                           {"workflow_runs_deleted", report.workflow_runs_deleted},
                           {"workflow_steps_deleted", report.workflow_steps_deleted},
                           {"workers_deleted", report.workers_deleted}});
  });
}

void add_metrics_command(CLI::App& root, context& ctx) {
  root.add_subcommand("metrics",
                      "Every queue's message counts; with --format prometheus the Prometheus text exposition of "
                      "queues, workers and workflow runs, ready to be scraped")
      ->callback([&ctx] {
        if (ctx.prometheus()) {
          std::cout << metrics_exposition(ctx.store());
          return;
        }
        ctx.print(listing_of(admin(ctx.store()).all_queues_metrics()));
      });
}

}  // namespace pgqrs::cli
