#include "core/db/database.hpp"

#include "core/db/connection_pool.hpp"

namespace pgqrs::detail {

pooled_connection& pooled_connection::operator=(pooled_connection&& other) noexcept {
  if (this != &other) {
    release();
    m_pool = std::move(other.m_pool);
    m_conn = std::move(other.m_conn);
  }
  return *this;
}

void pooled_connection::release() noexcept {
  if (m_pool && m_conn) m_pool->give_back(std::move(m_conn));
  m_pool.reset();
}

database::database(backend_kind kind, std::string dialect, capabilities caps, std::string_view quoted_schema,
                   std::shared_ptr<connection_pool> pool)
    : m_kind(kind),
      m_dialect(dialect),
      m_caps(caps),
      m_catalog(dialect, quoted_schema),
      m_pool(std::move(pool)) {}

pooled_connection database::acquire() const {
  return m_pool->acquire();
}

}  // namespace pgqrs::detail
