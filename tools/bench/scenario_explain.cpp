// explain: the claim query's plan with a large backlog and a large archive (DESIGN decisions 1 and 2):
// it must be an index scan on the claim index, with no Sort and no Seq Scan, for custom and generic plans.
#include <regex>

#include "core/api/store_state.hpp"
#include "targets.hpp"

namespace pgqrs::bench {
namespace {

/// EXPLAIN ANALYZE of one claim; `floor` is the claim floor bound (std::nullopt: the periodic full scan).
std::string explain_claim(const store& s, std::int64_t queue_id, bool generic,
                          std::optional<timestamp> floor) {
  auto& db = *detail::state_of(s)->core->db;
  auto conn = db.acquire();
  const auto& claim = db.query("message_claim");
  detail::sql_query explain{
      "bench_explain", {"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + claim.statements[0]}, detail::sql_query::uncached};
  const auto t = now();
  std::vector<detail::sql_param> params = {queue_id,
                                           t,
                                           std::int64_t{1},
                                           t + std::chrono::seconds(30),
                                           std::int64_t{5},
                                           std::int64_t{0},
                                           detail::optional_param(floor)};
  conn->begin(detail::tx_mode::write);  // EXPLAIN ANALYZE runs the UPDATE: roll it back
  // The library runs generic plans on direct connections and custom plans behind a pooler: show both.
  conn->execute_script(std::string("SET LOCAL plan_cache_mode = ") +
                       (generic ? "force_generic_plan" : "force_custom_plan"));
  std::string plan;
  if (generic) {
    // A generic plan only exists for prepared statements: PREPARE/EXECUTE with literal parameters. PREPARE is
    // not undone by ROLLBACK, hence a fresh name and a DEALLOCATE.
    static int counter = 0;
    const std::string name = "bench_claim_" + std::to_string(counter++);
    const auto now_text = format_rfc3339(t);
    const auto lease_text = format_rfc3339(t + std::chrono::seconds(30));
    conn->execute_script("PREPARE " + name +
                         "(bigint, timestamptz, int, timestamptz, int, bigint, timestamptz) AS " +
                         claim.statements[0]);
    detail::sql_query exec{
        "bench_explain_generic",
        {"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE " + name + "(" + std::to_string(queue_id) + ", '" +
         now_text + "', 1, '" + lease_text + "', 5, 0, " +
         (floor ? "'" + format_rfc3339(*floor) + "'" : std::string("NULL")) + ")"},
        detail::sql_query::uncached};
    auto rows = conn->execute(exec, {});
    for (std::size_t r = 0; r < rows.size(); ++r) plan += rows.text(r, 0) + "\n";
    conn->rollback();
    conn->execute_script("DEALLOCATE " + name);
    return plan;
  } else {
    auto rows = conn->execute(explain, params);
    for (std::size_t r = 0; r < rows.size(); ++r) plan += rows.text(r, 0) + "\n";
  }
  conn->rollback();
  return plan;
}

void run(const options& opts, reporter& rep) {
  for (const auto& t : targets(opts)) {
    if (t.backend != "postgres")
      continue;  // SQLite's EXPLAIN QUERY PLAN is checked by the sqlite driver tests
    const std::int64_t ready = pick<std::int64_t>(opts, 1'000'000, 200'000, 2'000);
    const std::int64_t archived = ready;
    auto s = fresh_store(t, "explain");
    auto q = s.queue("explain");
    rep.progress("explain: seeding " + std::to_string(ready) + " ready + " + std::to_string(archived) +
                 " archived");
    seed_ready(s, q.id, ready);
    seed_archived(s, q.id, archived);
    analyze(s);
    for (bool generic : {false, true}) {
      for (bool bounded : {false, true}) {
        const auto floor = bounded ? std::optional<timestamp>(now() - std::chrono::hours(2)) : std::nullopt;
        auto plan = explain_claim(s, q.id, generic, floor);
        const bool seq_scan = plan.find("Seq Scan") != std::string::npos;
        const bool sort = std::regex_search(plan, std::regex(R"(->\s+Sort|^Sort)", std::regex::multiline));
        const bool claim_index = plan.find("pgqrs_messages_claim_idx") != std::string::npos;
        std::smatch m;
        double exec_ms = 0;
        if (std::regex_search(plan, m, std::regex(R"(Execution Time: ([0-9.]+) ms)")))
          exec_ms = std::stod(m[1]);
        rep.note("claim plan (" + std::string(generic ? "generic" : "custom") +
                 (bounded ? ", with floor" : "") + ", " + std::to_string(ready) + " ready, " +
                 std::to_string(archived) + " archived):\n" + plan);
        rep.record({"explain",
                    t.backend,
                    "pgqrs-cpp",
                    {{"ready", ready},
                     {"archived", archived},
                     {"plan", generic ? "generic" : "custom"},
                     {"floor", bounded}},
                    {{"uses_claim_index", claim_index},
                     {"seq_scan", seq_scan},
                     {"sort", sort},
                     {"execution_ms", exec_ms},
                     {"ok", claim_index && !seq_scan && !sort}}});
      }
    }
    drop_store(s);
  }
}

registrar reg({"explain", "claim query plan at a large backlog with a large archive", run});

}  // namespace
}  // namespace pgqrs::bench
