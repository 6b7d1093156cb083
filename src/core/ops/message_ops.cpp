#include "core/ops/message_ops.hpp"

#include <algorithm>

#include "core/ops/dead_letter_ops.hpp"
#include "core/ops/row_mapping.hpp"
#include "core/common/validation.hpp"
#include "core/ops/worker_ops.hpp"
#include "pgqrs/errors.hpp"

namespace pgqrs::detail {

namespace {
/// Delays, leases and extensions are added to timestamps: beyond this they would overflow (undefined in
/// C++, an error or a silent float in the database) long before they made sense.
constexpr std::chrono::hours max_time_offset{24 * 365 * 100};

template <typename Duration>
void check_time_offset(Duration d, const char* what) {
  // Compared in floating point: converting a huge value to a finer unit first would overflow.
  if (std::chrono::duration<double>(d) > std::chrono::duration<double>(max_time_offset)) {
    throw validation_error(std::string(what) + " exceeds the maximum of 100 years");
  }
}
}  // namespace

std::vector<queue_message> insert_messages(const store_core& core, const queue_record& queue,
                                           std::span<const json> payloads,
                                           const std::vector<std::string>& texts, timestamp vt, timestamp now,
                                           std::optional<std::int64_t> producer_id) {
  if (texts.empty()) return {};
  row_set rows;
  try {
    if (texts.size() > 1 && core.db->caps().array_parameters) {
      // One INSERT ... SELECT unnest($2::jsonb[]) for the whole batch: one round trip, one commit.
      rows = core.run("message_insert_batch",
                      {queue.id, text_list{texts}, vt, now, optional_param(producer_id)});
    } else if (texts.size() == 1) {
      rows = core.run("message_insert", {queue.id, texts.front(), vt, now, optional_param(producer_id)});
    } else {
      // In-process engines: a prepared INSERT stepped per row inside one transaction costs no round trips.
      rows = core.transact(tx_mode::write, [&](connection& conn) {
        row_set all;
        for (const auto& text : texts) {
          auto one = core.run(conn, "message_insert", {queue.id, text, vt, now, optional_param(producer_id)});
          if (one.empty()) throw worker_not_found(producer_id.value_or(0));  // its row is gone (purge)
          if (all.columns() == 0) all = row_set(one.columns());
          for (std::size_t c = 0; c < one.columns(); ++c) all.push(one.at(0, c));
        }
        return all;
      });
    }
  } catch (const query_error& e) {
    if (e.sqlstate() == sqlstate::foreign_key_violation) throw queue_not_found(queue.queue_name);
    throw;
  }
  // The insert checks the producer's row in the same statement: none means purge_queue deleted it.
  if (rows.empty() && producer_id) throw worker_not_found(*producer_id);
  if (rows.size() != payloads.size()) {
    throw internal_error("inserted " + std::to_string(rows.size()) + " of " +
                         std::to_string(payloads.size()) + " messages");
  }
  // Ids are assigned in insertion order, so sorted ids line up with the payloads we sent (which the INSERT
  // does not send back).
  std::vector<std::size_t> order(rows.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return rows.i64(a, 0) < rows.i64(b, 0); });
  std::vector<queue_message> out;
  out.reserve(rows.size());
  for (std::size_t i = 0; i < order.size(); ++i) out.push_back(to_message(rows, order[i], payloads[i]));
  return out;
}

claim_window open_claim_window(const store_core& core, std::int64_t queue_id,
                               std::optional<timestamp> injected_now) {
  claim_window w;
  w.use_floor = !injected_now && core.db->caps().claim_floors;
  if (w.use_floor) w.floor = core.floors.bound(queue_id);
  return w;
}

void close_claim_window(const store_core& core, std::int64_t queue_id, const claim_window& w,
                        std::optional<timestamp> highest_ready) {
  if (w.use_floor) core.floors.observe(queue_id, !w.floor.has_value(), highest_ready);
}

std::vector<queue_message> claim_messages(const store_core& core, connection& conn, std::int64_t queue_id,
                                          std::int64_t worker_id, std::size_t limit,
                                          std::chrono::microseconds lease,
                                          std::optional<timestamp> injected_now) {
  const auto window = open_claim_window(core, queue_id, injected_now);
  const auto floor = window.floor;
  const auto t = injected_now.value_or(now());
  auto rows = core.run(conn, "message_claim",
                       {queue_id, t, static_cast<std::int64_t>(limit), t + lease,
                        std::int64_t{core.cfg.max_read_ct}, worker_id, optional_param(floor)});
  if (window.use_floor) {
    std::optional<timestamp> highest_ready;
    for (std::size_t r = 0; r < rows.size(); ++r) {
      const auto ready = rows.ts(r, 10);
      if (!highest_ready || ready > *highest_ready) highest_ready = ready;
    }
    close_claim_window(core, queue_id, window, highest_ready);
  }
  // Claim order: (ready-time, id), the order the claim index walked. RETURNING gives no order.
  std::vector<std::size_t> order(rows.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const auto ta = rows.ts(a, 10);
    const auto tb = rows.ts(b, 10);
    return ta != tb ? ta < tb : rows.i64(a, 0) < rows.i64(b, 0);
  });
  std::vector<queue_message> out;
  out.reserve(rows.size());
  for (auto r : order) out.push_back(to_message(rows, r));
  return out;
}

std::vector<queue_message> claim_messages(const store_core& core, std::int64_t queue_id,
                                          std::int64_t worker_id, std::size_t limit,
                                          std::chrono::microseconds lease,
                                          std::optional<timestamp> injected_now) {
  auto out = with_reconnect([&] {
    auto conn = core.db->acquire();
    return claim_messages(core, *conn, queue_id, worker_id, limit, lease, injected_now);
  });
  sweep_expired_poison(core, queue_id, injected_now, out.size() < limit);
  // Nothing ready, or this consumer's worker row is gone (purge_queue): the claim checks the row, so tell
  // the two apart here, off the hot path.
  if (out.empty() && !find_worker(core, worker_id)) throw worker_not_found(worker_id);
  return out;
}

std::vector<queue_message> archive_messages(const store_core& core, const std::vector<std::int64_t>& ids,
                                            std::int64_t worker_id, timestamp now) {
  if (ids.empty()) return {};
  return to_messages(core.run("message_archive", {id_list{ids}, worker_id, now}));
}

std::vector<std::int64_t> archive_message_ids(const store_core& core, const std::vector<std::int64_t>& ids,
                                              std::int64_t worker_id, timestamp now) {
  if (ids.empty()) return {};
  if (!core.db->caps().in_process) {
    return to_ids(core.run("message_archive_ids", {id_list{ids}, worker_id, now}));
  }
  // A consumer nearly always archives messages it holds: then the UPDATE alone answers (it changed one row
  // per distinct id), without the SELECT that names the archived ids, a quarter of an archive of 100
  // (callgrind). Otherwise it is rolled back and the query that names them runs, as if called a moment later.
  auto distinct = ids;
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  return with_reconnect([&] {
    auto conn = core.db->acquire();
    {
      transaction tx(*conn, tx_mode::write);
      const auto changed = core.run(*conn, "message_archive_held", {id_list{ids}, worker_id, now}).affected();
      if (changed == static_cast<std::int64_t>(distinct.size())) {
        tx.commit();
        return distinct;
      }
    }
    return to_ids(core.run(*conn, "message_archive_ids", {id_list{ids}, worker_id, now}));
  });
}

std::vector<std::int64_t> delete_owned_messages(const store_core& core, const std::vector<std::int64_t>& ids,
                                                std::int64_t worker_id) {
  if (ids.empty()) return {};
  return to_ids(core.run("message_delete_owned", {id_list{ids}, worker_id}));
}

std::vector<std::int64_t> extend_messages(const store_core& core, const std::vector<std::int64_t>& ids,
                                          std::int64_t worker_id, std::chrono::milliseconds by) {
  // A negative extension would move the lease into the past and hand the message to another consumer while
  // its owner still works on it; releasing is the way to give a message back.
  if (by.count() < 0) {
    throw validation_error("visibility extension cannot be negative (got " + std::to_string(by.count()) +
                           " ms); use release_messages() to give a message back");
  }
  check_time_offset(by, "visibility extension");
  if (ids.empty()) return {};
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(by);
  return to_ids(core.run("message_extend", {id_list{ids}, worker_id, static_cast<std::int64_t>(micros.count())}));
}

std::vector<std::int64_t> renew_leases(const store_core& core, const std::vector<std::int64_t>& ids,
                                       std::int64_t worker_id, timestamp until) {
  if (ids.empty()) return {};
  return to_ids(core.run("message_renew_lease", {id_list{ids}, worker_id, until}));
}

std::vector<std::int64_t> release_messages(const store_core& core, const std::vector<std::int64_t>& ids,
                                           std::int64_t worker_id, timestamp visible_at, timestamp now) {
  if (ids.empty()) return {};
  auto rows = core.run("message_release", {id_list{ids}, worker_id, visible_at});
  dead_letter_released(core, rows, now);
  return to_ids(rows);
}

std::uint64_t release_by_consumer(const store_core& core, std::int64_t worker_id, timestamp now) {
  auto rows = core.run("message_release_by_consumer", {worker_id, now});
  dead_letter_released(core, rows, now);
  return rows.size();
}

std::vector<bool> flags_for(const std::vector<std::int64_t>& ids, std::vector<std::int64_t> changed) {
  // A sorted vector, not a hash set: a tenth of the instructions for a batch of 100 (callgrind). The SQLite
  // family's archive already returns its ids sorted.
  if (!std::is_sorted(changed.begin(), changed.end())) std::sort(changed.begin(), changed.end());
  std::vector<bool> reported(changed.size());
  std::vector<bool> out;
  out.reserve(ids.size());
  for (auto id : ids) {
    const auto at = std::lower_bound(changed.begin(), changed.end(), id);
    const auto i = static_cast<std::size_t>(at - changed.begin());
    const bool first = at != changed.end() && *at == id && !reported[i];  // a repeated input id counts once
    if (first) reported[i] = true;
    out.push_back(first);
  }
  return out;
}

std::optional<queue_message> get_message(const store_core& core, std::int64_t id) {
  auto rows = core.run("message_get", {id});
  if (rows.empty()) return std::nullopt;
  return to_message(rows, 0);
}

std::vector<queue_message> get_messages(const store_core& core, const std::vector<std::int64_t>& ids) {
  if (ids.empty()) return {};
  return to_messages(core.run("message_get_many", {id_list{ids}}));
}

std::optional<queue_message> replay_message(const store_core& core, std::int64_t id, timestamp now) {
  auto rows = core.run("message_replay", {id, now});
  if (rows.empty()) return std::nullopt;
  return to_message(rows, 0);
}

std::vector<queue_message> enqueue_validated(const store_core& core, const queue_record& queue,
                                             std::span<const json> payloads, token_bucket* bucket,
                                             timestamp now, std::chrono::milliseconds delay,
                                             std::optional<std::int64_t> producer_id) {
  if (payloads.empty()) throw validation_error("No messages to enqueue");
  if (delay.count() < 0) throw validation_error("delay cannot be negative");
  check_time_offset(delay, "delay");
  auto texts = validate_batch(payloads, core.cfg.validation, [&] {
    if (bucket != nullptr) bucket->acquire(static_cast<std::uint32_t>(payloads.size()));
  });
  return insert_messages(core, queue, payloads, texts, now + delay, now, producer_id);
}

void check_dequeue_args(const store_core& core, std::size_t n, std::chrono::milliseconds lease) {
  if (n == 0) throw validation_error("batch size must be >= 1");
  if (n > core.cfg.default_max_batch_size) {
    throw validation_error("batch size " + std::to_string(n) + " exceeds default_max_batch_size " +
                           std::to_string(core.cfg.default_max_batch_size));
  }
  if (lease.count() <= 0) throw validation_error("lease (visibility timeout) must be positive");
  check_time_offset(lease, "lease (visibility timeout)");
}

}  // namespace pgqrs::detail
