// Raw table access behind pgqrs.Workers, Queues and Messages (spec §3.7, §10.9), and the worker row
// (WorkerRecord, wrapped by the package's WorkerInfo).

#include <nanobind/nanobind.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/string_view.h>
#include <nanobind/stl/vector.h>

#include <chrono>
#include <cstdint>
#include <string>

#include "bindings.hpp"
#include "convert.hpp"
#include "pgqrs/pgqrs.hpp"

namespace pgqrs::python {

void bind_tables(nb::module_& m) {
  nb::class_<worker_record>(m, "WorkerRecord", "A row of pgqrs_workers (read-only).")
      .def_prop_ro("id", [](const worker_record& w) { return w.id; })
      .def_prop_ro("name", [](const worker_record& w) { return w.name; })
      .def_prop_ro("queue_id", [](const worker_record& w) { return w.queue_id; })
      .def_prop_ro("started_at", [](const worker_record& w) { return to_python(w.started_at); })
      .def_prop_ro("heartbeat_at", [](const worker_record& w) { return to_python(w.heartbeat_at); })
      .def_prop_ro("shutdown_at", [](const worker_record& w) { return to_python(w.shutdown_at); })
      .def_prop_ro("status", [](const worker_record& w) { return std::string(to_string(w.status)); });

  nb::class_<worker_table>(m, "WorkerTable")
      .def("count", &worker_table::count, release_gil())
      .def("list", &worker_table::list, release_gil())
      .def("list_by_queue", &worker_table::list_by_queue, "queue_id"_a, release_gil())
      .def("get", &worker_table::get, "worker_id"_a, release_gil())
      .def("suspend", &worker_table::suspend, "worker_id"_a, release_gil())
      .def("resume", &worker_table::resume, "worker_id"_a, release_gil())
      .def("interrupt", &worker_table::interrupt, "worker_id"_a, release_gil())
      .def("shutdown", &worker_table::shutdown, "worker_id"_a, release_gil())
      .def("heartbeat", &worker_table::heartbeat, "worker_id"_a, release_gil());

  nb::class_<queue_table>(m, "QueueTable")
      .def("count", &queue_table::count, release_gil())
      .def("list", &queue_table::list, release_gil())
      .def("get", &queue_table::get, "queue_id"_a, release_gil())
      .def("get_by_name", &queue_table::get_by_name, "name"_a, release_gil())
      .def("exists", &queue_table::exists, "name"_a, release_gil());

  nb::class_<message_table>(m, "MessageTable")
      .def("count", &message_table::count, release_gil())
      .def("list", &message_table::list, release_gil())
      .def("get", &message_table::get, "message_id"_a, release_gil())
      .def("filter_by_queue", &message_table::filter_by_queue, "queue_id"_a, "limit"_a = 1000, release_gil())
      .def("count_by_queue", &message_table::count_by_queue, "queue_id"_a, release_gil())
      .def("count_pending_for_queue", &message_table::count_pending_for_queue, "queue_id"_a, release_gil())
      .def("list_archived_by_queue", &message_table::list_archived_by_queue, "queue_id"_a, release_gil());

  m.def("worker_table", [](const store& s) { return s.workers(); }, "store"_a);
  m.def("queue_table", [](const store& s) { return s.queues(); }, "store"_a);
  m.def("message_table", [](const store& s) { return s.messages(); }, "store"_a);
}

}  // namespace pgqrs::python
