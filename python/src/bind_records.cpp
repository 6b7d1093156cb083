// Read-only record classes of the queue: QueueMessage, QueueInfo.

#include <nanobind/nanobind.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/string_view.h>
#include <nanobind/stl/vector.h>

#include <string>

#include "bindings.hpp"
#include "convert.hpp"
#include "pgqrs/pgqrs.hpp"

namespace pgqrs::python {

void bind_records(nb::module_& m) {
  nb::class_<queue_message>(m, "QueueMessage", "A message, live or archived (read-only).")
      .def_prop_ro("id", [](const queue_message& q) { return q.id; })
      .def_prop_ro("queue_id", [](const queue_message& q) { return q.queue_id; })
      .def_prop_ro("payload",
                   [](const queue_message& q) {
                     // As the original: an object payload with an "input" key (a workflow trigger) reads as
                     // its "input" value.
                     if (q.payload.is_object()) {
                       auto it = q.payload.find("input");
                       if (it != q.payload.end()) return to_python(*it);
                     }
                     return to_python(q.payload);
                   })
      .def_prop_ro("vt", [](const queue_message& q) { return to_python(q.vt); })
      .def_prop_ro("enqueued_at", [](const queue_message& q) { return to_python(q.enqueued_at); })
      .def_prop_ro("read_ct", [](const queue_message& q) { return q.read_ct; })
      .def_prop_ro("dequeued_at", [](const queue_message& q) { return to_python(q.dequeued_at); })
      .def_prop_ro("producer_worker_id", [](const queue_message& q) { return q.producer_worker_id; })
      .def_prop_ro("consumer_worker_id", [](const queue_message& q) { return q.consumer_worker_id; })
      .def_prop_ro("archived_at", [](const queue_message& q) { return to_python(q.archived_at); })
      .def("__repr__", [](const queue_message& q) {
        return "QueueMessage(id=" + std::to_string(q.id) + ", queue_id=" + std::to_string(q.queue_id) +
               ", read_ct=" + std::to_string(q.read_ct) + ")";
      });

  nb::class_<queue_record>(m, "QueueInfo", "A queue (read-only).")
      .def_prop_ro("id", [](const queue_record& q) { return q.id; })
      .def_prop_ro("queue_name", [](const queue_record& q) { return q.queue_name; })
      .def("__repr__", [](const queue_record& q) {
        return "QueueInfo(id=" + std::to_string(q.id) + ", queue_name='" + q.queue_name + "')";
      });
}

}  // namespace pgqrs::python
