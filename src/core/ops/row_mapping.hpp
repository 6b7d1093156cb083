#pragma once
// Turns result rows into public records. The column order of each record type is fixed by the SQL files
// (see the header comment of sql/*/queries/{queues,messages,workers}.sql).

#include <vector>

#include "core/db/row_set.hpp"
#include "pgqrs/types.hpp"

namespace pgqrs::detail {

/// `f(rows, r)` for every row.
template <typename T, typename F>
std::vector<T> map_rows(const row_set& rows, F f) {
  std::vector<T> out;
  out.reserve(rows.size());
  for (std::size_t r = 0; r < rows.size(); ++r) out.push_back(f(rows, r));
  return out;
}

queue_record to_queue(const row_set& rows, std::size_t row);
queue_message to_message(const row_set& rows, std::size_t row);
/// A message row whose payload column was not selected, with the payload the caller already holds.
queue_message to_message(const row_set& rows, std::size_t row, json payload);
worker_record to_worker(const row_set& rows, std::size_t row);

std::vector<queue_record> to_queues(const row_set& rows);
std::vector<queue_message> to_messages(const row_set& rows);
std::vector<worker_record> to_workers(const row_set& rows);
/// The first column of every row as an id.
std::vector<std::int64_t> to_ids(const row_set& rows);

}  // namespace pgqrs::detail
