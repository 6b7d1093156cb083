#pragma once
// What every handle (store, producer, consumer, builders) shares: the settings and the open database.
// Handles hold a shared_ptr to it, so the database lives as long as any handle does.

#include <initializer_list>
#include <memory>
#include <string_view>

#include "core/claim_floor.hpp"
#include "core/database.hpp"
#include "pgqrs/config.hpp"

namespace pgqrs::detail {

struct store_core {
  config cfg;
  std::unique_ptr<database> db;
  /// Per-queue claim floors of this store (a cache: mutable behind the shared const core).
  mutable claim_floors floors;

  /// Runs one named query on a pooled connection (autocommit, or one transaction for multi-statement
  /// queries).
  row_set run(std::string_view query, std::initializer_list<sql_param> params) const {
    auto conn = db->acquire();
    return run(*conn, query, params);
  }
  /// Runs one named query on a connection the caller holds (inside the caller's transaction).
  /// @throws query_error; a missing pgqrs table is reported with a hint to run install()
  row_set run(connection& conn, std::string_view query, std::initializer_list<sql_param> params) const;
};

using core_ptr = std::shared_ptr<const store_core>;

}  // namespace pgqrs::detail
