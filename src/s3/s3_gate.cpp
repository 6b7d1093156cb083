#include "s3/s3_gate.hpp"

namespace pgqrs::detail::s3 {

namespace {
/// after_commit released the writer lock early (Durable mode), so the end_write that follows on this
/// thread must not release it again.
thread_local bool released_early = false;
/// This thread is counted as a writer on its way (s3_store::begin_write) and has not committed yet.
thread_local bool counted = false;
}  // namespace

void s3_gate::before_write() {
  // While other stores write too, Durable mode writes on the newest remote revision (looked up outside the
  // lock: other writers go on meanwhile), so stores that take turns do not keep losing races.
  if (m_store->mode() == durability_mode::durable && !m_store->writer_held_here() &&
      m_store->check_before_write()) {
    m_store->ensure_fresh_for_read();
  }
  m_store->begin_write();
  counted = true;
  try {
    m_store->lock_writer();
  } catch (...) {
    end_without_commit();
    throw;
  }
  try {
    m_store->prepare_write();
  } catch (...) {
    m_store->unlock_writer();
    end_without_commit();
    throw;
  }
}

void s3_gate::end_without_commit() noexcept {
  if (!counted) return;
  counted = false;
  m_store->end_write_without_commit();
}

void s3_gate::after_commit() {
  counted = false;
  const std::uint64_t version = m_store->record_commit();
  if (m_store->mode() != durability_mode::durable) return;
  m_store->unlock_writer();
  released_early = true;
  m_store->wait_durable(version);
}

void s3_gate::end_write() noexcept {
  end_without_commit();  // a rollback
  if (released_early) {
    released_early = false;
    return;
  }
  m_store->unlock_writer();
}

void s3_gate::before_read() {
  // A thread inside its own write transaction reads its own writes; waiting for an upload here would wait
  // for the lock it holds.
  if (m_store->mode() != durability_mode::durable || m_store->writer_held_here()) return;
  m_store->ensure_fresh_for_read();
}

}  // namespace pgqrs::detail::s3
