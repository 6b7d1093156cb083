#include "core/ops/schema.hpp"

#include <set>

#include "pgqrs/errors.hpp"

namespace pgqrs::detail {

void install_schema(const store_core& core, timestamp now) {
  core.transact(tx_mode::write, [&](connection& conn) {
    const std::string& schema = core.cfg.schema;
    core.run(conn, "install_lock", {schema});
    if (core.run(conn, "schema_exists", {schema}).i64(0, 0) == 0) core.run(conn, "schema_create", {});
    core.run(conn, "schema_version_create", {});
    std::set<std::int64_t> applied;
    auto rows = core.run(conn, "schema_version_list", {});
    for (std::size_t r = 0; r < rows.size(); ++r) applied.insert(rows.i64(r, 0));
    for (const auto& migration : core.db->catalog().migrations()) {
      if (applied.count(migration.version) != 0) continue;
      conn.execute_script(migration.script);
      core.run(conn, "schema_version_insert", {std::int64_t{migration.version}, migration.description, now});
    }
  });
}

int latest_schema_version(const store_core& core) {
  const auto& migrations = core.db->catalog().migrations();
  return migrations.empty() ? 0 : migrations.back().version;
}

void verify_schema(const store_core& core) {
  struct required_table {
    const char* name;
    const char* description;
  };
  static constexpr required_table tables[] = {
      {"pgqrs_schema_version", "Schema version table"},
      {"pgqrs_queues", "Queue repository table"},
      {"pgqrs_workers", "Worker repository table"},
      {"pgqrs_messages", "Unified messages table"},
      {"pgqrs_archive", "Archive table"},
      {"pgqrs_workflows", "Workflow definitions table"},
      {"pgqrs_workflow_runs", "Workflow runs table"},
      {"pgqrs_workflow_steps", "Workflow steps table"},
  };
  auto conn = core.db->acquire();
  for (const auto& t : tables) {
    if (core.run(*conn, "table_exists", {core.cfg.schema, std::string(t.name)}).i64(0, 0) == 0) {
      throw schema_validation_error(std::string(t.description) + " ('" + t.name + "') does not exist");
    }
  }
  auto versions = core.run(*conn, "schema_version_list", {});
  std::int64_t installed = versions.empty() ? 0 : versions.i64(versions.size() - 1, 0);
  if (installed < latest_schema_version(core)) {
    throw schema_validation_error("schema version " + std::to_string(installed) + " is older than version " +
                                  std::to_string(latest_schema_version(core)) +
                                  " required by this library; run install()");
  }
  if (auto n = core.run(*conn, "verify_orphan_queue_refs", {}).i64(0, 0); n > 0) {
    throw schema_validation_error("Found " + std::to_string(n) +
                                  " messages with invalid queue_id references");
  }
  if (auto n = core.run(*conn, "verify_orphan_worker_refs", {}).i64(0, 0); n > 0) {
    throw schema_validation_error("Found " + std::to_string(n) + " messages with invalid worker refs");
  }
  if (auto n = core.run(*conn, "verify_orphan_workflow_refs", {}).i64(0, 0); n > 0) {
    throw schema_validation_error("Found " + std::to_string(n) + " workflow rows with dangling references");
  }
}

}  // namespace pgqrs::detail
