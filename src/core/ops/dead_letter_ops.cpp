#include "core/ops/dead_letter_ops.hpp"

#include <string>

#include "core/common/log.hpp"
#include "core/ops/row_mapping.hpp"
#include "core/ops/store_core.hpp"

namespace pgqrs::detail {

namespace {
/// Visible rows a sweep looks at: enough for any realistic pile of poison at the head of a queue, few enough
/// that a sweep costs about what one claim does.
constexpr std::int64_t sweep_rows = 1000;

std::vector<std::int64_t> move_to_dlq(const store_core& core, connection& conn, std::vector<std::int64_t> ids,
                                      timestamp now, bool include_leased) {
  if (ids.empty()) return {};
  return to_ids(core.run(conn, "message_dead_letter_ids",
                         {id_list{std::move(ids)}, std::int64_t{core.cfg.max_read_ct}, now, include_leased}));
}

/// The same in a transaction of its own, for messages not under an unexpired lease (rare: only when there is
/// poison to move, so the BEGIN and COMMIT around the one statement cost nothing that matters).
void move_to_dlq(const store_core& core, std::vector<std::int64_t> ids, timestamp now) {
  if (ids.empty()) return;
  core.transact(tx_mode::write, [&](connection& conn) { (void)move_to_dlq(core, conn, ids, now, false); });
}

std::vector<std::int64_t> poison_rows(const store_core& core, const row_set& released) {
  std::vector<std::int64_t> ids;
  for (std::size_t r = 0; r < released.size(); ++r) {
    if (released.i64(r, 1) >= core.cfg.max_read_ct) ids.push_back(released.i64(r, 0));
  }
  return ids;
}
}  // namespace

std::vector<std::int64_t> dead_letter_all(const store_core& core, timestamp now) {
  return core.transact(tx_mode::write, [&](connection& conn) {
    auto ids = to_ids(core.run(conn, "message_list_poison", {std::int64_t{core.cfg.max_read_ct}}));
    return move_to_dlq(core, conn, std::move(ids), now, true);
  });
}

std::vector<std::int64_t> dead_letter_released(const store_core& core, connection& conn, const row_set& released,
                                               timestamp now) {
  return move_to_dlq(core, conn, poison_rows(core, released), now, false);
}

void dead_letter_released(const store_core& core, const row_set& released, timestamp now) {
  // A separate statement, not one transaction with the release (which would cost every release a BEGIN and
  // a COMMIT): a crash in between leaves a released poison message, which no claim takes and the next sweep
  // or dlq() moves.
  move_to_dlq(core, poison_rows(core, released), now);
}

void sweep_expired_poison(const store_core& core, std::int64_t queue_id, std::optional<timestamp> injected_now,
                          bool claim_was_short) {
  if (!core.poison_sweeps.due(queue_id, injected_now.has_value() && claim_was_short)) return;
  const auto t = injected_now.value_or(pgqrs::now());
  try {
    auto ids = to_ids(core.run("message_list_poison_visible",
                               {queue_id, t, std::int64_t{core.cfg.max_read_ct}, sweep_rows}));
    move_to_dlq(core, std::move(ids), t);
  } catch (const pgqrs::error& e) {
    log(log_level::warning, std::string("dead-letter sweep of queue ") + std::to_string(queue_id) + " failed: " +
                             e.what());
  }
}

}  // namespace pgqrs::detail
