// The examples of docs/workflows.md, compiled and run by the test suite (tests/structure/doc_snippets.sh
// checks that every C++ block of the guide appears verbatim in this file or another example).
//   workflow_guide [DSN]     (default: a fresh SQLite file under /tmp)
// Exits non-zero if any example does not behave as the guide says.

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <stdexcept>
#include <thread>

#include <pgqrs/pgqrs.hpp>

using namespace std::chrono_literals;
using pgqrs::json;

namespace {

int failures = 0;
void check(bool ok, const std::string& what) {
  std::cout << (ok ? "ok    " : "FAIL  ") << what << std::endl;
  if (!ok) ++failures;
}

std::string charge_card(const json& order) { return "ch_" + order.at("id").get<std::string>(); }
void send_receipt(const json&, const std::string&) {}

// [snippet: definition]
struct order {
  std::string id;
  int cents = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(order, id, cents)

const pgqrs::workflow_def process_order{
    "process_order", [](pgqrs::workflow_run& run, const order& o) -> json {
      // Each step runs once; after a crash its stored result is returned instead.
      auto charge = pgqrs::workflow_step(run, "charge", [&] { return charge_card(json{{"id", o.id}}); });
      pgqrs::workflow_step(run, "receipt", [&] { send_receipt(json{{"id", o.id}}, charge); });
      return json{{"order", o.id}, {"charge", charge}};
    }};
// [/snippet]

int flaky_calls = 0;
int call_flaky_service() {
  if (++flaky_calls < 2) throw pgqrs::transient_step_error("UNAVAILABLE", "service busy", 100ms);
  return 7;
}

bool approved = false;

}  // namespace

int main(int argc, char** argv) try {
  const std::string dsn =
      argc > 1 ? argv[1] : "sqlite:///tmp/pgqrs-workflow-guide-" + std::to_string(::getpid()) + ".db";
  // [snippet: setup]
  auto store = pgqrs::connect(dsn);
  pgqrs::admin(store).install();
  pgqrs::workflow().name(process_order).create(store);  // idempotent; creates the queue "process_order"
  // [/snippet]

  {
    // [snippet: trigger and run]
    auto msg = pgqrs::workflow().name(process_order).trigger(order{"A-1", 1250}).key("order-A-1").execute(store);

    // A worker: runs runs until stopped (threads, leases kept alive, failures never end the loop).
    std::stop_source stop;
    std::jthread worker([&] { pgqrs::workflow().name(process_order).concurrency(2).poll(store, stop.get_token()); });

    json out = pgqrs::run().message(msg).result(store, 30s);  // {"charge":"ch_A-1","order":"A-1"}
    stop.request_stop();
    // [/snippet]
    worker.join();
    check(out == json{{"order", "A-1"}, {"charge", "ch_A-1"}}, "a run returns its output");
    auto again = pgqrs::workflow().name(process_order).trigger(order{"A-1", 1250}).key("order-A-1").execute(store);
    check(again.id == msg.id, "a second trigger with the same key returns the same run's message");
  }

  {
    // [snippet: retries]
    const pgqrs::workflow_def with_retries{
        "with_retries", [](pgqrs::workflow_run& run, const json&) -> json {
          // Throw transient_step_error for failures that may pass: the step is retried on the policy's
          // schedule (or after the error's retry_after), without holding a thread or a lease meanwhile.
          return pgqrs::workflow_step(run, "call", [] { return call_flaky_service(); },
                                      pgqrs::retry_policy::exponential(1s, 30s, /*max_attempts=*/5));
        }};
    // [/snippet]
    pgqrs::workflow().name(with_retries).create(store);
    auto msg = pgqrs::workflow().name(with_retries).trigger(json{}).execute(store);
    auto worker = pgqrs::workflow().name(with_retries);
    while (!pgqrs::run().message(msg).get(store)) {
      if (!worker.execute(store)) std::this_thread::sleep_for(20ms);
    }
    check(pgqrs::run().message(msg).get<int>(store) == 7 && flaky_calls == 2, "a transient failure is retried");
  }

  {
    // [snippet: sleep and pause]
    const pgqrs::workflow_def onboarding{
        "onboarding", [](pgqrs::workflow_run& run, const json& in) -> json {
          pgqrs::workflow_step(run, "welcome", [&] { return in.at("user"); });
          run.sleep("give_them_a_day", 24h);  // durable: survives restarts, holds no thread or lease
          return pgqrs::workflow_step(run, "check_approval", [&] {
            if (!approved) throw pgqrs::paused_error("waiting for approval", 1h);  // PAUSED, runs again later
            return std::string("approved");
          });
        }};
    // [/snippet]
    pgqrs::workflow().name(onboarding).create(store);
    auto msg = pgqrs::workflow().name(onboarding).trigger(json{{"user", "ada"}}).execute(store);
    const auto t0 = pgqrs::now();
    auto at = [&](auto offset) { return pgqrs::workflow().name(onboarding).at(t0 + offset); };
    at(0s).execute(store);  // welcome, then sleeps
    check(!at(23h).execute(store), "a sleeping run is not delivered before its wake time");
    at(24h).execute(store);  // wakes, pauses
    check(pgqrs::run().message(msg).record(store)->status == pgqrs::workflow_status::paused, "the run is PAUSED");
    approved = true;
    // [snippet: resume]
    pgqrs::run().message(msg).resume(store);  // end the pause now instead of after an hour
    // [/snippet]
    at(24h + 1min).execute(store);  // (still on the injected clock: the sleep ended at t0 + 24 h)
    check(pgqrs::run().message(msg).get(store) == json("approved"), "a resumed run finishes");
  }

  {
    auto msg = pgqrs::workflow().name(process_order).trigger(order{"B-2", 99}).execute(store);
    // [snippet: cancel]
    pgqrs::run().message(msg).cancel(store);  // CANCELLING; CANCELLED at the next step boundary or pickup
    // [/snippet]
    pgqrs::workflow().name(process_order).execute(store);
    bool cancelled = false;
    try {
      (void)pgqrs::run().message(msg).get(store);
    } catch (const pgqrs::workflow_cancelled&) {
      cancelled = true;
    }
    check(cancelled, "a cancelled run reports workflow_cancelled");
  }

  {
    // [snippet: transactional step]
    const pgqrs::workflow_def pay{"pay", [](pgqrs::workflow_run& run, const json& in) -> json {
      // The INSERT and the step's checkpoint commit in one transaction: never one without the other.
      return run.transaction_step("record_payment", [&](pgqrs::transaction& tx) {
        const bool pg = tx.dialect() == "postgres";
        tx.execute("CREATE TABLE IF NOT EXISTS payments (order_id TEXT PRIMARY KEY, cents BIGINT NOT NULL)");
        tx.execute(pg ? "INSERT INTO payments (order_id, cents) VALUES ($1, $2)"
                      : "INSERT INTO payments (order_id, cents) VALUES (?1, ?2)",
                   {in.at("order").get<std::string>(), in.at("cents").get<std::int64_t>()});
        return in.at("cents").get<std::int64_t>();
      });
    }};
    // [/snippet]
    pgqrs::workflow().name(pay).create(store);
    auto probe = pgqrs::workflow().name(pay).trigger(json{{"order", "C-3"}, {"cents", 500}}).execute(store);
    pgqrs::workflow().name(pay).execute(store);
    check(pgqrs::run().message(probe).get<std::int64_t>(store) == 500, "a transactional step returns its value");
  }

  {
    // [snippet: inspection]
    for (const auto& r : pgqrs::list_runs(store, {.workflow = "process_order", .limit = 10})) {
      std::cout << "run " << r.id << " " << pgqrs::to_string(r.status) << "\n";
      for (const auto& s : pgqrs::list_steps(store, r.id)) {
        std::cout << "  " << s.step_name << " " << pgqrs::to_string(s.status) << " retries=" << s.retry_count << "\n";
      }
    }
    // [/snippet]
    check(pgqrs::list_runs(store, {.workflow = "process_order"}).size() == 2, "two process_order runs listed");
  }

  std::cout << (failures == 0 ? "all examples behaved as documented" : "some examples FAILED") << std::endl;
  if (argc <= 1) {
    const std::string file = dsn.substr(std::string("sqlite://").size());
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((file + suffix).c_str());
  }
  return failures == 0 ? 0 : 1;
} catch (const std::exception& e) {
  std::cerr << "workflow_guide: " << e.what() << "\n";
  return 1;
}
