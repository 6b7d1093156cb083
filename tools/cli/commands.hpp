#pragma once
// The command groups of `pgqrs`, one file each. Every command's callback does its work through the library's
// public API and prints through the context.

#include <string>

namespace CLI {
class App;
}

namespace pgqrs::cli {

class context;

void add_admin_commands(CLI::App& root, context& ctx);
void add_queue_commands(CLI::App& root, context& ctx);
void add_worker_commands(CLI::App& root, context& ctx);
void add_workflow_commands(CLI::App& root, context& ctx);
void add_message_commands(CLI::App& root, context& ctx);

/// A command group (`pgqrs queue ...`) that needs one of its subcommands.
CLI::App& add_group(CLI::App& root, const std::string& name, const std::string& description);

}  // namespace pgqrs::cli
