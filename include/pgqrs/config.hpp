#pragma once
/// @file config.hpp
/// Connection and behaviour settings (spec §1.2) and how they are loaded: from a DSN, the environment
/// (`PGQRS_*`), or a YAML file.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgqrs {

/// Payload validation and enqueue rate limiting (spec §11.3, §11.4).
struct validation_config {
  std::size_t max_payload_size_bytes = 1'048'576;
  std::size_t max_string_length = 1024;
  std::size_t max_object_depth = 5;
  std::vector<std::string> forbidden_keys{"__proto__", "constructor"};
  std::vector<std::string> required_keys;
  /// Token refill rate per producer; std::nullopt disables rate limiting.
  std::optional<std::uint32_t> max_enqueue_per_second = 1000;
  /// Bucket capacity; std::nullopt means 50 when a rate is set.
  std::optional<std::uint32_t> max_enqueue_burst = 50;
};

/// Which storage engine a DSN selects.
enum class backend_kind { postgres, sqlite, turso, s3 };

/// S3 durability mode (used by the S3 backend).
enum class durability_mode { durable, local };

/// How to use named prepared statements on PostgreSQL.
enum class prepared_statements {
  /// Use them, and fall back to unnamed statements for the pool if the server reports that a prepared
  /// statement is missing (what a transaction-mode pooler such as PgBouncer < 1.21 causes).
  automatic,
  always,
  never,
};

/// SQLite `PRAGMA synchronous`: `full` syncs every commit (survives power loss); `normal` syncs at
/// checkpoints only (survives process crashes, may lose the last commits on power loss).
enum class sqlite_synchronous { off, normal, full };

struct sqlite_settings {
  /// WAL journal (readers never block the writer). Turn off only for single-file sync (S3).
  bool use_wal = true;
  /// How long a write waits for another process's write lock before failing.
  std::chrono::milliseconds busy_timeout{5000};
  sqlite_synchronous synchronous = sqlite_synchronous::full;
};

struct s3_settings {
  durability_mode mode = durability_mode::durable;
  std::optional<std::filesystem::path> cache_dir;
  /// Longest wait for a connection to S3, and for one whole request (a large upload must fit in it). An S3
  /// that does not answer fails a call with timeout_error after a few of these (retries and the look that
  /// settles an unanswered upload).
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds request_timeout{60'000};
};

/// All settings of a store. Defaults follow the original (spec §1.2).
struct config {
  std::string dsn;
  /// PostgreSQL schema holding the tables (validated: `[A-Za-z_][A-Za-z0-9_$]*`, at most 63 bytes).
  std::string schema = "public";
  /// Upper bound of the connection pool (PostgreSQL; SQLite uses min(this, 8)).
  std::uint32_t max_connections = 16;
  /// Connect timeout and the longest wait for a free pooled connection.
  std::chrono::seconds connection_timeout{30};
  /// Default lease of the dequeue builder in `.at(time)` mode (the original's effective behaviour).
  std::chrono::seconds default_lock_time{5};
  /// Largest batch a dequeue call accepts (larger ones are validation errors; enqueue batches are unlimited).
  std::size_t default_max_batch_size = 100;
  /// Messages leased this many times are poison: never delivered again, moved to the DLQ by `admin.dlq()`.
  std::int32_t max_read_ct = 5;
  /// Time between worker heartbeats (loops and lease keepers, and before a claim when the last beat is
  /// half an interval old). A worker counts as dead (reclaimable) after three intervals without a beat.
  std::chrono::seconds heartbeat_interval{5};
  /// Default sleep between empty polls.
  std::chrono::milliseconds poll_interval{250};
  validation_config validation;
  sqlite_settings sqlite;
  s3_settings s3;
  enum prepared_statements prepared_statements = prepared_statements::automatic;

  /// Defaults plus `dsn`; no environment lookup. Validates the DSN.
  /// @throws config_error for a malformed or unsupported DSN.
  [[nodiscard]] static config from_dsn(std::string_view dsn);
  /// Like from_dsn with a validated schema. @throws config_error
  [[nodiscard]] static config from_dsn_with_schema(std::string_view dsn, std::string_view schema);
  /// Reads `PGQRS_DSN` (required) and the other `PGQRS_*` variables (§1.2).
  /// @throws missing_config if `PGQRS_DSN` is unset; config_error for invalid values.
  [[nodiscard]] static config from_env();
  /// Reads a YAML file; missing fields keep their defaults. @throws config_error
  [[nodiscard]] static config from_file(const std::filesystem::path& path);
  /// Standard sources in order: `PGQRS_CONFIG_FILE`, `PGQRS_DSN`, `./pgqrs.yaml`, `./pgqrs.yml`.
  /// @throws missing_config when none is present.
  [[nodiscard]] static config load();
  /// Explicit DSN (then environment for the rest), else explicit file, else load(); then `schema` if given.
  [[nodiscard]] static config load_with_options(std::optional<std::string_view> dsn,
                                                std::optional<std::filesystem::path> file,
                                                std::optional<std::string_view> schema = std::nullopt);

  /// Returns a copy with another (validated) schema. @throws config_error
  [[nodiscard]] config with_schema(std::string_view schema) const;
  [[nodiscard]] config with_max_connections(std::uint32_t n) const;

  /// Which backend the DSN selects. @throws config_error for a malformed or unsupported DSN.
  [[nodiscard]] backend_kind backend() const;
};

/// One setting as every configuration source names it. The table of them (config_fields()) is the single
/// declaration that from_env, from_file, the `pgqrs` command line and the Python package read.
struct config_field {
  /// The YAML key, dotted inside a section ("sqlite.busy_timeout_ms"); the CLI flag is `--` + name with
  /// dots and underscores as dashes, the Python keyword is name with dots as underscores.
  std::string_view name;
  /// The environment variable.
  std::string_view env;
  /// "string", "integer", "seconds", "milliseconds", "boolean", "choice", "json" or "path".
  std::string_view type;
  std::string_view description;
};

/// Every setting, in documentation order.
[[nodiscard]] const std::vector<config_field>& config_fields();
/// Sets one field from its text form (what the environment, YAML or a command line gives). `source` names
/// the field in errors (e.g. the environment variable); empty means the field's name.
/// @throws config_error for an unknown name or an invalid value
void set_config_field(config& cfg, std::string_view name, std::string_view text, std::string_view source = {});
/// A field's current value as text (empty for an unset optional). @throws config_error for an unknown name
[[nodiscard]] std::string config_field_text(const config& cfg, std::string_view name);

/// Checks a schema name (§1.2). @throws config_error{field "schema"} naming what is wrong.
void validate_schema_name(std::string_view schema);

/// The DSN with any password replaced by `***`, safe for logs and error messages.
[[nodiscard]] std::string redact_dsn(std::string_view dsn);

}  // namespace pgqrs
