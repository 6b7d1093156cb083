// pgqrs queue create|list|get|messages|delete|purge|metrics|replay-dlq
#include <CLI/CLI.hpp>
#include <memory>

#include "commands.hpp"
#include "context.hpp"
#include "lookups.hpp"
#include "pgqrs/admin.hpp"
#include "pgqrs/errors.hpp"
#include "pgqrs/producer.hpp"
#include "pgqrs/tables.hpp"
#include "records.hpp"

namespace pgqrs::cli {

namespace {

/// A subcommand taking one queue name.
template <typename Run>
void add_named(CLI::App& group, context& ctx, const std::string& name, const std::string& description, Run run) {
  add_with_argument<std::string>(group, ctx, name, description, "name", "Queue name", run);
}

void add_messages(CLI::App& group, context& ctx) {
  struct args {
    std::string queue;
    bool archived = false;
    std::size_t limit = 100;
  };
  auto a = std::make_shared<args>();
  auto* cmd = group.add_subcommand("messages", "Live messages of a queue, newest first (--archived: the archive)");
  cmd->add_option("name", a->queue, "Queue name")->required();
  cmd->add_flag("--archived", a->archived, "Archived (acknowledged or dead-lettered) messages instead");
  cmd->add_option("-n,--limit", a->limit, "At most this many (default 100)")->check(CLI::PositiveNumber);
  cmd->callback([&ctx, a] {
    const auto& s = ctx.store();
    const auto q = require_queue(s, a->queue);
    auto messages = a->archived ? s.messages().list_archived_by_queue(q.id) : s.messages().filter_by_queue(q.id, a->limit);
    if (messages.size() > a->limit) messages.resize(a->limit);
    ctx.print(listing_of(messages));
  });
}

void add_metrics(CLI::App& group, context& ctx) {
  auto queue = std::make_shared<std::optional<std::string>>();
  auto* cmd = group.add_subcommand("metrics", "Message counts of one queue, or of every queue");
  cmd->add_option("name", *queue, "Queue name (default: every queue)");
  cmd->callback([&ctx, queue] {
    if (*queue) {
      ctx.print(record_json(admin(ctx.store()).queue_metrics(**queue)));
    } else {
      ctx.print(listing_of(admin(ctx.store()).all_queues_metrics()));
    }
  });
}

void add_replay(CLI::App& group, context& ctx) {
  add_with_argument<std::int64_t>(
      group, ctx, "replay-dlq", "Move an archived (dead-lettered) message back to its queue, ready now", "id",
      "Message id", [&ctx](const store& s, std::int64_t id) {
        const auto message = require_message(s, id);
        if (!message.archived_at) {
          throw validation_error("message " + std::to_string(id) + " is not archived (only archived messages are replayed)");
        }
        // replay_dlq belongs to a producer of the message's queue (which exists: messages reference their
        // queue); an ephemeral one is stopped again when this command ends.
        const auto queue = s.queues().get(message.queue_id);
        const auto replayed = s.producer_ephemeral(queue.value().queue_name).replay_dlq(id);
        if (!replayed) throw not_found("archived message", std::to_string(id));
        ctx.print(record_json(*replayed));
      });
}

}  // namespace

void add_queue_commands(CLI::App& root, context& ctx) {
  auto& group = add_group(root, "queue", "Queues and their messages");
  add_named(group, ctx, "create", "Create a queue", [&ctx](const store& s, const std::string& name) {
    ctx.print(record_json(admin(s).create_queue(name)));
  });
  group.add_subcommand("list", "Every queue, newest first")->callback([&ctx] {
    ctx.print(listing_of(ctx.store().queues().list()));
  });
  add_named(group, ctx, "get", "One queue", [&ctx](const store& s, const std::string& name) {
    ctx.print(record_json(require_queue(s, name)));
  });
  add_messages(group, ctx);
  add_named(group, ctx, "delete", "Delete a queue no worker, message or workflow refers to",
            [&ctx](const store& s, const std::string& name) {
              admin(s).delete_queue_by_name(name);
              ctx.print(ordered_json{{"deleted_queue", name}});
            });
  add_named(group, ctx, "purge", "Delete every message (live and archived) and every worker of a queue",
            [&ctx](const store& s, const std::string& name) {
              ctx.print(ordered_json{{"queue", name}, {"purged_messages", admin(s).purge_queue(name)}});
            });
  add_metrics(group, ctx);
  add_replay(group, ctx);
}

}  // namespace pgqrs::cli
