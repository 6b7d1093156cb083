// pgqrs message enqueue|get
#include <CLI/CLI.hpp>
#include <memory>

#include "arguments.hpp"
#include "commands.hpp"
#include "context.hpp"
#include "lookups.hpp"
#include "pgqrs/enqueue.hpp"
#include "records.hpp"

namespace pgqrs::cli {

namespace {

void add_enqueue(CLI::App& group, context& ctx) {
  struct args {
    std::string queue;
    std::string payload;
    std::optional<std::string> delay;
  };
  auto a = std::make_shared<args>();
  auto* cmd = group.add_subcommand("enqueue", "Enqueue one JSON message");
  cmd->add_option("queue", a->queue, "Queue name")->required();
  cmd->add_option("payload", a->payload, "Payload as JSON, e.g. '{\"task\": \"resize\"}'")->required();
  cmd->add_option("--delay", a->delay, "Ready this long from now, e.g. 30s, 5m");
  cmd->callback([&ctx, a] {
    auto builder = enqueue().message(parse_json_argument(a->payload, "payload")).to(a->queue);
    if (a->delay) builder.with_delay(parse_duration(*a->delay, "--delay"));
    const auto& s = ctx.store();
    ctx.print(record_json(require_message(s, builder.execute(s).front())));
  });
}

}  // namespace

void add_message_commands(CLI::App& root, context& ctx) {
  auto& group = add_group(root, "message", "Single messages");
  add_enqueue(group, ctx);
  add_with_record(group, ctx, "get", "One message, live or archived", "id", "Message id", require_message,
                  [&ctx](const store&, const queue_message& m) { ctx.print(record_json(m)); });
}

}  // namespace pgqrs::cli
