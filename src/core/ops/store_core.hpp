#pragma once
// What every handle (store, producer, consumer, builders) shares: the settings and the open database.
// Handles hold a shared_ptr to it, so the database lives as long as any handle does.

#include <initializer_list>
#include <memory>
#include <span>
#include <string_view>
#include <type_traits>

#include "core/db/database.hpp"
#include "core/ops/claim_floor.hpp"
#include "core/ops/sweep_schedule.hpp"
#include "pgqrs/config.hpp"
#include "pgqrs/errors.hpp"

namespace pgqrs::detail {

/// Sleeps a random few milliseconds, longer after each attempt (so racing stores spread out).
void conflict_pause(int attempt);

/// Makes `call` once more when it fails with connection_error, which the drivers throw only when nothing
/// was applied (a possibly applied write is in_doubt_error). The pool discards the broken connection, so
/// the second call runs on a fresh one.
///
/// Also makes it again (a few times, after a short random pause) when it fails with a retryable
/// conflict_error: an S3 Durable-mode write that lost the compare-and-swap to another store. Such a write was
/// never applied (the store replaces it with the winner's revision before the next attempt), so running the
/// call again is as safe as after a connection_error, and it runs on the winner's state.
template <typename Call>
auto with_reconnect(Call&& call) {
  constexpr int max_conflict_retries = 10;
  for (int conflicts = 0;; ++conflicts) {
    try {
      try {
        return call();
      } catch (const connection_error&) {
        return call();
      }
    } catch (const conflict_error& e) {
      if (!e.retryable() || conflicts >= max_conflict_retries) throw;
      conflict_pause(conflicts);
    }
  }
}

struct store_core {
  config cfg;
  std::unique_ptr<database> db;
  /// Per-queue claim floors of this store (a cache: mutable behind the shared const core).
  mutable claim_floors floors;
  /// When this store last looked for expired poison messages, per queue (dead_letter_ops.hpp).
  mutable sweep_schedule poison_sweeps;

  /// Runs one named query on a pooled connection (autocommit, or one transaction for multi-statement
  /// queries). A `connection_error` means the statement did not take effect (an in-doubt write throws
  /// `in_doubt_error` instead), so it is retried once on a fresh connection: a server that ended idle
  /// sessions (restart, pg_terminate_backend) costs the caller nothing.
  row_set run(std::string_view query, std::span<const sql_param> params) const {
    return with_reconnect([&] {
      auto conn = db->acquire();
      return run(*conn, query, params);
    });
  }
  row_set run(std::string_view query, std::initializer_list<sql_param> params) const {
    return run(query, std::span<const sql_param>(params.begin(), params.size()));
  }
  /// Runs one named query on a connection the caller holds (inside the caller's transaction).
  /// @throws query_error; a missing pgqrs table is reported with a hint to run install()
  row_set run(connection& conn, std::string_view query, std::span<const sql_param> params) const;
  row_set run(connection& conn, std::string_view query, std::initializer_list<sql_param> params) const {
    return run(conn, query, std::span<const sql_param>(params.begin(), params.size()));
  }

  /// Runs `body(conn)` in one transaction on a pooled connection and commits; rolls back if it throws.
  /// Retried once from the start on a fresh connection when the connection was lost before COMMIT (nothing
  /// was committed), so `body` must only touch the database. A lost COMMIT is `in_doubt_error`, not retried.
  template <typename Body>
  auto transact(tx_mode mode, Body&& body) const {
    return with_reconnect([&] {
      auto conn = db->acquire();
      transaction tx(*conn, mode);
      if constexpr (std::is_void_v<decltype(body(*conn))>) {
        body(*conn);
        tx.commit();
      } else {
        auto result = body(*conn);
        tx.commit();
        return result;
      }
    });
  }
};

using core_ptr = std::shared_ptr<const store_core>;

}  // namespace pgqrs::detail
