#include "core/ops/row_mapping.hpp"

#include "core/common/payload_parser.hpp"
#include "pgqrs/errors.hpp"

namespace pgqrs::detail {


queue_record to_queue(const row_set& rows, std::size_t row) {
  return queue_record{rows.i64(row, 0), rows.text(row, 1), rows.ts(row, 2)};
}

queue_message to_message(const row_set& rows, std::size_t row) {
  json payload;
  try {
    payload = parse_payload(rows.text(row, 2));
  } catch (const json::exception& e) {
    throw serialization_error("stored payload of message " + std::to_string(rows.i64(row, 0)) +
                              " is not JSON: " + e.what());
  }
  return to_message(rows, row, std::move(payload));
}

queue_message to_message(const row_set& rows, std::size_t row, json payload) {
  queue_message m;
  m.id = rows.i64(row, 0);
  m.queue_id = rows.i64(row, 1);
  m.payload = std::move(payload);
  m.vt = rows.ts(row, 3);
  m.enqueued_at = rows.ts(row, 4);
  m.read_ct = static_cast<std::int32_t>(rows.i64(row, 5));
  m.dequeued_at = rows.opt_ts(row, 6);
  m.producer_worker_id = rows.opt_i64(row, 7);
  m.consumer_worker_id = rows.opt_i64(row, 8);
  m.archived_at = rows.opt_ts(row, 9);
  return m;
}

worker_record to_worker(const row_set& rows, std::size_t row) {
  worker_record w;
  w.id = rows.i64(row, 0);
  w.name = rows.text(row, 1);
  w.queue_id = rows.opt_i64(row, 2);
  w.started_at = rows.ts(row, 3);
  w.heartbeat_at = rows.ts(row, 4);
  w.shutdown_at = rows.opt_ts(row, 5);
  const auto& status = rows.text(row, 6);
  auto parsed = parse_worker_status(status);
  if (!parsed)
    throw internal_error("worker " + std::to_string(w.id) + " has unknown status '" + status + "'");
  w.status = *parsed;
  return w;
}

std::vector<queue_record> to_queues(const row_set& rows) {
  return map_rows<queue_record>(rows, to_queue);
}
std::vector<queue_message> to_messages(const row_set& rows) {
  return map_rows<queue_message>(rows, [](const row_set& rs, std::size_t r) { return to_message(rs, r); });
}
std::vector<worker_record> to_workers(const row_set& rows) {
  return map_rows<worker_record>(rows, to_worker);
}
std::vector<std::int64_t> to_ids(const row_set& rows) {
  return map_rows<std::int64_t>(rows, [](const row_set& rs, std::size_t r) { return rs.i64(r, 0); });
}

}  // namespace pgqrs::detail
