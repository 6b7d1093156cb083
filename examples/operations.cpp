// docs/operations.md's example: dead-lettering, retention and the Prometheus exposition on an SQLite file.
//   operations [DSN]     (default: sqlite:///tmp/pgqrs-operations.db)
// A message that keeps failing is dead-lettered at its last release; retention then removes what was
// archived; the metrics are printed as Prometheus text.

#include <iostream>

#include <pgqrs/pgqrs.hpp>

int main(int argc, char** argv) try {
  using namespace std::chrono_literals;
  auto cfg = pgqrs::config::from_dsn(argc > 1 ? argv[1] : "sqlite:///tmp/pgqrs-operations.db");
  cfg.max_read_ct = 2;  // poison after two deliveries
  auto store = pgqrs::connect(cfg);
  pgqrs::admin(store).install();
  if (!store.queues().exists("reports")) store.queue("reports");

  auto producer = store.producer("reports", "ops-example-producer");
  auto consumer = store.consumer("reports", "ops-example-consumer");
  const auto bad = producer.enqueue({{"report", "broken"}});
  for (int attempt = 1; attempt <= 2; ++attempt) {
    if (auto m = consumer.dequeue()) (void)consumer.release_messages({m->id});  // the handler failed
  }
  const auto m = pgqrs::admin(store).queue_metrics("reports");
  std::cout << "message " << bad.id << " dead-lettered: " << m.dead_lettered_messages << " dead-lettered, "
            << m.pending_messages << " pending\n";

  // Keep nothing archived (age 0), in batches of 100 rows.
  pgqrs::retention_policy policy;
  policy.archived_messages_older_than = 0s;
  policy.stopped_workers_older_than = 24h;
  policy.batch_size = 100;
  const auto report = pgqrs::apply_retention(store, policy);
  std::cout << "retention deleted " << report.archived_messages_deleted << " archived messages and "
            << report.workers_deleted << " workers\n";

  std::cout << pgqrs::metrics_exposition(store);
  consumer.suspend();
  consumer.shutdown();
  producer.suspend();
  producer.shutdown();
  return 0;
} catch (const std::exception& e) {
  std::cerr << "operations: " << e.what() << "\n";
  return 1;
}
