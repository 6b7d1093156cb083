// Operations (include/pgqrs/operations.hpp, docs/operations.md): retention, workflow run counts and the
// Prometheus exposition, for pgqrs.Admin and pgqrs.metrics_exposition. Beyond the original's package.

#include <nanobind/nanobind.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bindings.hpp"
#include "pgqrs/pgqrs.hpp"

namespace pgqrs::python {

namespace {
std::optional<std::chrono::seconds> seconds_or_none(std::optional<std::int64_t> s) {
  if (!s) return std::nullopt;
  return std::chrono::seconds(*s);
}
}  // namespace

void bind_operations(nb::module_& m) {
  nb::class_<retention_report>(m, "RetentionReport", "What Admin.apply_retention deleted (read-only).")
      .def_ro("archived_messages_deleted", &retention_report::archived_messages_deleted)
      .def_ro("workflow_runs_deleted", &retention_report::workflow_runs_deleted)
      .def_ro("workflow_steps_deleted", &retention_report::workflow_steps_deleted)
      .def_ro("workers_deleted", &retention_report::workers_deleted)
      .def("__repr__", [](const retention_report& r) {
        return "RetentionReport(archived_messages_deleted=" + std::to_string(r.archived_messages_deleted) +
               ", workflow_runs_deleted=" + std::to_string(r.workflow_runs_deleted) +
               ", workflow_steps_deleted=" + std::to_string(r.workflow_steps_deleted) +
               ", workers_deleted=" + std::to_string(r.workers_deleted) + ")";
      });

  m.def(
      "apply_retention",
      [](const store& s, std::optional<std::int64_t> archived, std::optional<std::int64_t> runs,
         std::optional<std::int64_t> workers, std::size_t batch_size) {
        retention_policy p;
        p.archived_messages_older_than = seconds_or_none(archived);
        p.finished_runs_older_than = seconds_or_none(runs);
        p.stopped_workers_older_than = seconds_or_none(workers);
        p.batch_size = batch_size;
        return apply_retention(s, p);
      },
      "store"_a, "archived_older_than_seconds"_a.none(), "finished_runs_older_than_seconds"_a.none(),
      "stopped_workers_older_than_seconds"_a.none(), "batch_size"_a, release_gil());
  m.def(
      "run_counts_by_status",
      [](const store& s) {
        // Status texts: the Python layer turns them into WorkflowStatus members.
        std::vector<std::pair<std::string, std::int64_t>> out;
        for (const auto& [status, count] : run_counts_by_status(s)) out.emplace_back(to_string(status), count);
        return out;
      },
      "store"_a, release_gil());
  m.def("metrics_exposition", &metrics_exposition, "store"_a, release_gil());
}

}  // namespace pgqrs::python
