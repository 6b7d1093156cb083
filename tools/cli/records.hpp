#pragma once
// The library's records as JSON objects for output: snake_case field names as in the library and the
// original's tables, timestamps in RFC 3339, absent values as null. Keys are in column order.

#include <vector>

#include "output.hpp"
#include "pgqrs/types.hpp"
#include "pgqrs/workflow.hpp"

namespace pgqrs::cli {

[[nodiscard]] ordered_json record_json(const queue_record& r);
[[nodiscard]] ordered_json record_json(const queue_message& m);
[[nodiscard]] ordered_json record_json(const worker_record& w);
[[nodiscard]] ordered_json record_json(const queue_metrics& m);
[[nodiscard]] ordered_json record_json(const system_stats& s);
[[nodiscard]] ordered_json record_json(const worker_stats& s);
[[nodiscard]] ordered_json record_json(const worker_health_stats& s);
[[nodiscard]] ordered_json record_json(const workflow_record& w);
[[nodiscard]] ordered_json record_json(const run_record& r);
[[nodiscard]] ordered_json record_json(const step_record& s);

/// A listing of records; the columns are the keys of a default record's JSON (every field is always
/// present, null when unset), so an empty list still prints its header.
template <typename Record>
[[nodiscard]] listing listing_of(const std::vector<Record>& records) {
  listing out;
  const ordered_json shape = record_json(Record{});  // named: items() only refers to it
  for (const auto& [key, value] : shape.items()) out.columns.push_back(key);
  for (const auto& r : records) out.rows.push_back(record_json(r));
  return out;
}

}  // namespace pgqrs::cli
