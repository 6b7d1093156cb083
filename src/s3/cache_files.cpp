#include "s3/cache_files.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <system_error>

#include "pgqrs/errors.hpp"

namespace pgqrs::detail::s3 {

namespace fs = std::filesystem;

std::string sanitise_for_file_name(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    const bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.';
    if (!keep) c = '_';
  }
  return out;
}

fs::path revision_file(const fs::path& dir, const std::optional<std::string>& etag) {
  if (!etag) return dir / "cache.sqlite";
  return dir / ("cache_" + sanitise_for_file_name(*etag) + ".sqlite");
}

fs::path default_cache_dir(std::string_view bucket, std::string_view key) {
  fs::path base;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg == '/') {
    base = fs::path(xdg);
  } else if (const char* home = std::getenv("HOME"); home != nullptr && *home == '/') {
    base = fs::path(home) / ".cache";
  } else {
    base = fs::temp_directory_path();
  }
  static std::atomic<unsigned> handles{0};
  std::string object = sanitise_for_file_name(std::string(bucket) + "_" + std::string(key));
  return base / "pgqrs" / "s3" / object /
         ("p" + std::to_string(::getpid()) + "-" + std::to_string(handles++));
}

std::string read_whole_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw internal_error("cannot read the local S3 cache file '" + path.string() + "'");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) throw internal_error("reading the local S3 cache file '" + path.string() + "' failed");
  return std::move(bytes).str();
}

void write_file_atomically(const fs::path& path, std::string_view bytes) {
  fs::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) throw internal_error("cannot write the local S3 cache file '" + tmp.string() + "'");
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw internal_error("cannot rename the local S3 cache file to '" + path.string() + "'");
  }
}

std::optional<std::uint32_t> read_change_counter(const fs::path& path) noexcept {
  std::ifstream in(path, std::ios::binary);
  unsigned char b[4];
  if (!in.seekg(24) || !in.read(reinterpret_cast<char*>(b), 4)) return std::nullopt;
  return (std::uint32_t{b[0]} << 24U) | (std::uint32_t{b[1]} << 16U) | (std::uint32_t{b[2]} << 8U) | b[3];
}

void remove_revision_files(const fs::path& dir) noexcept {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("cache") && name.find(".sqlite") != std::string::npos) fs::remove(entry.path(), ec);
  }
}

}  // namespace pgqrs::detail::s3
