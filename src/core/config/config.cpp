#include "pgqrs/config.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>

#include <yaml-cpp/yaml.h>

#include "core/config/config.hpp"
#include "core/config/dsn.hpp"
#include "pgqrs/errors.hpp"
#include "pgqrs/types.hpp"

namespace pgqrs {

namespace {

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

template <typename T>
T parse_number(const std::string& field, const std::string& text) {
  T value{};
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size()) {
    throw config_error(field, "'" + text + "' is not a valid number");
  }
  return value;
}

bool parse_bool(const std::string& field, std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (text == "true" || text == "1" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "0" || text == "no" || text == "off") return false;
  throw config_error(field, "'" + text + "' is not a boolean (true/false)");
}

durability_mode parse_mode(const std::string& field, std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (text == "durable") return durability_mode::durable;
  if (text == "local") return durability_mode::local;
  throw config_error(field, "'" + text + "' is not an S3 mode (durable or local)");
}

sqlite_synchronous parse_synchronous(const std::string& field, const std::string& text) {
  if (text == "off") return sqlite_synchronous::off;
  if (text == "normal") return sqlite_synchronous::normal;
  if (text == "full") return sqlite_synchronous::full;
  throw config_error(field, "'" + text + "' is not a synchronous mode (off, normal or full)");
}

enum prepared_statements parse_prepared(const std::string& field, const std::string& text) {
  if (text == "automatic") return prepared_statements::automatic;
  if (text == "always") return prepared_statements::always;
  if (text == "never") return prepared_statements::never;
  throw config_error(field, "'" + text + "' is not a prepared statement mode (automatic, always or never)");
}

validation_config parse_validation_json(const std::string& field, const std::string& text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    throw config_error(field, std::string("not valid JSON: ") + e.what());
  }
  if (!j.is_object()) throw config_error(field, "must be a JSON object");
  static const char* known[] = {"max_payload_size_bytes", "max_string_length", "max_object_depth",
                                "forbidden_keys",         "required_keys",     "max_enqueue_per_second",
                                "max_enqueue_burst"};
  for (const auto& [key, value] : j.items()) {
    if (std::find(std::begin(known), std::end(known), key) == std::end(known)) {
      throw config_error(field, "unknown key '" + key + "'");
    }
  }
  validation_config v;
  auto read_optional_u32 = [&](const char* key, std::optional<std::uint32_t>& out) {
    if (!j.contains(key)) return;
    if (j[key].is_null()) {
      out.reset();
    } else if (j[key].is_number_unsigned() && j[key].get<std::uint64_t>() <= UINT32_MAX) {
      out = static_cast<std::uint32_t>(j[key].get<std::uint64_t>());
    } else {
      throw config_error(field, std::string(key) + " must be an integer from 0 to 4294967295, or null");
    }
  };
  auto read_size = [&](const char* key, std::size_t& out) {
    if (!j.contains(key)) return;
    if (!j[key].is_number_unsigned())
      throw config_error(field, std::string(key) + " must be a non-negative integer");
    out = j[key].get<std::size_t>();
  };
  auto read_list = [&](const char* key, std::vector<std::string>& out) {
    if (!j.contains(key)) return;
    if (!j[key].is_array()) throw config_error(field, std::string(key) + " must be a list of strings");
    out.clear();
    for (const auto& item : j[key]) {
      if (!item.is_string()) throw config_error(field, std::string(key) + " must be a list of strings");
      out.push_back(item.get<std::string>());
    }
  };
  read_size("max_payload_size_bytes", v.max_payload_size_bytes);
  read_size("max_string_length", v.max_string_length);
  read_size("max_object_depth", v.max_object_depth);
  read_list("forbidden_keys", v.forbidden_keys);
  read_list("required_keys", v.required_keys);
  read_optional_u32("max_enqueue_per_second", v.max_enqueue_per_second);
  read_optional_u32("max_enqueue_burst", v.max_enqueue_burst);
  return v;
}

/// Every PGQRS_* variable except PGQRS_DSN. Unparsable values are errors (the original silently ignored them,
/// which hides typos in production settings).
void apply_env(config& cfg) {
  if (auto v = env("PGQRS_SCHEMA")) {
    validate_schema_name(*v);
    cfg.schema = *v;
  }
  if (auto v = env("PGQRS_MAX_CONNECTIONS"))
    cfg.max_connections = parse_number<std::uint32_t>("PGQRS_MAX_CONNECTIONS", *v);
  if (auto v = env("PGQRS_CONNECTION_TIMEOUT")) {
    cfg.connection_timeout_seconds = parse_number<std::uint64_t>("PGQRS_CONNECTION_TIMEOUT", *v);
  }
  if (auto v = env("PGQRS_DEFAULT_LOCK_TIME")) {
    cfg.default_lock_time_seconds = parse_number<std::uint32_t>("PGQRS_DEFAULT_LOCK_TIME", *v);
  }
  if (auto v = env("PGQRS_DEFAULT_BATCH_SIZE")) {
    cfg.default_max_batch_size = parse_number<std::size_t>("PGQRS_DEFAULT_BATCH_SIZE", *v);
  }
  if (auto v = env("PGQRS_MAX_READ_CT"))
    cfg.max_read_ct = parse_number<std::int32_t>("PGQRS_MAX_READ_CT", *v);
  if (auto v = env("PGQRS_HEARTBEAT_INTERVAL")) {
    cfg.heartbeat_interval = parse_number<std::uint64_t>("PGQRS_HEARTBEAT_INTERVAL", *v);
  }
  if (auto v = env("PGQRS_POLL_INTERVAL_MS"))
    cfg.poll_interval_ms = parse_number<std::uint64_t>("PGQRS_POLL_INTERVAL_MS", *v);
  if (auto v = env("PGQRS_VALIDATION_CONFIG"))
    cfg.validation = parse_validation_json("PGQRS_VALIDATION_CONFIG", *v);
  if (auto v = env("PGQRS_SQLITE_USE_WAL")) cfg.sqlite.use_wal = parse_bool("PGQRS_SQLITE_USE_WAL", *v);
  if (auto v = env("PGQRS_SQLITE_SYNCHRONOUS")) {
    cfg.sqlite.synchronous = parse_synchronous("PGQRS_SQLITE_SYNCHRONOUS", *v);
  }
  if (auto v = env("PGQRS_S3_MODE")) cfg.s3.mode = parse_mode("PGQRS_S3_MODE", *v);
  if (auto v = env("PGQRS_S3_CACHE_DIR")) cfg.s3.cache_dir = *v;
  if (auto v = env("PGQRS_PREPARED_STATEMENTS")) {
    cfg.prepared_statements = parse_prepared("PGQRS_PREPARED_STATEMENTS", *v);
  }
}

// ---- YAML -------------------------------------------------------------------------------------------------

std::string scalar(const YAML::Node& node, const std::string& field) {
  if (!node.IsScalar()) throw config_error(field, "must be a scalar value");
  return node.Scalar();
}

using yaml_setter = std::function<void(config&, const YAML::Node&, const std::string&)>;

template <typename T, typename Member>
yaml_setter number_setter(Member member) {
  return [member](config& c, const YAML::Node& n, const std::string& f) {
    c.*member = parse_number<T>(f, scalar(n, f));
  };
}

void apply_validation_yaml(config& cfg, const YAML::Node& node, const std::string& field) {
  if (!node.IsMap()) throw config_error(field, "must be a mapping");
  // Reuse the JSON reader so both formats accept exactly the same keys and types.
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
  cfg.validation = parse_validation_json(field, j.dump());
}

const std::map<std::string, yaml_setter>& yaml_setters() {
  static const std::map<std::string, yaml_setter> setters = {
      {"dsn", [](config& c, const YAML::Node& n, const std::string& f) { c.dsn = scalar(n, f); }},
      {"schema",
       [](config& c, const YAML::Node& n, const std::string& f) {
         c.schema = scalar(n, f);
         validate_schema_name(c.schema);
       }},
      {"max_connections", number_setter<std::uint32_t>(&config::max_connections)},
      {"connection_timeout_seconds", number_setter<std::uint64_t>(&config::connection_timeout_seconds)},
      {"default_lock_time_seconds", number_setter<std::uint32_t>(&config::default_lock_time_seconds)},
      {"default_max_batch_size", number_setter<std::size_t>(&config::default_max_batch_size)},
      {"max_read_ct", number_setter<std::int32_t>(&config::max_read_ct)},
      {"heartbeat_interval", number_setter<std::uint64_t>(&config::heartbeat_interval)},
      {"poll_interval_ms", number_setter<std::uint64_t>(&config::poll_interval_ms)},
      {"validation_config", apply_validation_yaml},
      {"prepared_statements",
       [](config& c, const YAML::Node& n, const std::string& f) {
         c.prepared_statements = parse_prepared(f, scalar(n, f));
       }},
      {"sqlite",
       [](config& c, const YAML::Node& n, const std::string& f) {
         if (!n.IsMap()) throw config_error(f, "must be a mapping");
         for (const auto& kv : n) {
           const std::string key = kv.first.Scalar();
           const std::string sub = f + "." + key;
           if (key == "use_wal") {
             c.sqlite.use_wal = parse_bool(sub, scalar(kv.second, sub));
           } else if (key == "busy_timeout_ms") {
             c.sqlite.busy_timeout_ms = parse_number<std::uint32_t>(sub, scalar(kv.second, sub));
           } else if (key == "synchronous") {
             c.sqlite.synchronous = parse_synchronous(sub, scalar(kv.second, sub));
           } else {
             throw config_error(f, "unknown key '" + key + "'");
           }
         }
       }},
      {"s3",
       [](config& c, const YAML::Node& n, const std::string& f) {
         if (!n.IsMap()) throw config_error(f, "must be a mapping");
         for (const auto& kv : n) {
           const std::string key = kv.first.Scalar();
           const std::string sub = f + "." + key;
           if (key == "mode") {
             c.s3.mode = parse_mode(sub, scalar(kv.second, sub));
           } else if (key == "cache_dir") {
             c.s3.cache_dir = scalar(kv.second, sub);
           } else {
             throw config_error(f, "unknown key '" + key + "'");
           }
         }
       }},
  };
  return setters;
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
  const auto& setters = yaml_setters();
  for (const auto& kv : root) {
    const std::string key = kv.first.Scalar();
    auto it = setters.find(key);
    if (it == setters.end())
      throw config_error("yaml", "unknown setting '" + key + "' in '" + path.string() + "'");
    it->second(cfg, kv.second, key);
  }
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
  if (cfg.heartbeat_interval == 0) throw config_error("heartbeat_interval", "must be at least 1 second");
  if (cfg.poll_interval_ms == 0) throw config_error("poll_interval_ms", "must be at least 1");
  if (cfg.validation.max_enqueue_per_second && cfg.validation.max_enqueue_burst &&
      *cfg.validation.max_enqueue_burst == 0) {
    throw config_error("validation_config.max_enqueue_burst", "must be at least 1 when a rate limit is set");
  }
}

}  // namespace detail
}  // namespace pgqrs
