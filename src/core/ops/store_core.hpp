#pragma once
// What every handle (store, producer, consumer, builders) shares: the settings and the open database.
// Handles hold a shared_ptr to it, so the database lives as long as any handle does.

#include <initializer_list>
#include <memory>
#include <string_view>
#include <type_traits>

#include "core/ops/claim_floor.hpp"
#include "core/db/database.hpp"
#include "pgqrs/config.hpp"
#include "pgqrs/errors.hpp"

namespace pgqrs::detail {

/// Makes `call` once more when it fails with connection_error, which the drivers throw only when nothing
/// was applied (a possibly applied write is in_doubt_error). The pool discards the broken connection, so
/// the second call runs on a fresh one.
template <typename Call>
auto with_reconnect(Call&& call) {
  try {
    return call();
  } catch (const connection_error&) {
    return call();
  }
}

struct store_core {
  config cfg;
  std::unique_ptr<database> db;
  /// Per-queue claim floors of this store (a cache: mutable behind the shared const core).
  mutable claim_floors floors;

  /// Runs one named query on a pooled connection (autocommit, or one transaction for multi-statement
  /// queries). A `connection_error` means the statement did not take effect (an in-doubt write throws
  /// `in_doubt_error` instead), so it is retried once on a fresh connection: a server that ended idle
  /// sessions (restart, pg_terminate_backend) costs the caller nothing.
  row_set run(std::string_view query, std::initializer_list<sql_param> params) const {
    return with_reconnect([&] {
      auto conn = db->acquire();
      return run(*conn, query, params);
    });
  }
  /// Runs one named query on a connection the caller holds (inside the caller's transaction).
  /// @throws query_error; a missing pgqrs table is reported with a hint to run install()
  row_set run(connection& conn, std::string_view query, std::initializer_list<sql_param> params) const;

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
