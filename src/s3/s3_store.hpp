#pragma once
// The S3 store: one SQLite file kept as one S3 object (spec §8), synchronised by ETag compare-and-swap.
//
// State (m_mutex): the ETag the local copy is based on, the local write counter (write_version, bumped by
// every committed write), the highest write version that is in the remote object (synced_version; dirty =
// write_version > synced_version), whether the local writes lost a compare-and-swap (rejected), and the
// current file with its generation (revision_engine.hpp follows it).
//
// The writer lock (m_writer) is the family's write gate lock (s3_gate.hpp): SQLite writes hold it from
// BEGIN to COMMIT. The store takes it too, briefly, to read a consistent file for an upload and to install a
// new file, never across a network call. Lock order: m_writer before m_mutex; no lock is held while waiting
// for S3.
//
// Group commit (Durable mode): a writer that committed locally waits in wait_durable(its version). If no
// upload is in flight it becomes the leader: it reads the file (all writes committed so far), uploads it
// and wakes everyone; writers that committed meanwhile wait for the next round, led by one of them. Each
// returns when an upload containing its version succeeded, or throws the error of the round that contained
// it. A lost compare-and-swap marks the local writes rejected: they were never acknowledged, so the next
// operation (or snapshot()) replaces the local copy with the remote revision instead of staying wedged.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#include "core/db/object_sync.hpp"
#include "pgqrs/config.hpp"
#include "pgqrs/s3.hpp"
#include "s3/client_pool.hpp"
#include "s3/revision_engine.hpp"

namespace pgqrs::detail::s3 {

struct s3_store_options {
  std::string bucket;
  std::string key;
  durability_mode mode = durability_mode::durable;
  std::filesystem::path cache_dir;
  /// The directory was made for this store (no cache_dir configured): removed when the store closes clean.
  bool own_cache_dir = false;
  s3_config client;
};

class s3_store final : public revision_files, public object_sync {
 public:
  /// Creates the cache directory. In Durable mode, starts from the remote revision when there is one
  /// (a fresh local copy otherwise). @throws timeout_error, s3_error, internal_error
  explicit s3_store(s3_store_options options);
  ~s3_store() override;

  // revision_files
  [[nodiscard]] std::uint64_t generation() const noexcept override {
    return m_generation.load(std::memory_order_acquire);
  }
  [[nodiscard]] std::pair<std::filesystem::path, std::uint64_t> current_file() const override;

  // object_sync: the operations of pgqrs::s3_store_handle (pgqrs/s3.hpp).
  [[nodiscard]] sync_state state() override;
  void snapshot() override;
  void sync() override;
  [[nodiscard]] durability_mode mode() const override { return m_options.mode; }
  [[nodiscard]] std::uint64_t uploads() const override { return m_uploads.load(); }
  [[nodiscard]] std::uint64_t lost_races() const override { return m_lost_races.load(); }
  /// "'<file>' (local copy of s3://bucket/key)", for errors.
  [[nodiscard]] std::string description() const;

  // For the write gate (s3_gate.hpp).
  /// @throws internal_error when this thread holds it already (through another connection)
  void lock_writer();
  void unlock_writer() noexcept;
  [[nodiscard]] bool writer_held_here() const noexcept {
    return m_writer_owner.load(std::memory_order_relaxed) == std::this_thread::get_id();
  }
  /// With the writer lock held, before a write transaction: replaces rejected local writes by the remote
  /// revision, so no write lands on a copy that can never be uploaded.
  void prepare_write();
  /// A writer is on its way to the writer lock (so a group-commit leader may wait for it).
  void begin_write();
  /// That writer rolled back (or failed before committing).
  void end_write_without_commit() noexcept;
  /// That writer's transaction committed locally: its version.
  [[nodiscard]] std::uint64_t record_commit();
  /// Returns once an upload containing `version` succeeded; throws the error of the one that failed.
  void wait_durable(std::uint64_t version);
  /// Durable mode, before a write: whether to look for a newer remote revision first. Only while other
  /// stores are seen writing (a race lost in the last few seconds): a lone writer pays no request for it,
  /// and a write on a stale revision costs only a lost race, which the library retries.
  [[nodiscard]] bool check_before_write() const noexcept;
  /// Durable mode, before a read: uploads pending writes, then takes a newer remote revision if any.
  void ensure_fresh_for_read();

 private:
  struct upload_outcome {
    std::uint64_t version = 0;
  };
  [[nodiscard]] bool dirty_locked() const { return m_rejected || m_write_version > m_synced_version; }
  /// Leader of one group-commit round (m_mutex held on entry and exit, released meanwhile).
  void lead_upload(std::unique_lock<std::mutex>& lock);
  /// Reads the file, PUTs it with the compare-and-swap, installs the new revision. `round.version` is the
  /// write version uploaded (set before anything can fail after reading it).
  void upload(upload_outcome& round);
  /// One conditional PUT of `bytes`. When its outcome is unknown (no answer, a 5xx) or it was refused, it
  /// looks (HEAD) before deciding: our bytes there (S3's single-PUT ETag is their MD5) → stored; the object
  /// unchanged → sent again (at most 3 times in all); another revision there → precondition_failed.
  put_result put_checked(const std::string& bytes, const put_condition& condition);
  /// What a HEAD says happened to a PUT of `bytes` under `condition`; nullopt: it did not happen.
  std::optional<put_result> look_after_put(const std::string& bytes, const put_condition& condition);
  /// Downloads the remote revision and makes it the local copy. `discard_rejected`: rejected local writes
  /// may be replaced. `conditional`: a GET that answers "not modified" when the remote is still `base`.
  /// @returns false when nothing changed
  bool take_remote(bool writer_held, bool conditional);
  /// Makes `file` (already written) the local copy at revision `etag` (m_mutex and m_writer held).
  void switch_to_locked(const std::filesystem::path& file, const std::string& etag);
  /// Runs one S3 call on a pooled client; a failed connection becomes timeout_error (spec §8.3), never a
  /// connection_error, which the store core would take as "nothing happened" and retry a committed write.
  template <typename Call>
  auto object_call(std::string_view operation, Call&& call);

  s3_store_options m_options;
  client_pool m_clients;

  std::mutex m_writer;
  std::atomic<std::thread::id> m_writer_owner{};

  mutable std::mutex m_mutex;
  std::condition_variable m_changed;
  std::filesystem::path m_file;
  std::atomic<std::uint64_t> m_generation{0};
  std::optional<std::string> m_last_etag;
  std::uint64_t m_write_version = 0;
  /// The local file's change counter after the last counted commit or file switch.
  std::optional<std::uint32_t> m_change_counter;
  std::uint64_t m_synced_version = 0;
  bool m_rejected = false;
  bool m_uploading = false;
  std::chrono::steady_clock::time_point m_round_ended{};
  /// Writers between begin_write and their commit (or rollback).
  int m_writers_busy = 0;
  /// Failed rounds so far, the highest version any of them covered, and the last one's error.
  std::uint64_t m_failures = 0;
  std::uint64_t m_failed_upto = 0;
  std::exception_ptr m_failure;
  std::atomic<std::uint64_t> m_uploads{0};
  std::atomic<std::uint64_t> m_lost_races{0};
  /// When the last race was lost (steady clock ticks; 0: never).
  std::atomic<std::int64_t> m_last_lost_race{0};
};

}  // namespace pgqrs::detail::s3
