// pgqrs/s3.hpp: the public S3 handle over the store's detail::object_sync (the S3 backend's s3_store).
// Compiled in every build; without the S3 backend no store has one, and as_s3 says so.

#include <array>

#include "core/api/store_state.hpp"
#include "core/db/object_sync.hpp"
#include "core/db/registry.hpp"
#include "pgqrs/errors.hpp"
#include "pgqrs/s3.hpp"

namespace pgqrs {

std::string_view to_string(sync_state state) noexcept {
  static constexpr std::array<std::string_view, 7> names{"LocalMissing",
                                                         "RemoteMissing{local_dirty=false}",
                                                         "RemoteMissing{local_dirty=true}",
                                                         "InSync",
                                                         "LocalChanges",
                                                         "RemoteChanges",
                                                         "ConcurrentChanges"};
  return names[static_cast<std::size_t>(state)];
}

s3_store_handle as_s3(const store& s) {
  const auto& db = *detail::core_of(s).db;
  if (db.kind() != backend_kind::s3 || !db.backend_state()) {
    throw validation_error("store backend is '" + std::string(detail::backend_name(db.kind())) +
                           "', expected 's3'");
  }
  return s3_store_handle(std::static_pointer_cast<detail::object_sync>(db.backend_state()));
}

void s3_store_handle::snapshot() const {
  m_store->snapshot();
}
void s3_store_handle::sync() const {
  m_store->sync();
}
sync_state s3_store_handle::state() const {
  return m_store->state();
}
durability_mode s3_store_handle::mode() const {
  return m_store->mode();
}
std::uint64_t s3_store_handle::uploads() const {
  return m_store->uploads();
}
std::uint64_t s3_store_handle::lost_races() const {
  return m_store->lost_races();
}

}  // namespace pgqrs
