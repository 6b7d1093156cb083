#include "context.hpp"

#include <CLI/CLI.hpp>
#include <cctype>
#include <iostream>

#include "arguments.hpp"
#include "pgqrs/errors.hpp"

namespace pgqrs::cli {

namespace {
/// `sqlite.busy_timeout_ms` → `--sqlite-busy-timeout-ms` (config_field's documented flag spelling).
std::string flag_of(std::string_view field) {
  std::string flag = "--";
  for (char c : field) flag += (c == '.' || c == '_') ? '-' : c;
  return flag;
}
std::string upper(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}
}  // namespace

void context::add_options(CLI::App& app) {
  app.add_option("-d,--dsn", options.dsn,
                 "Database: postgresql://..., sqlite:///path.db, turso:///path.db, s3://bucket/key.sqlite "
                 "(default: $PGQRS_DSN, then the config file)");
  app.add_option("-s,--schema", options.schema, "PostgreSQL schema of the pgqrs tables (default public)");
  app.add_option("-c,--config", options.config_file, "YAML configuration file (the library's format)");
  app.add_option("-f,--format", options.format,
                 "Output: table (aligned columns), json, or prometheus (`pgqrs metrics` only)")
      ->check(CLI::IsMember({"table", "json", "prometheus"}));
  // Every other library setting, declared once in config_fields(): same names as the YAML keys.
  for (const auto& field : config_fields()) {
    if (field.name == "dsn" || field.name == "schema") continue;
    app.add_option(flag_of(field.name), options.settings[std::string(field.name)],
                   std::string(field.description) + " (" + std::string(field.env) + ")")
        ->type_name(upper(field.type))
        ->group("Settings");
  }
}

const pgqrs::config& context::config() {
  if (m_config) return *m_config;
  pgqrs::config cfg;
  if (options.config_file) {
    cfg = config::from_file(*options.config_file);
    if (options.dsn) set_config_field(cfg, "dsn", *options.dsn, "--dsn");
  } else {
    try {
      cfg = config::load_with_options(options.dsn, std::nullopt);
    } catch (const missing_config&) {
      // The library names the missing field; on the command line, say where a database can come from.
      throw usage_error("no database given: use --dsn, $PGQRS_DSN, --config FILE, $PGQRS_CONFIG_FILE or ./pgqrs.yaml");
    }
  }
  if (options.schema) cfg = cfg.with_schema(*options.schema);
  for (const auto& [name, text] : options.settings) {
    if (!text.empty()) set_config_field(cfg, name, text, flag_of(name));
  }
  m_config = std::move(cfg);
  return *m_config;
}

const pgqrs::store& context::store() {
  if (!m_store) m_store = pgqrs::connect(config());
  return *m_store;
}

std::string context::dsn_for_errors() const {
  if (m_config) return m_config->dsn;
  return options.dsn.value_or("");
}

output_format context::format() const {
  return options.format == "json" ? output_format::json : output_format::table;
}

bool context::prometheus() const {
  return options.format == "prometheus";
}

void context::print(const listing& list) const {
  print_listing(std::cout, format(), list);
}

void context::print(const ordered_json& object) const {
  print_object(std::cout, format(), object);
}

}  // namespace pgqrs::cli
