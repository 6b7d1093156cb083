#include "table.hpp"

#include <algorithm>

namespace pgqrs::tools {

std::size_t display_width(const std::string& text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

namespace {
void append_row(std::string& out, const std::vector<std::string>& cells, const std::vector<std::size_t>& widths) {
  std::string line;
  for (std::size_t col = 0; col < widths.size(); ++col) {
    const std::string cell = col < cells.size() ? cells[col] : std::string();
    line += cell;
    if (col + 1 < widths.size()) line.append(widths[col] - display_width(cell) + 2, ' ');
  }
  // The last column may be empty in this row: no padding left dangling at the end of the line.
  line.erase(line.find_last_not_of(' ') + 1);
  out += line;
  out += '\n';
}
}  // namespace

std::string render_table(const std::vector<std::string>& headers, const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& h : headers) widths.push_back(display_width(h));
  for (const auto& row : rows) {
    for (std::size_t col = 0; col < widths.size() && col < row.size(); ++col) {
      widths[col] = std::max(widths[col], display_width(row[col]));
    }
  }
  std::string out;
  append_row(out, headers, widths);
  std::vector<std::string> rule;
  for (auto w : widths) rule.emplace_back(w, '-');
  append_row(out, rule, widths);
  for (const auto& row : rows) append_row(out, row, widths);
  return out;
}

}  // namespace pgqrs::tools
