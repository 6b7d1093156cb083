// pgqrs.Admin's operations beyond install/verify/delete_queue (spec §4.4, §4.5, §5.1, §5.3) and their
// statistics records. The original's Python package exposes only release_worker_messages of these; the rest
// carry the C++ names.

#include <nanobind/nanobind.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/string_view.h>
#include <nanobind/stl/vector.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "bindings.hpp"
#include "convert.hpp"
#include "pgqrs/pgqrs.hpp"

namespace pgqrs::python {
namespace {

double seconds_of(std::chrono::microseconds d) {
  return std::chrono::duration<double>(d).count();
}

/// The status-count properties shared by WorkerStats and WorkerHealthStats.
template <typename T>
void def_status_counts(nb::class_<T>& cls) {
  cls.def_ro("total_workers", &T::total_workers)
      .def_ro("ready_workers", &T::ready_workers)
      .def_ro("polling_workers", &T::polling_workers)
      .def_ro("interrupted_workers", &T::interrupted_workers)
      .def_ro("suspended_workers", &T::suspended_workers)
      .def_ro("stopped_workers", &T::stopped_workers);
}

}  // namespace

void bind_admin(nb::module_& m) {
  nb::class_<queue_metrics>(m, "QueueMetrics", "Message counts of one queue (read-only).")
      .def_ro("name", &queue_metrics::name)
      .def_ro("total_messages", &queue_metrics::total_messages)
      .def_ro("pending_messages", &queue_metrics::pending_messages)
      .def_ro("locked_messages", &queue_metrics::locked_messages)
      .def_ro("archived_messages", &queue_metrics::archived_messages)
      .def_prop_ro("oldest_pending_message",
                   [](const queue_metrics& q) { return to_python(q.oldest_pending_message); })
      .def_prop_ro("newest_message", [](const queue_metrics& q) { return to_python(q.newest_message); })
      .def_ro("delayed_messages", &queue_metrics::delayed_messages)
      .def_ro("dead_lettered_messages", &queue_metrics::dead_lettered_messages)
      .def("__repr__", [](const queue_metrics& q) {
        return "QueueMetrics(name='" + q.name + "', total=" + std::to_string(q.total_messages) +
               ", pending=" + std::to_string(q.pending_messages) + ", locked=" +
               std::to_string(q.locked_messages) + ", archived=" + std::to_string(q.archived_messages) + ")";
      });

  nb::class_<system_stats>(m, "SystemStats", "Counts of the whole database (read-only).")
      .def_ro("total_queues", &system_stats::total_queues)
      .def_ro("total_workers", &system_stats::total_workers)
      .def_ro("active_workers", &system_stats::active_workers)
      .def_ro("total_messages", &system_stats::total_messages)
      .def_ro("pending_messages", &system_stats::pending_messages)
      .def_ro("locked_messages", &system_stats::locked_messages)
      .def_ro("archived_messages", &system_stats::archived_messages)
      .def_ro("schema_version", &system_stats::schema_version)
      .def_ro("dead_lettered_messages", &system_stats::dead_lettered_messages);

  nb::class_<worker_stats> ws(m, "WorkerStats", "Workers of one queue (read-only; ages in seconds).");
  def_status_counts(ws);
  ws.def_ro("average_messages_per_worker", &worker_stats::average_messages_per_worker)
      .def_prop_ro("oldest_worker_age", [](const worker_stats& w) { return seconds_of(w.oldest_worker_age); })
      .def_prop_ro("newest_heartbeat_age",
                   [](const worker_stats& w) { return seconds_of(w.newest_heartbeat_age); })
      .def("__str__", &worker_stats::to_string)
      .def("__repr__", &worker_stats::to_string);

  nb::class_<worker_health_stats> hs(m, "WorkerHealthStats", "Worker health of a queue or of all (read-only).");
  def_status_counts(hs);
  hs.def_ro("queue_name", &worker_health_stats::queue_name)
      .def_ro("stale_workers", &worker_health_stats::stale_workers)
      .def("__repr__", [](const worker_health_stats& h) {
        return "WorkerHealthStats(queue_name='" + h.queue_name + "', total=" + std::to_string(h.total_workers) +
               ", stale=" + std::to_string(h.stale_workers) + ")";
      });

  using opt_seconds = std::optional<std::int64_t>;
  nb::class_<admin_builder>(m, "AdminHandle", "Synchronous admin operations on a store.")
      .def(nb::init<store>(), "store"_a)
      .def("create_queue", &admin_builder::create_queue, "name"_a, release_gil())
      .def("get_queue", &admin_builder::get_queue, "name"_a, release_gil())
      .def("purge_queue", &admin_builder::purge_queue, "name"_a, release_gil())
      .def("dlq", &admin_builder::dlq, release_gil())
      .def(
          "reclaim_messages",
          [](const admin_builder& a, std::int64_t queue_id, opt_seconds older_than) {
            std::optional<std::chrono::seconds> d;
            if (older_than) d = std::chrono::seconds(*older_than);
            return a.reclaim_messages(queue_id, d);
          },
          "queue_id"_a, "older_than_seconds"_a.none(), release_gil())
      .def("release_worker_messages", &admin_builder::release_worker_messages, "worker_id"_a, release_gil())
      .def("list_workers", &admin_builder::list_workers, release_gil())
      .def("delete_worker", &admin_builder::delete_worker, "worker_id"_a, release_gil())
      .def(
          "purge_old_workers",
          [](const admin_builder& a, std::int64_t older_than) {
            return a.purge_old_workers(std::chrono::seconds(older_than));
          },
          "older_than_seconds"_a, release_gil())
      .def("get_worker_messages", &admin_builder::get_worker_messages, "worker_id"_a, release_gil())
      .def("worker_stats", &admin_builder::worker_stats, "queue_name"_a, release_gil())
      .def(
          "worker_health_stats",
          [](const admin_builder& a, opt_seconds timeout, bool group_by_queue) {
            // Default: three missed beats, the threshold reclaim_messages uses.
            const auto t = timeout ? std::chrono::seconds(*timeout) : a.target().config().heartbeat_interval * 3;
            return a.worker_health_stats(t, group_by_queue);
          },
          "heartbeat_timeout_seconds"_a.none(), "group_by_queue"_a, release_gil())
      .def("queue_metrics", &admin_builder::queue_metrics, "queue_name"_a, release_gil())
      .def("all_queues_metrics", &admin_builder::all_queues_metrics, release_gil())
      .def("system_stats", &admin_builder::system_stats, release_gil());

  m.def(
      "replay_archived",
      [](const store& s, const std::string& queue, std::int64_t id) {
        // C++ replays through a producer; Admin.replay_dlq has none, so one of the queue's own, for this call.
        return s.producer_ephemeral(queue).replay_dlq(id);
      },
      "store"_a, "queue"_a, "message_id"_a, release_gil());
}

}  // namespace pgqrs::python
