#pragma once
/// @file errors.hpp
/// The error hierarchy. Every failure the library reports is a `pgqrs::error`; subclasses carry typed fields
/// and mirror the original's error variants (spec §11.1) so each maps to exactly one Python exception.
/// `what()` is one readable line saying what failed, on what, and why. Secrets (passwords in DSNs) never
/// appear in messages.

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace pgqrs {

/// Stable identity of an error class, for bindings that map errors without RTTI chains.
enum class error_code {
  config,
  missing_config,
  connection,
  query,
  pool_exhausted,
  queue_not_found,
  queue_already_exists,
  worker_not_found,
  not_found,
  validation,
  payload_too_large,
  schema_validation,
  state_transition,
  worker_has_pending_messages,
  rate_limited,
  timeout,
  conflict,
  suspended,
  serialization,
  internal,
  in_doubt,
  // workflows (spec §7, §11.1)
  workflow_already_exists,
  execution_failed,
  paused,
  cancelled,
  transient,
  retries_exhausted,
  step_not_ready,
  lease_lost,
};

/// Root of every pgqrs error.
class error : public std::runtime_error {
 public:
  [[nodiscard]] error_code code() const noexcept { return m_code; }
  /// Whether making the same call again, unchanged, may succeed: the failure was transient and left nothing
  /// half done (a connection lost before the statement ran or while only reading, an exhausted pool, a busy
  /// lock, a serialization failure, a rate limit). False for bad input, state conflicts and for
  /// `in_doubt_error`, whose outcome is unknown.
  [[nodiscard]] bool retryable() const noexcept { return m_retryable; }

 protected:
  error(error_code code, const std::string& message, bool retryable = false)
      : std::runtime_error(message), m_code(code), m_retryable(retryable) {}

 private:
  error_code m_code;
  bool m_retryable;
};

// ---------------------------------------------------------------- configuration

/// A configuration value (DSN, schema name, option) is invalid.
class config_error : public error {
 public:
  config_error(std::string field, std::string message);
  [[nodiscard]] const std::string& field() const noexcept { return m_field; }
  [[nodiscard]] const std::string& detail() const noexcept { return m_detail; }

 protected:
  config_error(error_code code, std::string field, std::string detail, const std::string& message);

 private:
  std::string m_field;
  std::string m_detail;
};

/// A required configuration value is absent (e.g. `PGQRS_DSN`).
class missing_config : public config_error {
 public:
  explicit missing_config(std::string field);
};

// ---------------------------------------------------------------- database

/// Base of failures reported by the database or its connection.
class database_error : public error {
 public:
  /// Five-character SQLSTATE (PostgreSQL, or the SQLite family's translation of its result code); empty if
  /// the database gave none.
  [[nodiscard]] const std::string& sqlstate() const noexcept { return m_sqlstate; }

 protected:
  database_error(error_code code, std::string sqlstate, const std::string& message, bool retryable);

 private:
  std::string m_sqlstate;
};

/// Could not connect, or the connection broke before the statement could have taken effect (or while it
/// was only reading): nothing was written. Retryable, unless the cause cannot go away by itself (an SQLite
/// file that is not a database).
class connection_error : public database_error {
 public:
  /// SQLSTATE 08006 (connection failure).
  connection_error(const std::string& detail, const std::string& context);
  /// With the SQLSTATE the server sent (e.g. 57P01 when an administrator terminated the session), or none.
  connection_error(const std::string& detail, const std::string& context, std::string sqlstate,
                   bool retryable = true);
};

/// The connection was lost after a COMMIT (or a self-committing write) was sent and before its answer
/// arrived: the write may or may not have been applied. Never retried by the library; the caller decides
/// (re-read the state, or rely on idempotence).
class in_doubt_error : public database_error {
 public:
  in_doubt_error(const std::string& detail, const std::string& context);
};

/// A statement failed. Retryable for transient conditions (serialization failure 40001, deadlock 40P01, lock
/// not available 55P03 — what SQLite's "database is locked" maps to).
class query_error : public database_error {
 public:
  query_error(std::string query, std::string sqlstate, const std::string& detail);
  /// Name of the library query that failed (never its parameters).
  [[nodiscard]] const std::string& query() const noexcept { return m_query; }
  /// The database's own message.
  [[nodiscard]] const std::string& detail() const noexcept { return m_detail; }

 private:
  std::string m_query;
  std::string m_detail;
};

/// No pooled connection became free within the acquire timeout.
class pool_exhausted : public database_error {
 public:
  pool_exhausted(std::size_t pool_size, std::chrono::milliseconds waited);
};

// ---------------------------------------------------------------- lookups

class queue_not_found : public error {
 public:
  explicit queue_not_found(std::string name);
  [[nodiscard]] const std::string& queue_name() const noexcept { return m_name; }

 private:
  std::string m_name;
};

class queue_already_exists : public error {
 public:
  explicit queue_already_exists(std::string name);
  [[nodiscard]] const std::string& queue_name() const noexcept { return m_name; }

 private:
  std::string m_name;
};

class worker_not_found : public error {
 public:
  explicit worker_not_found(std::int64_t id);
  [[nodiscard]] std::int64_t worker_id() const noexcept { return m_id; }

 private:
  std::int64_t m_id;
};

/// A row looked up by id does not exist ("<entity> with id '<id>' not found").
class not_found : public error {
 public:
  not_found(std::string entity, std::string id);
  [[nodiscard]] const std::string& entity() const noexcept { return m_entity; }
  [[nodiscard]] const std::string& id() const noexcept { return m_id; }

 private:
  std::string m_entity;
  std::string m_id;
};

// ---------------------------------------------------------------- bad input and state

/// Input rejected by a rule ("Validation failed: <reason>").
class validation_error : public error {
 public:
  explicit validation_error(std::string reason);
  [[nodiscard]] const std::string& reason() const noexcept { return m_reason; }

 protected:
  validation_error(error_code code, std::string reason, const std::string& message);

 private:
  std::string m_reason;
};

/// Serialized payload larger than `max_payload_size_bytes`.
class payload_too_large : public validation_error {
 public:
  payload_too_large(std::size_t actual_bytes, std::size_t max_bytes);
  [[nodiscard]] std::size_t actual_bytes() const noexcept { return m_actual; }
  [[nodiscard]] std::size_t max_bytes() const noexcept { return m_max; }

 private:
  std::size_t m_actual;
  std::size_t m_max;
};

/// The installed schema is missing or inconsistent (`verify()`).
class schema_validation_error : public validation_error {
 public:
  explicit schema_validation_error(std::string message);
};

/// A worker status change that the state machine does not allow (§4.2).
class state_transition_error : public error {
 public:
  state_transition_error(std::string from, std::string to, std::string reason);
  [[nodiscard]] const std::string& from() const noexcept { return m_from; }
  [[nodiscard]] const std::string& to() const noexcept { return m_to; }
  [[nodiscard]] const std::string& reason() const noexcept { return m_reason; }

 protected:
  state_transition_error(error_code code, const std::string& message);

 private:
  std::string m_from;
  std::string m_to;
  std::string m_reason;
};

/// A consumer cannot shut down while it still holds leased messages.
class worker_has_pending_messages : public state_transition_error {
 public:
  explicit worker_has_pending_messages(std::uint64_t count);
  [[nodiscard]] std::uint64_t count() const noexcept { return m_count; }

 private:
  std::uint64_t m_count;
};

/// The producer's token bucket is empty.
class rate_limited : public error {
 public:
  explicit rate_limited(std::chrono::milliseconds retry_after);
  [[nodiscard]] std::chrono::milliseconds retry_after() const noexcept { return m_retry_after; }

 private:
  std::chrono::milliseconds m_retry_after;
};

class timeout_error : public error {
 public:
  explicit timeout_error(std::string operation);
  [[nodiscard]] const std::string& operation() const noexcept { return m_operation; }

 private:
  std::string m_operation;
};

/// A concurrent change won (e.g. S3 compare-and-swap). `retryable` when the refused operation had no
/// effect and the next attempt starts from the winner's state (an S3 Durable-mode write that lost).
class conflict_error : public error {
 public:
  explicit conflict_error(const std::string& message, bool retryable = false);
};

/// A poll or fetch stopped because the worker was interrupted, suspended or stopped.
class suspended : public error {
 public:
  explicit suspended(std::string reason);
  [[nodiscard]] const std::string& reason() const noexcept { return m_reason; }

 private:
  std::string m_reason;
};

/// A value could not be converted to or from JSON.
class serialization_error : public error {
 public:
  explicit serialization_error(const std::string& detail);
};

/// A bug or an unexpected state inside the library.
class internal_error : public error {
 public:
  explicit internal_error(const std::string& detail);
};

// ---------------------------------------------------------------- workflows

class workflow_already_exists : public error {
 public:
  explicit workflow_already_exists(std::string name);
  [[nodiscard]] const std::string& workflow_name() const noexcept { return m_name; }

 private:
  std::string m_name;
};

/// Thrown by workflow code (inside a step) for a failure that may go away: the step is retried later
/// according to its retry policy, or after `retry_after` when given. ("Transient error (<code>): <message>")
class transient_step_error : public error {
 public:
  transient_step_error(std::string code, std::string message,
                       std::optional<std::chrono::milliseconds> retry_after = std::nullopt);
  [[nodiscard]] const std::string& step_code() const noexcept { return m_step_code; }
  [[nodiscard]] const std::string& message() const noexcept { return m_message; }
  [[nodiscard]] const std::optional<std::chrono::milliseconds>& retry_after() const noexcept { return m_retry_after; }

 private:
  std::string m_step_code;
  std::string m_message;
  std::optional<std::chrono::milliseconds> m_retry_after;
};

/// Thrown by workflow code inside a step to pause the run for `resume_after` (or until `run().resume()`);
/// the step runs again afterwards. ("Workflow paused: <message>")
class paused_error : public error {
 public:
  paused_error(std::string message, std::chrono::milliseconds resume_after);
  [[nodiscard]] const std::string& message() const noexcept { return m_message; }
  [[nodiscard]] std::chrono::milliseconds resume_after() const noexcept { return m_resume_after; }

 private:
  std::string m_message;
  std::chrono::milliseconds m_resume_after;
};

/// A step failed for good before (non-transient error, or retries used up); the run fails with it.
class retries_exhausted : public error {
 public:
  /// `error_json`: the stored step error as JSON text.
  retries_exhausted(std::string error_json, std::uint32_t attempts);
  [[nodiscard]] const std::string& error_json() const noexcept { return m_error_json; }
  [[nodiscard]] std::uint32_t attempts() const noexcept { return m_attempts; }

 private:
  std::string m_error_json;
  std::uint32_t m_attempts;
};

/// A step's retry is scheduled for later ("Step not ready for execution (retry scheduled for <time>)").
class step_not_ready : public error {
 public:
  step_not_ready(std::chrono::sys_time<std::chrono::microseconds> retry_at, std::uint32_t retry_count);
  [[nodiscard]] std::chrono::sys_time<std::chrono::microseconds> retry_at() const noexcept { return m_retry_at; }
  [[nodiscard]] std::uint32_t retry_count() const noexcept { return m_retry_count; }

 private:
  std::chrono::sys_time<std::chrono::microseconds> m_retry_at;
  std::uint32_t m_retry_count;
};

/// The run was cancelled ("Workflow cancelled for run <id>").
class workflow_cancelled : public error {
 public:
  explicit workflow_cancelled(std::int64_t run_id);
  [[nodiscard]] std::int64_t run_id() const noexcept { return m_run_id; }

 private:
  std::int64_t m_run_id;
};

/// The run ended in ERROR ("Workflow run <id> failed: <error json>").
class execution_failed : public error {
 public:
  execution_failed(std::int64_t run_id, std::string error_json);
  [[nodiscard]] std::int64_t run_id() const noexcept { return m_run_id; }
  [[nodiscard]] const std::string& error_json() const noexcept { return m_error_json; }

 private:
  std::int64_t m_run_id;
  std::string m_error_json;
};

/// Fencing: this worker no longer holds the lease on the run's message (it expired and another worker
/// took the run over, or the run was released), so its step or run result was refused and its execution
/// of the run stops.
class lease_lost : public error {
 public:
  explicit lease_lost(std::int64_t run_id);
  [[nodiscard]] std::int64_t run_id() const noexcept { return m_run_id; }

 private:
  std::int64_t m_run_id;
};

}  // namespace pgqrs
