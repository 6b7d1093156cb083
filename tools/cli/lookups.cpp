#include "lookups.hpp"

#include <string>

#include "pgqrs/admin.hpp"
#include "pgqrs/errors.hpp"
#include "pgqrs/tables.hpp"

namespace pgqrs::cli {

queue_record require_queue(const store& s, std::string_view name) {
  return admin(s).get_queue(name);
}

worker_record require_worker(const store& s, std::int64_t id) {
  if (auto w = s.workers().get(id)) return *w;
  throw worker_not_found(id);
}

queue_message require_message(const store& s, std::int64_t id) {
  if (auto m = s.messages().get(id)) return *m;
  throw not_found("message", std::to_string(id));
}

run_record require_run(const store& s, std::int64_t id) {
  if (auto r = get_run(s, id)) return *r;
  throw not_found("run", std::to_string(id));
}

}  // namespace pgqrs::cli
