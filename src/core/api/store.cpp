#include "pgqrs/store.hpp"

#include "core/config/config.hpp"
#include "core/db/registry.hpp"
#include "core/ops/message_ops.hpp"
#include "core/ops/queue_ops.hpp"
#include "core/api/handle_factory.hpp"
#include "core/api/store_state.hpp"
#include "core/ops/worker_ops.hpp"
#include "pgqrs/consumer.hpp"
#include "pgqrs/errors.hpp"
#include "pgqrs/producer.hpp"
#include "pgqrs/tables.hpp"

namespace pgqrs {

store connect(std::string_view dsn) {
  return connect(config::from_dsn(dsn));
}

store connect_with_config(const config& cfg) {
  return connect(cfg);
}

store connect(const config& cfg) {
  detail::check_config(cfg);
  auto core = std::make_shared<detail::store_core>();
  core->cfg = cfg;
  core->db = detail::open_database(cfg);
  return detail::handle_factory::make_store(std::make_shared<detail::store_state>(std::move(core)));
}

store::store(std::shared_ptr<detail::store_state> state) : m_state(std::move(state)) {}

const std::shared_ptr<detail::store_state>& detail::state_of(const store& s) noexcept {
  return s.m_state;
}

const pgqrs::config& store::config() const {
  return m_state->core->cfg;
}

std::string_view store::backend_name() const {
  return detail::backend_name(backend());
}

backend_kind store::backend() const {
  return m_state->core->db->kind();
}

pgqrs::concurrency_model store::concurrency_model() const {
  return m_state->core->db->caps().multi_host ? concurrency_model::multi_process
                                              : concurrency_model::single_node;
}

queue_record store::queue(std::string_view name) const {
  return detail::create_queue(*m_state->core, name, now());
}

namespace {
std::shared_ptr<detail::worker_state> register_handle(const detail::core_ptr& core, std::string_view queue,
                                                      std::optional<std::string_view> name, bool consumer) {
  auto q = detail::require_queue(*core, queue);
  auto record = name ? detail::register_worker(*core, *name, q.id, now())
                     : detail::register_ephemeral_worker(*core, q.id, now());
  return detail::make_worker_state(core, record, q, !name.has_value(), consumer);
}
}  // namespace

pgqrs::producer store::producer(std::string_view queue, std::string_view name) const {
  return detail::handle_factory::make_producer(register_handle(m_state->core, queue, name, false));
}

pgqrs::consumer store::consumer(std::string_view queue, std::string_view name) const {
  return detail::handle_factory::make_consumer(register_handle(m_state->core, queue, name, true));
}

pgqrs::producer store::producer_ephemeral(std::string_view queue) const {
  return detail::handle_factory::make_producer(register_handle(m_state->core, queue, std::nullopt, false));
}

pgqrs::consumer store::consumer_ephemeral(std::string_view queue) const {
  return detail::handle_factory::make_consumer(register_handle(m_state->core, queue, std::nullopt, true));
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
