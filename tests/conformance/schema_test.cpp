// Install, migrations and verify (spec §2, §5.2).
#include <thread>

#include "fixture.hpp"

namespace pgqrs::testing {
namespace {

class schema : public store_test {};

TEST_F(schema, install_is_idempotent) {
  admin(s()).install();
  admin(s()).install();
  EXPECT_NO_THROW(admin(s()).verify());
}

TEST_F(schema, install_records_every_migration_version) {
  EXPECT_EQ(query_int(s(), "SELECT count(*) FROM " + table(s(), "pgqrs_schema_version")), 5);  // 0001 queue tables, 0002 workflow tables, 0003 workflow keys, 0004 dead letters, 0005 archive in place (SQLite family)
  EXPECT_EQ(query_int(s(), "SELECT max(version) FROM " + table(s(), "pgqrs_schema_version")), 5);  // 0001 queue tables, 0002 workflow tables, 0003 workflow keys, 0004 dead letters, 0005 archive in place (SQLite family)
}

TEST_F(schema, verify_names_a_missing_table) {
  exec_sql(s(), "DROP TABLE " + table(s(), "pgqrs_workflow_steps"));
  try {
    admin(s()).verify();
    FAIL() << "verify accepted a schema without pgqrs_workflow_steps";
  } catch (const schema_validation_error& e) {
    EXPECT_NE(std::string(e.what()).find("pgqrs_workflow_steps"), std::string::npos) << e.what();
  }
}

TEST_F(schema, verify_reports_messages_referring_to_missing_workers) {
  make_queue();
  auto p = make_producer();
  p.enqueue(json{{"k", 1}});
  exec_sql(s(), "UPDATE " + table(s(), "pgqrs_messages") + " SET producer_worker_id = 987654");
  EXPECT_THROW(admin(s()).verify(), schema_validation_error);
}

TEST_F(schema, verify_on_an_uninstalled_database_is_a_schema_validation_error) {
  auto other = open_another([](config& c) {
    if (c.backend() == backend_kind::postgres)
      c.schema = unique_name("empty");
    else
      c.dsn = "sqlite::memory:";
  });
  EXPECT_THROW(admin(other).verify(), schema_validation_error);
}

TEST_F(schema, concurrent_installs_on_a_fresh_database_all_succeed) {
  auto fresh = [this] {
    return open_another([](config& c) {
      if (c.backend() == backend_kind::postgres) c.schema = "fresh_shared_" + c.schema;
    });
  };
  std::vector<store> stores;
  for (int i = 0; i < 4; ++i) stores.push_back(fresh());
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (auto& st : stores) {
    threads.emplace_back([&st, &failures] {
      try {
        admin(st).install();
      } catch (const std::exception& e) {
        ++failures;
        ADD_FAILURE() << e.what();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_NO_THROW(admin(stores.front()).verify());
  if (stores.front().backend() == backend_kind::postgres) {
    exec_sql(stores.front(), "DROP SCHEMA \"" + stores.front().config().schema + "\" CASCADE");
  }
}

TEST_F(schema, hostile_schema_names_are_rejected_before_reaching_the_database) {
  config bad = m_config;
  bad.schema = "x\"; DROP SCHEMA public CASCADE; --";
  EXPECT_THROW((void)connect(bad), config_error);
}

}  // namespace
}  // namespace pgqrs::testing

namespace pgqrs::testing {
namespace {

TEST_F(schema, using_a_store_before_install_says_to_run_install) {
  auto other = open_another([](config& c) {
    if (c.backend() == backend_kind::postgres) {
      c.schema = unique_name("uninstalled");
    } else {
      c.dsn = "sqlite::memory:";
    }
  });
  try {
    other.queue("q");
    FAIL() << "queue() worked without install()";
  } catch (const query_error& e) {
    EXPECT_EQ(e.sqlstate(), "42P01");
    EXPECT_NE(std::string(e.what()).find("run pgqrs::admin(store).install() first"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace pgqrs::testing
