#include "turso/turso_engine.hpp"

// turso.h (0.8.3) has no `extern "C"` guard of its own; without this the C++ compiler mangles every name.
extern "C" {
#include <turso.h>
}

#include <algorithm>
#include <utility>

namespace pgqrs::detail::turso {

namespace {

/// Owns an error string returned through a `const char** error_opt_out` parameter: Turso allocates it
/// (CString::into_raw) and the caller must release it with turso_str_deinit.
class c_error {
 public:
  c_error() = default;
  ~c_error() { turso_str_deinit(m_text); }
  c_error(const c_error&) = delete;
  c_error& operator=(const c_error&) = delete;
  const char** out() noexcept { return &m_text; }
  [[nodiscard]] const char* get() const noexcept { return m_text; }

 private:
  const char* m_text = nullptr;
};

/// Owns a string Turso returns (column names, decltypes); nullptr stays nullptr.
std::optional<std::string> take_string(const char* text) {
  if (text == nullptr) return std::nullopt;
  std::string copy(text);
  turso_str_deinit(text);
  return copy;
}

std::string message_or(const char* message, std::string_view fallback) {
  return message != nullptr && *message != '\0' ? std::string(message) : std::string(fallback);
}

status to_status(int code) noexcept {
  return static_cast<status>(code);
}

/// turso.h takes zero-terminated SQL; an embedded NUL would silently cut the statement short.
std::string sql_text(std::string_view sql) {
  if (sql.find('\0') != std::string_view::npos) {
    throw engine_error(error_code::query, "prepare", status::misuse, "SQL text contains a NUL byte");
  }
  return std::string(sql);
}

}  // namespace

std::size_t skip_trivia(std::string_view sql, std::string_view also) {
  std::size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
        also.find(c) != std::string_view::npos) {
      ++i;
    } else if (sql.substr(i, 2) == "--") {
      const std::size_t end = sql.find('\n', i);
      i = end == std::string_view::npos ? sql.size() : end + 1;
    } else if (sql.substr(i, 2) == "/*") {
      const std::size_t end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? sql.size() : end + 2;
    } else {
      break;
    }
  }
  return i;
}

bool only_trivia(std::string_view rest) {
  return skip_trivia(rest, ";") == rest.size();
}

namespace {

// A byte that outlives every call: Turso rejects a null pointer only when the length is non-zero, but an
// empty std::string_view/span may carry one, so we never hand it over.
constexpr char k_empty = '\0';

}  // namespace

std::string status_name(status code) {
  switch (code) {
    case status::ok:
      return "TURSO_OK";
    case status::done:
      return "TURSO_DONE";
    case status::row:
      return "TURSO_ROW";
    case status::io:
      return "TURSO_IO";
    case status::busy:
      return "TURSO_BUSY";
    case status::interrupt:
      return "TURSO_INTERRUPT";
    case status::busy_snapshot:
      return "TURSO_BUSY_SNAPSHOT";
    case status::error:
      return "TURSO_ERROR";
    case status::misuse:
      return "TURSO_MISUSE";
    case status::constraint:
      return "TURSO_CONSTRAINT";
    case status::readonly:
      return "TURSO_READONLY";
    case status::database_full:
      return "TURSO_DATABASE_FULL";
    case status::notadb:
      return "TURSO_NOTADB";
    case status::corrupt:
      return "TURSO_CORRUPT";
    case status::ioerr:
      return "TURSO_IOERR";
  }
  return "TURSO_" + std::to_string(static_cast<int>(code));
}

engine_error::engine_error(error_code kind, std::string operation, status code, std::string message)
    : database_error(kind, "", "Turso " + operation + " failed: " + message + " (" + status_name(code) + ")",
                     code == status::busy),
      m_operation(std::move(operation)),
      m_status(code),
      m_message(std::move(message)) {}

// ---------------------------------------------------------------- database

database::database(const std::string& path) : database(open_options{path, false, {}, {}}) {}

database::database(const open_options& options) : m_path(options.path) {
  turso_database_config_t config{};
  config.async_io = 0;  // the engine drives its own IO: step() never returns TURSO_IO to us
  config.path = options.path.c_str();
  config.experimental_features =
      options.experimental_features.empty() ? nullptr : options.experimental_features.c_str();
  config.vfs = options.vfs.empty() ? nullptr : options.vfs.c_str();
  config.open_flags = options.read_only ? TURSO_DATABASE_OPEN_READONLY : TURSO_DATABASE_OPEN_DEFAULT;

  const turso_database_t* db = nullptr;
  c_error err;
  int rc = turso_database_new(&config, &db, err.out());
  if (rc != TURSO_OK) {
    throw engine_error(error_code::connection, "open of '" + options.path + "'", to_status(rc),
                       message_or(err.get(), "cannot create database"));
  }
  c_error open_err;
  rc = turso_database_open(db, open_err.out());
  if (rc != TURSO_OK) {
    turso_database_deinit(db);
    throw engine_error(error_code::connection, "open of '" + options.path + "'", to_status(rc),
                       message_or(open_err.get(), "cannot open database"));
  }
  m_db = db;
}

database::~database() {
  if (m_db != nullptr) turso_database_deinit(m_db);
}

database::database(database&& other) noexcept
    : m_db(std::exchange(other.m_db, nullptr)), m_path(std::move(other.m_path)) {}

database& database::operator=(database&& other) noexcept {
  if (this != &other) {
    if (m_db != nullptr) turso_database_deinit(m_db);
    m_db = std::exchange(other.m_db, nullptr);
    m_path = std::move(other.m_path);
  }
  return *this;
}

connection database::connect() const {
  if (m_db == nullptr)
    throw engine_error(error_code::connection, "connect", status::misuse, "moved-from database");
  turso_connection_t* conn = nullptr;
  c_error err;
  const int rc = turso_database_connect(m_db, &conn, err.out());
  if (rc != TURSO_OK) {
    throw engine_error(error_code::connection, "connect to '" + m_path + "'", to_status(rc),
                       message_or(err.get(), "cannot connect"));
  }
  return connection(conn);
}

std::string database::engine_version() {
  return turso_version();
}

// ---------------------------------------------------------------- connection

connection::connection(turso_connection* handle)
    : m_conn(handle), m_last_error(std::make_shared<failure>()) {}

connection::~connection() {
  release();
}

connection::connection(connection&& other) noexcept
    : m_conn(std::exchange(other.m_conn, nullptr)), m_last_error(std::move(other.m_last_error)) {}

connection& connection::operator=(connection&& other) noexcept {
  if (this != &other) {
    release();
    m_conn = std::exchange(other.m_conn, nullptr);
    m_last_error = std::move(other.m_last_error);
  }
  return *this;
}

void connection::release() noexcept {
  if (m_conn == nullptr) return;
  // close() rolls back an open transaction and detaches the statements; deinit frees the handle. A close
  // failure cannot be reported from a destructor, and the handle must be freed either way.
  turso_connection_close(m_conn, nullptr);
  turso_connection_deinit(m_conn);
  m_conn = nullptr;
}

void connection::close() {
  if (m_conn == nullptr) return;
  c_error err;
  const int rc = turso_connection_close(m_conn, err.out());
  turso_connection_deinit(m_conn);
  m_conn = nullptr;
  if (rc != TURSO_OK) {
    *m_last_error = {to_status(rc), message_or(err.get(), "close failed")};
    throw engine_error(error_code::connection, "close", to_status(rc), m_last_error->message);
  }
}

statement connection::prepare(std::string_view sql) {
  // Not turso_connection_prepare_single: in 0.8.3 it compiles the first statement and silently drops the
  // rest ("CREATE TABLE a(..); CREATE TABLE b(..)" creates only a). prepare_first tells us where the first
  // statement ends, so anything but whitespace/comments after it is refused instead of ignored.
  std::size_t tail = 0;
  std::optional<statement> stmt = prepare_first(sql, tail);
  if (!stmt) {
    *m_last_error = {status::misuse, "SQL text holds no statement"};
    throw engine_error(error_code::query, "prepare", status::misuse, m_last_error->message);
  }
  if (!only_trivia(sql.substr(std::min(tail, sql.size())))) {
    *m_last_error = {status::misuse, "SQL text holds more than one statement (use execute_script)"};
    throw engine_error(error_code::query, "prepare", status::misuse, m_last_error->message);
  }
  return std::move(*stmt);
}

std::optional<statement> connection::prepare_first(std::string_view sql, std::size_t& tail) {
  const std::string text = sql_text(sql);
  turso_statement_t* stmt = nullptr;
  std::size_t tail_idx = 0;
  c_error err;
  const int rc = turso_connection_prepare_first(m_conn, text.c_str(), &stmt, &tail_idx, err.out());
  if (rc != TURSO_OK) {
    *m_last_error = {to_status(rc), message_or(err.get(), "prepare failed")};
    throw engine_error(error_code::query, "prepare", to_status(rc), m_last_error->message);
  }
  if (stmt == nullptr) {
    tail = sql.size();
    return std::nullopt;
  }
  tail = tail_idx;
  return statement(stmt, m_last_error);
}

void connection::execute_script(std::string_view sql) {
  std::size_t offset = 0;
  for (int number = 1; offset < sql.size(); ++number) {
    std::size_t tail = 0;
    std::optional<statement> stmt;
    try {
      stmt = prepare_first(sql.substr(offset), tail);
    } catch (const engine_error& e) {
      throw engine_error(error_code::query, "prepare of script statement " + std::to_string(number),
                         e.engine_status(), e.engine_message());
    }
    if (!stmt) return;
    try {
      stmt->execute();
    } catch (const engine_error& e) {
      throw engine_error(error_code::query, "script statement " + std::to_string(number), e.engine_status(),
                         e.engine_message());
    }
    // A statement always consumes at least one byte; guard anyway so a bad tail can never loop forever.
    if (tail == 0) return;
    offset += tail;
  }
}

std::uint64_t connection::execute(std::string_view sql) {
  return prepare(sql).execute();
}

void connection::set_busy_timeout(std::chrono::milliseconds timeout) {
  turso_connection_set_busy_timeout_ms(m_conn, static_cast<std::int64_t>(timeout.count()));
}

bool connection::autocommit() const {
  return turso_connection_get_autocommit(m_conn);
}

std::int64_t connection::last_insert_rowid() const {
  return turso_connection_last_insert_rowid(m_conn);
}

// ---------------------------------------------------------------- statement

statement::statement(turso_statement* handle, std::shared_ptr<failure> last_error)
    : m_stmt(handle), m_last_error(std::move(last_error)) {}

statement::~statement() {
  release();
}

statement::statement(statement&& other) noexcept
    : m_stmt(std::exchange(other.m_stmt, nullptr)), m_last_error(std::move(other.m_last_error)) {}

statement& statement::operator=(statement&& other) noexcept {
  if (this != &other) {
    release();
    m_stmt = std::exchange(other.m_stmt, nullptr);
    m_last_error = std::move(other.m_last_error);
  }
  return *this;
}

void statement::release() noexcept {
  if (m_stmt == nullptr) return;
  // Not turso_statement_finalize: it would first run an unfinished statement to completion. Dropping the
  // handle resets (aborts) it instead, which is what abandoning a statement should mean.
  turso_statement_deinit(m_stmt);
  m_stmt = nullptr;
}

void statement::fail(std::string operation, int code, const char* message) const {
  if (m_last_error) *m_last_error = {to_status(code), message_or(message, operation + " failed")};
  throw engine_error(error_code::query, std::move(operation), to_status(code),
                     message_or(message, operation + " failed"));
}

void statement::check_bind(std::size_t index, int code, const char* what) const {
  if (code == TURSO_OK) return;
  // Turso's bind functions return a status but no message; name the slot so the failure can be traced.
  const std::string slot = "?" + std::to_string(index);
  std::string message = std::string(what) + " bind of parameter " + slot + " rejected";
  if (code == TURSO_MISUSE) {
    message += " (index out of range 1.." + std::to_string(parameter_count()) + ", or text not UTF-8)";
  }
  fail("bind " + slot, code, message.c_str());
}

std::size_t statement::parameter_count() const {
  const std::int64_t n = turso_statement_parameters_count(m_stmt);
  return n < 0 ? 0 : static_cast<std::size_t>(n);
}

std::optional<std::size_t> statement::parameter_index(const std::string& name) const {
  const std::int64_t pos = turso_statement_named_position(m_stmt, name.c_str());
  if (pos <= 0) return std::nullopt;
  return static_cast<std::size_t>(pos);
}

void statement::bind(std::size_t index, std::int64_t value) {
  check_bind(index, turso_statement_bind_positional_int(m_stmt, index, value), "integer");
}

void statement::bind(std::size_t index, double value) {
  check_bind(index, turso_statement_bind_positional_double(m_stmt, index, value), "real");
}

void statement::bind_text(std::size_t index, std::string_view value) {
  const char* data = value.empty() ? &k_empty : value.data();
  check_bind(index, turso_statement_bind_positional_text(m_stmt, index, data, value.size()), "text");
}

void statement::bind_blob(std::size_t index, std::span<const std::byte> value) {
  const char* data = value.empty() ? &k_empty : reinterpret_cast<const char*>(value.data());
  check_bind(index, turso_statement_bind_positional_blob(m_stmt, index, data, value.size()), "blob");
}

void statement::bind_null(std::size_t index) {
  check_bind(index, turso_statement_bind_positional_null(m_stmt, index), "null");
}

step_result statement::step() {
  for (;;) {
    c_error err;
    const int rc = turso_statement_step(m_stmt, err.out());
    switch (rc) {
      case TURSO_ROW:
        return step_result::row;
      case TURSO_DONE:
        return step_result::done;
      case TURSO_IO: {
        // Only with async_io, which we never set; driving the IO keeps this correct should that change.
        c_error io_err;
        const int io_rc = turso_statement_run_io(m_stmt, io_err.out());
        if (io_rc != TURSO_OK) fail("step (io)", io_rc, io_err.get());
        continue;
      }
      default:
        fail("step", rc, err.get());
    }
  }
}

std::uint64_t statement::execute() {
  // Stepping (rather than turso_statement_execute) keeps one code path for busy/IO handling and errors.
  while (step() == step_result::row) {
  }
  const std::int64_t n = changes();
  return n < 0 ? 0 : static_cast<std::uint64_t>(n);
}

void statement::reset() {
  c_error err;
  const int rc = turso_statement_reset(m_stmt, err.out());
  if (rc != TURSO_OK) fail("reset", rc, err.get());
}

void statement::finalize() {
  if (m_stmt == nullptr) return;
  for (;;) {
    c_error err;
    const int rc = turso_statement_finalize(m_stmt, err.out());
    if (rc == TURSO_IO) {
      c_error io_err;
      if (turso_statement_run_io(m_stmt, io_err.out()) == TURSO_OK) continue;
    }
    release();
    if (rc != TURSO_OK && rc != TURSO_DONE) {
      if (m_last_error) *m_last_error = {to_status(rc), message_or(err.get(), "finalize failed")};
      throw engine_error(error_code::query, "finalize", to_status(rc),
                         message_or(err.get(), "finalize failed"));
    }
    return;
  }
}

std::int64_t statement::changes() const {
  return turso_statement_n_change(m_stmt);
}

std::size_t statement::column_count() const {
  const std::int64_t n = turso_statement_column_count(m_stmt);
  return n < 0 ? 0 : static_cast<std::size_t>(n);
}

std::string statement::column_name(std::size_t index) const {
  return take_string(turso_statement_column_name(m_stmt, index)).value_or(std::string());
}

std::optional<std::string> statement::column_decltype(std::size_t index) const {
  return take_string(turso_statement_column_decltype(m_stmt, index));
}

value_type statement::column_type(std::size_t index) const {
  switch (turso_statement_row_value_kind(m_stmt, index)) {
    case TURSO_TYPE_INTEGER:
      return value_type::integer;
    case TURSO_TYPE_REAL:
      return value_type::real;
    case TURSO_TYPE_TEXT:
      return value_type::text;
    case TURSO_TYPE_BLOB:
      return value_type::blob;
    case TURSO_TYPE_NULL:
      return value_type::null;
    case TURSO_TYPE_UNKNOWN:
      break;
  }
  // UNKNOWN: no current row, or the index is past the last column.
  throw engine_error(
      error_code::query, "column read", status::misuse,
      "no value at column " + std::to_string(index) + " (no current row, or index out of range)");
}

std::int64_t statement::column_int64(std::size_t index) const {
  return turso_statement_row_value_int(m_stmt, index);
}

double statement::column_double(std::size_t index) const {
  return turso_statement_row_value_double(m_stmt, index);
}

std::string_view statement::column_text(std::size_t index) const {
  const std::int64_t n = turso_statement_row_value_bytes_count(m_stmt, index);
  const char* p = turso_statement_row_value_bytes_ptr(m_stmt, index);
  if (n <= 0 || p == nullptr) return {};
  return {p, static_cast<std::size_t>(n)};
}

std::span<const std::byte> statement::column_blob(std::size_t index) const {
  const std::int64_t n = turso_statement_row_value_bytes_count(m_stmt, index);
  const char* p = turso_statement_row_value_bytes_ptr(m_stmt, index);
  if (n <= 0 || p == nullptr) return {};
  return {reinterpret_cast<const std::byte*>(p), static_cast<std::size_t>(n)};
}

}  // namespace pgqrs::detail::turso
