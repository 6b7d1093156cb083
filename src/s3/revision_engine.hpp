#pragma once
// An engine connection that follows the S3 store's local copy from file to file.
//
// Why: the local copy is named after the remote revision it is based on (cache_<etag>.sqlite), so a sync or
// a snapshot moves it to a new file, while the family's pool keeps connections (with prepared statements)
// open for as long as the store lives. SQLite cannot be pointed at another file, and renaming an open
// database is not an option (SQLite then refuses to write: SQLITE_READONLY_DBMOVED, because a crash would
// leave a hot journal under the wrong name).
//
// How: the store publishes a generation number that it bumps, under its write lock, after it installed a
// new file. This connection compares it at the only moments when nothing is open on it: when a statement
// makes its first step with no transaction open (BEGIN of every transaction included), and before a script
// outside a transaction. Then it finalises its SQLite statements, closes the old file, opens the new one,
// replays the connection setup (PRAGMAs) and re-prepares each statement when it is next used, with its
// bindings. A read that started on the old file just before the switch finishes on it (the file may already
// be unlinked; POSIX keeps it readable); writes always run on the current file, because they take the write
// lock before their BEGIN and the switch happens under that lock.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <utility>
#include <vector>

#include "sqlite_family/engine.hpp"

namespace pgqrs::detail::s3 {

/// Which file the local copy is in now (implemented by the S3 store).
class revision_files {
 public:
  revision_files() = default;
  revision_files(const revision_files&) = delete;
  revision_files& operator=(const revision_files&) = delete;
  virtual ~revision_files() = default;
  /// Bumped each time the local copy moves to another file.
  [[nodiscard]] virtual std::uint64_t generation() const noexcept = 0;
  /// The current file with its generation, read together.
  [[nodiscard]] virtual std::pair<std::filesystem::path, std::uint64_t> current_file() const = 0;
};

class revision_statement;

class revision_engine final : public sqlite_family::engine_connection {
 public:
  /// Opens the current file. `busy_timeout`: how long a reopen or a re-prepare waits for another
  /// connection's commit. @throws sqlite_family::engine_error
  revision_engine(std::shared_ptr<const revision_files> files, std::chrono::milliseconds busy_timeout);
  ~revision_engine() override;

  [[nodiscard]] std::unique_ptr<sqlite_family::engine_statement> prepare(const std::string& sql) override;
  void execute_script(const std::string& sql) override;
  [[nodiscard]] bool autocommit() const override { return m_conn->autocommit(); }
  [[nodiscard]] std::int64_t changes() const override { return m_conn->changes(); }
  [[nodiscard]] bool is_memory() const override { return false; }
  [[nodiscard]] bool is_read_only() const override { return m_conn->is_read_only(); }

 private:
  friend class revision_statement;
  /// Moves to the current file when the store switched files and no transaction is open.
  void follow();
  /// A connection to the current file, set up, with the generation it belongs to.
  [[nodiscard]] std::pair<std::unique_ptr<sqlite_family::engine_connection>, std::uint64_t> open_current();
  /// The SQLite statement for `sql` on the file this connection has open now.
  [[nodiscard]] std::unique_ptr<sqlite_family::engine_statement> prepare_inner(const std::string& sql);
  void forget(revision_statement* stmt) noexcept;

  std::shared_ptr<const revision_files> m_files;
  std::unique_ptr<sqlite_family::engine_connection> m_conn;
  std::chrono::milliseconds m_busy_timeout;
  std::uint64_t m_rng;
  std::uint64_t m_generation = 0;
  /// The PRAGMA scripts run so far: replayed on each new file (journal mode, synchronous, foreign keys).
  std::vector<std::string> m_setup;
  std::vector<revision_statement*> m_statements;
};

}  // namespace pgqrs::detail::s3
