#include "sqlite_family/family_connection.hpp"

#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>

#include "core/common/sqlstate.hpp"
#include "core/db/fault_hooks.hpp"
#include "pgqrs/errors.hpp"
#include "sqlite_family/busy_wait.hpp"

namespace pgqrs::detail::sqlite_family {

namespace {

std::string open_context(const std::string& description) {
  return "opening " + description;
}

/// Resets a statement (and drops its bindings) when a step loop ends, however it ends.
struct statement_reset {
  engine_statement& stmt;
  explicit statement_reset(engine_statement& s) : stmt(s) {}
  statement_reset(const statement_reset&) = delete;
  statement_reset& operator=(const statement_reset&) = delete;
  ~statement_reset() { stmt.reset(); }
};

/// Statements that write but that SQLite refuses (or ignores) inside a transaction.
bool runs_outside_transactions(std::string_view sql) {
  while (!sql.empty() && (sql.front() == ' ' || sql.front() == '\t' || sql.front() == '\n' || sql.front() == '\r'))
    sql.remove_prefix(1);
  auto starts_with_keyword = [&](std::string_view keyword) {
    if (sql.size() < keyword.size()) return false;
    for (std::size_t i = 0; i < keyword.size(); ++i) {
      const char c = sql[i];
      const char upper = c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
      if (upper != keyword[i]) return false;
    }
    return sql.size() == keyword.size() ||
           !(std::isalnum(static_cast<unsigned char>(sql[keyword.size()])) || sql[keyword.size()] == '_');
  };
  return starts_with_keyword("PRAGMA") || starts_with_keyword("VACUUM") || starts_with_keyword("ATTACH") ||
         starts_with_keyword("DETACH");
}

std::uint64_t seed_for(const void* self) {
  return (reinterpret_cast<std::uintptr_t>(self) ^
          static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count())) |
         1U;
}

}  // namespace

std::string_view sqlstate_for(fault kind) noexcept {
  switch (kind) {
    case fault::unique:
      return sqlstate::unique_violation;
    case fault::foreign_key:
      return sqlstate::foreign_key_violation;
    case fault::check:
      return sqlstate::check_violation;
    case fault::not_null:
      return sqlstate::not_null_violation;
    case fault::missing_table:
      return sqlstate::undefined_table;
    case fault::busy:
    case fault::busy_snapshot:
      return sqlstate::lock_not_available;
    case fault::corrupt:
    case fault::not_a_database:
      return sqlstate::data_corrupted;
    case fault::full:
      return sqlstate::disk_full;
    default:
      return sqlstate::general_error;
  }
}

connection_error open_error(const engine_error& e, const std::string& description) {
  std::string detail = e.what();
  if (e.kind() == fault::not_a_database) detail += ": the file exists but is not an SQLite-format database";
  return connection_error(detail, open_context(description), std::string(), e.kind() == fault::busy);
}

// ---------------------------------------------------------------- open / close

family_connection::family_connection(std::unique_ptr<engine_connection> engine, const family_options& options,
                                     std::shared_ptr<write_gate> gate)
    : m_engine(std::move(engine)),
      m_gate(std::move(gate)),
      m_busy_timeout(options.settings.busy_timeout),
      m_rng(seed_for(this)) {
  // Switching a fresh file to WAL takes an exclusive lock: when several processes open a new file at once,
  // the others wait here like any writer would.
  auto pragma = [&](const std::string& sql) {
    retry_while_busy(m_busy_timeout, m_rng, [&] { m_engine->execute_script(sql); });
  };
  try {
    // Reading the header first turns "not a database" into a clear error at connect time, whatever the mode.
    pragma("PRAGMA schema_version");
    if (!m_engine->is_memory() && !m_engine->is_read_only()) {
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
    m_begin_deferred = m_engine->prepare("BEGIN");
    m_begin_immediate = m_engine->prepare("BEGIN IMMEDIATE");
    m_commit = m_engine->prepare("COMMIT");
    m_rollback = m_engine->prepare("ROLLBACK");
  } catch (const engine_error& e) {
    throw open_error(e, options.description);
  }
}

family_connection::~family_connection() {
  abort_transaction();
  // Statements go before the engine connection that made them.
  m_cache.clear();
  m_begin_deferred.reset();
  m_begin_immediate.reset();
  m_commit.reset();
  m_rollback.reset();
}

// ---------------------------------------------------------------- errors

void family_connection::fail(const std::string& query_name, const engine_error& e) {
  switch (e.kind()) {
    case fault::io:
      m_io_failed = true;
      m_healthy = false;
      break;
    case fault::corrupt:
    case fault::not_a_database:
      m_healthy = false;
      break;
    default:
      break;
  }
  // Engine messages name the constraint/table/column, never the bound values.
  throw query_error(query_name, std::string(sqlstate_for(e.kind())), e.what());
}

// ---------------------------------------------------------------- write gate

void family_connection::open_write() {
  if (m_holds_gate) return;
  m_gate->before_write();
  m_holds_gate = true;
}

void family_connection::finish_write() {
  try {
    m_gate->after_commit();
  } catch (...) {
    close_write();
    throw;
  }
  close_write();
}

void family_connection::close_write() noexcept {
  if (!m_holds_gate) return;
  m_holds_gate = false;
  m_gate->end_write();
}

void family_connection::abort_transaction() noexcept {
  if (m_rollback && !m_engine->autocommit()) {
    try {
      m_rollback->step();
    } catch (const engine_error&) {
      // The transaction is gone either way (SQLite rolls back what it cannot finish).
    }
    m_rollback->reset();
  }
  m_tx_open = false;
  close_write();
}

// ---------------------------------------------------------------- statements

std::unique_ptr<engine_statement> family_connection::prepare(const std::string& query_name,
                                                             const std::string& sql) {
  try {
    return m_engine->prepare(sql);
  } catch (const engine_error& e) {
    if (e.kind() == fault::several_statements) {
      throw internal_error("a statement of query '" + query_name + "' holds more than one SQL statement");
    }
    fail(query_name, e);
  }
}

engine_statement* family_connection::cached(const sql_query& q, std::size_t position) {
  if (m_cache.size() <= q.index) m_cache.resize(q.index + 1);
  auto& per_query = m_cache[q.index];
  if (per_query.size() < q.statements.size()) per_query.resize(q.statements.size());
  cached_statement& slot = per_query[position];
  if (!slot.prepared) {
    slot.stmt = prepare(q.name, q.statements[position]);
    slot.prepared = true;
  }
  return slot.stmt.get();
}

void family_connection::bind(engine_statement& stmt, const std::string& query_name,
                             std::span<const sql_param> params) {
  const int wanted = stmt.parameter_count();
  if (static_cast<std::size_t>(wanted) > params.size()) {
    throw internal_error("query '" + query_name + "' uses parameter ?" + std::to_string(wanted) + " but only " +
                         std::to_string(params.size()) + " were given");
  }
  if (m_scratch.size() < params.size()) m_scratch.resize(params.size());
  try {
    for (int i = 0; i < wanted; ++i) {
      const int index = i + 1;
      const sql_param& p = params[static_cast<std::size_t>(i)];
      if (std::holds_alternative<std::monostate>(p)) {
        stmt.bind_null(index);
      } else if (const auto* n = std::get_if<std::int64_t>(&p)) {
        stmt.bind_int64(index, *n);
      } else if (const auto* d = std::get_if<double>(&p)) {
        stmt.bind_double(index, *d);
      } else if (const auto* b = std::get_if<bool>(&p)) {
        stmt.bind_int64(index, *b ? 1 : 0);
      } else if (const auto* s = std::get_if<std::string>(&p)) {
        stmt.bind_text(index, *s);
      } else if (const auto* t = std::get_if<timestamp>(&p)) {
        // The SQLite family stores timestamps as INTEGER microseconds since the Unix epoch.
        stmt.bind_int64(index, t->time_since_epoch().count());
      } else if (const auto* ids = std::get_if<id_list>(&p)) {
        // Lists arrive as a JSON array text, read by the SQL with json_each.
        std::string& json = m_scratch[static_cast<std::size_t>(i)];
        json.assign(1, '[');
        for (std::size_t k = 0; k < ids->values.size(); ++k) {
          if (k > 0) json.push_back(',');
          char buf[24];
          auto [end, ec] = std::to_chars(std::begin(buf), std::end(buf), ids->values[k]);
          json.append(std::begin(buf), end);
        }
        json.push_back(']');
        stmt.bind_text(index, json);
      } else if (const auto* texts = std::get_if<text_list>(&p)) {
        std::string& json = m_scratch[static_cast<std::size_t>(i)];
        try {
          json = nlohmann::json(texts->values).dump();
        } catch (const nlohmann::json::exception&) {
          throw serialization_error("text list parameter ?" + std::to_string(index) + " of query '" + query_name +
                                    "' holds text that is not valid UTF-8");
        }
        stmt.bind_text(index, json);
      }
    }
  } catch (const engine_error& e) {
    stmt.reset();
    fail(query_name, e);
  }
}

void family_connection::run(engine_statement& stmt, const std::string& query_name,
                            std::span<const sql_param> params, row_set* rows, bool retry_busy) {
  statement_reset reset{stmt};
  bind(stmt, query_name, params);
  const int columns = rows != nullptr ? stmt.column_count() : 0;
  if (rows != nullptr) *rows = row_set(static_cast<std::size_t>(columns));
  busy_wait wait(m_busy_timeout, m_rng);
  for (;;) {
    bool has_row = false;
    try {
      has_row = stmt.step();
    } catch (const engine_error& e) {
      // A read that has returned nothing yet can start over once the lock is free.
      const bool nothing_read = rows == nullptr || rows->empty();
      if (retry_busy && e.kind() == fault::busy && nothing_read && wait.sleep()) {
        stmt.reset();
        bind(stmt, query_name, params);
        continue;
      }
      fail(query_name, e);
    }
    if (!has_row) break;
    if (rows == nullptr) continue;
    if (rows->empty()) rows->reserve_rows(1);  // most statements return one row: one allocation
    for (int c = 0; c < columns; ++c) rows->push(stmt.column(c));
  }
  // changes() keeps the count of the last INSERT/UPDATE/DELETE: a SELECT changed nothing.
  if (rows != nullptr) rows->set_affected(stmt.read_only() ? 0 : m_engine->changes());
}

void family_connection::run_commit(const std::string& query_name) {
  m_io_failed = false;
  try {
    run_control(*m_commit, query_name, true);
  } catch (const query_error& e) {
    // An I/O error while committing leaves the outcome unknown (the commit record may be on disk).
    if (e.sqlstate() != sqlstate::general_error || !m_io_failed) throw;
    m_io_failed = false;
    throw in_doubt_error(e.detail(), "query " + query_name);
  }
  if (fault_hooks::take_commit_loss()) {
    // Test fault: the commit happened, the caller is told it may not have.
    throw in_doubt_error("disk I/O error (injected)", "query " + query_name);
  }
}

void family_connection::run_control(engine_statement& stmt, const std::string& query_name, bool retry_busy) {
  try {
    if (retry_busy) {
      retry_while_busy(m_busy_timeout, m_rng, [&] {
        statement_reset reset{stmt};
        stmt.step();
      });
    } else {
      statement_reset reset{stmt};
      stmt.step();
    }
  } catch (const engine_error& e) {
    fail(query_name, e);
  }
}

row_set family_connection::run_query(const std::string& query_name,
                                     std::span<engine_statement* const> statements,
                                     std::span<const sql_param> params) {
  row_set result;
  if (statements.empty()) return result;
  const bool autocommit = m_engine->autocommit();
  if (m_tx_open && autocommit) {
    // SQLite rolled the transaction back on an earlier error (e.g. SQLITE_FULL, SQLITE_IOERR); running on in
    // autocommit mode would commit statement by statement what the caller means to be atomic.
    throw query_error(query_name, std::string(sqlstate::in_failed_sql_transaction),
                      "the current transaction was rolled back by an earlier error");
  }
  // The result is the rows of the first statement with result columns (a SELECT or a RETURNING clause).
  std::size_t returning = 0;
  while (returning + 1 < statements.size() &&
         (statements[returning] == nullptr || statements[returning]->column_count() == 0))
    ++returning;
  if (!autocommit) {  // inside the caller's transaction
    for (std::size_t i = 0; i < statements.size(); ++i) {
      if (statements[i] != nullptr)
        run(*statements[i], query_name, params, i == returning ? &result : nullptr, false);
    }
    return result;
  }

  engine_statement* first = statements.front();
  if (statements.size() == 1 && (first == nullptr || first->read_only())) {
    if (first != nullptr) {
      m_gate->before_read();
      run(*first, query_name, params, &result, true);
    }
    return result;
  }
  // A write, or several statements: one BEGIN IMMEDIATE transaction through the write gate. An autocommit
  // write would start as a reader and upgrade, which in WAL mode can fail with SQLITE_BUSY_SNAPSHOT without
  // ever waiting.
  open_write();
  try {
    run_control(*m_begin_immediate, query_name, true);
    for (std::size_t i = 0; i < statements.size(); ++i) {
      if (statements[i] != nullptr)
        run(*statements[i], query_name, params, i == returning ? &result : nullptr, false);
    }
    run_commit(query_name);
  } catch (...) {
    abort_transaction();
    throw;
  }
  finish_write();
  return result;
}

row_set family_connection::execute(const sql_query& q, std::span<const sql_param> params) {
  if (q.statements.empty()) return {};
  const bool catalog = q.index != sql_query::uncached;
  std::vector<std::unique_ptr<engine_statement>> owned;
  std::vector<engine_statement*> statements;
  statements.reserve(q.statements.size());
  for (std::size_t i = 0; i < q.statements.size(); ++i) {
    if (catalog) {
      statements.push_back(cached(q, i));
    } else {
      owned.push_back(prepare(q.name, q.statements[i]));
      statements.push_back(owned.back().get());
    }
  }
  if (q.statements.size() == 1 && m_engine->autocommit() && runs_outside_transactions(q.statements.front())) {
    // PRAGMA setters, VACUUM, ATTACH ...: they write, but cannot run inside BEGIN ... COMMIT.
    row_set result;
    if (statements.front() == nullptr) return result;
    open_write();
    try {
      run(*statements.front(), q.name, params, &result, true);
    } catch (...) {
      close_write();
      throw;
    }
    close_write();
    return result;
  }
  return run_query(q.name, statements, params);
}

row_set family_connection::execute_adhoc(std::string_view sql, std::span<const sql_param> params) {
  sql_query q;
  q.name = "adhoc";
  q.statements.emplace_back(sql);
  return execute(q, params);
}

void family_connection::execute_script(std::string_view sql) {
  // A script outside a transaction still writes: it goes through the gate like the other writers.
  const bool own_gate = !in_transaction();
  if (own_gate) open_write();
  try {
    m_engine->execute_script(std::string(sql));
  } catch (const engine_error& e) {
    if (own_gate) abort_transaction();  // a script's own BEGIN must not stay open after it failed
    fail("migration", e);
  }
  if (own_gate) {
    if (!m_engine->autocommit()) {
      m_tx_open = true;  // the script opened a transaction and left it open: commit()/rollback() end it
    } else {
      close_write();
    }
  }
}

// ---------------------------------------------------------------- transactions

void family_connection::begin(tx_mode mode) {
  if (in_transaction()) {
    throw query_error("begin", std::string(sqlstate::active_sql_transaction),
                      "a transaction is already open on this connection");
  }
  if (mode == tx_mode::write) {
    open_write();
    try {
      run_control(*m_begin_immediate, "begin", true);
    } catch (...) {
      close_write();
      throw;
    }
  } else {
    m_gate->before_read();
    run_control(*m_begin_deferred, "begin", false);
  }
  m_tx_open = true;
}

void family_connection::commit() {
  if (m_engine->autocommit()) {
    const bool was_open = m_tx_open || m_holds_gate;
    m_tx_open = false;
    close_write();
    if (was_open) {
      throw query_error("commit", std::string(sqlstate::in_failed_sql_transaction),
                        "the transaction was rolled back by an earlier error");
    }
    throw query_error("commit", std::string(sqlstate::no_active_sql_transaction),
                      "no transaction is open on this connection");
  }
  try {
    run_commit("commit");
  } catch (...) {
    // A failed COMMIT may leave the transaction open: rollback() ends it then.
    if (m_engine->autocommit()) {
      m_tx_open = false;
      close_write();
    }
    throw;
  }
  m_tx_open = false;
  if (m_holds_gate) finish_write();  // not for a read transaction
}

void family_connection::rollback() noexcept {
  abort_transaction();
}

bool family_connection::in_transaction() const {
  return m_tx_open || m_holds_gate || !m_engine->autocommit();
}

}  // namespace pgqrs::detail::sqlite_family
