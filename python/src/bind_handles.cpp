// The synchronous handles behind pgqrs.Store, Producer and Consumer (both on a WorkerHandle base with the
// worker lifecycle), and connect(). Every blocking call releases the GIL (release_gil).

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
#include "inline_call.hpp"
#include "pgqrs/pgqrs.hpp"

namespace pgqrs::python {

namespace {

/// The last copy of an ephemeral consumer cleans up in its destructor (releases its leases, marks it
/// stopped): moving the handle out of its Python object lets that happen here, with the GIL released, instead
/// of in whichever thread drops the last Python reference (with the GIL held). The Python object must not be
/// used afterwards (the package forgets it).
void dispose(consumer& c) {
  consumer last = std::move(c);
}

// The calls producers make most, each bound twice: blocking (GIL released, on a thread) and as start_<name>,
// an InlineCall for the event loop's own thread (PostgreSQL).
std::int64_t produce(const store& s, const std::string& queue, const std::string& payload) {
  return enqueue().message(parse_payload(payload)).to(queue).execute(s).at(0);
}
std::vector<std::int64_t> produce_batch(const store& s, const std::string& queue,
                                        const std::vector<std::string>& payloads) {
  return enqueue().messages(parse_payloads(payloads)).to(queue).execute(s);
}
std::int64_t enqueue_one(const producer& p, const std::string& payload) {
  return p.enqueue(parse_payload(payload)).id;
}
std::vector<std::int64_t> enqueue_many(const producer& p, const std::vector<std::string>& payloads) {
  return ids_of(p.batch_enqueue(parse_payloads(payloads)));
}

}  // namespace

void bind_handles(nb::module_& m) {
  nb::class_<store>(m, "StoreHandle", "Synchronous store handle; use pgqrs.connect().")
      .def_prop_ro("backend_name", [](const store& s) { return std::string(s.backend_name()); })
      .def_prop_ro("inline_calls", [](const store& s) { return runs_inline(s.backend()); })
      .def_prop_ro("config", [](const store& s) { return s.config(); })
      .def("queue", &store::queue, "name"_a, release_gil())
      .def("producer", &store::producer, "queue"_a, "name"_a, release_gil())
      .def("consumer", &store::consumer, "queue"_a, "name"_a, release_gil())
      .def("consumer_ephemeral", &store::consumer_ephemeral, "queue"_a, release_gil())
      .def(
          "install", [](const store& s) { admin(s).install(); }, release_gil())
      .def(
          "verify", [](const store& s) { admin(s).verify(); }, release_gil())
      .def(
          "delete_queue",
          [](const store& s, const std::string& name) { admin(s).delete_queue_by_name(name); }, "name"_a,
          release_gil())
      .def("produce", &produce, "queue"_a, "payload"_a, release_gil())
      .def(
          "start_produce",
          [](const store& s, std::string queue, std::string payload) {
            return inline_call::start(
                [&s, queue = std::move(queue), payload = std::move(payload)] { return produce(s, queue, payload); });
          },
          "queue"_a, "payload"_a, nb::keep_alive<0, 1>())
      .def("produce_batch", &produce_batch, "queue"_a, "payloads"_a, release_gil())
      .def(
          "start_produce_batch",
          [](const store& s, std::string queue, std::vector<std::string> payloads) {
            return inline_call::start([&s, queue = std::move(queue), payloads = std::move(payloads)] {
              return produce_batch(s, queue, payloads);
            });
          },
          "queue"_a, "payloads"_a, nb::keep_alive<0, 1>());

  nb::class_<worker>(m, "WorkerHandle", "A registered producer or consumer: its row and status machine.")
      .def_prop_ro("worker_id", &worker::worker_id)
      .def_prop_ro("name", &worker::name)
      .def_prop_ro("queue_name", [](const worker& w) { return w.queue().queue_name; })
      .def_prop_ro("inline_calls", [](const worker& w) { return runs_inline(w.backend()); })
      .def(
          "status", [](const worker& w) { return std::string(to_string(w.status())); }, release_gil())
      .def("worker_record", &worker::worker_record, release_gil())
      .def("suspend", &worker::suspend, release_gil())
      .def("resume", &worker::resume, release_gil())
      // Virtual: a consumer refuses while it holds leases.
      .def("shutdown", &worker::shutdown, release_gil())
      .def("heartbeat", &worker::heartbeat, release_gil())
      .def(
          "is_healthy",
          [](const worker& w, std::int64_t max_age_seconds) {
            return w.is_healthy(std::chrono::seconds(max_age_seconds));
          },
          "max_age_seconds"_a, release_gil());

  nb::class_<producer, worker>(m, "ProducerHandle", "Synchronous producer handle; use store.producer().")
      .def("enqueue", &enqueue_one, "payload"_a, release_gil())
      .def(
          "start_enqueue",
          [](const producer& p, std::string payload) {
            return inline_call::start([&p, payload = std::move(payload)] { return enqueue_one(p, payload); });
          },
          "payload"_a, nb::keep_alive<0, 1>())
      .def(
          "enqueue_delayed",
          [](const producer& p, const std::string& payload, std::int64_t delay_seconds) {
            return p.enqueue_delayed(parse_payload(payload), std::chrono::seconds(delay_seconds)).id;
          },
          "payload"_a, "delay_seconds"_a, release_gil())
      .def("enqueue_batch", &enqueue_many, "payloads"_a, release_gil())
      .def(
          "start_enqueue_batch",
          [](const producer& p, std::vector<std::string> payloads) {
            return inline_call::start(
                [&p, payloads = std::move(payloads)] { return enqueue_many(p, payloads); });
          },
          "payloads"_a, nb::keep_alive<0, 1>())
      .def("replay_dlq", &producer::replay_dlq, "message_id"_a, release_gil());

  nb::class_<consumer, worker>(m, "ConsumerHandle", "Synchronous consumer handle; use store.consumer().")
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
          "start_dequeue",
          [](const consumer& c, std::size_t n) {
            return inline_call::start([&c, n] { return c.dequeue_many(n); });
          },
          "batch_size"_a, nb::keep_alive<0, 1>())
      .def(
          "archive", [](const consumer& c, std::int64_t id) { return c.archive(id).has_value(); },
          "message_id"_a, release_gil())
      .def(
          "start_archive",
          [](const consumer& c, std::int64_t id) {
            return inline_call::start([&c, id] { return c.archive(id).has_value(); });
          },
          "message_id"_a, nb::keep_alive<0, 1>())
      .def("archive_many", &consumer::archive_many, "message_ids"_a, release_gil())
      .def(
          "start_archive_many",
          [](const consumer& c, std::vector<std::int64_t> ids) {
            return inline_call::start([&c, ids = std::move(ids)] { return c.archive_many(ids); });
          },
          "message_ids"_a, nb::keep_alive<0, 1>())
      .def("delete", &consumer::delete_message, "message_id"_a, release_gil())
      .def("delete_many", &consumer::delete_many, "message_ids"_a, release_gil())
      .def(
          "extend_vt",
          [](const consumer& c, std::int64_t id, std::int64_t seconds) {
            return c.extend_vt(id, std::chrono::seconds(seconds));
          },
          "message_id"_a, "seconds"_a, release_gil())
      .def("release_messages", &consumer::release_messages, "message_ids"_a, release_gil())
      .def(
          "dequeue_at",
          [](const consumer& c, std::size_t n, std::int64_t vt_seconds, const std::string& now) {
            return c.dequeue_at(n, std::chrono::seconds(vt_seconds), parse_time(now));
          },
          "limit"_a, "vt"_a, "current_time"_a, release_gil())
      .def(
          "release_with_visibility",
          [](const consumer& c, std::int64_t id, const std::string& visible_at) {
            return c.release_with_visibility(id, parse_time(visible_at));
          },
          "message_id"_a, "visible_at"_a, release_gil())
      .def("interrupt", &consumer::interrupt, release_gil())
      .def("dispose", &dispose, release_gil());

  m.def(
      "connect", [](const std::string& dsn) { return pgqrs::connect(dsn); }, "dsn"_a, release_gil());
  m.def(
      "connect_with", [](config cfg) { return pgqrs::connect(cfg); }, "config"_a, release_gil());
}

}  // namespace pgqrs::python
