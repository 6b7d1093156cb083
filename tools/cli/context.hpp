#pragma once
// What every command shares: the global options, the store they open (on first use, so `--help` and argument
// errors never connect), and the chosen output format.

#include <iosfwd>
#include <map>
#include <optional>
#include <string>

#include "output.hpp"
#include "pgqrs/config.hpp"
#include "pgqrs/store.hpp"

namespace CLI {
class App;
}

namespace pgqrs::cli {

struct global_options {
  std::optional<std::string> dsn;
  std::optional<std::string> schema;
  std::optional<std::string> config_file;
  std::string format = "table";
  /// Library settings given as flags (`--max-connections 4`), by config field name.
  std::map<std::string, std::string> settings;
};

class context {
 public:
  global_options options;

  /// Adds the global options to the root command (config fields as `--<name>` flags, see config_fields()).
  void add_options(CLI::App& app);

  /// The settings from --config/--dsn/PGQRS_* and the setting flags. @throws config_error, missing_config
  [[nodiscard]] const pgqrs::config& config();
  /// The store, connected on the first call. @throws config_error, connection_error
  [[nodiscard]] const pgqrs::store& store();
  /// The DSN in use (for redacting messages); empty before config() succeeded.
  [[nodiscard]] std::string dsn_for_errors() const;

  /// table or json. @throws usage_error for prometheus, which only `pgqrs metrics` prints
  [[nodiscard]] output_format format() const;
  /// --format prometheus was given.
  [[nodiscard]] bool prometheus() const;
  void print(const listing& list) const;
  void print(const ordered_json& object) const;

 private:
  std::optional<pgqrs::config> m_config;
  std::optional<pgqrs::store> m_store;
};

}  // namespace pgqrs::cli
