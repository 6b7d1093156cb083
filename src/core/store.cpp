#include "pgqrs/store.hpp"

#include "core/config_check.hpp"
#include "core/dsn.hpp"
#include "core/message_ops.hpp"
#include "core/queue_ops.hpp"
#include "core/store_state.hpp"
#include "core/worker_ops.hpp"
#include "pgqrs/consumer.hpp"
#include "pgqrs/errors.hpp"
#include "pgqrs/producer.hpp"
#include "pgqrs/tables.hpp"

namespace pgqrs {

namespace detail {

worker_state::worker_state(core_ptr c, worker_record r, std::optional<queue_record> q, bool is_ephemeral,
                           bool is_consumer)
    : core(std::move(c)),
      record(std::move(r)),
      queue(std::move(q)),
      ephemeral(is_ephemeral),
      consumer(is_consumer),
      // Registration just wrote the heartbeat.
      last_beat(std::chrono::duration_cast<std::chrono::nanoseconds>(
                    std::chrono::steady_clock::now().time_since_epoch())
                    .count()) {
  const auto& rules = core->cfg.validation;
  if (!consumer && rules.max_enqueue_per_second) {
    bucket.emplace(*rules.max_enqueue_per_second, rules.max_enqueue_burst.value_or(50));
  }
}

worker_state::~worker_state() {
  if (!ephemeral) return;
  try {
    const auto t = now();
    if (consumer) release_by_consumer(*core, record.id, t);
    worker_mark_stopped(*core, record.id, t);
  } catch (...) {
    // Best effort: the database may be gone. Leases expire on their own; the row stays for purge.
  }
}

std::shared_ptr<worker_state> make_worker_state(const core_ptr& core, const worker_record& record,
                                                std::optional<queue_record> queue, bool ephemeral,
                                                bool consumer) {
  return std::make_shared<worker_state>(core, record, std::move(queue), ephemeral, consumer);
}

std::shared_ptr<worker_state> cached_consumer(store_state& state, const std::string& queue) {
  std::lock_guard lock(state.cache_mutex);
  auto it = state.from_consumers.find(queue);
  if (it != state.from_consumers.end()) return it->second;
  auto q = require_queue(*state.core, queue);
  auto record = register_ephemeral_worker(*state.core, q.id, now());
  auto ws = make_worker_state(state.core, record, q, true, true);
  state.from_consumers.emplace(queue, ws);
  return ws;
}

bool forget_cached_consumer(store_state& state, const std::string& queue,
                            const std::shared_ptr<worker_state>& stale) {
  std::lock_guard lock(state.cache_mutex);
  auto it = state.from_consumers.find(queue);
  if (it == state.from_consumers.end() || it->second != stale) return it != state.from_consumers.end();
  stale->ephemeral = false;  // its row is gone: nothing to clean up when the last copy goes
  state.from_consumers.erase(it);
  return true;
}

namespace {

std::unique_ptr<database> open_database(const config& cfg, const parsed_dsn& dsn) {
  switch (dsn.kind) {
    case backend_kind::postgres:
#ifdef PGQRS_HAVE_POSTGRES
      return open_postgres(cfg);
#else
      throw config_error("dsn", "Postgres backend is not enabled (build with -DPGQRS_WITH_POSTGRES=ON)");
#endif
    case backend_kind::sqlite:
#ifdef PGQRS_HAVE_SQLITE
      return open_sqlite(cfg);
#else
      throw config_error("dsn", "Sqlite backend is not enabled (build with -DPGQRS_WITH_SQLITE=ON)");
#endif
    case backend_kind::turso:
      throw config_error("dsn", "Turso backend is not enabled in this build of pgqrs");
    case backend_kind::s3:
      throw config_error("dsn", "S3 backend is not enabled in this build of pgqrs");
  }
  throw internal_error("unknown backend kind");
}

}  // namespace
}  // namespace detail

store connect(std::string_view dsn) {
  return connect(config::from_dsn(dsn));
}

store connect_with_config(const config& cfg) {
  return connect(cfg);
}

store connect(const config& cfg) {
  detail::check_config(cfg);
  auto dsn = detail::parse_dsn(cfg.dsn);
  auto core = std::make_shared<detail::store_core>();
  core->cfg = cfg;
  core->db = detail::open_database(cfg, dsn);
  return store(std::make_shared<detail::store_state>(std::move(core)));
}

store::store(std::shared_ptr<detail::store_state> state) : m_state(std::move(state)) {}

const pgqrs::config& store::config() const {
  return m_state->core->cfg;
}

std::string_view store::backend_name() const {
  switch (backend()) {
    case backend_kind::postgres:
      return "postgres";
    case backend_kind::sqlite:
      return "sqlite";
    case backend_kind::turso:
      return "turso";
    case backend_kind::s3:
      return "s3";
  }
  return "unknown";
}

backend_kind store::backend() const {
  return m_state->core->db->kind();
}

pgqrs::concurrency_model store::concurrency_model() const {
  return backend() == backend_kind::postgres ? concurrency_model::multi_process
                                             : concurrency_model::single_node;
}

queue_record store::queue(std::string_view name) const {
  return detail::create_queue(*m_state->core, name, now());
}

namespace {
template <typename Handle>
Handle register_handle(const detail::core_ptr& core, std::string_view queue,
                       std::optional<std::string_view> name, bool consumer) {
  auto q = detail::require_queue(*core, queue);
  auto record = name ? detail::register_worker(*core, *name, q.id, now())
                     : detail::register_ephemeral_worker(*core, q.id, now());
  return Handle(detail::make_worker_state(core, record, q, !name.has_value(), consumer));
}
}  // namespace

pgqrs::producer store::producer(std::string_view queue, std::string_view name) const {
  return register_handle<pgqrs::producer>(m_state->core, queue, name, false);
}

pgqrs::consumer store::consumer(std::string_view queue, std::string_view name) const {
  return register_handle<pgqrs::consumer>(m_state->core, queue, name, true);
}

pgqrs::producer store::producer_ephemeral(std::string_view queue) const {
  return register_handle<pgqrs::producer>(m_state->core, queue, std::nullopt, false);
}

pgqrs::consumer store::consumer_ephemeral(std::string_view queue) const {
  return register_handle<pgqrs::consumer>(m_state->core, queue, std::nullopt, true);
}

queue_table store::queues() const {
  return queue_table(m_state->core);
}
message_table store::messages() const {
  return message_table(m_state->core);
}
worker_table store::workers() const {
  return worker_table(m_state->core);
}

}  // namespace pgqrs
