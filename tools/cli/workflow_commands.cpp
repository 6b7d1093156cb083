// pgqrs workflow list|runs|run|steps|cancel|trigger
#include <CLI/CLI.hpp>
#include <memory>

#include "arguments.hpp"
#include "commands.hpp"
#include "context.hpp"
#include "lookups.hpp"
#include "pgqrs/workflow.hpp"
#include "records.hpp"

namespace pgqrs::cli {

namespace {

/// A subcommand taking one run id; `run(store, run)` works on the existing run (else exit code 4).
template <typename Run>
void add_by_run(CLI::App& group, context& ctx, const std::string& name, const std::string& description, Run run) {
  add_with_record(group, ctx, name, description, "run_id", "Run id", require_run, run);
}

void add_runs(CLI::App& group, context& ctx) {
  struct args {
    std::optional<std::string> status;
    std::optional<std::string> workflow;
    std::size_t limit = 100;
  };
  auto a = std::make_shared<args>();
  auto* cmd = group.add_subcommand("runs", "Runs, newest first");
  cmd->add_option("--status", a->status, "Only runs in this status (QUEUED, RUNNING, PAUSED, SUCCESS, ERROR, ...)");
  cmd->add_option("-w,--workflow", a->workflow, "Only runs of this workflow");
  cmd->add_option("-n,--limit", a->limit, "At most this many (default 100)")->check(CLI::PositiveNumber);
  cmd->callback([&ctx, a] {
    run_filter filter;
    if (a->status) filter.status = parse_status_argument(*a->status);
    filter.workflow = a->workflow;
    filter.limit = a->limit;
    ctx.print(listing_of(list_runs(ctx.store(), filter)));
  });
}

void add_trigger(CLI::App& group, context& ctx) {
  struct args {
    std::string name;
    std::string input;
    std::optional<std::string> key;
    std::optional<std::string> delay;
  };
  auto a = std::make_shared<args>();
  auto* cmd = group.add_subcommand("trigger", "Start a run of a workflow with a JSON input (its worker executes it)");
  cmd->add_option("name", a->name, "Workflow name")->required();
  cmd->add_option("input", a->input, "Input as JSON, e.g. '{\"order\": 42}'")->required();
  cmd->add_option("--key", a->key, "Idempotency key: a second trigger with it returns the first run");
  cmd->add_option("--delay", a->delay, "Start no earlier than this from now, e.g. 30s");
  cmd->callback([&ctx, a] {
    auto trigger = workflow().name(a->name).trigger(parse_json_argument(a->input, "input"));
    if (a->key) trigger.key(*a->key);
    if (a->delay) trigger.delay(parse_duration(*a->delay, "--delay"));
    const auto& s = ctx.store();
    const auto message = trigger.execute(s);
    // The run exists (QUEUED) from now on, so `workflow run`/`cancel` work before a worker picks it up.
    ctx.print(record_json(run().message(message).execute(s)));
  });
}

}  // namespace

void add_workflow_commands(CLI::App& root, context& ctx) {
  auto& group = add_group(root, "workflow", "Durable workflows: definitions, runs, steps");
  group.add_subcommand("list", "Workflow definitions")->callback([&ctx] {
    ctx.print(listing_of(list_workflows(ctx.store())));
  });
  add_runs(group, ctx);
  add_by_run(group, ctx, "run", "One run: status, input, output, error",
             [&ctx](const store&, const run_record& r) { ctx.print(record_json(r)); });
  add_by_run(group, ctx, "steps", "The step checkpoints of a run, in the order they were first recorded",
             [&ctx](const store& s, const run_record& r) { ctx.print(listing_of(list_steps(s, r.id))); });
  add_by_run(group, ctx, "cancel", "Request cancellation: the run stops at its next step boundary",
             [&ctx](const store& s, const run_record& r) {
               ctx.print(record_json(run().message_id(r.message_id).cancel(s)));
             });
  add_trigger(group, ctx);
}

}  // namespace pgqrs::cli
