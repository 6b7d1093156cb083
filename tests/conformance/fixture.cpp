#include "fixture.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <random>

#if PGQRS_TEST_HAVE_S3
#include "s3/s3_client.hpp"
#endif

namespace pgqrs::testing {

namespace {
std::string env_or_fail(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') {
    throw std::runtime_error(std::string(name) + " is not set: run the suite with scripts/test.sh");
  }
  return v;
}
/// The bucket of this process's S3 tests, created on first use (moto accepts any credentials).
std::string s3_test_bucket() {
#if !PGQRS_TEST_HAVE_S3
  throw std::runtime_error("this build has no S3 backend (PGQRS_WITH_S3=OFF)");
#else
  static const std::string bucket = [] {
    env_or_fail("AWS_ENDPOINT_URL");
    std::string name = "pgqrs-conformance-" + std::to_string(::getpid());
    pgqrs::detail::s3::s3_client(pgqrs::detail::s3::s3_config::from_env()).create_bucket(name);
    return name;
  }();
  return bucket;
#endif
}
}  // namespace

backend_under_test current_backend() {
  const char* b = std::getenv("PGQRS_TEST_BACKEND");
  std::string name = b ? b : "sqlite";
  if (name == "postgres") return backend_under_test::postgres;
  if (name == "pgbouncer") return backend_under_test::pgbouncer;
  if (name == "sqlite") return backend_under_test::sqlite;
  if (name == "turso") return backend_under_test::turso;
  if (name == "s3") return backend_under_test::s3;
  throw std::runtime_error("unknown PGQRS_TEST_BACKEND '" + name + "'");
}

bool is_postgres_family() {
  const backend_under_test b = current_backend();
  return b == backend_under_test::postgres || b == backend_under_test::pgbouncer;
}

std::string unique_name(const std::string& prefix) {
  static std::atomic<int> counter{0};
  thread_local std::mt19937 rng{std::random_device{}()};
  return prefix + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
         std::to_string(rng() % 100000);
}

std::string table(const store& s, const std::string& name) {
  if (s.backend() == backend_kind::postgres) return "\"" + s.config().schema + "\"." + name;
  return name;
}

void store_test::SetUp() {
  switch (current_backend()) {
    case backend_under_test::postgres:
    case backend_under_test::pgbouncer: {
      const char* var =
          current_backend() == backend_under_test::postgres ? "PGQRS_PG_DSN" : "PGQRS_PGBOUNCER_DSN";
      m_config = config::from_dsn(env_or_fail(var));
      m_config.schema = unique_name("t");
      m_config.max_connections = 8;
      break;
    }
    case backend_under_test::sqlite:
    case backend_under_test::turso: {
      auto dir = std::filesystem::temp_directory_path() / "pgqrs-tests";
      std::filesystem::create_directories(dir);
      m_sqlite_path = (dir / (unique_name("t") + ".db")).string();
      const char* scheme = current_backend() == backend_under_test::sqlite ? "sqlite://" : "turso://";
      m_config = config::from_dsn(scheme + m_sqlite_path);
      break;
    }
    case backend_under_test::s3:
      // A fresh object per test in one bucket per process (made on first use). No cache_dir: every store
      // (reopen, open_another) then gets a private local copy, as two processes would.
      m_config = config::from_dsn("s3://" + s3_test_bucket() + "/" + unique_name("t") + ".sqlite");
      break;
  }
  m_store.emplace(connect(m_config));
  admin(*m_store).install();
}

store& store_test::reopen(const std::function<void(config&)>& change) {
  change(m_config);
  m_store.reset();
  m_store.emplace(connect(m_config));
  return *m_store;
}

store store_test::open_another(const std::function<void(config&)>& change) const {
  config cfg = m_config;
  if (change) change(cfg);
  return connect(cfg);
}

void store_test::TearDown() {
  if (!m_store) return;
  if (m_store->backend() == backend_kind::postgres) {
    try {
      exec_sql(*m_store, "DROP SCHEMA IF EXISTS \"" + m_config.schema + "\" CASCADE");
    } catch (const std::exception& e) {
      ADD_FAILURE() << "dropping test schema failed: " << e.what();
    }
  }
  m_store.reset();
  if (!m_sqlite_path.empty()) {
    for (const char* suffix : {"", "-wal", "-shm", "-tshm"}) std::filesystem::remove(m_sqlite_path + suffix);
  }
}

}  // namespace pgqrs::testing
