// Uses only the installed headers and library.
#include <iostream>

#include <pgqrs/pgqrs.hpp>

int main() {
  auto store = pgqrs::connect("sqlite::memory:");
  pgqrs::admin(store).install();
  store.queue("q");
  auto ids = pgqrs::enqueue().message({{"hello", "world"}}).to("q").execute(store);
  auto msg = pgqrs::dequeue().from("q").fetch_one(store);
  if (!msg || msg->id != ids.at(0) || msg->payload["hello"] != "world") {
    std::cerr << "unexpected message\n";
    return 1;
  }
  std::cout << "find_package(pgqrs) consumer works: message " << msg->id << "\n";
  return 0;
}
