// pgqrs worker list|get|messages|release-messages|suspend|resume|shutdown|purge|delete|heartbeat|stats|health
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

/// A subcommand taking one worker id; `run(store, worker)` works on the existing worker (else exit code 4).
template <typename Run>
void add_by_id(CLI::App& group, context& ctx, const std::string& name, const std::string& description, Run run) {
  add_with_record(group, ctx, name, description, "id", "Worker id", require_worker, run);
}

void add_list(CLI::App& group, context& ctx) {
  auto queue = std::make_shared<std::optional<std::string>>();
  auto* cmd = group.add_subcommand("list", "Workers (producers, consumers), newest first");
  cmd->add_option("-q,--queue", *queue, "Only the workers of this queue");
  cmd->callback([&ctx, queue] {
    const auto& s = ctx.store();
    ctx.print(listing_of(*queue ? s.workers().list_by_queue(require_queue(s, **queue).id) : s.workers().list()));
  });
}

void add_purge(CLI::App& group, context& ctx) {
  auto older_than = std::make_shared<std::string>("0s");
  auto* cmd = group.add_subcommand("purge", "Delete stopped workers idle for --older-than that no message refers to");
  cmd->add_option("--older-than", *older_than, "Idle time, e.g. 1h, 7d (default 0s: every such worker)");
  cmd->callback([&ctx, older_than] {
    const auto age = parse_seconds(*older_than, "--older-than");
    ctx.print(ordered_json{{"purged_workers", admin(ctx.store()).purge_old_workers(age)}});
  });
}

void add_stats(CLI::App& group, context& ctx) {
  auto queue = std::make_shared<std::string>();
  auto* cmd = group.add_subcommand("stats", "Status counts, held leases and ages of a queue's workers");
  cmd->add_option("queue", *queue, "Queue name")->required();
  cmd->callback([&ctx, queue] { ctx.print(record_json(admin(ctx.store()).worker_stats(*queue))); });
}

void add_health(CLI::App& group, context& ctx) {
  struct args {
    std::optional<std::string> timeout;
    bool by_queue = false;
  };
  auto a = std::make_shared<args>();
  auto* cmd = group.add_subcommand("health", "Status counts and stale workers (ready/polling, no recent heartbeat)");
  cmd->add_option("--timeout", a->timeout, "Heartbeat age that makes a worker stale (default: 3 heartbeat intervals)");
  cmd->add_flag("--by-queue", a->by_queue, "One row per queue (\"Admin\" for workers without one)");
  cmd->callback([&ctx, a] {
    const auto& s = ctx.store();
    const auto timeout = a->timeout ? parse_seconds(*a->timeout, "--timeout") : 3 * s.config().heartbeat_interval;
    ctx.print(listing_of(admin(s).worker_health_stats(timeout, a->by_queue)));
  });
}

}  // namespace

void add_worker_commands(CLI::App& root, context& ctx) {
  auto& group = add_group(root, "worker", "Workers and their state machine (by id)");
  add_list(group, ctx);
  add_by_id(group, ctx, "get", "One worker", [&ctx](const store&, const worker_record& w) { ctx.print(record_json(w)); });
  add_by_id(group, ctx, "messages", "Messages (live and archived) the worker leased last",
            [&ctx](const store& s, const worker_record& w) { ctx.print(listing_of(admin(s).get_worker_messages(w.id))); });
  add_by_id(group, ctx, "release-messages", "Make every message the worker holds ready now",
            [&ctx](const store& s, const worker_record& w) {
              ctx.print(ordered_json{{"worker_id", w.id}, {"released_messages", admin(s).release_worker_messages(w.id)}});
            });
  add_by_id(group, ctx, "suspend", "ready|polling|interrupted -> suspended",
            [&ctx](const store& s, const worker_record& w) { ctx.print(record_json(s.workers().suspend(w.id))); });
  add_by_id(group, ctx, "resume", "suspended -> ready",
            [&ctx](const store& s, const worker_record& w) { ctx.print(record_json(s.workers().resume(w.id))); });
  add_by_id(group, ctx, "shutdown", "suspended -> stopped",
            [&ctx](const store& s, const worker_record& w) { ctx.print(record_json(s.workers().shutdown(w.id))); });
  add_purge(group, ctx);
  add_by_id(group, ctx, "delete", "Delete a worker no message refers to",
            [&ctx](const store& s, const worker_record& w) {
              ctx.print(ordered_json{{"deleted_workers", admin(s).delete_worker(w.id)}});
            });
  add_by_id(group, ctx, "heartbeat", "Record a heartbeat now", [&ctx](const store& s, const worker_record& w) {
    s.workers().heartbeat(w.id);
    ctx.print(record_json(require_worker(s, w.id)));
  });
  add_stats(group, ctx);
  add_health(group, ctx);
}

}  // namespace pgqrs::cli
