#pragma once
// How command results are printed: `--format table` (aligned columns for people, the default) or `--format json`
// (one JSON document for scripts). Every command builds its result as JSON values whose key order is the
// column order, so both formats come from one value and cannot disagree.

#include <iosfwd>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace pgqrs::cli {

using ordered_json = nlohmann::ordered_json;

enum class output_format { table, json };

/// Records of one kind: a table with a header row, or a JSON array of objects.
struct listing {
  std::vector<std::string> columns;
  std::vector<ordered_json> rows;
};

/// A list: columns in table form, an array in JSON.
void print_listing(std::ostream& out, output_format format, const listing& list);
/// One record or the outcome of an action: `field  value` lines in table form, an object in JSON.
void print_object(std::ostream& out, output_format format, const ordered_json& object);

/// A value as a table cell: strings as they are, null as "N/A" (as the original's tables did), objects and
/// arrays as compact JSON cut to a readable width (the JSON format has them whole).
[[nodiscard]] std::string cell_text(const ordered_json& value);

}  // namespace pgqrs::cli
