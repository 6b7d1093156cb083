#include "pgqrs/config.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <fstream>

#include <yaml-cpp/yaml.h>

#include "core/config/config.hpp"
#include "core/config/config_parse.hpp"
#include "core/config/dsn.hpp"
#include "pgqrs/errors.hpp"
#include "pgqrs/types.hpp"

namespace pgqrs {

namespace {

std::optional<std::string> env(std::string_view name) {
  const char* v = std::getenv(std::string(name).c_str());
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

/// Every PGQRS_* variable of the field table except PGQRS_DSN. Unparsable values are errors (the original
/// silently ignored them, which hides typos in production settings).
void apply_env(config& cfg) {
  for (const auto& f : config_fields()) {
    if (f.name == "dsn") continue;
    if (auto v = env(f.env)) set_config_field(cfg, f.name, *v, f.env);
  }
}

// ---- YAML -------------------------------------------------------------------------------------------------

std::string scalar(const YAML::Node& node, const std::string& field) {
  if (!node.IsScalar()) throw config_error(field, "must be a scalar value");
  return node.Scalar();
}

bool is_field(std::string_view name) {
  const auto& fields = config_fields();
  return std::any_of(fields.begin(), fields.end(), [&](const config_field& f) { return f.name == name; });
}

bool is_section(std::string_view name) {
  const auto& fields = config_fields();
  return std::any_of(fields.begin(), fields.end(), [&](const config_field& f) {
    return f.name.size() > name.size() && f.name.starts_with(name) && f.name[name.size()] == '.';
  });
}

/// A YAML mapping as the JSON object a json-typed field reads (numbers stay numbers, ~ is null).
json yaml_to_json(const YAML::Node& node, const std::string& field) {
  if (!node.IsMap()) throw config_error(field, "must be a mapping");
  json j = json::object();
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    const YAML::Node& v = kv.second;
    if (v.IsNull()) {
      j[key] = nullptr;
    } else if (v.IsSequence()) {
      j[key] = json::array();
      for (const auto& item : v) j[key].push_back(scalar(item, field + "." + key));
    } else {
      const std::string text = scalar(v, field + "." + key);
      std::uint64_t number = 0;
      auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
      if (ec == std::errc{} && ptr == text.data() + text.size()) {
        j[key] = number;
      } else {
        j[key] = text;
      }
    }
  }
  return j;
}

/// Applies one YAML entry: a field (scalar, or a mapping for json fields) or a section of dotted fields.
void apply_yaml(config& cfg, const std::string& name, const YAML::Node& value, const std::string& path) {
  if (is_field(name)) {
    const auto& fields = config_fields();
    const auto it = std::find_if(fields.begin(), fields.end(), [&](const config_field& f) { return f.name == name; });
    const std::string text = it->type == "json" ? yaml_to_json(value, name).dump() : scalar(value, name);
    set_config_field(cfg, name, text);
    return;
  }
  if (is_section(name)) {
    if (!value.IsMap()) throw config_error(name, "must be a mapping");
    for (const auto& kv : value) {
      const std::string key = kv.first.Scalar();
      if (!is_field(name + "." + key)) throw config_error(name, "unknown key '" + key + "'");
      apply_yaml(cfg, name + "." + key, kv.second, path);
    }
    return;
  }
  throw config_error("yaml", "unknown setting '" + name + "' in '" + path + "'");
}

}  // namespace

config config::from_dsn(std::string_view dsn) {
  config cfg;
  cfg.dsn = std::string(dsn);
  (void)detail::parse_dsn(dsn);
  return cfg;
}

config config::from_dsn_with_schema(std::string_view dsn, std::string_view schema) {
  return from_dsn(dsn).with_schema(schema);
}

config config::from_env() {
  auto dsn = env("PGQRS_DSN");
  if (!dsn) throw missing_config("PGQRS_DSN");
  config cfg = from_dsn(*dsn);
  apply_env(cfg);
  return cfg;
}

config config::from_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw config_error("file", "cannot read config file '" + path.string() + "'");
  YAML::Node root;
  try {
    root = YAML::Load(in);
  } catch (const YAML::Exception& e) {
    throw config_error("yaml", "'" + path.string() + "': " + e.what());
  }
  config cfg;
  if (root.IsNull()) throw config_error("file", "'" + path.string() + "' is empty");
  if (!root.IsMap()) throw config_error("yaml", "'" + path.string() + "' must be a mapping of settings");
  for (const auto& kv : root) apply_yaml(cfg, kv.first.Scalar(), kv.second, path.string());
  if (cfg.dsn.empty()) throw missing_config("dsn");
  (void)detail::parse_dsn(cfg.dsn);
  return cfg;
}

config config::load() {
  if (auto file = env("PGQRS_CONFIG_FILE")) return from_file(*file);
  if (env("PGQRS_DSN")) return from_env();
  for (const char* name : {"pgqrs.yaml", "pgqrs.yml"}) {
    if (std::filesystem::exists(name)) return from_file(name);
  }
  throw missing_config("configuration");
}

config config::load_with_options(std::optional<std::string_view> dsn,
                                 std::optional<std::filesystem::path> file,
                                 std::optional<std::string_view> schema) {
  config cfg;
  if (dsn) {
    cfg = from_dsn(*dsn);
    apply_env(cfg);
  } else if (file) {
    cfg = from_file(*file);
  } else {
    cfg = load();
  }
  if (schema) cfg = cfg.with_schema(*schema);
  return cfg;
}

config config::with_schema(std::string_view name) const {
  validate_schema_name(name);
  config copy = *this;
  copy.schema = std::string(name);
  return copy;
}

config config::with_max_connections(std::uint32_t n) const {
  config copy = *this;
  copy.max_connections = n;
  return copy;
}

backend_kind config::backend() const {
  return detail::parse_dsn(dsn).kind;
}

namespace detail {

void check_config(const config& cfg) {
  (void)parse_dsn(cfg.dsn);
  validate_schema_name(cfg.schema);
  if (cfg.max_connections == 0) throw config_error("max_connections", "must be at least 1");
  if (cfg.max_read_ct < 1) throw config_error("max_read_ct", "must be at least 1");
  if (cfg.default_max_batch_size == 0) throw config_error("default_max_batch_size", "must be at least 1");
  if (cfg.heartbeat_interval.count() <= 0) {
    throw config_error("heartbeat_interval", "must be at least 1 second");
  }
  if (cfg.poll_interval.count() <= 0) throw config_error("poll_interval_ms", "must be at least 1");
  if (cfg.validation.max_enqueue_per_second && cfg.validation.max_enqueue_burst &&
      *cfg.validation.max_enqueue_burst == 0) {
    throw config_error("validation_config.max_enqueue_burst", "must be at least 1 when a rate limit is set");
  }
}

}  // namespace detail
}  // namespace pgqrs
