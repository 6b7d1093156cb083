#pragma once
/// @file s3.hpp
/// The S3 backend's own operations (spec §8): a store opened on `s3://bucket/key.sqlite` keeps the whole
/// queue database as one SQLite file in one S3 object and works on a local copy of it.
///
/// @code
///   auto store = pgqrs::connect("s3://my-bucket/queues/app.sqlite");   // AWS_* variables for credentials
///   pgqrs::admin(store).install();                                      // Durable mode: uploaded at once
///   auto s3 = pgqrs::as_s3(store);
///   if (s3.state() == pgqrs::sync_state::remote_changes) s3.snapshot();
/// @endcode

#include <cstdint>
#include <memory>
#include <string_view>

#include "pgqrs/config.hpp"
#include "pgqrs/store.hpp"

namespace pgqrs {

namespace detail {
class object_sync;
}

/// How the local copy relates to the remote object (spec §8.3).
enum class sync_state {
  /// The local copy's file is gone (deleted behind the store's back).
  local_missing,
  /// No remote object, and no local writes since the last sync or snapshot.
  remote_missing_clean,
  /// No remote object, and local writes not uploaded.
  remote_missing_dirty,
  /// The remote object is the revision the local copy is based on, and nothing changed locally.
  in_sync,
  /// Local writes on top of the current remote revision (sync() uploads them).
  local_changes,
  /// Another writer uploaded a newer revision; nothing changed locally (snapshot() takes it).
  remote_changes,
  /// Both changed: sync() and snapshot() refuse (conflict_error).
  concurrent_changes,
};

/// "LocalMissing", "RemoteMissing{local_dirty=false}", "InSync", ... (the original's names).
[[nodiscard]] std::string_view to_string(sync_state state) noexcept;

/// The S3 operations of one store (cheap to copy; shares the store's state).
class s3_store_handle {
 public:
  /// Downloads the remote revision when it differs from the local copy's.
  /// @throws conflict_error when there are local writes not uploaded (unless a sync lost to a concurrent
  ///         writer: those writes were rejected and are discarded), not_found when there is no remote object,
  ///         timeout_error when S3 cannot be reached
  void snapshot() const;
  /// Uploads local writes (no-op when there are none) with an ETag compare-and-swap; in Durable mode this
  /// joins the upload that is in flight or the next one.
  /// @throws conflict_error when the remote object changed since the local copy's revision, or the local
  ///         file is missing; timeout_error when S3 cannot be reached (the writes stay local, not lost)
  void sync() const;
  /// Compares the local copy with the remote object (one HEAD request). @throws timeout_error
  [[nodiscard]] sync_state state() const;
  [[nodiscard]] durability_mode mode() const;
  /// Successful uploads (PUTs) this store made: with group commit, fewer than the writes it acknowledged.
  [[nodiscard]] std::uint64_t uploads() const;
  /// Uploads that lost the compare-and-swap to another store. In Durable mode their writes were answered
  /// with a retryable conflict_error, and the library's operations retried them on the winner's revision.
  [[nodiscard]] std::uint64_t lost_races() const;

 private:
  friend s3_store_handle as_s3(const store& s);
  explicit s3_store_handle(std::shared_ptr<detail::object_sync> s) : m_store(std::move(s)) {}
  std::shared_ptr<detail::object_sync> m_store;
};

/// The S3 operations of `s`. @throws validation_error when `s` is not an S3 store
[[nodiscard]] s3_store_handle as_s3(const store& s);

}  // namespace pgqrs
