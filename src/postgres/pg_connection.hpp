#pragma once
// One libpq connection behind the backend seam (detail::connection).
//
// - No session state (no SET): the SQL is schema-qualified, so PgBouncer in transaction mode works.
// - Parameters are sent as text ($1::bigint ...), results are requested in binary and decoded by type OID
//   (pg_codec.hpp).
// - Named prepared statements are named after a hash of their SQL text, so one name always means one SQL
//   text on any backend. In `automatic` mode every connection of the database switches to unnamed statements
//   when a connection finds a pooler in front of the server at connect time (PQbackendPID differs from the
//   server's pg_backend_pid()), or on the first "prepared statement missing/duplicate" error (26000/42P05,
//   what a transaction-mode pooler causes), retried unnamed when no transaction is open.
//
// The header does not include libpq-fe.h (only the forward-declared struct), so tests can include it.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/db/database.hpp"
#include "pgqrs/config.hpp"

struct pg_conn;    // libpq's PGconn
struct pg_result;  // libpq's PGresult

namespace pgqrs::detail {

/// Checks a PostgreSQL URI the way libpq will read it, before any connection is tried: its syntax and
/// option names (PQconninfoParse), every port, and sslmode. libpq itself reports these only when
/// connecting, as a connection failure; they are configuration mistakes.
/// @throws config_error (field "dsn"; no password in the message)
void check_postgres_dsn(const std::string& dsn);

class pg_connection final : public connection {
 public:
  struct options {
    /// A postgres:// or postgresql:// URI, passed to libpq as is.
    std::string dsn;
    /// libpq connect_timeout (0 = wait indefinitely; libpq treats 1 as 2). A connect_timeout in the DSN wins.
    std::uint64_t connect_timeout_seconds = 30;
    enum prepared_statements prepared_statements = prepared_statements::automatic;
    /// Shared by all connections of one database: once true, no connection uses named statements any more.
    /// Null means a flag private to this connection.
    std::shared_ptr<std::atomic<bool>> unnamed_only;
  };

  /// Connects (blocking). @throws connection_error (never containing the password or the raw DSN).
  explicit pg_connection(const options& opts);
  ~pg_connection() override;

  row_set execute(const sql_query& q, std::span<const sql_param> params) override;
  row_set execute_adhoc(std::string_view sql, std::span<const sql_param> params) override;
  void execute_script(std::string_view sql) override;
  void begin(tx_mode mode) override;
  void commit() override;
  void rollback() noexcept override;
  [[nodiscard]] bool in_transaction() const override;
  [[nodiscard]] bool healthy() const override;
  [[nodiscard]] bool check_alive() noexcept override;
  void prepare_for_user_sql() override;

  /// Process id of the server backend (for diagnostics and tests; behind a pooler it is the pooler's).
  [[nodiscard]] int backend_pid() const;
  /// Whether the next statement would use a named prepared statement.
  [[nodiscard]] bool uses_named_statements() const;

 private:
  struct result_deleter {
    void operator()(pg_result* r) const noexcept;
  };
  using result_ptr = std::unique_ptr<pg_result, result_deleter>;

  /// True when the connection reaches the server directly; in `automatic` mode a pooler in between sets
  /// the shared unnamed-only flag.
  bool detect_pooler();
  /// `SET plan_cache_mode = force_generic_plan` (direct connections only: it is session state).
  void use_generic_plans();
  /// Counts a statement run outside a transaction and, once the count since the last time has doubled,
  /// discards the session's cached plans so they are made again against the tables' present sizes.
  void replan_when_due();
  /// What came back for one sent command: the first successful result and the first error (a session that
  /// ends right after a statement completed reports both), and whether the command went out at all.
  struct exec_result {
    result_ptr success;
    result_ptr failure;
    bool sent = false;
    [[nodiscard]] bool ok() const { return success != nullptr && failure == nullptr; }
  };

  /// Encodes all parameters into m_values (pointers stay valid until the next call).
  void bind_params(std::span<const sql_param> params);
  /// Runs one statement of `q` with the first max_placeholder(sql) parameters; returns its decoded rows.
  /// `self_committing`: the statement commits by itself (a write outside a transaction), so losing the
  /// connection while it runs may leave its outcome unknown.
  row_set run_statement(const sql_query& q, const std::string& sql, std::size_t available_params,
                        bool self_committing);
  /// Parameter types for a statement that skips some of the bound parameters (m_used from max_placeholder),
  /// with m_stmt_values set up to match; nullptr when it uses them all.
  const unsigned int* types_for_skipped(std::size_t nparams);
  /// Runs every statement of a multi-statement query on the open transaction; returns the rows of the first
  /// statement with result columns.
  row_set run_statements(const sql_query& q, std::size_t available_params);
  /// Reads every result of the command just sent (`sent` false: sending failed, nothing to read).
  exec_result collect(bool sent);
  /// Reads what has arrived until a whole result is in (PQisBusy false), suspending the fiber meanwhile.
  void wait_until_not_busy();
  /// Executes with m_values (or m_stmt_values when `types` is set: see run_statement).
  exec_result exec_unnamed(const std::string& sql, std::size_t nparams, const unsigned int* types);
  exec_result exec_named(const std::string& sql, std::size_t nparams, const unsigned int* types);
  /// Runs a parameterless command (BEGIN/COMMIT/ROLLBACK, migrations) with the simple protocol.
  exec_result exec_simple(const char* sql);
  row_set decode(const pg_result* r);

  /// libpq notice receiver: marks the connection broken when the server announces the end of the session.
  static void on_notice(void* self, const pg_result* notice);
  /// True when `r` succeeded (tuples, command or empty query).
  static bool succeeded(const pg_result* r);
  /// Marks the connection broken and throws when the session is gone: in_doubt_error when a self-committing
  /// command may have been applied, else connection_error. Returns otherwise.
  void throw_if_connection_lost(const std::string& context, const exec_result& r, bool self_committing);
  /// throw_if_connection_lost, then query_error(query_name, SQLSTATE, message (detail)).
  [[noreturn]] void throw_failure(const std::string& query_name, const exec_result& r, bool self_committing);

  pg_conn* m_conn = nullptr;
  enum prepared_statements m_mode;
  std::shared_ptr<std::atomic<bool>> m_unnamed_only;
  /// This session runs with plan_cache_mode = force_generic_plan (direct connections).
  bool m_forced_generic_plans = false;
  /// replan_when_due(): statements since the plans were last discarded, and how many make it due.
  std::uint64_t m_statements_since_replan = 0;
  std::uint64_t m_replan_after = 128;
  bool m_broken = false;
  /// FNV-1a hashes of the statements prepared on this connection.
  std::unordered_set<std::uint64_t> m_prepared;
  // Reused between calls to avoid per-call allocations.
  std::vector<std::string> m_buffers;
  std::vector<const char*> m_values;
  std::vector<unsigned int> m_types;        // result column type OIDs
  std::vector<bool> m_used;                 // which $n the current statement references
  /// What run_statement derives from a catalog statement's text (highest $n, which $n it uses, its hash):
  /// computed once per connection instead of scanning kilobytes of SQL on every call. Keyed by the
  /// statement's address, stable because the catalog outlives the pool's connections.
  struct statement_meta {
    std::size_t nparams = 0;
    std::vector<bool> used;
    std::uint64_t hash = 0;
  };
  std::unordered_map<const std::string*, statement_meta> m_statement_meta;
  /// The hash of the statement being run, when known (0: compute it).
  std::uint64_t m_current_hash = 0;
  std::vector<unsigned int> m_param_types;  // 0 (inferred) or text for a parameter a statement skips
  std::vector<const char*> m_stmt_values;   // m_values with NULL for skipped parameters
};

}  // namespace pgqrs::detail
