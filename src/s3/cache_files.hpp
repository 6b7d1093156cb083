#pragma once
// The S3 backend's local cache directory: where the local copy of the object lives and how its files are
// named (spec §8.1). `cache.sqlite` holds a copy that is not based on any remote revision yet; after the
// first sync or snapshot the copy is `cache_<sanitised ETag>.sqlite`, named after the remote revision it is
// based on, and only that one is kept.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace pgqrs::detail::s3 {

/// Every character outside [A-Za-z0-9-_.] becomes '_' ("etag:1/2" → "_etag_1_2_" with the quotes).
[[nodiscard]] std::string sanitise_for_file_name(std::string_view text);

/// `cache.sqlite` without a revision, else `cache_<sanitised etag>.sqlite`, in `dir`.
[[nodiscard]] std::filesystem::path revision_file(const std::filesystem::path& dir,
                                                  const std::optional<std::string>& etag);

/// Where a store keeps its copy when the configuration names no directory: a directory of its own under
/// $XDG_CACHE_HOME/pgqrs/s3 (else ~/.cache/pgqrs/s3, else the temp directory), named after the bucket and
/// key plus this process and handle, so two stores on one object never share files.
[[nodiscard]] std::filesystem::path default_cache_dir(std::string_view bucket, std::string_view key);

/// The whole file. @throws internal_error when it cannot be read
[[nodiscard]] std::string read_whole_file(const std::filesystem::path& path);
/// Writes `bytes` to a temporary name next to `path`, then renames it over `path`, so `path` never holds
/// half a database. @throws internal_error
void write_file_atomically(const std::filesystem::path& path, std::string_view bytes);
/// SQLite's file change counter (header bytes 24..27): bumped by every commit that changed the file (in
/// rollback-journal mode), so an unchanged value means the last write transaction wrote nothing.
/// nullopt when the header cannot be read.
[[nodiscard]] std::optional<std::uint32_t> read_change_counter(const std::filesystem::path& path) noexcept;
/// Deletes the revision files (`cache.sqlite`, `cache_*.sqlite` and their journals) in `dir`.
void remove_revision_files(const std::filesystem::path& dir) noexcept;

}  // namespace pgqrs::detail::s3
