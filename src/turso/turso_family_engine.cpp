#include "turso/turso_family_engine.hpp"

#include <cctype>
#include <utility>

namespace pgqrs::detail::turso {

using sqlite_family::fault;
using family_engine_error = sqlite_family::engine_error;

namespace {

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

fault fault_of(const engine_error& e) {
  const std::string_view message = e.engine_message();
  switch (e.engine_status()) {
    case status::busy:
      return fault::busy;
    case status::busy_snapshot:
      return fault::busy_snapshot;
    case status::constraint:
      // Turso's status says only "constraint"; its messages use SQLite's texts.
      if (contains(message, "UNIQUE constraint") || contains(message, "PRIMARY KEY constraint"))
        return fault::unique;
      if (contains(message, "FOREIGN KEY constraint")) return fault::foreign_key;
      if (contains(message, "CHECK constraint")) return fault::check;
      if (contains(message, "NOT NULL constraint")) return fault::not_null;
      return fault::constraint;
    case status::readonly:
      return fault::read_only;
    case status::database_full:
      return fault::full;
    case status::notadb:
      return fault::not_a_database;
    case status::corrupt:
      return fault::corrupt;
    case status::ioerr:
      return fault::io;
    case status::misuse:
      if (contains(message, "more than one statement")) return fault::several_statements;
      return fault::other;
    default:
      // Prepare against a missing table is a plain error ("Parse error: no such table: x").
      if (contains(message, "no such table")) return fault::missing_table;
      if (contains(message, "locked by another process")) return fault::cant_open;
      return fault::other;
  }
}

/// Runs `call`, turning a failure of our Turso layer into the family's engine_error.
template <typename Call>
decltype(auto) translated(Call&& call) {
  try {
    return std::forward<Call>(call)();
  } catch (const engine_error& e) {
    throw family_error(e);
  }
}

/// The first word of `sql` after whitespace and comments, upper-cased.
std::string first_keyword(std::string_view sql) {
  std::size_t i = skip_trivia(sql, "(");  // "(SELECT ...) UNION ..." starts with a SELECT too
  std::string word;
  while (i < sql.size() && (std::isalpha(static_cast<unsigned char>(sql[i])) != 0)) {
    word.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(sql[i]))));
    ++i;
  }
  return word;
}

/// `sql` holds `word` as a whole word, in any case.
bool names_word(std::string_view sql, std::string_view word) {
  auto is_word_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; };
  for (std::size_t i = 0; i + word.size() <= sql.size(); ++i) {
    bool match = true;
    for (std::size_t k = 0; k < word.size() && match; ++k) {
      match = std::toupper(static_cast<unsigned char>(sql[i + k])) == word[k];
    }
    if (!match) continue;
    const bool starts = i == 0 || !is_word_char(sql[i - 1]);
    const bool ends = i + word.size() == sql.size() || !is_word_char(sql[i + word.size()]);
    if (starts && ends) return true;
  }
  return false;
}

class turso_family_statement final : public sqlite_family::engine_statement {
 public:
  turso_family_statement(statement stmt, bool read_only, std::shared_ptr<std::int64_t> changes)
      : m_stmt(std::move(stmt)), m_read_only(read_only), m_changes(std::move(changes)) {}

  [[nodiscard]] int parameter_count() const override { return static_cast<int>(m_stmt.parameter_count()); }
  void bind_null(int index) override {
    translated([&] { m_stmt.bind_null(slot(index)); });
  }
  void bind_int64(int index, std::int64_t value) override {
    translated([&] { m_stmt.bind(slot(index), value); });
  }
  void bind_double(int index, double value) override {
    translated([&] { m_stmt.bind(slot(index), value); });
  }
  void bind_text(int index, std::string_view value) override {
    translated([&] { m_stmt.bind_text(slot(index), value); });
  }

  bool step() override {
    const step_result r = translated([&] { return m_stmt.step(); });
    if (r == step_result::row) return true;
    if (!m_read_only) *m_changes = m_stmt.changes();
    return false;
  }
  void reset() noexcept override {
    try {
      m_stmt.reset();  // Turso's reset also clears the bindings
    } catch (const engine_error&) {
      // A failed step already ended the execution; the next step starts over either way.
    }
  }

  [[nodiscard]] int column_count() const override { return static_cast<int>(m_stmt.column_count()); }
  [[nodiscard]] sql_value column(int index) const override {
    const auto i = static_cast<std::size_t>(index);
    switch (translated([&] { return m_stmt.column_type(i); })) {
      case value_type::integer:
        return sql_value{std::in_place_type<std::int64_t>, m_stmt.column_int64(i)};
      case value_type::real:
        return sql_value{std::in_place_type<double>, m_stmt.column_double(i)};
      case value_type::text: {
        const std::string_view text = m_stmt.column_text(i);
        return sql_value{std::in_place_type<std::string>, text};
      }
      case value_type::blob: {
        const auto bytes = m_stmt.column_blob(i);
        return sql_value{std::in_place_type<std::string>, reinterpret_cast<const char*>(bytes.data()),
                         bytes.size()};
      }
      case value_type::null:
        break;
    }
    return sql_value{};
  }
  [[nodiscard]] bool read_only() const override { return m_read_only; }

 private:
  static std::size_t slot(int index) { return static_cast<std::size_t>(index); }

  statement m_stmt;
  bool m_read_only;
  std::shared_ptr<std::int64_t> m_changes;
};

}  // namespace

family_engine_error family_error(const engine_error& e) {
  return family_engine_error(fault_of(e), static_cast<int>(e.engine_status()),
                             e.engine_message() + " (turso " + status_name(e.engine_status()) + ")");
}

bool reads_only(std::string_view sql) {
  const std::string keyword = first_keyword(sql);
  if (keyword == "SELECT" || keyword == "VALUES" || keyword == "EXPLAIN") return true;
  if (keyword != "WITH") return false;
  return !names_word(sql, "INSERT") && !names_word(sql, "UPDATE") && !names_word(sql, "DELETE") &&
         !names_word(sql, "REPLACE");
}

// ---------------------------------------------------------------- shared_database

shared_database::shared_database(const open_options& options)
    : m_db(options), m_memory(options.path == ":memory:"), m_read_only(options.read_only) {}

shared_database::~shared_database() {
  if (m_memory || m_read_only) return;
  try {
    connection last = m_db.connect();
    last.execute_script("PRAGMA wal_checkpoint(TRUNCATE)");
  } catch (const engine_error&) {
    // The WAL stays and is replayed by the next opener: nothing committed is lost, the file is just not
    // self-contained until then.
  }
}

// ---------------------------------------------------------------- turso_family_engine

turso_family_engine::turso_family_engine(std::shared_ptr<const shared_database> db)
    : m_db(std::move(db)),
      m_conn(translated([&] { return m_db->connect(); })),
      m_changes(std::make_shared<std::int64_t>(0)) {}

turso_family_engine::~turso_family_engine() = default;

std::unique_ptr<sqlite_family::engine_statement> turso_family_engine::prepare(const std::string& sql) {
  std::size_t tail = 0;
  std::optional<statement> stmt = translated([&] { return m_conn.prepare_first(sql, tail); });
  if (!stmt) return nullptr;  // only comments
  // Anything after the first statement (bar whitespace, ';' and comments) would be silently dropped.
  if (!only_trivia(std::string_view(sql).substr(std::min(tail, sql.size())))) {
    throw family_engine_error(fault::several_statements, static_cast<int>(status::misuse),
                              "the SQL text holds more than one statement");
  }
  return std::make_unique<turso_family_statement>(std::move(*stmt), reads_only(sql), m_changes);
}

void turso_family_engine::execute_script(const std::string& sql) {
  translated([&] { m_conn.execute_script(sql); });
}

bool turso_family_engine::autocommit() const {
  return m_conn.autocommit();
}

}  // namespace pgqrs::detail::turso
