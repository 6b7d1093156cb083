#pragma once
// Every SQLSTATE the library produces or looks at, by name. PostgreSQL reports them; the SQLite family
// driver translates its result codes to the same values, so operations compare against one set of names.

#include <string_view>

namespace pgqrs::detail::sqlstate {

// Class 08: connection exception.
inline constexpr std::string_view connection_failure = "08006";
// Class 23: integrity constraint violation.
inline constexpr std::string_view not_null_violation = "23502";
inline constexpr std::string_view foreign_key_violation = "23503";
inline constexpr std::string_view unique_violation = "23505";
inline constexpr std::string_view check_violation = "23514";
// Class 25: invalid transaction state.
inline constexpr std::string_view active_sql_transaction = "25001";
inline constexpr std::string_view no_active_sql_transaction = "25P01";
inline constexpr std::string_view in_failed_sql_transaction = "25P02";
// Class 26 and 42: statements and objects.
inline constexpr std::string_view invalid_statement_name = "26000";
inline constexpr std::string_view duplicate_prepared_statement = "42P05";
inline constexpr std::string_view undefined_table = "42P01";
// Class 40: transaction rollback.
inline constexpr std::string_view transaction_rollback = "40000";
inline constexpr std::string_view serialization_failure = "40001";
inline constexpr std::string_view transaction_resolution_unknown = "40003";
inline constexpr std::string_view deadlock_detected = "40P01";
// Class 53, 55, 57: resources, object state, operator intervention.
inline constexpr std::string_view disk_full = "53100";
inline constexpr std::string_view too_many_connections = "53300";
inline constexpr std::string_view lock_not_available = "55P03";
inline constexpr std::string_view admin_shutdown = "57P01";
inline constexpr std::string_view crash_shutdown = "57P02";
inline constexpr std::string_view cannot_connect_now = "57P03";
// Class XX and the SQLite family's catch-all.
inline constexpr std::string_view data_corrupted = "XX001";
inline constexpr std::string_view general_error = "HY000";

/// A statement failure that goes away by itself: running the same statement again may succeed.
[[nodiscard]] constexpr bool is_transient(std::string_view state) noexcept {
  return state == serialization_failure || state == deadlock_detected || state == lock_not_available;
}

/// The server is going away or cannot take the session (shutdown, restart, too many clients, class 08):
/// the session is lost, and a statement that got this answer did not take effect.
[[nodiscard]] constexpr bool ends_session(std::string_view state) noexcept {
  return state.starts_with("08") || state == admin_shutdown || state == crash_shutdown ||
         state == cannot_connect_now || state == too_many_connections;
}

}  // namespace pgqrs::detail::sqlstate
