#pragma once
// The SQLite driver: one `sqlite3*` handle behind the `detail::connection` seam.
//
// Concurrency model (see sqlite_connection.cpp for the details):
//  * In one process, writers queue on one mutex shared by all connections of a database
//    (`sqlite_write_lock`): a write transaction holds it from begin(tx_mode::write) to commit/rollback, a
//    standalone write statement around its own `BEGIN IMMEDIATE; stmt; COMMIT`. Readers never take it.
//  * Across processes, every write starts with `BEGIN IMMEDIATE` and a busy handler retries with short,
//    growing sleeps (50 µs doubling up to 2 ms) until `sqlite_settings::busy_timeout_ms` has passed.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/database.hpp"
#include "pgqrs/config.hpp"

// Opaque handles of libsqlite3 (sqlite3.h declares them as `typedef struct sqlite3 sqlite3;`), so that this
// header does not drag the client library into its includers.
struct sqlite3;
struct sqlite3_stmt;

namespace pgqrs::detail {

/// The in-process writer lock shared by all connections of one SQLite database.
struct sqlite_write_lock {
  std::mutex mutex;
  /// Thread currently holding `mutex` (default id when free). Lets a thread that already holds the lock
  /// through one connection get an error instead of a silent self-deadlock when it writes through another.
  std::atomic<std::thread::id> owner{};
};

/// How to open each connection of a database (derived once from the config by open_sqlite).
struct sqlite_open_options {
  /// Passed to sqlite3_open_v2: a filesystem path, ":memory:" or a "file:" URI.
  std::string target;
  /// SQLITE_OPEN_* flags (access mode, URI, memory); SQLITE_OPEN_NOMUTEX is added by the connection.
  int flags = 0;
  /// In-memory database: no journal_mode pragma.
  bool memory = false;
  /// Opened read-only: no journal_mode pragma.
  bool read_only = false;
  sqlite_settings settings;
  /// Names the database in connection errors: the quoted path or URI, plus a hint on the mode.
  std::string description;
};

class sqlite_connection final : public connection {
 public:
  /// Opens and configures the handle (extended result codes, busy handler, PRAGMAs) and checks that the
  /// file is a database.
  /// @throws connection_error when the file cannot be opened or is not a database.
  sqlite_connection(const sqlite_open_options& options, std::shared_ptr<sqlite_write_lock> write_lock);
  ~sqlite_connection() override;
  sqlite_connection(sqlite_connection&&) = delete;
  sqlite_connection& operator=(sqlite_connection&&) = delete;

  row_set execute(const sql_query& q, std::span<const sql_param> params) override;
  void execute_script(std::string_view sql) override;

  void begin(tx_mode mode) override;
  void commit() override;
  void rollback() noexcept override;
  [[nodiscard]] bool in_transaction() const override;
  [[nodiscard]] bool healthy() const override { return m_healthy; }

  /// True for an in-memory database (each such connection is a database of its own).
  [[nodiscard]] bool is_memory() const;

  /// Maps an extended SQLite result code to the PostgreSQL SQLSTATE the operations layer checks
  /// (23505 unique, 23503 foreign key, 23514 check, 23502 not null, 55P03 busy/locked, XX001 corrupt,
  /// 53100 full, HY000 otherwise).
  [[nodiscard]] static std::string_view sqlstate_for(int extended_code) noexcept;

 private:
  static int busy_handler(void* self, int count) noexcept;

  /// Cached prepared statement number `position` of query `q` (prepared on first use); nullptr for a
  /// statement that holds no SQL (only comments/whitespace).
  sqlite3_stmt* statement(const sql_query& q, std::size_t position);
  void bind(sqlite3_stmt* stmt, const sql_query& q, std::span<const sql_param> params);
  /// Binds, steps to completion, resets. Collects the rows only when `rows` is non-null.
  void run(sqlite3_stmt* stmt, const sql_query& q, std::span<const sql_param> params, row_set* rows);
  /// Steps a parameterless cached control statement (BEGIN IMMEDIATE, COMMIT, ...).
  void run_control(sqlite3_stmt* stmt, const std::string& query_name);

  void lock_writes();
  void unlock_writes() noexcept;
  /// Rolls back whatever transaction is open and releases the writer lock; never throws.
  void abort_transaction() noexcept;

  /// Records what an error code says about the connection (healthy()) and builds the query_error.
  [[noreturn]] void fail(const std::string& query_name, int code);
  void note_error(int code) noexcept;
  /// Finalizes every statement and closes the handle.
  void close_handle() noexcept;

  sqlite3* m_db = nullptr;
  std::shared_ptr<sqlite_write_lock> m_write_lock;
  bool m_holds_write_lock = false;
  /// begin() was called and commit()/rollback() not yet.
  bool m_tx_open = false;
  bool m_healthy = true;

  // Cached control statements.
  sqlite3_stmt* m_begin_deferred = nullptr;
  sqlite3_stmt* m_begin_immediate = nullptr;
  sqlite3_stmt* m_commit = nullptr;
  sqlite3_stmt* m_rollback = nullptr;

  struct cached_statement {
    sqlite3_stmt* stmt = nullptr;
    /// The text it was prepared from: a hand-built query reusing an index gets its own statement.
    std::string sql;
  };
  /// Prepared statements per (query index, statement position); indices past a bound go to the map.
  std::vector<std::vector<cached_statement>> m_cache;
  std::unordered_map<std::size_t, std::vector<cached_statement>> m_cache_overflow;
  /// JSON texts of id_list/text_list parameters, alive until the statement using them is reset.
  std::vector<std::string> m_scratch;

  // Busy handler state.
  std::chrono::milliseconds m_busy_timeout;
  std::chrono::steady_clock::time_point m_busy_started{};
  std::uint64_t m_rng;
};

}  // namespace pgqrs::detail
