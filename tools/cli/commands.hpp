#pragma once
// The command groups of `pgqrs`, one file each. Every command's callback does its work through the library's
// public API and prints through the context.

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "context.hpp"

namespace pgqrs::cli {

void add_admin_commands(CLI::App& root, context& ctx);
void add_queue_commands(CLI::App& root, context& ctx);
void add_worker_commands(CLI::App& root, context& ctx);
void add_workflow_commands(CLI::App& root, context& ctx);
void add_message_commands(CLI::App& root, context& ctx);
// operations_commands.cpp
void add_retention_command(CLI::App& admin_group, context& ctx);
void add_metrics_command(CLI::App& root, context& ctx);

/// A command group (`pgqrs queue ...`) that needs one of its subcommands.
CLI::App& add_group(CLI::App& root, const std::string& name, const std::string& description);

/// A subcommand whose one required argument (a queue name, a worker or run id) is all it needs:
/// `run(store, value)` does the work. @returns the subcommand, for options of its own
template <typename T, typename Run>
CLI::App& add_with_argument(CLI::App& group, context& ctx, const std::string& name, const std::string& description,
                            const std::string& argument, const std::string& argument_help, Run run) {
  auto value = std::make_shared<T>();
  auto* cmd = group.add_subcommand(name, description);
  cmd->add_option(argument, *value, argument_help)->required();
  cmd->callback([&ctx, value, run] { run(ctx.store(), *value); });
  return *cmd;
}

/// The same for an id whose record must exist: `run(store, lookup(store, id))`, where lookup throws the
/// not-found error (exit code 4), e.g. require_worker.
template <typename Lookup, typename Run>
CLI::App& add_with_record(CLI::App& group, context& ctx, const std::string& name, const std::string& description,
                          const std::string& argument, const std::string& argument_help, Lookup lookup, Run run) {
  return add_with_argument<std::int64_t>(group, ctx, name, description, argument, argument_help,
                                         [lookup, run](const store& s, std::int64_t id) { run(s, lookup(s, id)); });
}

}  // namespace pgqrs::cli
