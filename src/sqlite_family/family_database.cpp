#include "sqlite_family/family_database.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>

#include "core/db/connection_pool.hpp"

namespace pgqrs::detail::sqlite_family {

namespace {
/// More connections than this only add lock contention: the family has one writer, and readers are cheap.
constexpr std::uint32_t max_family_connections = 8;
}  // namespace

std::unique_ptr<database> open_family_database(backend_kind kind, const config& cfg, engine_factory open_engine,
                                               family_options options, std::shared_ptr<write_gate> gate) {
  auto open = [open_engine = std::move(open_engine), options = std::move(options), gate]() {
    std::unique_ptr<engine_connection> engine;
    try {
      engine = open_engine();
    } catch (const engine_error& e) {
      throw open_error(e, options.description);
    }
    return std::make_unique<family_connection>(std::move(engine), options, gate);
  };
  auto first = open();
  const std::size_t size =
      first->is_memory() ? 1 : std::clamp<std::uint32_t>(cfg.max_connections, 1, max_family_connections);
  const auto acquire_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::min(cfg.connection_timeout, std::chrono::seconds(std::chrono::hours(24 * 365))));

  // The factory hands out the eagerly opened connection first (its only call before this function returns),
  // then opens new ones.
  auto stash = std::make_shared<std::unique_ptr<connection>>(std::move(first));
  connection_pool::factory factory = [open = std::move(open), stash]() -> std::unique_ptr<connection> {
    if (*stash) return std::move(*stash);
    return open();
  };
  auto pool = std::make_shared<connection_pool>(std::move(factory), size, acquire_timeout);
  { auto warm = pool->acquire(); }  // puts the eager connection into the pool's idle list
  // No array parameters, index entries deleted in place (no claim floors), one schema, one host, in process.
  capabilities caps;
  caps.in_process = true;
  return std::make_unique<database>(kind, "sqlite", caps, "main", std::move(pool));
}

}  // namespace pgqrs::detail::sqlite_family
