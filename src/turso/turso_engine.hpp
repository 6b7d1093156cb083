#pragma once
// RAII over Turso's C ABI (turso.h from the crates.io crate `turso_sdk_kit`): database, connection,
// statement. This layer only makes the C calls safe and exception-based; policy (write gate, busy retries,
// error -> SQLSTATE mapping, routing) belongs to src/sqlite_family, which plugs this engine in.
//
// Threading (from turso.h's SAFETY notes): a `database` may be shared between threads; a `connection` and
// its statements must be used by one thread at a time (Turso detects some overlapping use and answers
// TURSO_MISUSE "concurrent use forbidden", but not all of it). Give every thread its own connection.
//
// Lifetimes: Turso reference-counts internally (a statement keeps its connection's engine state alive, a
// connection its database), so destroying the C++ objects in any order is memory-safe. Closing a connection
// finalizes its statements: they then fail with TURSO_MISUSE "statement has been finalized".

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "pgqrs/errors.hpp"

// Opaque handles of turso.h (`typedef struct turso_database turso_database_t;` ...), declared here so that
// this header does not drag the engine's C header into its includers.
struct turso_database;
struct turso_connection;
struct turso_statement;

namespace pgqrs::detail::turso {

/// Turso's status codes (turso_status_code_t), same numbers.
enum class status : int {
  ok = 0,
  done = 1,
  row = 2,
  io = 3,
  busy = 4,
  interrupt = 5,
  /// The transaction's snapshot is stale: roll back and retry the whole transaction (waiting does not help).
  busy_snapshot = 6,
  error = 127,
  misuse = 128,
  constraint = 129,
  readonly = 130,
  database_full = 131,
  notadb = 132,
  corrupt = 133,
  ioerr = 134,
};

/// Offset of the first byte of `sql` that is not whitespace, a comment or one of `also`.
[[nodiscard]] std::size_t skip_trivia(std::string_view sql, std::string_view also = {});
/// True if `rest` holds only whitespace, `;` and comments: what may follow the one statement of prepare().
[[nodiscard]] bool only_trivia(std::string_view rest);

/// "TURSO_BUSY", ... ("TURSO_<n>" for a code this header does not know).
[[nodiscard]] std::string status_name(status code);

/// A failed engine call: what was attempted, Turso's status and its message.
/// A `pgqrs::database_error` so that it is a `pgqrs::error` even before the policy layer maps it; the policy
/// layer turns it into the driver's typed errors (its sqlstate() is empty: the mapping is not made here).
class engine_error : public pgqrs::database_error {
 public:
  /// `kind` is error_code::connection for open/connect failures, error_code::query otherwise.
  engine_error(error_code kind, std::string operation, status code, std::string message);

  [[nodiscard]] status engine_status() const noexcept { return m_status; }
  /// Turso's own message (e.g. "database is locked"), without our prefix.
  [[nodiscard]] const std::string& engine_message() const noexcept { return m_message; }
  /// The call that failed ("open", "prepare", "step", "bind", ...).
  [[nodiscard]] const std::string& operation() const noexcept { return m_operation; }
  /// Another connection holds the write lock (waiting and retrying may help).
  [[nodiscard]] bool busy() const noexcept { return m_status == status::busy; }

 private:
  std::string m_operation;
  status m_status;
  std::string m_message;
};

/// The most recent failure seen on a connection or on a statement prepared from it.
struct failure {
  status code = status::ok;
  std::string message;
};

/// Storage class of a value in the current row.
enum class value_type { integer, real, text, blob, null };

/// Result of one step.
enum class step_result { row, done };

struct open_options {
  /// A filesystem path or ":memory:" (each :memory: database is private to its `database` object).
  std::string path;
  bool read_only = false;
  /// Comma-separated Turso experimental features (e.g. "multiprocess_wal"); empty for none.
  std::string experimental_features;
  /// IO backend: "" (default: syscall IO for files, memory for :memory:), "syscall", "io_uring", "memory".
  std::string vfs;
};

class connection;
class statement;

/// An open Turso database (file or :memory:). Cheap to share between threads; each thread connects.
class database {
 public:
  /// Opens (and creates, unless read-only) the database. Without "multiprocess_wal" Turso takes an exclusive
  /// OS lock on the file: a second *process* cannot open it (TURSO_ERROR "... locked by another process").
  /// @throws engine_error (error_code::connection) when the file cannot be opened or is not a database.
  explicit database(const open_options& options);
  /// Same as `database(open_options{path})`.
  explicit database(const std::string& path);
  ~database();
  database(database&& other) noexcept;
  database& operator=(database&& other) noexcept;
  database(const database&) = delete;
  database& operator=(const database&) = delete;

  /// A new connection. @throws engine_error (error_code::connection)
  [[nodiscard]] connection connect() const;
  [[nodiscard]] const std::string& path() const noexcept { return m_path; }

  /// turso_version(): the engine's semver, e.g. "0.8.3".
  [[nodiscard]] static std::string engine_version();

 private:
  const turso_database* m_db = nullptr;
  std::string m_path;
};

/// One connection: prepares statements, runs scripts, reports transaction state. One thread at a time.
class connection {
 public:
  ~connection();
  connection(connection&& other) noexcept;
  connection& operator=(connection&& other) noexcept;
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  /// Prepares exactly one statement (trailing whitespace, `;` and comments allowed).
  /// @throws engine_error for a syntax error, an unknown table/column/function, or more than one statement
  /// (TURSO_MISUSE; Turso's own prepare_single would silently drop the statements after the first).
  [[nodiscard]] statement prepare(std::string_view sql);
  /// Prepares the first statement of `sql`; `tail` receives the byte offset just after it. nullopt when `sql`
  /// holds no statement (only whitespace or comments). @throws engine_error
  [[nodiscard]] std::optional<statement> prepare_first(std::string_view sql, std::size_t& tail);
  /// Runs every statement of `sql` in order, each to completion (rows are discarded); stops at the first
  /// failure, whose statement number (1-based) is part of the error's operation. Not itself a transaction.
  /// @throws engine_error
  void execute_script(std::string_view sql);
  /// Prepares and runs one statement to completion; returns the rows it changed. @throws engine_error
  std::uint64_t execute(std::string_view sql);

  /// Engine-side busy handling: a statement that meets another connection's write lock retries inside the
  /// engine (delays of 1..100 ms) for up to `timeout` before failing with TURSO_BUSY; zero (the default)
  /// fails at once. Caution (0.8.3, synchronous IO): the engine does not sleep between retries, it re-steps
  /// until the deadline, so a waiting thread burns a core. For long waits keep this short and retry with real
  /// sleeps above this layer (as the SQLite driver's busy handler does).
  void set_busy_timeout(std::chrono::milliseconds timeout);
  /// True outside an explicit transaction (BEGIN ... COMMIT/ROLLBACK).
  [[nodiscard]] bool autocommit() const;
  /// Rowid of the last successful INSERT on this connection (0 if none).
  [[nodiscard]] std::int64_t last_insert_rowid() const;
  /// The most recent failure on this connection or its statements (code ok if none yet). Turso has no
  /// errmsg() of its own: messages come back per call, so we keep the last one here for diagnostics.
  [[nodiscard]] const failure& last_error() const noexcept { return *m_last_error; }

  /// Closes now and reports a failure (the destructor closes silently). Finalizes this connection's
  /// statements.
  /// @throws engine_error
  void close();

 private:
  friend class database;
  explicit connection(turso_connection* handle);
  void release() noexcept;

  turso_connection* m_conn = nullptr;
  /// Shared with this connection's statements, which record their failures into it.
  std::shared_ptr<failure> m_last_error;
};

/// A prepared statement. Values read from the current row (text/blob views) are valid until the next
/// step(), reset() or finalize().
class statement {
 public:
  ~statement();
  statement(statement&& other) noexcept;
  statement& operator=(statement&& other) noexcept;
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;

  /// Number of parameter slots (highest ?N).
  [[nodiscard]] std::size_t parameter_count() const;
  /// 1-based index of a named parameter (":name", "@name", "$name" or "?3"), nullopt if absent.
  [[nodiscard]] std::optional<std::size_t> parameter_index(const std::string& name) const;

  // Binding by 1-based index. Bindings stay until reset(). @throws engine_error (e.g. index out of range;
  // Turso returns no message for bind failures, so ours names the index).
  void bind(std::size_t index, std::int64_t value);
  void bind(std::size_t index, double value);
  /// Turso copies the text; it must be valid UTF-8 (TURSO_MISUSE otherwise, unlike SQLite).
  void bind_text(std::size_t index, std::string_view value);
  /// Turso copies the bytes.
  void bind_blob(std::size_t index, std::span<const std::byte> value);
  void bind_null(std::size_t index);

  /// One step. Busy, constraint violations and every other failure are thrown (engine_error::busy() tells
  /// busy apart); after a failure, reset() before reusing the statement.
  /// @throws engine_error
  step_result step();
  /// Steps to completion, discarding rows; returns the rows changed. @throws engine_error
  std::uint64_t execute();
  /// Back to the start, bindings cleared. Aborts an unfinished execution. @throws engine_error
  void reset();
  /// Releases the engine statement now and reports a failure (the destructor does this silently).
  /// Note Turso's finalize *runs an unfinished statement to completion* first (e.g. the remaining rows of an
  /// UPDATE ... RETURNING); call reset() before it to abandon the rest instead. @throws engine_error
  void finalize();

  /// Rows inserted/updated/deleted by the last execution.
  [[nodiscard]] std::int64_t changes() const;

  [[nodiscard]] std::size_t column_count() const;
  [[nodiscard]] std::string column_name(std::size_t index) const;
  /// Declared type of a result column that is a table column ("INTEGER", "TEXT", ...), nullopt otherwise.
  [[nodiscard]] std::optional<std::string> column_decltype(std::size_t index) const;

  // Values of the current row (0-based column index). Turso does not convert between storage classes:
  // column_int64 of a REAL is 0, column_text of an INTEGER is empty. Check column_type() first.
  [[nodiscard]] value_type column_type(std::size_t index) const;
  [[nodiscard]] bool column_is_null(std::size_t index) const {
    return column_type(index) == value_type::null;
  }
  [[nodiscard]] std::int64_t column_int64(std::size_t index) const;
  [[nodiscard]] double column_double(std::size_t index) const;
  [[nodiscard]] std::string_view column_text(std::size_t index) const;
  [[nodiscard]] std::span<const std::byte> column_blob(std::size_t index) const;

 private:
  friend class connection;
  statement(turso_statement* handle, std::shared_ptr<failure> last_error);
  [[noreturn]] void fail(std::string operation, int code, const char* message) const;
  void check_bind(std::size_t index, int code, const char* what) const;
  void release() noexcept;

  turso_statement* m_stmt = nullptr;
  std::shared_ptr<failure> m_last_error;
};

}  // namespace pgqrs::detail::turso
