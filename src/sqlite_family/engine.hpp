#pragma once
// What an SQLite-family engine (libsqlite3, Turso) supplies: its C calls behind two small interfaces. All
// policy (statement caching, routing of multi-statement queries, the write gate, waiting for busy locks,
// mapping failures to SQLSTATEs) lives in family_connection, written once for every engine.
//
// Engines never wait for locks: a statement that meets another connection's lock fails at once with
// fault::busy, and the family layer decides whether to sleep and retry.

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/db/sql_value.hpp"

namespace pgqrs::detail::sqlite_family {

/// Failure classes every engine reports (SQLite's result codes; Turso's status codes map onto them).
enum class fault {
  /// Another connection (or process) holds the lock: waiting may help.
  busy,
  /// The transaction's snapshot is stale: waiting does not help, only a new transaction.
  busy_snapshot,
  unique,
  foreign_key,
  check,
  not_null,
  /// Another constraint (or one the engine does not name).
  constraint,
  /// "no such table": the schema is not installed.
  missing_table,
  corrupt,
  not_a_database,
  io,
  full,
  read_only,
  cant_open,
  /// prepare() was given a text holding more than one statement (a caller's bug).
  several_statements,
  /// Anything else (syntax errors, misuse, ...).
  other,
};

/// A failed engine call. `what()` is the engine's message with its own code, e.g. "database is locked
/// (sqlite code 5)"; never a bound value.
class engine_error : public std::runtime_error {
 public:
  engine_error(fault kind, int code, const std::string& message)
      : std::runtime_error(message), m_kind(kind), m_code(code) {}
  [[nodiscard]] fault kind() const noexcept { return m_kind; }
  /// The engine's own result code.
  [[nodiscard]] int code() const noexcept { return m_code; }

 private:
  fault m_kind;
  int m_code;
};

/// One prepared statement. Used by one thread at a time, like its connection.
class engine_statement {
 public:
  engine_statement() = default;
  engine_statement(const engine_statement&) = delete;
  engine_statement& operator=(const engine_statement&) = delete;
  virtual ~engine_statement() = default;

  /// Highest ?N the statement uses.
  [[nodiscard]] virtual int parameter_count() const = 0;
  // Binding by 1-based index; bindings last until reset(). @throws engine_error
  virtual void bind_null(int index) = 0;
  virtual void bind_int64(int index, std::int64_t value) = 0;
  virtual void bind_double(int index, double value) = 0;
  /// `value` must stay alive until reset() (engines may bind without copying).
  virtual void bind_text(int index, std::string_view value) = 0;

  /// @returns true when a row is available, false when the statement finished. @throws engine_error
  virtual bool step() = 0;
  /// Back to the start, bindings cleared. Never throws.
  virtual void reset() noexcept = 0;

  [[nodiscard]] virtual int column_count() const = 0;
  /// A cell of the current row by storage class: INTEGER → int64, REAL → double, TEXT/BLOB → string,
  /// NULL → monostate.
  [[nodiscard]] virtual sql_value column(int index) const = 0;
  /// The statement only reads.
  [[nodiscard]] virtual bool read_only() const = 0;
};

/// One engine connection. Used by one thread at a time (the pool guarantees it).
class engine_connection {
 public:
  engine_connection() = default;
  engine_connection(const engine_connection&) = delete;
  engine_connection& operator=(const engine_connection&) = delete;
  virtual ~engine_connection() = default;

  /// Prepares exactly one statement for repeated use; nullptr when the text holds none (only comments).
  /// @throws engine_error (also when the text holds two statements: engines would ignore the second)
  [[nodiscard]] virtual std::unique_ptr<engine_statement> prepare(const std::string& sql) = 0;
  /// Runs every statement of a parameterless script (migrations, pragmas). @throws engine_error
  virtual void execute_script(const std::string& sql) = 0;
  /// No transaction is open.
  [[nodiscard]] virtual bool autocommit() const = 0;
  /// Rows changed by the last INSERT, UPDATE or DELETE.
  [[nodiscard]] virtual std::int64_t changes() const = 0;
  /// Each connection is a database of its own (":memory:").
  [[nodiscard]] virtual bool is_memory() const = 0;
  /// The database was opened read-only (or the file is not writable).
  [[nodiscard]] virtual bool is_read_only() const = 0;
};

}  // namespace pgqrs::detail::sqlite_family
