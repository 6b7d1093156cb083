// User SQL inside transactional steps: public value types converted at the driver seam.

#include <type_traits>

#include "pgqrs/workflow.hpp"
#include "workflow/run_context.hpp"

namespace pgqrs {

namespace {

detail::sql_param to_param(const sql_arg& a) {
  return std::visit(
      [](const auto& v) -> detail::sql_param {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::nullptr_t>) {
          return std::monostate{};
        } else {
          return v;
        }
      },
      a);
}

const sql_cell& cell(const sql_rows& r, std::size_t row, std::size_t col) {
  if (row >= r.rows.size() || col >= r.rows[row].size()) {
    throw validation_error("no cell (" + std::to_string(row) + ", " + std::to_string(col) + ") in the result");
  }
  return r.rows[row][col];
}

}  // namespace

std::int64_t sql_rows::int64(std::size_t row, std::size_t col) const {
  const auto& c = cell(*this, row, col);
  if (const auto* v = std::get_if<std::int64_t>(&c)) return *v;
  throw validation_error("cell (" + std::to_string(row) + ", " + std::to_string(col) + ") is not an integer");
}

const std::string& sql_rows::text(std::size_t row, std::size_t col) const {
  const auto& c = cell(*this, row, col);
  if (const auto* v = std::get_if<std::string>(&c)) return *v;
  throw validation_error("cell (" + std::to_string(row) + ", " + std::to_string(col) + ") is not text");
}

bool sql_rows::is_null(std::size_t row, std::size_t col) const {
  return std::holds_alternative<std::monostate>(cell(*this, row, col));
}

sql_rows transaction::execute(std::string_view sql, const std::vector<sql_arg>& params) {
  std::vector<detail::sql_param> bound;
  bound.reserve(params.size());
  for (const auto& p : params) bound.push_back(to_param(p));
  auto rows = detail::run_access::conn(*this).execute_adhoc(sql, bound);
  sql_rows out;
  out.affected = rows.affected();
  out.rows.reserve(rows.size());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    std::vector<sql_cell> row;
    row.reserve(rows.columns());
    for (std::size_t c = 0; c < rows.columns(); ++c) {
      row.push_back(std::visit([](const auto& v) -> sql_cell { return v; }, rows.at(r, c)));
    }
    out.rows.push_back(std::move(row));
  }
  return out;
}

std::string_view transaction::dialect() const {
  return m_dialect;
}

}  // namespace pgqrs
