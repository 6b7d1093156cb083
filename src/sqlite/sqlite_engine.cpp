#include "sqlite/sqlite_engine.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <system_error>

namespace pgqrs::detail::sqlite {

using sqlite_family::engine_error;
using sqlite_family::fault;

namespace {

/// sqlite3.h spells SQLITE_STATIC as an old-style cast; bound values outlive the step (see engine.hpp).
const sqlite3_destructor_type static_lifetime = static_cast<sqlite3_destructor_type>(nullptr);

fault fault_of(int extended_code, const char* message) {
  switch (extended_code) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
    case SQLITE_CONSTRAINT_ROWID:
      return fault::unique;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return fault::foreign_key;
    case SQLITE_CONSTRAINT_CHECK:
      return fault::check;
    case SQLITE_CONSTRAINT_NOTNULL:
      return fault::not_null;
    case SQLITE_BUSY_SNAPSHOT:
      return fault::busy_snapshot;
    default:
      break;
  }
  switch (extended_code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return fault::busy;
    case SQLITE_CONSTRAINT:
      return fault::constraint;
    case SQLITE_CORRUPT:
      return fault::corrupt;
    case SQLITE_NOTADB:
      return fault::not_a_database;
    case SQLITE_IOERR:
      return fault::io;
    case SQLITE_FULL:
      return fault::full;
    case SQLITE_READONLY:
      return fault::read_only;
    case SQLITE_CANTOPEN:
      return fault::cant_open;
    default:
      // A prepare against a missing table is plain SQLITE_ERROR; callers need to recognise it.
      if (message != nullptr && std::string_view(message).starts_with("no such table")) return fault::missing_table;
      return fault::other;
  }
}

class sqlite_statement final : public sqlite_family::engine_statement {
 public:
  sqlite_statement(sqlite3* db, sqlite3_stmt* stmt) : m_db(db), m_stmt(stmt) {}
  ~sqlite_statement() override { sqlite3_finalize(m_stmt); }

  [[nodiscard]] int parameter_count() const override { return sqlite3_bind_parameter_count(m_stmt); }
  void bind_null(int index) override { check(sqlite3_bind_null(m_stmt, index)); }
  void bind_int64(int index, std::int64_t value) override { check(sqlite3_bind_int64(m_stmt, index, value)); }
  void bind_double(int index, double value) override { check(sqlite3_bind_double(m_stmt, index, value)); }
  void bind_text(int index, std::string_view value) override {
    check(sqlite3_bind_text64(m_stmt, index, value.data(), value.size(), static_lifetime, SQLITE_UTF8));
  }

  bool step() override {
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw error_of(m_db, rc);
  }
  void reset() noexcept override {
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
  }

  [[nodiscard]] int column_count() const override { return sqlite3_column_count(m_stmt); }
  [[nodiscard]] sql_value column(int index) const override {
    switch (sqlite3_column_type(m_stmt, index)) {
      case SQLITE_INTEGER:
        return sql_value{std::in_place_type<std::int64_t>, sqlite3_column_int64(m_stmt, index)};
      case SQLITE_FLOAT:
        return sql_value{std::in_place_type<double>, sqlite3_column_double(m_stmt, index)};
      case SQLITE_TEXT: {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, index));
        const auto size = static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, index));
        if (text == nullptr) return sql_value{std::in_place_type<std::string>};
        return sql_value{std::in_place_type<std::string>, text, size};
      }
      case SQLITE_BLOB: {
        const auto* blob = static_cast<const char*>(sqlite3_column_blob(m_stmt, index));
        const auto size = static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, index));
        if (blob == nullptr) return sql_value{std::in_place_type<std::string>};
        return sql_value{std::in_place_type<std::string>, blob, size};
      }
      default:
        return sql_value{};
    }
  }
  [[nodiscard]] bool read_only() const override { return sqlite3_stmt_readonly(m_stmt) != 0; }

 private:
  void check(int rc) const {
    if (rc != SQLITE_OK) throw error_of(m_db, rc);
  }
  sqlite3* m_db;
  sqlite3_stmt* m_stmt;
};

}  // namespace

engine_error error_of(sqlite3* db, int code) {
  const char* message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  std::string text = message != nullptr ? message : "unknown error";
  text += " (sqlite code " + std::to_string(code);
  if (db != nullptr && (code & 0xff) == SQLITE_CANTOPEN) {
    if (int sys = sqlite3_system_errno(db); sys != 0) text += "; " + std::generic_category().message(sys);
  }
  text += ")";
  return engine_error(fault_of(code, message), code, text);
}

sqlite_engine::sqlite_engine(const open_target& target) {
  const int rc = sqlite3_open_v2(target.path.c_str(), &m_db, target.flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    auto error = error_of(m_db, rc);
    sqlite3_close_v2(m_db);
    m_db = nullptr;
    throw error;
  }
  sqlite3_extended_result_codes(m_db, 1);
}

sqlite_engine::~sqlite_engine() {
  sqlite3_close_v2(m_db);  // rolls back an open transaction; waits for no one
}

std::unique_ptr<sqlite_family::engine_statement> sqlite_engine::prepare(const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  const int rc = sqlite3_prepare_v3(m_db, sql.c_str(), static_cast<int>(std::min<std::size_t>(sql.size() + 1, 0x7fffffff)),
                                    SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
  if (rc != SQLITE_OK) throw error_of(m_db, rc);
  auto owned = stmt != nullptr ? std::make_unique<sqlite_statement>(m_db, stmt) : nullptr;
  // A second statement in the same text would be silently ignored by SQLite: refuse it (a caller's bug).
  if (tail != nullptr && *tail != '\0') {
    sqlite3_stmt* extra = nullptr;
    const int extra_rc = sqlite3_prepare_v3(m_db, tail, -1, 0, &extra, nullptr);
    sqlite3_finalize(extra);
    if (extra_rc != SQLITE_OK || extra != nullptr) {
      throw engine_error(fault::several_statements, SQLITE_MISUSE, "the SQL text holds more than one statement");
    }
  }
  return owned;
}

void sqlite_engine::execute_script(const std::string& sql) {
  char* err = nullptr;
  const int rc = sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return;
  std::string message = err != nullptr ? err : sqlite3_errstr(rc);
  sqlite3_free(err);
  throw engine_error(fault_of(sqlite3_extended_errcode(m_db), message.c_str()), rc,
                     message + " (sqlite code " + std::to_string(rc) + ")");
}

bool sqlite_engine::autocommit() const {
  return sqlite3_get_autocommit(m_db) != 0;
}

std::int64_t sqlite_engine::changes() const {
  return sqlite3_changes64(m_db);
}

bool sqlite_engine::is_memory() const {
  const char* name = sqlite3_db_filename(m_db, "main");
  return name == nullptr || *name == '\0';
}

bool sqlite_engine::is_read_only() const {
  return sqlite3_db_readonly(m_db, "main") == 1;
}

open_target read_write_file(std::string path, bool create) {
  return open_target{std::move(path), SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0)};
}

}  // namespace pgqrs::detail::sqlite
