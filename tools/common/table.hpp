#pragma once
// Aligned text tables for the command-line tools (the `pgqrs` CLI's default output, pgqrs-bench --list).

#include <string>
#include <vector>

namespace pgqrs::tools {

/// Renders `rows` under `headers`: every column as wide as its widest cell (counted in UTF-8 characters, so
/// non-ASCII payloads do not shift the columns after them), two spaces between columns, a rule of dashes under
/// the header, no trailing spaces. Rows shorter than the header get empty cells.
[[nodiscard]] std::string render_table(const std::vector<std::string>& headers,
                                       const std::vector<std::vector<std::string>>& rows);

/// Number of UTF-8 characters in `text` (bytes that do not continue a multi-byte sequence).
[[nodiscard]] std::size_t display_width(const std::string& text);

}  // namespace pgqrs::tools
