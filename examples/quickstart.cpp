// The README's first demo: an embedded SQLite queue, no server.
//   quickstart [DSN]     (default: sqlite:///tmp/pgqrs-quickstart.db)
// Produces five jobs, consumes them with a handler loop that archives each one, and prints what happened.

#include <unistd.h>

#include <iostream>

#include <pgqrs/pgqrs.hpp>

int main(int argc, char** argv) try {
  const std::string dsn = argc > 1 ? argv[1] : "sqlite:///tmp/pgqrs-quickstart.db";
  auto store = pgqrs::connect(dsn);
  pgqrs::admin(store).install();
  std::cout << "connected to " << store.backend_name() << " (" << pgqrs::redact_dsn(dsn) << ")\n";

  const std::string queue = "emails";
  if (!store.queues().exists(queue)) store.queue(queue);

  // Produce: a named producer validates payloads and rate-limits.
  auto producer = store.producer(queue, "quickstart-producer-" + std::to_string(::getpid()));
  for (int i = 1; i <= 5; ++i) {
    auto msg =
        producer.enqueue({{"to", "user" + std::to_string(i) + "@example.com"}, {"subject", "Welcome"}});
    std::cout << "enqueued  message " << msg.id << ": " << msg.payload.dump() << "\n";
  }

  // Consume: each handled message is archived; a throwing handler would release it for redelivery.
  auto consumer = store.consumer(queue, "quickstart-consumer-" + std::to_string(::getpid()));
  auto handler = pgqrs::dequeue().worker(consumer).handle([](const pgqrs::queue_message& m) {
    std::cout << "processed message " << m.id << " (delivery #" << m.read_ct << ") -> "
              << m.payload.at("to").get<std::string>() << "\n";
  });
  int handled = 0;
  while (handler.execute(store)) ++handled;

  auto archived = store.messages().list_archived_by_queue(consumer.queue().id);
  std::cout << "handled " << handled << " messages; " << store.messages().count() << " left in the queue; "
            << archived.size() << " in the archive of '" << queue << "'\n";

  // Clean shutdown: ready -> suspended -> stopped.
  for (pgqrs::worker* w : std::initializer_list<pgqrs::worker*>{&producer, &consumer}) {
    w->suspend();
    w->shutdown();
  }
  return 0;
} catch (const pgqrs::error& e) {
  std::cerr << "pgqrs error: " << e.what() << "\n";
  return 1;
}
