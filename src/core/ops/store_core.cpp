#include "core/ops/store_core.hpp"

#include <chrono>
#include <random>
#include <thread>

#include "pgqrs/errors.hpp"

namespace pgqrs::detail {

void conflict_pause(int attempt) {
  thread_local std::minstd_rand rng{std::random_device{}()};
  const int ceiling_ms = 5 * (attempt + 1);
  std::this_thread::sleep_for(
      std::chrono::milliseconds(1 + static_cast<int>(rng() % static_cast<unsigned>(ceiling_ms))));
}

row_set store_core::run(connection& conn, std::string_view query, std::span<const sql_param> params) const {
  try {
    return conn.execute(db->query(query), params);
  } catch (const query_error& e) {
    if (e.sqlstate() != sqlstate::undefined_table) throw;
    // The most common first-run mistake deserves a message that says what to do.
    const std::string where =
        db->caps().schemas ? "schema '" + cfg.schema + "'" : "this database";
    throw query_error(e.query(), e.sqlstate(),
                      e.detail() + " (the pgqrs tables are missing in " + where +
                          ": run pgqrs::admin(store).install() first)");
  }
}

}  // namespace pgqrs::detail
