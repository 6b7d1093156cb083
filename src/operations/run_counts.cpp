// run_counts_by_status (include/pgqrs/operations.hpp).

#include <array>

#include "core/api/store_state.hpp"
#include "pgqrs/operations.hpp"

namespace pgqrs {

std::vector<std::pair<workflow_status, std::int64_t>> run_counts_by_status(const store& s) {
  static constexpr std::array all{workflow_status::queued,    workflow_status::running, workflow_status::paused,
                                  workflow_status::cancelling, workflow_status::cancelled,
                                  workflow_status::success,   workflow_status::error};
  std::vector<std::pair<workflow_status, std::int64_t>> out;
  for (auto st : all) out.emplace_back(st, 0);
  // The query has a row only for statuses that have runs; the others stay 0.
  auto rows = detail::core_of(s).run("run_count_by_status", {});
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const auto st = parse_workflow_status(rows.text(r, 0));
    if (!st) continue;  // the schema's CHECK / enum admits only known statuses
    for (auto& [status, count] : out) {
      if (status == *st) count = rows.i64(r, 1);
    }
  }
  return out;
}

}  // namespace pgqrs
