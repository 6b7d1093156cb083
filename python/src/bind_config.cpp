// pgqrs.Config: every scalar field of the C++ field table as a property, plus the validation settings.

#include <nanobind/nanobind.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/string_view.h>
#include <nanobind/stl/vector.h>

#include <cctype>
#include <cstdint>
#include <list>
#include <string>
#include <vector>

#include "bindings.hpp"
#include "pgqrs/pgqrs.hpp"

namespace pgqrs::python {
namespace {

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
// field (validation_config) is bound member by member below, the S3 fields by bind_s3_fields.
void bind_config_fields(nb::class_<config>& cls) {
  static std::list<std::string> names;  // nanobind keeps the name pointers
  for (const auto& f : config_fields()) {
    if (f.type == "json" || f.name == "dsn" || f.name.starts_with("s3.")) continue;  // bound on their own
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

/// s3_mode as pgqrs.DurabilityMode (a Python-level enum, pgqrs/_s3.py) and s3_cache_dir as str or None.
void bind_s3_fields(nb::class_<config>& cls) {
  cls.def_prop_rw(
         "s3_mode",
         [](const config& c) {
           return nb::module_::import_("pgqrs._s3").attr("DurabilityMode").attr("_from_native")(
               config_field_text(c, "s3.mode"));
         },
         [](config& c, nb::handle mode) {
           nb::object type = nb::module_::import_("pgqrs._s3").attr("DurabilityMode");
           if (!nb::isinstance(mode, type)) throw nb::type_error("s3_mode must be a pgqrs.DurabilityMode");
           std::string name = nb::cast<std::string>(mode.attr("name"));
           for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
           set_config_field(c, "s3.mode", name, "s3_mode");
         })
      .def_prop_rw(
          "s3_cache_dir",
          [](const config& c) -> std::optional<std::string> {
            if (!c.s3.cache_dir) return std::nullopt;
            return c.s3.cache_dir->string();
          },
          [](config& c, std::optional<std::string> dir) {
            if (!dir) {
              c.s3.cache_dir.reset();
              return;
            }
            if (dir->find_first_not_of(" \t\r\n") == std::string::npos) {
              throw config_error("s3.cache_dir", "cache dir cannot be empty");
            }
            c.s3.cache_dir = *dir;
          });
}

}  // namespace

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
  bind_s3_fields(cls);
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

}  // namespace pgqrs::python
