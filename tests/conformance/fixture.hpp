#pragma once
// Conformance fixture: the same test cases run on every backend. ctest registers the binary once per backend
// with PGQRS_TEST_BACKEND = postgres | pgbouncer | sqlite | turso | s3; DSNs come from PGQRS_PG_DSN /
// PGQRS_PGBOUNCER_DSN (scripts/test.sh starts the servers; s3 uses its moto through the AWS_* variables). Each
// test gets its own PostgreSQL schema, SQLite or Turso file, or S3 object, so tests run in parallel without
// seeing each other.

#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <string>

#include <pgqrs/pgqrs.hpp>

#include "../support/raw_sql.hpp"

namespace pgqrs::testing {

enum class backend_under_test { postgres, pgbouncer, sqlite, turso, s3 };

backend_under_test current_backend();
bool is_postgres_family();
/// A name no other test (or process) uses: prefix + pid + counter + random.
std::string unique_name(const std::string& prefix);
/// Table name as tests may write it in raw SQL for the current store (schema-qualified on PostgreSQL).
std::string table(const store& s, const std::string& name);

class store_test : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  /// The store under test (installed).
  store& s() { return *m_store; }
  /// Reopens the store with modified settings (same schema/file).
  store& reopen(const std::function<void(config&)>& change);
  /// Another store on the same database (separate pool), e.g. to act as a second process.
  store open_another(const std::function<void(config&)>& change = {}) const;

  queue_record make_queue(const std::string& name = "q") { return s().queue(name); }
  producer make_producer(const std::string& queue = "q") { return s().producer(queue, unique_name("p")); }
  consumer make_consumer(const std::string& queue = "q") { return s().consumer(queue, unique_name("c")); }

  config m_config;
  std::optional<store> m_store;
  /// The database file of an SQLite-family backend (SQLite, Turso), removed with its WAL at teardown.
  std::string m_sqlite_path;
};

/// A store with queue "q" and a producer on it, the starting point of most message tests.
class queue_test : public store_test {
 protected:
  void SetUp() override {
    store_test::SetUp();
    q = make_queue();
    p.emplace(make_producer());
  }
  queue_record q;
  std::optional<producer> p;
};

}  // namespace pgqrs::testing
