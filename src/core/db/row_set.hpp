#pragma once
// The rows a statement returned, decoded by the driver into driver-independent values.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/db/sql_value.hpp"

namespace pgqrs::detail {

class row_set {
 public:
  row_set() = default;
  explicit row_set(std::size_t columns) : m_columns(columns) {}

  [[nodiscard]] std::size_t size() const { return m_columns == 0 ? 0 : m_cells.size() / m_columns; }
  [[nodiscard]] bool empty() const { return size() == 0; }
  [[nodiscard]] std::size_t columns() const { return m_columns; }

  /// Rows changed by a statement without RETURNING (UPDATE/DELETE/INSERT count).
  [[nodiscard]] std::int64_t affected() const { return m_affected; }
  void set_affected(std::int64_t n) { m_affected = n; }

  void reserve_rows(std::size_t rows) { m_cells.reserve(rows * m_columns); }
  /// Appends one cell; cells fill rows left to right.
  void push(sql_value v) { m_cells.push_back(std::move(v)); }

  [[nodiscard]] const sql_value& at(std::size_t row, std::size_t col) const;
  [[nodiscard]] bool is_null(std::size_t row, std::size_t col) const;

  // Typed accessors; each throws internal_error when the cell has an unexpected type (a SQL/driver bug).
  [[nodiscard]] std::int64_t i64(std::size_t row, std::size_t col) const;
  [[nodiscard]] std::optional<std::int64_t> opt_i64(std::size_t row, std::size_t col) const;
  [[nodiscard]] double f64(std::size_t row, std::size_t col) const;
  [[nodiscard]] bool boolean(std::size_t row, std::size_t col) const;
  [[nodiscard]] const std::string& text(std::size_t row, std::size_t col) const;
  [[nodiscard]] std::optional<std::string> opt_text(std::size_t row, std::size_t col) const;
  [[nodiscard]] timestamp ts(std::size_t row, std::size_t col) const;
  [[nodiscard]] std::optional<timestamp> opt_ts(std::size_t row, std::size_t col) const;

 private:
  std::size_t m_columns = 0;
  std::vector<sql_value> m_cells;
  std::int64_t m_affected = 0;
};

}  // namespace pgqrs::detail
