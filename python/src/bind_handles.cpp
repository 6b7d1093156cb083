// The synchronous handles behind pgqrs.Store, Producer and Consumer, and connect(). Every blocking call
// releases the GIL (release_gil).

#include <nanobind/nanobind.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/string_view.h>
#include <nanobind/stl/vector.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "bindings.hpp"
#include "convert.hpp"
#include "pgqrs/pgqrs.hpp"

namespace pgqrs::python {

void bind_handles(nb::module_& m) {
  nb::class_<store>(m, "StoreHandle", "Synchronous store handle; use pgqrs.connect().")
      .def_prop_ro("backend_name", [](const store& s) { return std::string(s.backend_name()); })
      .def("queue", &store::queue, "name"_a, release_gil())
      .def("producer", &store::producer, "queue"_a, "name"_a, release_gil())
      .def("consumer", &store::consumer, "queue"_a, "name"_a, release_gil())
      .def(
          "install", [](const store& s) { admin(s).install(); }, release_gil())
      .def(
          "verify", [](const store& s) { admin(s).verify(); }, release_gil())
      .def(
          "delete_queue",
          [](const store& s, const std::string& name) { admin(s).delete_queue_by_name(name); }, "name"_a,
          release_gil())
      .def(
          "produce",
          [](const store& s, const std::string& queue, const std::string& payload) {
            return enqueue().message(parse_payload(payload)).to(queue).execute(s).at(0);
          },
          "queue"_a, "payload"_a, release_gil())
      .def(
          "produce_batch",
          [](const store& s, const std::string& queue, const std::vector<std::string>& payloads) {
            return enqueue().messages(parse_payloads(payloads)).to(queue).execute(s);
          },
          "queue"_a, "payloads"_a, release_gil());

  nb::class_<producer>(m, "ProducerHandle", "Synchronous producer handle; use store.producer().")
      .def_prop_ro("worker_id", &producer::worker_id)
      .def(
          "enqueue",
          [](const producer& p, const std::string& payload) { return p.enqueue(parse_payload(payload)).id; },
          "payload"_a, release_gil())
      .def(
          "enqueue_delayed",
          [](const producer& p, const std::string& payload, std::int64_t delay_seconds) {
            return p.enqueue_delayed(parse_payload(payload), std::chrono::seconds(delay_seconds)).id;
          },
          "payload"_a, "delay_seconds"_a, release_gil())
      .def(
          "enqueue_batch",
          [](const producer& p, const std::vector<std::string>& payloads) {
            return ids_of(p.batch_enqueue(parse_payloads(payloads)));
          },
          "payloads"_a, release_gil());

  nb::class_<consumer>(m, "ConsumerHandle", "Synchronous consumer handle; use store.consumer().")
      .def_prop_ro("worker_id", &consumer::worker_id)
      .def(
          "dequeue", [](const consumer& c, std::size_t n) { return c.dequeue_many(n); }, "batch_size"_a,
          release_gil())
      .def(
          "dequeue_many_with_delay",
          [](const consumer& c, std::size_t n, std::int64_t vt_seconds) {
            return c.dequeue_many_with_delay(n, std::chrono::seconds(vt_seconds));
          },
          "limit"_a, "vt"_a, release_gil())
      .def(
          "archive", [](const consumer& c, std::int64_t id) { return c.archive(id).has_value(); },
          "message_id"_a, release_gil())
      .def("archive_many", &consumer::archive_many, "message_ids"_a, release_gil())
      .def("delete", &consumer::delete_message, "message_id"_a, release_gil())
      .def("delete_many", &consumer::delete_many, "message_ids"_a, release_gil())
      .def(
          "extend_vt",
          [](const consumer& c, std::int64_t id, std::int64_t seconds) {
            return c.extend_vt(id, std::chrono::seconds(seconds));
          },
          "message_id"_a, "seconds"_a, release_gil())
      .def("release_messages", &consumer::release_messages, "message_ids"_a, release_gil());

  m.def(
      "connect", [](const std::string& dsn) { return pgqrs::connect(dsn); }, "dsn"_a, release_gil());
  m.def(
      "connect_with", [](config cfg) { return pgqrs::connect(cfg); }, "config"_a, release_gil());
}

}  // namespace pgqrs::python
