#include "core/ops/worker_ops.hpp"

#include <array>
#include <cstdio>
#include <random>

#include "core/ops/row_mapping.hpp"
#include "core/common/stored_text.hpp"
#include "pgqrs/errors.hpp"

namespace pgqrs::detail {

namespace {

text_list status_names(std::initializer_list<worker_status> statuses) {
  text_list out;
  for (auto s : statuses) out.values.emplace_back(to_string(s));
  return out;
}

void check_worker_name(std::string_view name) {
  if (name.empty()) throw validation_error("worker name cannot be empty");
  if (name.size() > 255) throw validation_error("worker name exceeds maximum length of 255 bytes");
  check_stored_text("worker name", name);
}

}  // namespace

std::string random_uuid() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::array<unsigned char, 16> b{};
  for (std::size_t i = 0; i < 16; i += 8) {
    auto v = rng();
    for (std::size_t k = 0; k < 8; ++k) b[i + k] = static_cast<unsigned char>(v >> (8 * k));
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);  // RFC 4122 variant
  std::array<char, 37> out{};
  std::snprintf(out.data(), out.size(),
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2],
                b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  return std::string(out.data(), 36);
}

worker_record register_worker(const store_core& core, std::string_view name,
                              std::optional<std::int64_t> queue_id, timestamp now) {
  check_worker_name(name);
  const std::string n(name);
  return core.transact(tx_mode::write, [&](connection& conn) {
    auto existing = core.run(conn, "worker_get_by_name", {n});
    if (existing.empty()) {
      try {
        return to_worker(core.run(conn, "worker_insert", {n, optional_param(queue_id), now}), 0);
      } catch (const query_error& e) {
        if (e.sqlstate() == sqlstate::unique_violation) {
          throw validation_error("Worker " + n + " is already active. Cannot register duplicate.");
        }
        throw;
      }
    }
    const auto current = to_worker(existing, 0);
    switch (current.status) {
      case worker_status::stopped:
        return to_worker(core.run(conn, "worker_reactivate", {current.id, optional_param(queue_id), now}), 0);
      case worker_status::suspended:
        throw validation_error("Worker " + n + " is suspended. Use resume() to reactivate.");
      default:
        throw validation_error("Worker " + n + " is already active. Cannot register duplicate.");
    }
  });
}

worker_record register_ephemeral_worker(const store_core& core, std::optional<std::int64_t> queue_id,
                                        timestamp now) {
  const std::string name = std::string(ephemeral_prefix) + random_uuid();
  return to_worker(core.run("worker_insert", {name, optional_param(queue_id), now}), 0);
}

std::optional<worker_record> find_worker(const store_core& core, std::int64_t id) {
  auto rows = core.run("worker_get", {id});
  if (rows.empty()) return std::nullopt;
  return to_worker(rows, 0);
}

worker_record require_worker(const store_core& core, std::int64_t id) {
  auto w = find_worker(core, id);
  if (!w) throw worker_not_found(id);
  return *w;
}

worker_record transition_worker(const store_core& core, std::int64_t id, worker_status to,
                                std::initializer_list<worker_status> from, std::string_view reason,
                                timestamp now) {
  auto rows = core.run("worker_transition", {id, std::string(to_string(to)), now, status_names(from)});
  if (!rows.empty()) return to_worker(rows, 0);
  auto current = require_worker(core, id);
  throw state_transition_error(std::string(to_string(current.status)), std::string(to_string(to)),
                               std::string(reason));
}

namespace {

/// The edges of the worker state machine (spec §4.2), with the original's error texts.
struct edge {
  worker_status to;
  std::initializer_list<worker_status> from;
  std::string_view refusal;
};

constexpr worker_status any_status[] = {worker_status::ready, worker_status::polling, worker_status::suspended,
                                        worker_status::interrupted, worker_status::stopped};

const edge start_polling{worker_status::polling, {worker_status::ready, worker_status::polling},
                         "Worker must be Ready to start polling"};
const edge complete_poll{worker_status::ready, {worker_status::polling},
                         "Worker must be in Polling state to complete polling"};
const edge interrupt{worker_status::interrupted, {worker_status::polling},
                     "Worker must be in Polling state to be interrupted"};
const edge suspend{worker_status::suspended,
                   {worker_status::ready, worker_status::polling, worker_status::interrupted},
                   "Worker must be Ready, Polling, or Interrupted to suspend"};
const edge resume{worker_status::ready, {worker_status::suspended}, "Worker must be in Suspended state to resume"};
const edge shutdown{worker_status::stopped, {worker_status::suspended},
                    "Worker must be in Suspended state to shutdown"};
/// Any status → stopped (zombie reclaim, ephemeral cleanup).
const edge mark_stopped{worker_status::stopped,
                        {any_status[0], any_status[1], any_status[2], any_status[3], any_status[4]},
                        ""};

worker_record take(const store_core& core, std::int64_t id, const edge& e, timestamp now) {
  return transition_worker(core, id, e.to, e.from, e.refusal, now);
}

}  // namespace

worker_record worker_start_polling(const store_core& core, std::int64_t id, timestamp now) {
  return take(core, id, start_polling, now);
}
worker_record worker_complete_poll(const store_core& core, std::int64_t id, timestamp now) {
  return take(core, id, complete_poll, now);
}
worker_record worker_interrupt(const store_core& core, std::int64_t id, timestamp now) {
  return take(core, id, interrupt, now);
}
worker_record worker_suspend(const store_core& core, std::int64_t id, timestamp now) {
  return take(core, id, suspend, now);
}
worker_record worker_resume(const store_core& core, std::int64_t id, timestamp now) {
  return take(core, id, resume, now);
}
worker_record worker_shutdown(const store_core& core, std::int64_t id, timestamp now) {
  return take(core, id, shutdown, now);
}
worker_record worker_mark_stopped(const store_core& core, std::int64_t id, timestamp now) {
  return take(core, id, mark_stopped, now);
}

void worker_heartbeat(const store_core& core, std::int64_t id, timestamp now) {
  if (core.run("worker_heartbeat", {id, now}).empty()) throw worker_not_found(id);
}

}  // namespace pgqrs::detail
