#pragma once
// The S3 store's write gate (sqlite_family/write_gate.hpp): the family's hooks around every transaction,
// turned into the store's synchronisation (s3_store.hpp).
//  * before_write: the store's writer lock (one SQLite writer at a time, and no upload reads the file
//    mid-transaction); in Durable mode, rejected local writes are first replaced by the remote revision,
//    and while other stores are seen writing, a newer remote revision is taken first.
//  * after_commit: counts the write; in Durable mode releases the writer lock (so other writers can commit
//    into the same upload) and waits until an upload containing this write succeeded (group commit).
//  * before_read (Durable mode): pending writes are uploaded and a newer remote revision is taken first.

#include <memory>

#include "s3/s3_store.hpp"
#include "sqlite_family/write_gate.hpp"

namespace pgqrs::detail::s3 {

class s3_gate final : public sqlite_family::write_gate {
 public:
  explicit s3_gate(std::shared_ptr<s3_store> store) : m_store(std::move(store)) {}

  void before_write() override;
  void after_commit() override;
  void end_write() noexcept override;
  void before_read() override;

 private:
  /// The writer of this thread leaves without a commit (rollback, failure before BEGIN).
  void end_without_commit() noexcept;
  std::shared_ptr<s3_store> m_store;
};

}  // namespace pgqrs::detail::s3
