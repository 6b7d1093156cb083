// The one declaration of every setting (pgqrs::config_fields): name (YAML key), environment variable, type,
// and how to read and print it. from_env, from_file, the CLI and the Python package all go through it, so the
// sources cannot drift apart (tests/unit/config_test.cpp checks that env and YAML accept the same keys).

#include <algorithm>
#include <cctype>
#include <charconv>
#include <functional>
#include <limits>
#include <string>

#include "core/config/config_parse.hpp"
#include "pgqrs/config.hpp"
#include "pgqrs/errors.hpp"
#include "pgqrs/types.hpp"

namespace pgqrs {

namespace {

using setter = std::function<void(config&, const std::string& text, const std::string& field)>;
using getter = std::function<std::string(const config&)>;

struct field_entry {
  config_field info;
  setter set;
  getter get;
};

template <typename T, typename Member>
field_entry integer_field(std::string_view name, std::string_view env, std::string_view description, Member member) {
  return {{name, env, "integer", description},
          [member](config& c, const std::string& text, const std::string& f) {
            c.*member = detail::parse_number<T>(f, text);
          },
          [member](const config& c) { return std::to_string(c.*member); }};
}

template <typename Duration, typename Member>
field_entry duration_field(std::string_view name, std::string_view env, std::string_view type,
                           std::string_view description, Member member) {
  return {{name, env, type, description},
          [member](config& c, const std::string& text, const std::string& f) {
            c.*member = Duration(detail::parse_number<std::uint32_t>(f, text));
          },
          [member](const config& c) { return std::to_string((c.*member).count()); }};
}

template <typename Enum>
std::string choice_text(Enum value, const std::vector<std::pair<std::string_view, Enum>>& choices) {
  for (const auto& [text, v] : choices) {
    if (v == value) return std::string(text);
  }
  return {};
}

template <typename Enum>
Enum parse_choice(const std::string& field, std::string text, const std::vector<std::pair<std::string_view, Enum>>& choices,
                  std::string_view what) {
  for (auto& ch : text) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  std::string expected;
  for (const auto& [name, value] : choices) {
    if (name == text) return value;
    expected += expected.empty() ? "" : ", ";
    expected += name;
  }
  throw config_error(field, "'" + text + "' is not " + std::string(what) + " (" + expected + ")");
}

const std::vector<std::pair<std::string_view, durability_mode>> s3_modes{{"durable", durability_mode::durable},
                                                                         {"local", durability_mode::local}};
const std::vector<std::pair<std::string_view, sqlite_synchronous>> synchronous_modes{
    {"off", sqlite_synchronous::off}, {"normal", sqlite_synchronous::normal}, {"full", sqlite_synchronous::full}};
const std::vector<std::pair<std::string_view, enum prepared_statements>> statement_modes{
    {"automatic", prepared_statements::automatic},
    {"always", prepared_statements::always},
    {"never", prepared_statements::never}};

const std::vector<field_entry>& entries() {
  using std::chrono::milliseconds;
  using std::chrono::seconds;
  static const std::vector<field_entry> all = {
      {{"dsn", "PGQRS_DSN", "string", "Which database: postgresql://…, sqlite://…, turso://…, s3://bucket/key"},
       [](config& c, const std::string& text, const std::string&) { c.dsn = text; },
       [](const config& c) { return redact_dsn(c.dsn); }},
      {{"schema", "PGQRS_SCHEMA", "string", "PostgreSQL schema holding the tables (created by install())"},
       [](config& c, const std::string& text, const std::string&) {
         validate_schema_name(text);  // its errors name the field "schema" whatever the source
         c.schema = text;
       },
       [](const config& c) { return c.schema; }},
      integer_field<std::uint32_t>("max_connections", "PGQRS_MAX_CONNECTIONS", "Upper bound of the connection pool",
                                   &config::max_connections),
      duration_field<seconds>("connection_timeout_seconds", "PGQRS_CONNECTION_TIMEOUT", "seconds",
                              "Connect timeout and the longest wait for a pooled connection",
                              &config::connection_timeout),
      duration_field<seconds>("default_lock_time_seconds", "PGQRS_DEFAULT_LOCK_TIME", "seconds",
                              "Lease of the dequeue builder in .at(time) mode", &config::default_lock_time),
      integer_field<std::size_t>("default_max_batch_size", "PGQRS_DEFAULT_BATCH_SIZE",
                                 "Largest batch a dequeue call accepts", &config::default_max_batch_size),
      integer_field<std::int32_t>("max_read_ct", "PGQRS_MAX_READ_CT",
                                  "Deliveries after which a message is poison (dead-lettered)", &config::max_read_ct),
      duration_field<seconds>("heartbeat_interval", "PGQRS_HEARTBEAT_INTERVAL", "seconds",
                              "Time between worker heartbeats; dead after three missed",
                              &config::heartbeat_interval),
      duration_field<milliseconds>("poll_interval_ms", "PGQRS_POLL_INTERVAL_MS", "milliseconds",
                                   "Sleep between empty polls", &config::poll_interval),
      {{"validation_config", "PGQRS_VALIDATION_CONFIG", "json",
        "Payload limits and the enqueue rate limit (a JSON object, a mapping in YAML)"},
       [](config& c, const std::string& text, const std::string& f) {
         c.validation = detail::parse_validation_json(f, text);
       },
       [](const config& c) { return detail::validation_json(c.validation); }},
      {{"prepared_statements", "PGQRS_PREPARED_STATEMENTS", "choice",
        "Named prepared statements on PostgreSQL: automatic, always, never"},
       [](config& c, const std::string& text, const std::string& f) {
         c.prepared_statements = parse_choice(f, text, statement_modes, "a prepared statement mode");
       },
       [](const config& c) { return choice_text(c.prepared_statements, statement_modes); }},
      {{"sqlite.use_wal", "PGQRS_SQLITE_USE_WAL", "boolean", "WAL journal for SQLite files"},
       [](config& c, const std::string& text, const std::string& f) { c.sqlite.use_wal = detail::parse_bool(f, text); },
       [](const config& c) { return std::string(c.sqlite.use_wal ? "true" : "false"); }},
      {{"sqlite.busy_timeout_ms", "PGQRS_SQLITE_BUSY_TIMEOUT_MS", "milliseconds",
        "How long a write waits for another process's lock"},
       [](config& c, const std::string& text, const std::string& f) {
         c.sqlite.busy_timeout = milliseconds(detail::parse_number<std::uint32_t>(f, text));
       },
       [](const config& c) { return std::to_string(c.sqlite.busy_timeout.count()); }},
      {{"sqlite.synchronous", "PGQRS_SQLITE_SYNCHRONOUS", "choice", "SQLite PRAGMA synchronous: off, normal, full"},
       [](config& c, const std::string& text, const std::string& f) {
         c.sqlite.synchronous = parse_choice(f, text, synchronous_modes, "a synchronous mode");
       },
       [](const config& c) { return choice_text(c.sqlite.synchronous, synchronous_modes); }},
      {{"s3.mode", "PGQRS_S3_MODE", "choice", "S3 durability: durable (upload every commit) or local"},
       [](config& c, const std::string& text, const std::string& f) {
         c.s3.mode = parse_choice(f, text, s3_modes, "an S3 mode");
       },
       [](const config& c) { return choice_text(c.s3.mode, s3_modes); }},
      {{"s3.cache_dir", "PGQRS_S3_CACHE_DIR", "path", "Where the S3 backend keeps its local copy"},
       [](config& c, const std::string& text, const std::string&) { c.s3.cache_dir = text; },
       [](const config& c) { return c.s3.cache_dir ? c.s3.cache_dir->string() : std::string(); }},
  };
  return all;
}

const field_entry& entry(std::string_view name) {
  for (const auto& e : entries()) {
    if (e.info.name == name) return e;
  }
  throw config_error(std::string(name), "unknown setting '" + std::string(name) + "'");
}

}  // namespace

const std::vector<config_field>& config_fields() {
  static const std::vector<config_field> fields = [] {
    std::vector<config_field> out;
    for (const auto& e : entries()) out.push_back(e.info);
    return out;
  }();
  return fields;
}

void set_config_field(config& cfg, std::string_view name, std::string_view text, std::string_view source) {
  entry(name).set(cfg, std::string(text), std::string(source.empty() ? name : source));
}

std::string config_field_text(const config& cfg, std::string_view name) {
  return entry(name).get(cfg);
}

}  // namespace pgqrs
