#include "pgqrs/errors.hpp"

#include <string>

#include "core/common/sqlstate.hpp"
#include "pgqrs/types.hpp"

namespace pgqrs {

namespace {
std::string config_message(const std::string& field, const std::string& detail) {
  return "Invalid configuration value for " + field + ": " + detail;
}
}  // namespace

config_error::config_error(std::string field, std::string message)
    : config_error(error_code::config, std::move(field), std::move(message), {}) {}

config_error::config_error(error_code code, std::string field, std::string detail, const std::string& message)
    : error(code, message.empty() ? config_message(field, detail) : message),
      m_field(std::move(field)),
      m_detail(std::move(detail)) {}

missing_config::missing_config(std::string field)
    : config_error(error_code::missing_config, field, "missing", "Missing required configuration: " + field) {
}

database_error::database_error(error_code code, std::string sqlstate, const std::string& message,
                               bool retryable)
    : error(code, message, retryable), m_sqlstate(std::move(sqlstate)) {}

connection_error::connection_error(const std::string& detail, const std::string& context)
    : connection_error(detail, context, std::string(detail::sqlstate::connection_failure)) {}

connection_error::connection_error(const std::string& detail, const std::string& context,
                                   std::string sqlstate, bool retryable)
    : database_error(error_code::connection, std::move(sqlstate),
                     "Database connection failed: " + detail + ". Context: " + context, retryable) {}

in_doubt_error::in_doubt_error(const std::string& detail, const std::string& context)
    : database_error(error_code::in_doubt, std::string(detail::sqlstate::transaction_resolution_unknown),
                     "Commit outcome unknown: " + detail + ". Context: " + context +
                         " (the connection was lost while the change was being committed; it may or may not "
                         "have been applied)",
                     false) {}

query_error::query_error(std::string query, std::string sqlstate, const std::string& detail)
    : database_error(error_code::query, sqlstate,
                     "Database query failed: " + query + ". Context: SQLSTATE " +
                         (sqlstate.empty() ? std::string("unknown") : sqlstate) + ". Source: " + detail,
                     detail::sqlstate::is_transient(sqlstate)),
      m_query(std::move(query)),
      m_detail(detail) {}

pool_exhausted::pool_exhausted(std::size_t pool_size, std::chrono::milliseconds waited)
    : database_error(error_code::pool_exhausted, "",
                     "Database connection pool exhausted: all " + std::to_string(pool_size) +
                         " connections busy for " + std::to_string(waited.count()) +
                         " ms. Context: raise max_connections or connection_timeout_seconds",
                     true) {}

queue_not_found::queue_not_found(std::string name)
    : error(error_code::queue_not_found, "Queue '" + name + "' not found"), m_name(std::move(name)) {}

queue_already_exists::queue_already_exists(std::string name)
    : error(error_code::queue_already_exists, "Queue '" + name + "' already exists"),
      m_name(std::move(name)) {}

worker_not_found::worker_not_found(std::int64_t id)
    : error(error_code::worker_not_found, "Worker with id '" + std::to_string(id) + "' not found"),
      m_id(id) {}

not_found::not_found(std::string entity, std::string id)
    : error(error_code::not_found, entity + " with id '" + id + "' not found"),
      m_entity(std::move(entity)),
      m_id(std::move(id)) {}

validation_error::validation_error(std::string reason)
    : validation_error(error_code::validation, reason, "Validation failed: " + reason) {}

validation_error::validation_error(error_code code, std::string reason, const std::string& message)
    : error(code, message), m_reason(std::move(reason)) {}

payload_too_large::payload_too_large(std::size_t actual_bytes, std::size_t max_bytes)
    : validation_error(
          error_code::payload_too_large,
          "payload size " + std::to_string(actual_bytes) + " exceeds limit " + std::to_string(max_bytes),
          "Payload size " + std::to_string(actual_bytes) + " exceeds limit " + std::to_string(max_bytes)),
      m_actual(actual_bytes),
      m_max(max_bytes) {}

schema_validation_error::schema_validation_error(std::string message)
    : validation_error(error_code::schema_validation, message, "Schema validation failed: " + message) {}

state_transition_error::state_transition_error(std::string from, std::string to, std::string reason)
    : error(error_code::state_transition,
            "Invalid state transition from " + from + " to " + to + ": " + reason),
      m_from(std::move(from)),
      m_to(std::move(to)),
      m_reason(std::move(reason)) {}

state_transition_error::state_transition_error(error_code code, const std::string& message)
    : error(code, message) {}

worker_has_pending_messages::worker_has_pending_messages(std::uint64_t count)
    : state_transition_error(error_code::worker_has_pending_messages,
                             "Worker has " + std::to_string(count) + " pending messages: Consumer has " +
                                 std::to_string(count) + " pending messages"),
      m_count(count) {}

namespace {
/// Like Rust's Debug for Duration ("1s", "1.5s", "250ms"), which the original prints.
std::string debug_duration(std::chrono::milliseconds d) {
  const auto ms = d.count();
  if (ms < 1000) return std::to_string(ms) + "ms";
  std::string out = std::to_string(ms / 1000);
  if (auto frac = ms % 1000; frac != 0) {
    std::string digits = std::to_string(1000 + frac).substr(1);
    while (digits.back() == '0') digits.pop_back();
    out += "." + digits;
  }
  return out + "s";
}
}  // namespace

rate_limited::rate_limited(std::chrono::milliseconds retry_after)
    : error(error_code::rate_limited, "Rate limit exceeded, retry after " + debug_duration(retry_after), true),
      m_retry_after(retry_after) {}

timeout_error::timeout_error(std::string operation)
    : error(error_code::timeout, "Operation timeout: " + operation), m_operation(std::move(operation)) {}

conflict_error::conflict_error(const std::string& message, bool retryable)
    : error(error_code::conflict, "Conflict: " + message, retryable) {}

suspended::suspended(std::string reason)
    : error(error_code::suspended, "Operation suspended: " + reason), m_reason(std::move(reason)) {}

serialization_error::serialization_error(const std::string& detail)
    : error(error_code::serialization, "Serialization error: " + detail) {}

internal_error::internal_error(const std::string& detail)
    : error(error_code::internal, "Internal error: " + detail) {}

workflow_already_exists::workflow_already_exists(std::string name)
    : error(error_code::workflow_already_exists, "Workflow '" + name + "' already exists"), m_name(std::move(name)) {}

transient_step_error::transient_step_error(std::string code, std::string message,
                                           std::optional<std::chrono::milliseconds> retry_after)
    : error(error_code::transient, "Transient error (" + code + "): " + message, true),
      m_step_code(std::move(code)),
      m_message(std::move(message)),
      m_retry_after(retry_after) {}

paused_error::paused_error(std::string message, std::chrono::milliseconds resume_after)
    : error(error_code::paused, "Workflow paused: " + message), m_message(std::move(message)),
      m_resume_after(resume_after) {}

retries_exhausted::retries_exhausted(std::string error_json, std::uint32_t attempts)
    : error(error_code::retries_exhausted,
            "Step failed after " + std::to_string(attempts) + " attempts: " + error_json),
      m_error_json(std::move(error_json)),
      m_attempts(attempts) {}

step_not_ready::step_not_ready(std::chrono::sys_time<std::chrono::microseconds> retry_at, std::uint32_t retry_count)
    : error(error_code::step_not_ready,
            "Step not ready for execution (retry scheduled for " + format_rfc3339(retry_at) + ")", true),
      m_retry_at(retry_at),
      m_retry_count(retry_count) {}

workflow_cancelled::workflow_cancelled(std::int64_t run_id)
    : error(error_code::cancelled, "Workflow cancelled for run " + std::to_string(run_id)), m_run_id(run_id) {}

execution_failed::execution_failed(std::int64_t run_id, std::string error_json)
    : error(error_code::execution_failed, "Workflow run " + std::to_string(run_id) + " failed: " + error_json),
      m_run_id(run_id),
      m_error_json(std::move(error_json)) {}

lease_lost::lease_lost(std::int64_t run_id)
    : error(error_code::lease_lost, "Lease on run " + std::to_string(run_id) +
                                        " lost: another worker owns its message now; result not recorded"),
      m_run_id(run_id) {}

}  // namespace pgqrs
