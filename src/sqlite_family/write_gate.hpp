#pragma once
// The write gate of an SQLite-family database: every write transaction of every connection of one database
// passes through it. The default gate queues this process's writers on one mutex (SQLite has one writer at a
// time; queueing in-process beats spinning on the file lock). The S3 backend replaces it to make sure the
// local copy is current before a write and to upload after each commit, and uses before_read() to check
// freshness.
//
// Call order on one connection: before_write → (BEGIN IMMEDIATE ... COMMIT) → after_commit → end_write, or
// before_write → (... ROLLBACK) → end_write. before_read precedes a read outside a write transaction.

#include <atomic>
#include <mutex>
#include <thread>

namespace pgqrs::detail::sqlite_family {

class write_gate {
 public:
  write_gate() = default;
  write_gate(const write_gate&) = delete;
  write_gate& operator=(const write_gate&) = delete;
  virtual ~write_gate() = default;

  /// Waits until this thread may write. @throws internal_error when this thread already holds the gate
  /// through another connection (writing through a second connection would deadlock)
  virtual void before_write();
  /// The write transaction committed (the gate is still held). May throw; end_write still follows.
  virtual void after_commit() {}
  /// Releases the gate. Never throws.
  virtual void end_write() noexcept;
  /// Before a statement or transaction that only reads. May throw.
  virtual void before_read() {}

 private:
  std::mutex m_mutex;
  /// Thread holding m_mutex (default id when free).
  std::atomic<std::thread::id> m_owner{};
};

}  // namespace pgqrs::detail::sqlite_family
