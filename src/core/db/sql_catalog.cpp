#include "core/db/sql_catalog.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "pgqrs/errors.hpp"

namespace pgqrs::detail {

namespace {

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (std::size_t pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

/// Splits a block into statements: a statement ends at a `;` that ends a line. Our SQL never has such a
/// `;` inside a string literal, so this is enough and keeps the files plain.
std::vector<std::string> split_statements(std::string_view block) {
  std::vector<std::string> out;
  std::string current;
  std::size_t start = 0;
  while (start < block.size()) {
    std::size_t end = block.find('\n', start);
    if (end == std::string_view::npos) end = block.size();
    std::string_view line = block.substr(start, end - start);
    std::string_view stripped = trim(line);
    if (!stripped.starts_with("--")) {
      current.append(line);
      current.push_back('\n');
      if (stripped.ends_with(";")) {
        std::string_view stmt = trim(current);
        stmt.remove_suffix(1);  // the ';' (libpq's extended protocol takes one statement without it)
        out.emplace_back(trim(stmt));
        current.clear();
      }
    }
    start = end + 1;
  }
  if (!trim(current).empty()) out.emplace_back(trim(current));
  return out;
}

/// A `-- name:` (query) or `-- fragment:` block of a query file; it ends where the next block begins.
struct sql_block {
  bool fragment = false;
  std::string name;
  std::string_view body;
};

std::vector<sql_block> blocks_of(std::string_view text) {
  constexpr std::string_view query_marker = "-- name:";
  constexpr std::string_view fragment_marker = "-- fragment:";
  const auto next_marker = [&](std::size_t from) {
    return std::min(text.find(query_marker, from), text.find(fragment_marker, from));
  };
  std::vector<sql_block> out;
  for (std::size_t pos = next_marker(0); pos != std::string_view::npos;) {
    const bool fragment = text.substr(pos).starts_with(fragment_marker);
    const std::size_t name_start = pos + (fragment ? fragment_marker : query_marker).size();
    std::size_t name_end = text.find('\n', pos);
    if (name_end == std::string_view::npos) name_end = text.size();
    const std::size_t next = next_marker(name_end);
    out.push_back({fragment, std::string(trim(text.substr(name_start, name_end - name_start))),
                   text.substr(name_end, (next == std::string_view::npos ? text.size() : next) - name_end)});
    pos = next;
  }
  return out;
}

/// `body` with every `{fragment:NAME}` replaced by that fragment's SQL.
std::string with_fragments(std::string body, const std::unordered_map<std::string, std::string>& fragments,
                           const std::string& query) {
  constexpr std::string_view open = "{fragment:";
  for (std::size_t pos = body.find(open); pos != std::string::npos; pos = body.find(open, pos)) {
    const std::size_t close = body.find('}', pos);
    if (close == std::string::npos) throw internal_error("query '" + query + "' has an unclosed {fragment:");
    const std::string name = body.substr(pos + open.size(), close - pos - open.size());
    auto it = fragments.find(name);
    if (it == fragments.end()) throw internal_error("query '" + query + "' uses unknown fragment '" + name + "'");
    body.replace(pos, close + 1 - pos, it->second);
    pos += it->second.size();
  }
  return body;
}

bool starts_with_select(const std::string& statement) {
  constexpr std::string_view keyword = "SELECT";
  if (statement.size() < keyword.size()) return false;
  for (std::size_t i = 0; i < keyword.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(statement[i])) != keyword[i]) return false;
  }
  return statement.size() == keyword.size() || std::isspace(static_cast<unsigned char>(statement[keyword.size()]));
}

}  // namespace

sql_catalog::sql_catalog(std::string_view dialect, std::string_view quoted_schema) {
  const std::string queries_prefix = std::string(dialect) + "/queries/";
  const std::string migrations_prefix = std::string(dialect) + "/migrations/";
  // Fragments first: a query may include one defined further on or in another file.
  std::unordered_map<std::string, std::string> fragments;
  for (const auto& file : embedded_sql_files()) {
    if (!std::string_view(file.path).starts_with(queries_prefix)) continue;
    for (const auto& b : blocks_of(file.text)) {
      if (b.fragment && !fragments.emplace(b.name, std::string(trim(b.body))).second) {
        throw internal_error("duplicate SQL fragment '" + b.name + "' in " + std::string(file.path));
      }
    }
  }
  for (const auto& file : embedded_sql_files()) {
    std::string_view path = file.path;
    if (path.starts_with(queries_prefix)) {
      add_query_file(path, file.text, quoted_schema, fragments);
    } else if (path.starts_with(migrations_prefix)) {
      add_migration_file(path.substr(migrations_prefix.size()), file.text, quoted_schema);
    }
  }
  std::sort(m_migrations.begin(), m_migrations.end(),
            [](const sql_migration& a, const sql_migration& b) { return a.version < b.version; });
  for (std::size_t i = 1; i < m_migrations.size(); ++i) {
    if (m_migrations[i].version == m_migrations[i - 1].version) {
      throw internal_error("duplicate migration version " + std::to_string(m_migrations[i].version));
    }
  }
}

void sql_catalog::add_query_file(std::string_view path, std::string_view text, std::string_view quoted_schema,
                                 const std::unordered_map<std::string, std::string>& fragments) {
  for (const auto& b : blocks_of(text)) {
    if (b.fragment) continue;
    std::string substituted =
        replace_all(with_fragments(std::string(b.body), fragments, b.name), "{schema}", quoted_schema);
    sql_query q{b.name, split_statements(substituted), m_queries.size()};
    q.read_only = std::all_of(q.statements.begin(), q.statements.end(), starts_with_select);
    if (q.statements.empty())
      throw internal_error("query '" + b.name + "' in " + std::string(path) + " is empty");
    if (!m_by_name.emplace(b.name, q.index).second) {
      throw internal_error("duplicate query name '" + b.name + "' in " + std::string(path));
    }
    m_queries.push_back(std::move(q));
  }
}

void sql_catalog::add_migration_file(std::string_view file, std::string_view text,
                                     std::string_view quoted_schema) {
  // NNNN_description.sql
  int version = 0;
  auto [ptr, ec] = std::from_chars(file.data(), file.data() + file.size(), version);
  if (ec != std::errc{} || ptr == file.data() || *ptr != '_' || !file.ends_with(".sql")) {
    throw internal_error("migration file name must be NNNN_description.sql: " + std::string(file));
  }
  std::string_view rest = file.substr(static_cast<std::size_t>(ptr - file.data()) + 1);
  rest.remove_suffix(4);
  m_migrations.push_back(
      {version, std::string(rest), replace_all(std::string(text), "{schema}", quoted_schema)});
}

const sql_query& sql_catalog::query(std::string_view name) const {
  auto it = m_by_name.find(std::string(name));
  if (it == m_by_name.end()) throw internal_error("unknown SQL query '" + std::string(name) + "'");
  return m_queries[it->second];
}

}  // namespace pgqrs::detail
