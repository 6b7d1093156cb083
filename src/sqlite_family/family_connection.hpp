#pragma once
// The SQLite family's driver connection: one engine connection (libsqlite3 or Turso) behind the
// `detail::connection` seam, with the policy every engine shares:
//  * statement cache per catalog query; ad-hoc SQL prepared per call;
//  * routing: a read runs as is; a write, or a query of several statements, runs in one BEGIN IMMEDIATE
//    transaction (never a read-to-write lock upgrade, which in WAL mode can fail without waiting);
//  * every write transaction passes the database's write gate (write_gate.hpp);
//  * waiting for locks other processes hold (busy_wait.hpp), within sqlite_settings::busy_timeout;
//  * engine failures become query_error with the SQLSTATE operations check (23505 unique, 23503 foreign key,
//    23514 check, 23502 not null, 42P01 missing table, 55P03 busy, XX001 corrupt, 53100 full, HY000 else).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/db/database.hpp"
#include "pgqrs/config.hpp"
#include "pgqrs/errors.hpp"
#include "sqlite_family/engine.hpp"
#include "sqlite_family/write_gate.hpp"

namespace pgqrs::detail::sqlite_family {

/// How to set up each connection of one database (derived once from the config by the backend).
struct family_options {
  sqlite_settings settings;
  /// Names the database in errors: engine, quoted path or URI, plus a hint on the mode ("SQLite database '/x.db'").
  std::string description;
};

/// The connection_error for an engine that could not open (or set up) the database: no SQLSTATE (SQLite
/// has none), retryable only when another connection's lock was in the way.
[[nodiscard]] pgqrs::connection_error open_error(const engine_error& e, const std::string& description);

/// The SQLSTATE for an engine failure class.
[[nodiscard]] std::string_view sqlstate_for(fault kind) noexcept;

class family_connection final : public connection {
 public:
  /// Configures the engine connection (journal mode, synchronous, foreign keys), waiting for locks other
  /// openers hold. @throws connection_error (e.g. the file is not a database)
  family_connection(std::unique_ptr<engine_connection> engine, const family_options& options,
                    std::shared_ptr<write_gate> gate);
  ~family_connection() override;

  row_set execute(const sql_query& q, std::span<const sql_param> params) override;
  row_set execute_adhoc(std::string_view sql, std::span<const sql_param> params) override;
  void execute_script(std::string_view sql) override;
  void begin(tx_mode mode) override;
  void commit() override;
  void rollback() noexcept override;
  [[nodiscard]] bool in_transaction() const override;
  [[nodiscard]] bool healthy() const override { return m_healthy; }

  /// True for an in-memory database (each such connection is a database of its own).
  [[nodiscard]] bool is_memory() const { return m_engine->is_memory(); }

 private:
  /// Cached statement number `position` of catalog query `q` (prepared on first use); nullptr for a
  /// statement that holds no SQL.
  engine_statement* cached(const sql_query& q, std::size_t position);
  std::unique_ptr<engine_statement> prepare(const std::string& query_name, const std::string& sql);
  void bind(engine_statement& stmt, const std::string& query_name, std::span<const sql_param> params);
  /// Binds, steps to completion, resets. Collects rows only when `rows` is non-null; waits out a busy lock
  /// when `retry_busy` and nothing was returned yet.
  void run(engine_statement& stmt, const std::string& query_name, std::span<const sql_param> params,
           row_set* rows, bool retry_busy);
  /// Runs the statements of one query (already prepared, nullptr entries skipped) with routing.
  row_set run_query(const std::string& query_name, std::span<engine_statement* const> statements,
                    std::span<const sql_param> params);
  /// COMMIT; an I/O error during it (or an injected commit loss) is in_doubt_error.
  void run_commit(const std::string& query_name);
  /// Steps a parameterless control statement (BEGIN IMMEDIATE, COMMIT, ...).
  void run_control(engine_statement& stmt, const std::string& query_name, bool retry_busy);

  void open_write();
  /// After a commit: the gate's after_commit, then the gate is released (also when after_commit throws).
  void finish_write();
  void close_write() noexcept;
  /// Rolls back whatever transaction is open and releases the gate; never throws.
  void abort_transaction() noexcept;

  /// Records what a failure says about the connection (healthy()) and builds the query_error.
  [[noreturn]] void fail(const std::string& query_name, const engine_error& e);
  [[nodiscard]] std::chrono::milliseconds busy_timeout() const { return m_busy_timeout; }

  std::unique_ptr<engine_connection> m_engine;
  std::shared_ptr<write_gate> m_gate;
  bool m_holds_gate = false;
  /// begin() was called and commit()/rollback() not yet.
  bool m_tx_open = false;
  bool m_healthy = true;
  /// The last failure was an I/O error (what makes a failed COMMIT in doubt).
  bool m_io_failed = false;
  std::chrono::milliseconds m_busy_timeout;
  std::uint64_t m_rng;

  std::unique_ptr<engine_statement> m_begin_deferred;
  std::unique_ptr<engine_statement> m_begin_immediate;
  std::unique_ptr<engine_statement> m_commit;
  std::unique_ptr<engine_statement> m_rollback;

  struct cached_statement {
    std::unique_ptr<engine_statement> stmt;
    bool prepared = false;
  };
  /// Prepared statements per catalog query index and statement position.
  std::vector<std::vector<cached_statement>> m_cache;
  /// JSON texts of id_list/text_list parameters, alive until the statement using them is reset.
  std::vector<std::string> m_scratch;
};

}  // namespace pgqrs::detail::sqlite_family
