#include "output.hpp"

#include <ostream>

#include "table.hpp"

namespace pgqrs::cli {

namespace {
// Long payloads would push every later column off the screen; the JSON format shows them whole.
constexpr std::size_t max_cell_chars = 60;

std::string shortened(std::string text) {
  if (tools::display_width(text) <= max_cell_chars) return text;
  std::size_t chars = 0;
  std::size_t cut = 0;
  for (; cut < text.size(); ++cut) {
    if ((static_cast<unsigned char>(text[cut]) & 0xC0) != 0x80 && chars++ == max_cell_chars - 3) break;
  }
  return text.substr(0, cut) + "...";
}
}  // namespace

std::string cell_text(const ordered_json& value) {
  if (value.is_null()) return "N/A";
  if (value.is_string()) return shortened(value.get<std::string>());
  return shortened(value.dump());
}

void print_listing(std::ostream& out, output_format format, const listing& list) {
  if (format == output_format::json) {
    out << ordered_json(list.rows).dump(2) << "\n";
    return;
  }
  std::vector<std::vector<std::string>> cells;
  for (const auto& row : list.rows) {
    auto& line = cells.emplace_back();
    for (const auto& column : list.columns) line.push_back(cell_text(row.value(column, ordered_json())));
  }
  out << tools::render_table(list.columns, cells);
}

void print_object(std::ostream& out, output_format format, const ordered_json& object) {
  if (format == output_format::json) {
    out << object.dump(2) << "\n";
    return;
  }
  std::vector<std::vector<std::string>> cells;
  for (const auto& [key, value] : object.items()) cells.push_back({key, cell_text(value)});
  out << tools::render_table({"field", "value"}, cells);
}

}  // namespace pgqrs::cli
