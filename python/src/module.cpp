// pgqrs._pgqrs: the synchronous binding of the C++ library. Every call that can touch the database runs
// with the GIL released (nb::call_guard<nb::gil_scoped_release>): arguments are converted to C++ values
// while the GIL is held, the library call runs without it, and the result is converted back after the
// guard has re-taken it. The asynchronous, original-compatible API is the Python package around this module
// (python/pgqrs/__init__.py); payloads arrive here as JSON text produced there by json.dumps.

#include <nanobind/nanobind.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/string_view.h>
#include <nanobind/stl/vector.h>

#include <chrono>
#include <cstdint>
#include <list>
#include <string>
#include <vector>

#include "convert.hpp"
#include "errors.hpp"
#include "pgqrs/pgqrs.hpp"

namespace nb = nanobind;
using namespace nb::literals;

namespace pgqrs::python {
namespace {

using release_gil = nb::call_guard<nb::gil_scoped_release>;

std::vector<json> parse_payloads(const std::vector<std::string>& texts) {
  std::vector<json> out;
  out.reserve(texts.size());
  for (const auto& t : texts) out.push_back(parse_payload(t));
  return out;
}

std::vector<std::int64_t> ids_of(const std::vector<queue_message>& messages) {
  std::vector<std::int64_t> ids;
  ids.reserve(messages.size());
  for (const auto& m : messages) ids.push_back(m.id);
  return ids;
}

std::chrono::seconds seconds_arg(std::int64_t s) {
  return std::chrono::seconds(s);
}

// ---------------------------------------------------------------- Config

// The Python property name of a config field: the field table's name with dots as underscores, except where
// the original package named the property differently.
std::string python_name(std::string_view field) {
  if (field == "heartbeat_interval") return "heartbeat_interval_seconds";
  std::string out(field);
  for (auto& c : out) {
    if (c == '.') c = '_';
  }
  return out;
}

bool is_integer_type(std::string_view type) {
  return type == "integer" || type == "seconds" || type == "milliseconds";
}

// Properties for every scalar field of pgqrs::config_fields(), read and written through the table's text
// forms (so parsing and validation are the library's, the same as for YAML and the environment). The JSON
// field (validation_config) is bound member by member below; the S3 fields wait for the S3 backend.
void bind_config_fields(nb::class_<config>& cls) {
  static std::list<std::string> names;  // nanobind keeps the name pointers
  for (const auto& f : config_fields()) {
    if (f.type == "json" || f.name == "dsn" || f.name.starts_with("s3.")) continue;
    std::string field(f.name);
    std::string type(f.type);
    const std::string& py = names.emplace_back(python_name(f.name));
    cls.def_prop_rw(
        py.c_str(),
        [field, type](const config& c) -> nb::object {
          std::string text = config_field_text(c, field);
          if (is_integer_type(type)) return nb::int_(std::stoll(text));
          if (type == "boolean") return nb::bool_(text == "true");
          if (text.empty() && type == "path") return nb::none();
          return nb::str(text.c_str());
        },
        [field, type, py](config& c, nb::handle value) {
          std::string text;
          if (is_integer_type(type)) {
            if (!nb::isinstance<nb::int_>(value) || nb::isinstance<nb::bool_>(value)) {
              throw nb::type_error((py + " must be an int").c_str());
            }
            text = nb::cast<std::string>(nb::str(value));
          } else if (type == "boolean") {
            if (!nb::isinstance<nb::bool_>(value)) throw nb::type_error((py + " must be a bool").c_str());
            text = nb::cast<bool>(value) ? "true" : "false";
          } else {
            if (!nb::isinstance<nb::str>(value)) throw nb::type_error((py + " must be a str").c_str());
            text = nb::cast<std::string>(value);
          }
          set_config_field(c, field, text, py);  // config_error (→ ConfigError) names the property
        });
  }
}

void bind_config(nb::module_& m) {
  nb::class_<config> cls(m, "Config", "Connection and behaviour settings of a store.");
  cls.def(
         "__init__",
         [](config* self, const std::string& dsn, std::optional<std::string> schema,
            std::optional<std::uint32_t> max_connections) {
           config c = config::from_dsn(dsn);
           if (schema) c.schema = *schema;
           if (max_connections) c.max_connections = *max_connections;
           new (self) config(std::move(c));
         },
         "dsn"_a, "schema"_a = nb::none(), "max_connections"_a = nb::none())
      .def_static("from_dsn", &config::from_dsn, "dsn"_a)
      .def_prop_ro("dsn", [](const config& c) { return c.dsn; })
      .def("__repr__", [](const config& c) {
        return "Config(dsn='" + redact_dsn(c.dsn) + "', schema='" + c.schema + "')";
      });
  bind_config_fields(cls);
  // validation_config, field by field (the original's names).
  cls.def_prop_rw(
         "max_payload_size_bytes", [](const config& c) { return c.validation.max_payload_size_bytes; },
         [](config& c, std::size_t v) { c.validation.max_payload_size_bytes = v; })
      .def_prop_rw(
          "max_string_length", [](const config& c) { return c.validation.max_string_length; },
          [](config& c, std::size_t v) { c.validation.max_string_length = v; })
      .def_prop_rw(
          "max_object_depth", [](const config& c) { return c.validation.max_object_depth; },
          [](config& c, std::size_t v) { c.validation.max_object_depth = v; })
      .def_prop_rw(
          "forbidden_keys", [](const config& c) { return c.validation.forbidden_keys; },
          [](config& c, std::vector<std::string> v) { c.validation.forbidden_keys = std::move(v); })
      .def_prop_rw(
          "required_keys", [](const config& c) { return c.validation.required_keys; },
          [](config& c, std::vector<std::string> v) { c.validation.required_keys = std::move(v); })
      .def_prop_rw(
          "max_enqueue_per_second", [](const config& c) { return c.validation.max_enqueue_per_second; },
          [](config& c, std::optional<std::uint32_t> v) { c.validation.max_enqueue_per_second = v; })
      .def_prop_rw(
          "max_enqueue_burst", [](const config& c) { return c.validation.max_enqueue_burst; },
          [](config& c, std::optional<std::uint32_t> v) { c.validation.max_enqueue_burst = v; });
}

// ---------------------------------------------------------------- records

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

// ---------------------------------------------------------------- handles (synchronous)

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
            return p.enqueue_delayed(parse_payload(payload), seconds_arg(delay_seconds)).id;
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
            return c.dequeue_many_with_delay(n, seconds_arg(vt_seconds));
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
            return c.extend_vt(id, seconds_arg(seconds));
          },
          "message_id"_a, "seconds"_a, release_gil())
      .def("release_messages", &consumer::release_messages, "message_ids"_a, release_gil());

  m.def(
      "connect", [](const std::string& dsn) { return pgqrs::connect(dsn); }, "dsn"_a, release_gil());
  m.def(
      "connect_with", [](config cfg) { return pgqrs::connect(cfg); }, "config"_a, release_gil());
}

}  // namespace
}  // namespace pgqrs::python

NB_MODULE(_pgqrs, m) {
  m.doc() = "Native core of the pgqrs package (synchronous; the GIL is released on every blocking call).";
  pgqrs::python::register_errors(m);
  pgqrs::python::bind_config(m);
  pgqrs::python::bind_records(m);
  pgqrs::python::bind_handles(m);
}
