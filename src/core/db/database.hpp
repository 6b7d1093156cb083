#pragma once
// The backend seam. Every backend is a SQL engine, so the seam is a *connection* that runs the named
// queries of its dialect's catalog; all queue/worker operations are written once (src/core/*_ops.cpp) on top.
// Drivers (src/postgres, src/sqlite, later src/turso) are the only code that includes a client library.

#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/db/row_set.hpp"
#include "core/common/sqlstate.hpp"
#include "core/db/sql_catalog.hpp"
#include "core/db/sql_value.hpp"
#include "pgqrs/config.hpp"
#include "pgqrs/types.hpp"

namespace pgqrs::detail {

enum class tx_mode {
  read,
  /// Takes the write lock up front (SQLite `BEGIN IMMEDIATE`), so a transaction that reads then writes can
  /// never fail half-way on a lock upgrade.
  write,
};

/// One database connection. Not thread-safe: a connection is used by one thread at a time (the pool
/// guarantees it). Failures throw `query_error` (with a PostgreSQL-style SQLSTATE) or `connection_error`.
class connection {
 public:
  connection() = default;
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;
  virtual ~connection() = default;

  /// Runs the statements of `q` with `params` ($1.. on PostgreSQL, ?1.. on SQLite). Several statements run
  /// in one transaction (opened here unless one is already open). Returns the rows of the first statement
  /// with result columns (a SELECT or a RETURNING clause).
  virtual row_set execute(const sql_query& q, std::span<const sql_param> params) = 0;
  /// Runs one statement of SQL that is not in the catalog (user SQL in transactional steps, tests, tools)
  /// with `params` bound ($1.. on PostgreSQL, ?1.. on the SQLite family); returns its rows. Not cached:
  /// prepared for this call only. Inside an open transaction it joins it; outside, it commits by itself.
  virtual row_set execute_adhoc(std::string_view sql, std::span<const sql_param> params) = 0;
  /// Runs a parameterless script that may hold many statements (migrations).
  virtual void execute_script(std::string_view sql) = 0;

  virtual void begin(tx_mode mode) = 0;
  virtual void commit() = 0;
  virtual void rollback() noexcept = 0;
  [[nodiscard]] virtual bool in_transaction() const = 0;
  /// False once the connection is unusable; the pool then discards it instead of reusing it.
  [[nodiscard]] virtual bool healthy() const = 0;
  /// Checked by the pool before it hands out an idle connection: may look at the connection's socket
  /// (without blocking) for signs that the server ended the session meanwhile.
  [[nodiscard]] virtual bool check_alive() noexcept { return healthy(); }
  /// Called inside a transaction before user SQL runs on this connection (transactional workflow steps):
  /// undoes session settings made for the library's own statements, for this transaction only.
  virtual void prepare_for_user_sql() {}
};

class connection_pool;

/// A connection borrowed from the pool; returned (or discarded if broken) when destroyed.
class pooled_connection {
 public:
  pooled_connection() = default;
  pooled_connection(std::shared_ptr<connection_pool> pool, std::unique_ptr<connection> conn)
      : m_pool(std::move(pool)), m_conn(std::move(conn)) {}
  pooled_connection(pooled_connection&&) noexcept = default;
  pooled_connection& operator=(pooled_connection&& other) noexcept;
  pooled_connection(const pooled_connection&) = delete;
  pooled_connection& operator=(const pooled_connection&) = delete;
  ~pooled_connection() { release(); }

  connection& operator*() const { return *m_conn; }
  connection* operator->() const { return m_conn.get(); }

 private:
  void release() noexcept;
  std::shared_ptr<connection_pool> m_pool;
  std::unique_ptr<connection> m_conn;
};

/// What a backend can do, declared by its driver. Operations branch on these, never on a backend's name, so a
/// new backend is a driver and a registry entry, not edits across the operations.
struct capabilities {
  /// Array parameters ($1::jsonb[]): a batch of rows is one statement instead of one per row.
  bool array_parameters = false;
  /// MVCC leaves dead entries at the head of the claim index until vacuum: claims start from a floor
  /// (ops/claim_floor.hpp) to skip them.
  bool claim_floors = false;
  /// Tables live in a named schema that install() creates and errors name.
  bool schemas = false;
  /// Processes on several hosts can share the database (else: threads and processes of one machine).
  bool multi_host = false;
  /// One statement can claim and write several tables (WITH … UPDATE … INSERT …): a sequence of statements
  /// that would cost a round trip each becomes one (queries that only such dialects define).
  bool data_modifying_ctes = false;
  /// Statements run inside this process (an embedded engine): a statement, a rollback and a second try cost
  /// no round trip, so an operation may try the cheap statement that suffices in the usual case first (queries
  /// that only such dialects define).
  bool in_process = false;
};

/// An open database: its dialect's SQL, what its driver can do, and a bounded pool of connections to it.
class database {
 public:
  database(backend_kind kind, std::string dialect, capabilities caps, std::string_view quoted_schema,
           std::shared_ptr<connection_pool> pool);

  /// Which backend this is (for callers who asked; operations use caps()).
  [[nodiscard]] backend_kind kind() const { return m_kind; }
  [[nodiscard]] const capabilities& caps() const { return m_caps; }
  /// "postgres" or "sqlite" (the SQLite family: SQLite, Turso, S3).
  [[nodiscard]] const std::string& dialect() const { return m_dialect; }
  [[nodiscard]] const sql_catalog& catalog() const { return m_catalog; }
  [[nodiscard]] const sql_query& query(std::string_view name) const { return m_catalog.query(name); }
  /// @throws pool_exhausted, connection_error
  [[nodiscard]] pooled_connection acquire() const;

  /// What a backend's own public API needs to reach behind a store (the S3 store's sync state); null for
  /// backends without one.
  void set_backend_state(std::shared_ptr<void> state) { m_backend_state = std::move(state); }
  [[nodiscard]] const std::shared_ptr<void>& backend_state() const { return m_backend_state; }

 private:
  backend_kind m_kind;
  std::string m_dialect;
  capabilities m_caps;
  sql_catalog m_catalog;
  std::shared_ptr<connection_pool> m_pool;
  std::shared_ptr<void> m_backend_state;
};

/// Rolls back unless committed: every multi-statement operation uses one.
class transaction {
 public:
  transaction(connection& conn, tx_mode mode) : m_conn(conn) { m_conn.begin(mode); }
  transaction(const transaction&) = delete;
  transaction& operator=(const transaction&) = delete;
  ~transaction() {
    if (!m_done) m_conn.rollback();
  }
  void commit() {
    m_conn.commit();
    m_done = true;
  }

 private:
  connection& m_conn;
  bool m_done = false;
};

}  // namespace pgqrs::detail
