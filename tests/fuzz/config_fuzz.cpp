// The configuration loaders on arbitrary input: a YAML file (config::from_file) and single fields by name
// (set_config_field, what from_env and the command line go through). Bad input is refused with a
// config_error (or another pgqrs::error), never with a yaml-cpp or std exception, and never crashes.
//
// Input layout: the first byte picks the mode; YAML mode writes the rest to a file (from_file reads paths),
// field mode splits the rest at the first '=' into a field name and its text.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <pgqrs/config.hpp>

#include "fuzz_support.hpp"

namespace {

const std::filesystem::path& scratch_file() {
  static const std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("pgqrs-config-fuzz-" + std::to_string(getpid()) + ".yaml");
  return path;
}

void fuzz_yaml(std::string_view text) {
  {
    std::ofstream out(scratch_file(), std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
  }
  pgqrs::fuzz::refuse_only_with_pgqrs_errors([] { (void)pgqrs::config::from_file(scratch_file()); });
}

void fuzz_field(std::string_view text) {
  const auto equals = text.find('=');
  const std::string_view name = text.substr(0, equals);
  const std::string_view value = equals == std::string_view::npos ? std::string_view{} : text.substr(equals + 1);
  pgqrs::fuzz::refuse_only_with_pgqrs_errors([&] {
    pgqrs::config cfg = pgqrs::config::from_dsn("sqlite::memory:");
    pgqrs::set_config_field(cfg, name, value, "fuzz");
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view rest = pgqrs::fuzz::as_text(data + 1, size - 1);
  if (data[0] % 2 == 0) {
    fuzz_yaml(rest);
  } else {
    fuzz_field(rest);
  }
  return 0;
}
