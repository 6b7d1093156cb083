#include "sqlite/sqlite_connection.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>
#include <system_error>
#include <utility>

#include "pgqrs/errors.hpp"

namespace pgqrs::detail {

namespace {

/// Queries with a catalog index below this live in a flat vector; larger (hand-made) indices in a map.
constexpr std::size_t max_vector_cached_queries = 4096;

/// sqlite3.h spells SQLITE_STATIC as an old-style cast; the parameter values outlive the step.
const sqlite3_destructor_type static_lifetime = static_cast<sqlite3_destructor_type>(nullptr);

std::string code_suffix(int code) {
  return " (sqlite code " + std::to_string(code) + ")";
}

/// Message of a failed open: SQLite's text, its code and the OS error behind it (e.g. ENOENT).
std::string open_failure(sqlite3* db, int code) {
  std::string msg = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  msg += " (sqlite code " + std::to_string(code);
  if (db != nullptr) {
    if (int sys = sqlite3_system_errno(db); sys != 0) msg += "; " + std::generic_category().message(sys);
  }
  msg += ")";
  return msg;
}

std::string open_context(const sqlite_open_options& options) {
  return "opening SQLite database " + options.description;
}

/// A failed open is a connection_error without a SQLSTATE (SQLite has none); retryable only when another
/// connection's lock was in the way, not when the file is missing, unreadable or not a database.
connection_error open_error(const std::string& detail, const sqlite_open_options& options, int code) {
  const int primary = code & 0xff;
  return connection_error(detail, open_context(options), std::string(),
                          primary == SQLITE_BUSY || primary == SQLITE_LOCKED);
}

/// Resets a statement and drops its bindings when the step loop ends, however it ends.
struct statement_reset {
  sqlite3_stmt* stmt;
  explicit statement_reset(sqlite3_stmt* s) : stmt(s) {}
  statement_reset(const statement_reset&) = delete;
  statement_reset& operator=(const statement_reset&) = delete;
  ~statement_reset() {
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
  }
};

std::uint64_t next_random(std::uint64_t& state) noexcept {
  // xorshift64: jitter only, quality does not matter.
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return state;
}

/// One result cell, by its storage class: INTEGER → int64, FLOAT → double, TEXT/BLOB → bytes, NULL →
/// monostate.
sql_value decode_cell(sqlite3_stmt* stmt, int column) {
  switch (sqlite3_column_type(stmt, column)) {
    case SQLITE_INTEGER:
      return sql_value{std::in_place_type<std::int64_t>, sqlite3_column_int64(stmt, column)};
    case SQLITE_FLOAT:
      return sql_value{std::in_place_type<double>, sqlite3_column_double(stmt, column)};
    case SQLITE_TEXT: {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, column));
      const auto size = static_cast<std::size_t>(sqlite3_column_bytes(stmt, column));
      if (text == nullptr) return sql_value{std::in_place_type<std::string>};
      return sql_value{std::in_place_type<std::string>, text, size};
    }
    case SQLITE_BLOB: {
      const auto* blob = static_cast<const char*>(sqlite3_column_blob(stmt, column));
      const auto size = static_cast<std::size_t>(sqlite3_column_bytes(stmt, column));
      if (blob == nullptr) return sql_value{std::in_place_type<std::string>};
      return sql_value{std::in_place_type<std::string>, blob, size};
    }
    default:
      return sql_value{};
  }
}

/// Statements that write but that SQLite refuses (or ignores) inside a transaction.
bool runs_outside_transactions(sqlite3_stmt* stmt) {
  const char* sql = sqlite3_sql(stmt);
  if (sql == nullptr) return false;
  while (*sql == ' ' || *sql == '\t' || *sql == '\n' || *sql == '\r') ++sql;
  std::string_view text(sql);
  auto starts_with_keyword = [&](std::string_view keyword) {
    if (text.size() < keyword.size()) return false;
    for (std::size_t i = 0; i < keyword.size(); ++i) {
      const char c = text[i];
      const char upper = c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
      if (upper != keyword[i]) return false;
    }
    return text.size() == keyword.size() ||
           !(std::isalnum(static_cast<unsigned char>(text[keyword.size()])) || text[keyword.size()] == '_');
  };
  return starts_with_keyword("PRAGMA") || starts_with_keyword("VACUUM") || starts_with_keyword("ATTACH") ||
         starts_with_keyword("DETACH");
}

}  // namespace

// ---------------------------------------------------------------- open / close

sqlite_connection::sqlite_connection(const sqlite_open_options& options,
                                     std::shared_ptr<sqlite_write_lock> write_lock)
    : m_write_lock(std::move(write_lock)),
      m_busy_timeout(options.settings.busy_timeout_ms),
      m_rng((reinterpret_cast<std::uintptr_t>(this) ^
             static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count())) |
            1U) {
  const int rc = sqlite3_open_v2(options.target.c_str(), &m_db, options.flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string detail = open_failure(m_db, rc);
    sqlite3_close_v2(m_db);
    m_db = nullptr;
    throw open_error(detail, options, rc);
  }
  sqlite3_extended_result_codes(m_db, 1);
  sqlite3_busy_handler(m_db, &sqlite_connection::busy_handler, this);

  auto pragma = [&](const char* sql) {
    char* err = nullptr;
    int prc = sqlite3_exec(m_db, sql, nullptr, nullptr, &err);
    // Switching a fresh file to WAL needs an exclusive lock, and SQLite does not call the busy handler for
    // every lock an open-time pragma takes: when several processes open a new file at once, one of them
    // gets SQLITE_BUSY here. Wait for the others like the busy handler would, within the same timeout.
    const auto started = std::chrono::steady_clock::now();
    for (int attempt = 1; ((prc & 0xff) == SQLITE_BUSY || (prc & 0xff) == SQLITE_LOCKED) &&
                          std::chrono::steady_clock::now() - started < m_busy_timeout;
         ++attempt) {
      sqlite3_free(err);
      err = nullptr;
      busy_handler(this, attempt - 1);  // sleeps 50 µs doubling to 2 ms, with jitter
      prc = sqlite3_exec(m_db, sql, nullptr, nullptr, &err);
    }
    if (prc != SQLITE_OK) {
      std::string detail = err != nullptr ? err : sqlite3_errstr(prc);
      sqlite3_free(err);
      detail += code_suffix(prc);
      if ((prc & 0xff) == SQLITE_NOTADB) detail += ": the file exists but is not an SQLite database";
      throw open_error(detail, options, prc);
    }
  };
  auto prepare_control = [&](const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    const int prc = sqlite3_prepare_v3(m_db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (prc != SQLITE_OK)
      throw open_error(sqlite3_errmsg(m_db) + code_suffix(prc), options, prc);
    return stmt;
  };

  try {
    // Reading the header first turns "not a database" into a clear error at connect time, whatever the mode.
    pragma("PRAGMA schema_version");
    const bool read_only = options.read_only || sqlite3_db_readonly(m_db, "main") == 1;
    if (!options.memory && !read_only && !is_memory()) {
      pragma(options.settings.use_wal ? "PRAGMA journal_mode=WAL" : "PRAGMA journal_mode=DELETE");
    }
    switch (options.settings.synchronous) {
      case sqlite_synchronous::off:
        pragma("PRAGMA synchronous=OFF");
        break;
      case sqlite_synchronous::normal:
        pragma("PRAGMA synchronous=NORMAL");
        break;
      case sqlite_synchronous::full:
        pragma("PRAGMA synchronous=FULL");
        break;
    }
    pragma("PRAGMA foreign_keys=ON");
    m_begin_deferred = prepare_control("BEGIN");
    m_begin_immediate = prepare_control("BEGIN IMMEDIATE");
    m_commit = prepare_control("COMMIT");
    m_rollback = prepare_control("ROLLBACK");
  } catch (...) {
    close_handle();
    throw;
  }
}

sqlite_connection::~sqlite_connection() {
  close_handle();  // sqlite3_close_v2 rolls back an open transaction
  unlock_writes();
}

void sqlite_connection::close_handle() noexcept {
  if (m_db == nullptr) return;
  auto finalize_all = [](std::vector<cached_statement>& statements) {
    for (auto& s : statements) sqlite3_finalize(s.stmt);
  };
  for (auto& per_query : m_cache) finalize_all(per_query);
  for (auto& [index, per_query] : m_cache_overflow) finalize_all(per_query);
  m_cache.clear();
  m_cache_overflow.clear();
  for (sqlite3_stmt** s : {&m_begin_deferred, &m_begin_immediate, &m_commit, &m_rollback}) {
    sqlite3_finalize(*s);
    *s = nullptr;
  }
  sqlite3_close_v2(m_db);
  m_db = nullptr;
}

bool sqlite_connection::is_memory() const {
  const char* name = sqlite3_db_filename(m_db, "main");
  return name == nullptr || *name == '\0';
}

// ---------------------------------------------------------------- busy handler

int sqlite_connection::busy_handler(void* self_ptr, int count) noexcept {
  auto* self = static_cast<sqlite_connection*>(self_ptr);
  if (self->m_busy_timeout.count() <= 0) return 0;
  const auto now = std::chrono::steady_clock::now();
  if (count == 0) {
    self->m_busy_started = now;
  } else if (now - self->m_busy_started >= self->m_busy_timeout) {
    return 0;  // give up: the statement fails with SQLITE_BUSY
  }
  // 50 µs doubling up to 2 ms, plus up to 25% jitter so competing processes do not retry in lockstep.
  constexpr std::int64_t first_us = 50;
  constexpr std::int64_t cap_us = 2000;
  const std::int64_t base = count >= 6 ? cap_us : std::min(cap_us, first_us << count);
  const auto jitter =
      static_cast<std::int64_t>(next_random(self->m_rng) % static_cast<std::uint64_t>(base / 4 + 1));
  std::this_thread::sleep_for(std::chrono::microseconds(base + jitter));
  return 1;
}

// ---------------------------------------------------------------- errors

std::string_view sqlite_connection::sqlstate_for(int extended_code) noexcept {
  switch (extended_code) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
    case SQLITE_CONSTRAINT_ROWID:
      return sqlstate::unique_violation;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return sqlstate::foreign_key_violation;
    case SQLITE_CONSTRAINT_CHECK:
      return sqlstate::check_violation;
    case SQLITE_CONSTRAINT_NOTNULL:
      return sqlstate::not_null_violation;
    default:
      break;
  }
  switch (extended_code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return sqlstate::lock_not_available;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return sqlstate::data_corrupted;
    case SQLITE_FULL:
      return sqlstate::disk_full;
    default:
      return sqlstate::general_error;
  }
}

void sqlite_connection::note_error(int code) noexcept {
  switch (code & 0xff) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_IOERR:
      m_healthy = false;
      break;
    default:
      break;
  }
}

void sqlite_connection::fail(const std::string& query_name, int code) {
  note_error(code);
  // SQLite's messages name the constraint/table/column, never the bound values.
  std::string detail = sqlite3_errmsg(m_db);
  // A prepare against a missing table is SQLITE_ERROR; give it PostgreSQL's undefined_table code so callers
  // can recognise "schema not installed" on every backend.
  const std::string_view state = detail.starts_with("no such table") ? sqlstate::undefined_table : sqlstate_for(code);
  detail += code_suffix(code);
  throw query_error(query_name, std::string(state), detail);
}

// ---------------------------------------------------------------- writer lock

void sqlite_connection::lock_writes() {
  if (m_holds_write_lock) return;
  const auto self = std::this_thread::get_id();
  if (m_write_lock->owner.load(std::memory_order_relaxed) == self) {
    throw internal_error(
        "this thread already holds the SQLite write lock through another connection; writing through a "
        "second "
        "connection would deadlock");
  }
  m_write_lock->mutex.lock();
  m_write_lock->owner.store(self, std::memory_order_relaxed);
  m_holds_write_lock = true;
}

void sqlite_connection::unlock_writes() noexcept {
  if (!m_holds_write_lock) return;
  m_holds_write_lock = false;
  m_write_lock->owner.store(std::thread::id{}, std::memory_order_relaxed);
  m_write_lock->mutex.unlock();
}

void sqlite_connection::abort_transaction() noexcept {
  if (m_db != nullptr && sqlite3_get_autocommit(m_db) == 0) {
    sqlite3_step(m_rollback);
    sqlite3_reset(m_rollback);
  }
  m_tx_open = false;
  unlock_writes();
}

// ---------------------------------------------------------------- statements

sqlite3_stmt* sqlite_connection::statement(const sql_query& q, std::size_t position) {
  std::vector<cached_statement>* per_query = nullptr;
  if (q.index < max_vector_cached_queries) {
    if (m_cache.size() <= q.index) m_cache.resize(q.index + 1);
    per_query = &m_cache[q.index];
  } else {
    per_query = &m_cache_overflow[q.index];
  }
  if (per_query->size() < q.statements.size()) per_query->resize(q.statements.size());
  cached_statement& slot = (*per_query)[position];
  const std::string& sql = q.statements[position];
  if (slot.stmt != nullptr) {
    if (slot.sql == sql) return slot.stmt;
    sqlite3_finalize(slot.stmt);  // another query with the same index (hand-built): replace
    slot.stmt = nullptr;
  }
  slot.sql.clear();

  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  const int rc = sqlite3_prepare_v3(m_db, sql.c_str(),
                                    static_cast<int>(std::min<std::size_t>(sql.size() + 1, 0x7fffffff)),
                                    SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
  if (rc != SQLITE_OK) fail(q.name, rc);
  // A second statement in the same text would be silently ignored by SQLite: refuse it (a catalog bug).
  if (tail != nullptr && *tail != '\0') {
    sqlite3_stmt* extra = nullptr;
    const int extra_rc = sqlite3_prepare_v3(m_db, tail, -1, 0, &extra, nullptr);
    sqlite3_finalize(extra);
    if (extra_rc != SQLITE_OK || extra != nullptr) {
      sqlite3_finalize(stmt);
      throw internal_error("statement " + std::to_string(position + 1) + " of query '" + q.name +
                           "' holds more than one SQL statement");
    }
  }
  if (stmt != nullptr) {
    slot.stmt = stmt;
    slot.sql = sql;
  }
  return stmt;
}

void sqlite_connection::bind(sqlite3_stmt* stmt, const sql_query& q, std::span<const sql_param> params) {
  const int wanted = sqlite3_bind_parameter_count(stmt);
  if (static_cast<std::size_t>(wanted) > params.size()) {
    throw internal_error("query '" + q.name + "' uses parameter ?" + std::to_string(wanted) + " but only " +
                         std::to_string(params.size()) + " were given");
  }
  if (m_scratch.size() < params.size()) m_scratch.resize(params.size());

  for (int i = 0; i < wanted; ++i) {
    const int index = i + 1;
    const sql_param& p = params[static_cast<std::size_t>(i)];
    int rc = SQLITE_OK;
    switch (p.index()) {
      case 0:  // monostate
        rc = sqlite3_bind_null(stmt, index);
        break;
      case 1:
        rc = sqlite3_bind_int64(stmt, index, std::get<std::int64_t>(p));
        break;
      case 2:
        rc = sqlite3_bind_double(stmt, index, std::get<double>(p));
        break;
      case 3:
        rc = sqlite3_bind_int(stmt, index, std::get<bool>(p) ? 1 : 0);
        break;
      case 4: {
        const auto& s = std::get<std::string>(p);
        rc = sqlite3_bind_text64(stmt, index, s.data(), s.size(), static_lifetime, SQLITE_UTF8);
        break;
      }
      case 5:
        // The SQLite family stores timestamps as INTEGER microseconds since the Unix epoch.
        rc = sqlite3_bind_int64(
            stmt, index, static_cast<sqlite3_int64>(std::get<timestamp>(p).time_since_epoch().count()));
        break;
      case 6: {
        std::string& json = m_scratch[static_cast<std::size_t>(i)];
        json.clear();
        json.push_back('[');
        bool first = true;
        for (std::int64_t v : std::get<id_list>(p).values) {
          if (!first) json.push_back(',');
          first = false;
          char buf[24];
          auto [end, ec] = std::to_chars(std::begin(buf), std::end(buf), v);
          json.append(std::begin(buf), end);
        }
        json.push_back(']');
        rc = sqlite3_bind_text64(stmt, index, json.data(), json.size(), static_lifetime, SQLITE_UTF8);
        break;
      }
      case 7: {
        std::string& json = m_scratch[static_cast<std::size_t>(i)];
        try {
          nlohmann::json array = nlohmann::json::array();
          for (const auto& v : std::get<text_list>(p).values) array.push_back(v);
          json = array.dump();
        } catch (const nlohmann::json::exception&) {
          throw serialization_error("text list parameter ?" + std::to_string(index) + " of query '" + q.name +
                                    "' holds text that is not valid UTF-8");
        }
        rc = sqlite3_bind_text64(stmt, index, json.data(), json.size(), static_lifetime, SQLITE_UTF8);
        break;
      }
      default:
        throw internal_error("unsupported parameter type in query '" + q.name + "'");
    }
    if (rc != SQLITE_OK) fail(q.name, rc);
  }
}

void sqlite_connection::run(sqlite3_stmt* stmt, const sql_query& q, std::span<const sql_param> params,
                            row_set* rows) {
  statement_reset reset{stmt};
  bind(stmt, q, params);
  const int columns = rows != nullptr ? sqlite3_column_count(stmt) : 0;
  if (rows != nullptr) *rows = row_set(static_cast<std::size_t>(columns));
  for (;;) {
    const int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) fail(q.name, rc);
    if (rows == nullptr) continue;
    if (rows->empty()) rows->reserve_rows(1);  // most statements return one row: one allocation
    for (int c = 0; c < columns; ++c) rows->push(decode_cell(stmt, c));
  }
  // sqlite3_changes64 keeps the count of the last INSERT/UPDATE/DELETE: a SELECT changed nothing.
  if (rows != nullptr) rows->set_affected(sqlite3_stmt_readonly(stmt) != 0 ? 0 : sqlite3_changes64(m_db));
}

void sqlite_connection::run_control(sqlite3_stmt* stmt, const std::string& query_name) {
  const int rc = sqlite3_step(stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
    note_error(rc);
    std::string detail = sqlite3_errmsg(m_db);
    detail += code_suffix(rc);
    sqlite3_reset(stmt);
    throw query_error(query_name, std::string(sqlstate_for(rc)), detail);
  }
  sqlite3_reset(stmt);
}

row_set sqlite_connection::execute(const sql_query& q, std::span<const sql_param> params) {
  row_set result;
  const std::size_t count = q.statements.size();
  if (count == 0) return result;
  const bool autocommit = sqlite3_get_autocommit(m_db) != 0;
  if (m_tx_open && autocommit) {
    // SQLite rolled the transaction back on an earlier error (e.g. SQLITE_FULL, SQLITE_IOERR); running on in
    // autocommit mode would commit statement by statement what the caller means to be atomic.
    throw query_error(q.name, std::string(sqlstate::in_failed_sql_transaction), "the current transaction was rolled back by an earlier error");
  }
  if (!autocommit) {  // inside the caller's transaction
    for (std::size_t i = 0; i < count; ++i) {
      if (sqlite3_stmt* stmt = statement(q, i)) run(stmt, q, params, i == 0 ? &result : nullptr);
    }
    return result;
  }

  sqlite3_stmt* first = statement(q, 0);
  if (count == 1 && (first == nullptr || sqlite3_stmt_readonly(first) != 0)) {
    if (first != nullptr) run(first, q, params, &result);
    return result;
  }
  if (count == 1 && runs_outside_transactions(first)) {
    // PRAGMA setters, VACUUM, ATTACH ...: they write, but cannot run inside BEGIN ... COMMIT.
    lock_writes();
    try {
      run(first, q, params, &result);
    } catch (...) {
      unlock_writes();
      throw;
    }
    unlock_writes();
    return result;
  }

  // A write, or several statements: one BEGIN IMMEDIATE transaction under the in-process writer lock. An
  // autocommit write would start as a reader and upgrade, which in WAL mode can fail with
  // SQLITE_BUSY_SNAPSHOT without ever calling the busy handler.
  lock_writes();
  try {
    run_control(m_begin_immediate, q.name);
    if (first != nullptr) run(first, q, params, &result);
    for (std::size_t i = 1; i < count; ++i) {
      if (sqlite3_stmt* stmt = statement(q, i)) run(stmt, q, params, nullptr);
    }
    run_control(m_commit, q.name);
  } catch (...) {
    abort_transaction();
    throw;
  }
  unlock_writes();
  return result;
}

void sqlite_connection::execute_script(std::string_view sql) {
  const std::string text(sql);
  // A script outside a transaction still writes: queue with the other writers of this process.
  const bool take_lock = !in_transaction();
  if (take_lock) lock_writes();
  char* err = nullptr;
  const int rc = sqlite3_exec(m_db, text.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string detail = err != nullptr ? err : sqlite3_errmsg(m_db);
    sqlite3_free(err);
    detail += code_suffix(rc);
    note_error(rc);
    if (take_lock) abort_transaction();  // a script's own BEGIN must not stay open after it failed
    throw query_error("migration", std::string(sqlstate_for(rc)), detail);
  }
  if (take_lock) {
    if (sqlite3_get_autocommit(m_db) == 0) {
      m_tx_open = true;  // the script opened a transaction and left it open: commit()/rollback() end it
    } else {
      unlock_writes();
    }
  }
}

// ---------------------------------------------------------------- transactions

void sqlite_connection::begin(tx_mode mode) {
  if (in_transaction())
    throw query_error("begin", std::string(sqlstate::active_sql_transaction), "a transaction is already open on this connection");
  if (mode == tx_mode::write) {
    lock_writes();
    try {
      run_control(m_begin_immediate, "begin");
    } catch (...) {
      unlock_writes();
      throw;
    }
  } else {
    run_control(m_begin_deferred, "begin");
  }
  m_tx_open = true;
}

void sqlite_connection::commit() {
  if (sqlite3_get_autocommit(m_db) != 0) {
    const bool was_open = m_tx_open || m_holds_write_lock;
    m_tx_open = false;
    unlock_writes();
    if (was_open) throw query_error("commit", std::string(sqlstate::in_failed_sql_transaction), "the transaction was rolled back by an earlier error");
    throw query_error("commit", std::string(sqlstate::no_active_sql_transaction), "no transaction is open on this connection");
  }
  try {
    run_control(m_commit, "commit");
  } catch (...) {
    // A failed COMMIT (e.g. SQLITE_BUSY) may leave the transaction open: rollback() ends it then.
    if (sqlite3_get_autocommit(m_db) != 0) {
      m_tx_open = false;
      unlock_writes();
    }
    throw;
  }
  m_tx_open = false;
  unlock_writes();
}

void sqlite_connection::rollback() noexcept {
  abort_transaction();
}

bool sqlite_connection::in_transaction() const {
  return m_tx_open || m_holds_write_lock || sqlite3_get_autocommit(m_db) == 0;
}

}  // namespace pgqrs::detail
