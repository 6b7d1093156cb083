#include "postgres/pg_connection.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <optional>

#include "core/common/fiber.hpp"
#include "core/common/sqlstate.hpp"
#include "core/db/fault_hooks.hpp"
#include "pgqrs/errors.hpp"
#include "postgres/pg_codec.hpp"

namespace pgqrs::detail {

namespace {

using sqlstate::duplicate_prepared_statement;
using sqlstate::invalid_statement_name;
/// Named statements per connection at most; statements beyond run unnamed (the catalog has far fewer).
constexpr std::size_t max_prepared_statements = 512;


/// libpq messages end with a newline and continue on indented lines: make them one line.
std::string one_line(const char* message) {
  std::string out;
  if (message == nullptr) return out;
  bool pending_space = false;
  for (const char* p = message; *p != '\0'; ++p) {
    if (*p == '\n' || *p == '\r' || *p == '\t') {
      pending_space = true;
      continue;
    }
    if (pending_space && !out.empty()) out.push_back(' ');
    pending_space = false;
    out.push_back(*p);
  }
  return out;
}

void replace_all(std::string& text, std::string_view secret) {
  if (secret.size() < 3) return;  // scrubbing 1-2 characters would shred the message and hide nothing
  for (std::size_t pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos + 3)) {
    text.replace(pos, secret.size(), "***");
  }
}

/// Passwords a URI DSN may carry: user:PASSWORD@host and ?password=PASSWORD (raw, as written).
std::vector<std::string_view> dsn_passwords(std::string_view dsn) {
  std::vector<std::string_view> out;
  if (auto scheme_end = dsn.find("://"); scheme_end != std::string_view::npos) {
    const std::size_t authority = scheme_end + 3;
    std::size_t authority_end = dsn.find_first_of("/?", authority);
    if (authority_end == std::string_view::npos) authority_end = dsn.size();
    const std::size_t at = dsn.rfind('@', authority_end);
    if (at != std::string_view::npos && at >= authority) {
      const std::size_t colon = dsn.find(':', authority);
      if (colon != std::string_view::npos && colon < at) out.push_back(dsn.substr(colon + 1, at - colon - 1));
    }
  }
  for (std::size_t pos = dsn.find("password="); pos != std::string_view::npos;
       pos = dsn.find("password=", pos + 1)) {
    const std::size_t value = pos + 9;
    std::size_t end = dsn.find('&', value);
    if (end == std::string_view::npos) end = dsn.size();
    out.push_back(dsn.substr(value, end - value));
  }
  return out;
}

/// `text` with every password the DSN carries replaced by ***.
std::string scrubbed(std::string text, std::string_view dsn) {
  for (std::string_view p : dsn_passwords(dsn)) replace_all(text, p);
  return text;
}

bool is_port(std::string_view text) {
  if (text.empty() || text.size() > 5) return false;
  unsigned value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return value >= 1 && value <= 65535;
}

std::string_view field(const PGresult* r, int code) {
  const char* v = r == nullptr ? nullptr : PQresultErrorField(r, code);
  return v == nullptr ? std::string_view{} : std::string_view{v};
}

}  // namespace

void check_postgres_dsn(const std::string& dsn) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(dsn.c_str(), &error);
  if (options == nullptr) {
    std::string why = error == nullptr ? std::string("out of memory") : one_line(error);
    PQfreemem(error);
    throw config_error("dsn", "malformed PostgreSQL DSN: " + scrubbed(why, dsn));
  }
  std::string problem;
  for (const PQconninfoOption* o = options; o->keyword != nullptr && problem.empty(); ++o) {
    if (o->val == nullptr) continue;
    const std::string_view key = o->keyword, value = o->val;
    if (key == "port") {
      // A comma-separated list for multi-host DSNs; an empty entry means the default port.
      for (std::size_t start = 0; start <= value.size();) {
        const std::size_t end = std::min(value.find(',', start), value.size());
        const auto port = value.substr(start, end - start);
        if (!port.empty() && !is_port(port)) problem = "invalid port '" + std::string(port) + "'";
        start = end + 1;
      }
    } else if (key == "sslmode" && value != "disable" && value != "allow" && value != "prefer" &&
               value != "require" && value != "verify-ca" && value != "verify-full") {
      problem = "invalid sslmode '" + std::string(value) +
                "' (disable, allow, prefer, require, verify-ca or verify-full)";
    }
  }
  PQconninfoFree(options);
  if (!problem.empty()) throw config_error("dsn", "malformed PostgreSQL DSN: " + scrubbed(problem, dsn));
}

void pg_connection::result_deleter::operator()(pg_result* r) const noexcept {
  PQclear(r);
}

// ---------------------------------------------------------------- connect

pg_connection::pg_connection(const options& opts)
    : m_mode(opts.prepared_statements),
      m_unnamed_only(opts.unnamed_only ? opts.unnamed_only : std::make_shared<std::atomic<bool>>(false)) {
  const std::string timeout = std::to_string(opts.connect_timeout_seconds);
  // Entries before "dbname" are defaults that the DSN (expanded from dbname) overrides.
  const char* const keywords[] = {"application_name", "client_encoding", "connect_timeout", "dbname",
                                  nullptr};
  const char* const values[] = {"pgqrs", "UTF8", timeout.c_str(), opts.dsn.c_str(), nullptr};
  m_conn = PQconnectdbParams(keywords, values, 1);
  if (m_conn == nullptr) throw connection_error("out of memory", "Failed to connect to postgres");
  if (PQstatus(m_conn) != CONNECTION_OK) {
    std::string detail = one_line(PQerrorMessage(m_conn));
    auto text = [](const char* s) { return s == nullptr ? std::string() : std::string(s); };
    const std::string host = text(PQhost(m_conn));
    const std::string db = text(PQdb(m_conn));
    std::string context = "Failed to connect to postgres";
    if (!host.empty() || !db.empty()) context += " at " + host + ":" + text(PQport(m_conn)) + "/" + db;
    // libpq does not print passwords, but a malformed URI is echoed in parts: scrub to be sure.
    for (std::string* s : {&detail, &context}) {
      if (const char* pass = PQpass(m_conn)) replace_all(*s, pass);
      *s = scrubbed(std::move(*s), opts.dsn);
    }
    PQfinish(m_conn);
    m_conn = nullptr;
    throw connection_error(detail, context);
  }
  PQsetNoticeReceiver(m_conn, &pg_connection::on_notice, this);
  if (uses_named_statements()) {
    try {
      if (detect_pooler()) {
        use_generic_plans();
        m_forced_generic_plans = true;
      }
    } catch (...) {
      PQfinish(m_conn);
      m_conn = nullptr;
      throw;
    }
  }
}

bool pg_connection::detect_pooler() {
  // A pooler (PgBouncer, ...) hands the client its own process id/cancel key, not the server's. Behind one,
  // named statements fail as soon as a statement lands on another server backend, possibly inside a
  // transaction where no retry is possible: switch every connection of the database to unnamed statements
  // before the first statement instead of after the first failure.
  result_ptr r(PQexecParams(m_conn, "SELECT pg_backend_pid()", 0, nullptr, nullptr, nullptr, nullptr, 0));
  if (!succeeded(r.get()) || PQntuples(r.get()) != 1) {
    if (PQstatus(m_conn) != CONNECTION_OK) {
      throw connection_error(one_line(PQerrorMessage(m_conn)), "Failed to connect to postgres");
    }
    return false;  // not conclusive: rely on the fallback on error
  }
  const char* text = PQgetvalue(r.get(), 0, 0);
  int server_pid = 0;
  std::from_chars(text, text + std::strlen(text), server_pid);
  const bool direct = server_pid == PQbackendPID(m_conn);
  if (!direct && m_mode == prepared_statements::automatic)
    m_unnamed_only->store(true, std::memory_order_relaxed);
  return direct;
}

void pg_connection::use_generic_plans() {
  // Our statements are short index lookups whose best plan does not depend on the parameter values, but the
  // planner keeps choosing custom plans for the claim on large tables (its generic estimate for `LIMIT $n` is
  // pessimistic) and so re-plans it on every call: +0.1 ms per claim at 10k+ messages. Generic plans make a
  // claim cost the same at any backlog. This is session state, so it is set only on a connection verified to
  // be direct (a pooler would carry it to other clients).
  result_ptr r(PQexec(m_conn, "SET plan_cache_mode = force_generic_plan"));
  if (!succeeded(r.get()) && PQstatus(m_conn) != CONNECTION_OK) {
    throw connection_error(one_line(PQerrorMessage(m_conn)), "Failed to connect to postgres");
  }
}

void pg_connection::replan_when_due() {
  // A generic plan is made once per session, for the table sizes of that moment, and kept until ANALYZE
  // invalidates it. A table that was nearly empty then (a new installation: the run and step tables start
  // empty) and has grown a thousandfold since is still read with the plan for a tiny table, a sequential scan
  // where an index lookup is due, until autovacuum gets to analyse it (its check runs once a minute). Plans
  // made again see the present size. Discarding them each time the statement count has doubled (capped at
  // 65,536) keeps them at most one doubling of growth behind, for a few extra plannings per connection.
  constexpr std::uint64_t max_interval = 65'536;
  if (!m_forced_generic_plans || ++m_statements_since_replan < m_replan_after) return;
  m_statements_since_replan = 0;
  m_replan_after = std::min(m_replan_after * 2, max_interval);
  const exec_result r = exec_simple("DISCARD PLANS");
  if (!r.ok()) throw_failure("discard plans", r, false);
}

void pg_connection::prepare_for_user_sql() {
  // User SQL has no reason to run with the generic plans forced for our own statements (its best plan may
  // well depend on its parameters): back to the server's default for this transaction only.
  if (m_forced_generic_plans && in_transaction()) (void)execute_adhoc("SET LOCAL plan_cache_mode = auto", {});
}

pg_connection::~pg_connection() {
  if (m_conn != nullptr) PQfinish(m_conn);
}

int pg_connection::backend_pid() const {
  return PQbackendPID(m_conn);
}

bool pg_connection::uses_named_statements() const {
  return m_mode == prepared_statements::always ||
         (m_mode == prepared_statements::automatic && !m_unnamed_only->load(std::memory_order_relaxed));
}

// ---------------------------------------------------------------- state

bool pg_connection::in_transaction() const {
  return m_conn == nullptr || PQtransactionStatus(m_conn) != PQTRANS_IDLE;
}

bool pg_connection::healthy() const {
  return !m_broken && m_conn != nullptr && PQstatus(m_conn) == CONNECTION_OK &&
         PQtransactionStatus(m_conn) != PQTRANS_UNKNOWN;
}

void pg_connection::on_notice(void* self, const pg_result* notice) {
  // Notices are dropped, except one: an error the server sends while the session is idle arrives here (libpq
  // hands it to the notice receiver), and a FATAL one is the server saying it is closing the session.
  const std::string_view severity = field(notice, PG_DIAG_SEVERITY_NONLOCALIZED);
  if (severity == "FATAL" || severity == "PANIC" || sqlstate::ends_session(field(notice, PG_DIAG_SQLSTATE))) {
    static_cast<pg_connection*>(self)->m_broken = true;
  }
}

bool pg_connection::check_alive() noexcept {
  if (!healthy()) return false;
  // An idle connection whose server session ended (pg_terminate_backend, a restart) has the server's FATAL
  // message and the end of the stream waiting in its socket. Reading them now (non-blocking) marks the
  // connection bad before a statement is sent on it, so the pool can discard it instead of failing a call.
  // PQconsumeInput only buffers; PQisBusy parses, which hands an idle-time FATAL to on_notice.
  if (PQconsumeInput(m_conn) == 0 || PQstatus(m_conn) != CONNECTION_OK) m_broken = true;
  if (!m_broken) (void)PQisBusy(m_conn);
  return !m_broken && PQstatus(m_conn) == CONNECTION_OK;
}

// ---------------------------------------------------------------- errors

bool pg_connection::succeeded(const pg_result* r) {
  if (r == nullptr) return false;
  switch (PQresultStatus(r)) {
    case PGRES_TUPLES_OK:
    case PGRES_COMMAND_OK:
    case PGRES_EMPTY_QUERY:
    case PGRES_SINGLE_TUPLE:
      return true;
    default:
      return false;
  }
}

void pg_connection::throw_if_connection_lost(const std::string& context, const exec_result& r,
                                             bool self_committing) {
  // A FATAL/PANIC error ends the session (e.g. 57P01 from pg_terminate_backend) even if libpq has not
  // noticed the closed socket yet; class 08 and the shutdown codes say the server (or the pooler in front
  // of it) cannot serve this session any more.
  const pg_result* failure = r.failure.get();
  const std::string_view state = field(failure, PG_DIAG_SQLSTATE);
  const std::string_view severity = field(failure, PG_DIAG_SEVERITY_NONLOCALIZED);
  const bool session_ended = severity == "FATAL" || severity == "PANIC" || PQstatus(m_conn) != CONNECTION_OK ||
                             sqlstate::ends_session(state);
  if (!session_ended) return;
  m_broken = true;
  std::string detail;
  if (const std::string_view primary = field(failure, PG_DIAG_MESSAGE_PRIMARY); !primary.empty()) {
    detail = primary;
  } else {
    detail = one_line(PQerrorMessage(m_conn));
  }
  if (detail.empty()) detail = "connection lost";
  // Whether the change may have been applied. A statement that commits by itself (COMMIT, or a write outside
  // a transaction) commits after the server has sent its result, so: a result before the loss, or a loss
  // without any message from the server (the socket just closed) leaves the outcome unknown. A server error
  // in place of the result means the statement did not complete, so nothing was committed.
  const bool may_have_applied = self_committing && r.sent && (r.success != nullptr || state.empty());
  if (may_have_applied) throw in_doubt_error(detail, context);
  throw connection_error(detail, context, state.empty() ? std::string(sqlstate::connection_failure)
                                                        : std::string(state));
}

void pg_connection::throw_failure(const std::string& query_name, const exec_result& r, bool self_committing) {
  throw_if_connection_lost("query " + query_name, r, self_committing);
  const pg_result* failure = r.failure.get();
  std::string message(field(failure, PG_DIAG_MESSAGE_PRIMARY));
  if (message.empty()) {
    message = one_line(failure != nullptr ? PQresultErrorMessage(failure) : PQerrorMessage(m_conn));
  }
  if (message.empty()) message = "statement failed";
  if (const std::string_view detail = field(failure, PG_DIAG_MESSAGE_DETAIL); !detail.empty()) {
    message += " (";
    message += detail;
    message += ")";
  }
  throw query_error(query_name, std::string(field(failure, PG_DIAG_SQLSTATE)), message);
}

// ---------------------------------------------------------------- statements

void pg_connection::bind_params(std::span<const sql_param> params) {
  if (m_buffers.size() < params.size()) m_buffers.resize(params.size());
  m_values.resize(params.size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (const auto* s = std::get_if<std::string>(&params[i])) {
      m_values[i] = s->c_str();  // text as is: no copy
    } else if (pg::encode_param(params[i], m_buffers[i])) {
      m_values[i] = m_buffers[i].c_str();
    } else {
      m_values[i] = nullptr;  // NULL
    }
  }
}

pg_connection::exec_result pg_connection::collect(bool sent) {
  // What PQexec* does, keeping what it throws away: whether a successful result arrived before an error
  // (a session that ends right after a statement completed reports both).
  exec_result out;
  out.sent = sent;
  if (!sent) return out;
  // Inside a fiber (an event loop's inline call) the wait for each result suspends the call instead of
  // blocking in PQgetResult; elsewhere PQgetResult waits itself, as it always did.
  const bool suspendable = fiber::inside();
  for (;;) {
    if (suspendable) wait_until_not_busy();
    pg_result* raw = PQgetResult(m_conn);
    if (raw == nullptr) break;
    result_ptr r(raw);
    if (succeeded(r.get())) {
      if (!out.success) out.success = std::move(r);
    } else if (!out.failure) {
      out.failure = std::move(r);
    }
  }
  return out;
}

void pg_connection::wait_until_not_busy() {
  // PQisBusy false: PQgetResult will not block. A failed read (the session ended) leaves the connection bad,
  // and PQgetResult then reports that without waiting.
  while (PQisBusy(m_conn) != 0) {
    fiber::wait_readable(PQsocket(m_conn));
    if (PQconsumeInput(m_conn) == 0) return;
  }
}

const unsigned int* pg_connection::types_for_skipped(std::size_t nparams) {
  // A statement of a multi-statement query may skip some parameters ($2 used, $1 not): the server cannot
  // infer a skipped one's type, so declare it text and send NULL.
  if (std::find(m_used.begin(), m_used.end(), false) == m_used.end()) return nullptr;
  m_param_types.assign(nparams, 0);
  m_stmt_values.assign(m_values.begin(), m_values.begin() + static_cast<std::ptrdiff_t>(nparams));
  for (std::size_t i = 0; i < nparams; ++i) {
    if (!m_used[i]) {
      m_param_types[i] = pg::oid::text;
      m_stmt_values[i] = nullptr;
    }
  }
  return m_param_types.data();
}

pg_connection::exec_result pg_connection::exec_unnamed(const std::string& sql, std::size_t nparams,
                                                       const unsigned int* types) {
  const char* const* values = nparams == 0       ? nullptr
                              : types != nullptr ? m_stmt_values.data()
                                                 : m_values.data();
  return collect(PQsendQueryParams(m_conn, sql.c_str(), static_cast<int>(nparams), types, values, nullptr,
                                   nullptr, 1) != 0);
}

pg_connection::exec_result pg_connection::exec_named(const std::string& sql, std::size_t nparams,
                                                     const unsigned int* types) {
  const std::uint64_t hash = m_current_hash != 0 ? m_current_hash : pg::fnv1a64(sql);
  char name[pg::statement_name_length + 1];
  pg::statement_name(hash, name);
  if (!m_prepared.contains(hash)) {
    if (m_prepared.size() >= max_prepared_statements) return exec_unnamed(sql, nparams, types);
    // The types depend only on the SQL text, so the hash-derived name still means one definition.
    exec_result prepared = collect(PQsendPrepare(m_conn, name, sql.c_str(),
                                                 types != nullptr ? static_cast<int>(nparams) : 0, types) != 0);
    if (!prepared.ok()) {
      prepared.success.reset();  // a failed PREPARE executed nothing, whatever else arrived
      return prepared;
    }
    m_prepared.insert(hash);
  }
  const char* const* values = nparams == 0       ? nullptr
                              : types != nullptr ? m_stmt_values.data()
                                                 : m_values.data();
  exec_result r = collect(
      PQsendQueryPrepared(m_conn, name, static_cast<int>(nparams), values, nullptr, nullptr, 1) != 0);
  // The server does not know it (a pooler switched backends, or DEALLOCATE): prepare again next time.
  if (!r.ok() && field(r.failure.get(), PG_DIAG_SQLSTATE) == invalid_statement_name) m_prepared.erase(hash);
  return r;
}

pg_connection::exec_result pg_connection::exec_simple(const char* sql) {
  return collect(PQsendQuery(m_conn, sql) != 0);
}

row_set pg_connection::run_statement(const sql_query& q, const std::string& sql, std::size_t available_params,
                                     bool self_committing) {
  std::size_t nparams = 0;
  m_current_hash = 0;
  if (q.index != sql_query::uncached) {
    auto it = m_statement_meta.find(&sql);
    if (it == m_statement_meta.end()) {
      statement_meta meta;
      meta.nparams = pg::max_placeholder(sql, &meta.used);
      meta.hash = pg::fnv1a64(sql);
      it = m_statement_meta.emplace(&sql, std::move(meta)).first;
    }
    nparams = it->second.nparams;
    m_used = it->second.used;
    m_current_hash = it->second.hash;
  } else {
    nparams = pg::max_placeholder(sql, &m_used);
  }
  if (nparams > available_params) {
    throw internal_error("query '" + q.name + "' uses $" + std::to_string(nparams) + " but got " +
                         std::to_string(available_params) + " parameters");
  }
  const unsigned int* types = types_for_skipped(nparams);
  const bool named = uses_named_statements();
  const bool outside_transaction = PQtransactionStatus(m_conn) == PQTRANS_IDLE;
  exec_result r = named ? exec_named(sql, nparams, types) : exec_unnamed(sql, nparams, types);
  if (r.ok()) return decode(r.success.get());

  if (named && m_mode == prepared_statements::automatic) {
    const std::string_view state = field(r.failure.get(), PG_DIAG_SQLSTATE);
    if (state == invalid_statement_name || state == duplicate_prepared_statement) {
      // A transaction-mode pooler moved us to a backend that lacks (or already has) the statement:
      // named statements cannot work through it, for any connection of this database.
      m_unnamed_only->store(true, std::memory_order_relaxed);
      if (outside_transaction) {
        r = exec_unnamed(sql, nparams, types);
        if (r.ok()) return decode(r.success.get());
      }
    }
  }
  throw_failure(q.name, r, self_committing);
}

row_set pg_connection::decode(const pg_result* r) {
  const int columns = PQnfields(r);
  const int rows = PQntuples(r);
  row_set out(static_cast<std::size_t>(columns));
  if (columns > 0 && rows > 0) {
    m_types.resize(static_cast<std::size_t>(columns));
    for (int c = 0; c < columns; ++c) m_types[static_cast<std::size_t>(c)] = PQftype(r, c);
    out.reserve_rows(static_cast<std::size_t>(rows));
    for (int row = 0; row < rows; ++row) {
      for (int c = 0; c < columns; ++c) {
        // One out-of-line call per cell (also keeps GCC 12 from a false -Wmaybe-uninitialized on variants).
        out.push(pg::decode_cell(m_types[static_cast<std::size_t>(c)], PQgetvalue(r, row, c),
                                 static_cast<std::size_t>(PQgetlength(r, row, c)),
                                 PQgetisnull(r, row, c) != 0));
      }
    }
  }
  const char* tuples = PQcmdTuples(const_cast<pg_result*>(r));  // libpq < 16 takes a non-const pointer
  std::int64_t affected = 0;
  if (tuples != nullptr && *tuples != '\0') std::from_chars(tuples, tuples + std::strlen(tuples), affected);
  out.set_affected(affected);
  return out;
}

row_set pg_connection::run_statements(const sql_query& q, std::size_t available_params) {
  // The result is the rows of the first statement with result columns (a SELECT or a RETURNING clause),
  // the same rule as the SQLite family's.
  std::optional<row_set> result;
  for (const auto& statement : q.statements) {
    row_set rows = run_statement(q, statement, available_params, false);
    if (!result || (result->columns() == 0 && rows.columns() > 0)) result = std::move(rows);
  }
  return std::move(*result);
}

row_set pg_connection::execute(const sql_query& q, std::span<const sql_param> params) {
  if (m_broken) throw connection_error("connection is broken", "query " + q.name);
  bind_params(params);
  if (q.statements.empty()) throw internal_error("query '" + q.name + "' has no statements");
  if (in_transaction()) return run_statements(q, params.size());  // the caller's: a lost connection takes
                                                                  // all of it, uncommitted
  replan_when_due();
  // Outside a transaction a single statement commits by itself, unless it only reads.
  if (q.statements.size() == 1) return run_statement(q, q.statements.front(), params.size(), !q.read_only);

  // Our own transaction; retried once if the named-statement fallback kicked in inside it.
  for (int attempt = 0;; ++attempt) {
    const bool named_before = uses_named_statements();
    begin(tx_mode::write);
    try {
      row_set result = run_statements(q, params.size());
      commit();
      return result;
    } catch (const query_error& e) {
      rollback();
      const bool fell_back =
          e.sqlstate() == invalid_statement_name || e.sqlstate() == duplicate_prepared_statement;
      if (attempt == 0 && named_before && fell_back && !uses_named_statements()) continue;
      throw;
    } catch (...) {
      rollback();
      throw;
    }
  }
}

row_set pg_connection::execute_adhoc(std::string_view sql, std::span<const sql_param> params) {
  if (m_broken) throw connection_error("connection is broken", "ad-hoc query");
  bind_params(params);
  // Unnamed: user SQL is not worth a server-side statement per text, and must never collide with ours.
  const std::string text(sql);
  const std::size_t nparams = pg::max_placeholder(text, &m_used);
  if (nparams > params.size()) {
    throw internal_error("ad-hoc query uses $" + std::to_string(nparams) + " but got " +
                         std::to_string(params.size()) + " parameters");
  }
  const bool self_committing = !in_transaction();
  exec_result r = exec_unnamed(text, nparams, types_for_skipped(nparams));
  if (!r.ok()) throw_failure("adhoc", r, self_committing);
  return decode(r.success.get());
}

void pg_connection::execute_script(std::string_view sql) {
  if (m_broken) throw connection_error("connection is broken", "migration");
  const std::string text(sql);
  exec_result r = exec_simple(text.c_str());
  // Migrations run inside install()'s transaction; outside one a script commits by itself.
  if (!r.ok()) throw_failure("migration", r, !in_transaction());
}

// ---------------------------------------------------------------- transactions

void pg_connection::begin(tx_mode /*mode*/) {
  // PostgreSQL takes row locks as it goes; both modes are a plain BEGIN (no session state either way).
  if (m_broken) throw connection_error("connection is broken", "query BEGIN");
  // PostgreSQL only warns about a nested BEGIN, and the inner COMMIT would commit the outer work: a bug.
  if (in_transaction()) throw internal_error("BEGIN inside an open transaction");
  exec_result r = exec_simple("BEGIN");
  if (!r.ok()) throw_failure("BEGIN", r, false);
}

void pg_connection::commit() {
  if (m_broken) throw connection_error("connection is broken", "query COMMIT");
  exec_result r;
  if (fault_hooks::take_commit_loss()) {
    // Test fault: the COMMIT goes out and its answer is never read, as when the connection dies in between.
    if (PQsendQuery(m_conn, "COMMIT") != 0 && PQflush(m_conn) == 0) {
      m_broken = true;
      throw in_doubt_error("the connection was lost before the answer to COMMIT arrived (injected fault)",
                           "query COMMIT");
    }
    r = collect(false);
  } else {
    r = exec_simple("COMMIT");
  }
  if (r.success) {
    // The simple protocol answers COMMIT after committing: an error that follows (the session ending)
    // does not undo it.
    if (!r.ok()) m_broken = true;
    // COMMIT of a transaction that had an error rolls back and reports success with the tag ROLLBACK.
    if (std::strcmp(PQcmdStatus(r.success.get()), "ROLLBACK") == 0) {
      throw query_error("COMMIT", std::string(sqlstate::transaction_rollback), "transaction was rolled back");
    }
    return;
  }
  throw_failure("COMMIT", r, true);
}

void pg_connection::rollback() noexcept {
  if (m_conn == nullptr || m_broken || PQstatus(m_conn) != CONNECTION_OK) {
    m_broken = true;
    return;
  }
  if (PQtransactionStatus(m_conn) == PQTRANS_IDLE) return;  // nothing to roll back: save the round trip
  // exec_simple, not PQexec: inside a fiber it waits for the answer without blocking the loop.
  if (!exec_simple("ROLLBACK").ok() || PQstatus(m_conn) != CONNECTION_OK) m_broken = true;
}

}  // namespace pgqrs::detail
