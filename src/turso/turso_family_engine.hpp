#pragma once
// Turso (through our RAII layer, turso_engine.hpp) behind the SQLite family's engine interface
// (sqlite_family/engine.hpp): only the calls and the translation of Turso's status codes into the family's
// fault classes. Routing, the write gate, busy waits and SQLSTATEs are the family's, shared with libsqlite3.

#include <memory>
#include <string>

#include "sqlite_family/engine.hpp"
#include "turso/turso_engine.hpp"

namespace pgqrs::detail::turso {

/// One open Turso database shared by the connections of one store. When the last connection lets go, the
/// WAL is checkpointed into the main file (Turso does not do it on close, and a file whose committed pages
/// sit only in the WAL is what other tools, and a copy of the file alone, would miss).
class shared_database {
 public:
  explicit shared_database(const open_options& options);
  ~shared_database();
  shared_database(const shared_database&) = delete;
  shared_database& operator=(const shared_database&) = delete;

  [[nodiscard]] connection connect() const { return m_db.connect(); }
  [[nodiscard]] bool is_memory() const noexcept { return m_memory; }
  [[nodiscard]] bool is_read_only() const noexcept { return m_read_only; }

 private:
  database m_db;
  bool m_memory;
  bool m_read_only;
};

class turso_family_engine final : public sqlite_family::engine_connection {
 public:
  /// @throws sqlite_family::engine_error
  explicit turso_family_engine(std::shared_ptr<const shared_database> db);
  ~turso_family_engine() override;

  [[nodiscard]] std::unique_ptr<sqlite_family::engine_statement> prepare(const std::string& sql) override;
  void execute_script(const std::string& sql) override;
  [[nodiscard]] bool autocommit() const override;
  [[nodiscard]] std::int64_t changes() const override { return *m_changes; }
  [[nodiscard]] bool is_memory() const override { return m_db->is_memory(); }
  [[nodiscard]] bool is_read_only() const override { return m_db->is_read_only(); }

 private:
  /// Declared first, destroyed last: the connection below must close before the database it came from.
  std::shared_ptr<const shared_database> m_db;
  connection m_conn;
  /// Rows changed by this connection's last finished INSERT/UPDATE/DELETE (Turso counts per statement,
  /// the family asks per connection, like sqlite3_changes64).
  std::shared_ptr<std::int64_t> m_changes;
};

/// The family's view of a failure of our Turso layer (fault class from Turso's status and message).
[[nodiscard]] sqlite_family::engine_error family_error(const engine_error& e);

/// Whether a statement only reads, judged from its text (turso.h has no sqlite3_stmt_readonly): SELECT,
/// VALUES and EXPLAIN read; WITH reads unless it names INSERT, UPDATE, DELETE or REPLACE. In doubt it says
/// "writes", which costs a write transaction, never correctness.
[[nodiscard]] bool reads_only(std::string_view sql);

}  // namespace pgqrs::detail::turso
