#include "core/db/row_set.hpp"

#include <chrono>

#include "pgqrs/errors.hpp"

namespace pgqrs::detail {

namespace {
[[noreturn]] void bad_cell(std::size_t row, std::size_t col, const char* wanted) {
  throw internal_error("result cell (" + std::to_string(row) + ", " + std::to_string(col) + ") is not " +
                       wanted);
}
}  // namespace

const sql_value& row_set::at(std::size_t row, std::size_t col) const {
  if (col >= m_columns || row >= size()) {
    throw internal_error("result cell (" + std::to_string(row) + ", " + std::to_string(col) +
                         ") out of range");
  }
  return m_cells[row * m_columns + col];
}

bool row_set::is_null(std::size_t row, std::size_t col) const {
  return std::holds_alternative<std::monostate>(at(row, col));
}

std::int64_t row_set::i64(std::size_t row, std::size_t col) const {
  const auto& v = at(row, col);
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  bad_cell(row, col, "an integer");
}

std::optional<std::int64_t> row_set::opt_i64(std::size_t row, std::size_t col) const {
  if (is_null(row, col)) return std::nullopt;
  return i64(row, col);
}

double row_set::f64(std::size_t row, std::size_t col) const {
  const auto& v = at(row, col);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  bad_cell(row, col, "a number");
}

bool row_set::boolean(std::size_t row, std::size_t col) const {
  return i64(row, col) != 0;
}

const std::string& row_set::text(std::size_t row, std::size_t col) const {
  const auto& v = at(row, col);
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  bad_cell(row, col, "text");
}

std::optional<std::string> row_set::opt_text(std::size_t row, std::size_t col) const {
  if (is_null(row, col)) return std::nullopt;
  return text(row, col);
}

timestamp row_set::ts(std::size_t row, std::size_t col) const {
  const auto& v = at(row, col);
  if (const auto* t = std::get_if<timestamp>(&v)) return *t;
  // The SQLite family stores timestamps as integer microseconds since the Unix epoch.
  if (const auto* i = std::get_if<std::int64_t>(&v)) return timestamp{std::chrono::microseconds{*i}};
  bad_cell(row, col, "a timestamp");
}

std::optional<timestamp> row_set::opt_ts(std::size_t row, std::size_t col) const {
  if (is_null(row, col)) return std::nullopt;
  return ts(row, col);
}

}  // namespace pgqrs::detail
