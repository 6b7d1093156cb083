// Both dialects' SQL catalogs define the same queries with the same parameters (issue 8): the operations
// are written once over query names and parameter positions, so a query missing in one dialect, or taking
// its parameters in another order or number, is a bug this test finds before any backend runs.
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

#include "core/db/sql_catalog.hpp"
#include "pgqrs/errors.hpp"

namespace pgqrs::detail {
namespace {

/// Queries that only dialects with a capability define (operations check the capability first).
const std::set<std::string> postgres_only = {"message_insert_batch", "run_claim", "run_complete_claim"};
const std::set<std::string> in_process_only = {"message_archive_held"};
/// Queries whose only parameter is the schema name, which the SQLite family (one schema per file) ignores.
const std::set<std::string> schema_parameter_only = {"install_lock", "schema_exists"};

/// The highest $N / ?N a query uses.
int highest_parameter(const sql_query& q, char marker) {
  int highest = 0;
  const std::regex placeholder(std::string("\\") + marker + "([0-9]+)");
  for (const auto& statement : q.statements) {
    for (auto it = std::sregex_iterator(statement.begin(), statement.end(), placeholder); it != std::sregex_iterator();
         ++it) {
      highest = std::max(highest, std::stoi((*it)[1]));
    }
  }
  return highest;
}

std::set<std::string> names_of(const sql_catalog& c) {
  std::set<std::string> names;
  for (std::size_t i = 0; i < c.size(); ++i) names.insert(c.at(i).name);
  return names;
}

TEST(SqlCatalogs, BothDialectsDefineTheSameQueryNames) {
  const sql_catalog pg("postgres", "\"public\"");
  const sql_catalog lite("sqlite", "main");
  auto pg_names = names_of(pg);
  for (const auto& n : postgres_only) pg_names.erase(n);
  auto lite_names = names_of(lite);
  for (const auto& n : in_process_only) lite_names.erase(n);
  EXPECT_EQ(pg_names, lite_names);
}

TEST(SqlCatalogs, EveryQueryTakesTheSameNumberOfParametersInBothDialects) {
  const sql_catalog pg("postgres", "\"public\"");
  const sql_catalog lite("sqlite", "main");
  for (const auto& name : names_of(lite)) {
    if (in_process_only.count(name) != 0) continue;
    if (schema_parameter_only.count(name) != 0) {
      EXPECT_EQ(highest_parameter(pg.query(name), '$'), 1) << name;
      continue;
    }
    EXPECT_EQ(highest_parameter(pg.query(name), '$'), highest_parameter(lite.query(name), '?')) << name;
  }
}

TEST(SqlCatalogs, BothDialectsHaveTheSameMigrationVersions) {
  const sql_catalog pg("postgres", "\"public\"");
  const sql_catalog lite("sqlite", "main");
  ASSERT_EQ(pg.migrations().size(), lite.migrations().size());
  for (std::size_t i = 0; i < pg.migrations().size(); ++i) {
    EXPECT_EQ(pg.migrations()[i].version, lite.migrations()[i].version);
  }
}

TEST(SqlCatalogs, FragmentsAreExpandedIntoTheQueriesThatIncludeThemAndAreNotQueries) {
  const sql_catalog pg("postgres", "\"public\"");
  for (std::size_t i = 0; i < pg.size(); ++i) {
    for (const auto& statement : pg.at(i).statements) {
      EXPECT_EQ(statement.find("{fragment:"), std::string::npos) << pg.at(i).name;
    }
  }
  EXPECT_THROW((void)pg.query("run_complete_ctes"), internal_error);
  // Both queries that end an execution carry the fence of the shared fragment, with the schema substituted.
  for (const char* name : {"run_complete", "run_complete_claim"}) {
    const auto& statements = pg.query(name).statements;
    ASSERT_EQ(statements.size(), 1U) << name;
    EXPECT_NE(statements[0].find("FOR SHARE OF m"), std::string::npos) << name;
    EXPECT_NE(statements[0].find("\"public\".pgqrs_archive"), std::string::npos) << name;
  }
}

}  // namespace
}  // namespace pgqrs::detail
