#pragma once
// libsqlite3 behind the SQLite family's engine interface (sqlite_family/engine.hpp): only the C calls. The
// header does not include sqlite3.h, so includers do not see the client library.

#include <memory>
#include <string>

#include "sqlite_family/engine.hpp"

struct sqlite3;

namespace pgqrs::detail::sqlite {

/// How to open one handle: a path, ":memory:" or a "file:" URI, with SQLITE_OPEN_* flags.
struct open_target {
  std::string path;
  int flags = 0;
};

/// A file opened read-write, created when missing if `create` (for backends that manage the path
/// themselves: S3).
[[nodiscard]] open_target read_write_file(std::string path, bool create);

class sqlite_engine final : public sqlite_family::engine_connection {
 public:
  /// Opens the handle (extended result codes on, no busy handler: the family layer waits).
  /// @throws sqlite_family::engine_error (with the OS error behind a failed open, e.g. ENOENT)
  explicit sqlite_engine(const open_target& target);
  ~sqlite_engine() override;

  [[nodiscard]] std::unique_ptr<sqlite_family::engine_statement> prepare(const std::string& sql) override;
  void execute_script(const std::string& sql) override;
  [[nodiscard]] bool autocommit() const override;
  [[nodiscard]] std::int64_t changes() const override;
  [[nodiscard]] bool is_memory() const override;
  [[nodiscard]] bool is_read_only() const override;

 private:
  sqlite3* m_db = nullptr;
};

/// The engine_error for result code `code` on `db` (its message, code and fault class).
[[nodiscard]] sqlite_family::engine_error error_of(sqlite3* db, int code);

}  // namespace pgqrs::detail::sqlite
