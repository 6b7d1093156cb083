#include "s3/s3_store.hpp"

#include <chrono>
#include <system_error>

#include "pgqrs/errors.hpp"
#include "s3/cache_files.hpp"
#include "s3/sigv4.hpp"

namespace pgqrs::detail::s3 {

namespace fs = std::filesystem;

namespace {

/// Holds the store's writer lock (the family's write gate) for a scope.
class writer_guard {
 public:
  writer_guard(s3_store& store, bool already_held) : m_store(store), m_owned(!already_held) {
    if (m_owned) m_store.lock_writer();
  }
  writer_guard(const writer_guard&) = delete;
  writer_guard& operator=(const writer_guard&) = delete;
  ~writer_guard() {
    if (m_owned) m_store.unlock_writer();
  }

 private:
  s3_store& m_store;
  bool m_owned;
};

void remove_quietly(const fs::path& file) noexcept {
  std::error_code ec;
  fs::remove(file, ec);
  fs::remove(fs::path(file.string() + "-journal"), ec);
}

}  // namespace

template <typename Call>
auto s3_store::object_call(std::string_view operation, Call&& call) {
  try {
    return m_clients.with(std::forward<Call>(call));
  } catch (const connection_error& e) {
    throw timeout_error("object_store:" + std::string(operation) + " key=" + m_options.key + " (" + e.what() +
                        ")");
  }
}

s3_store::s3_store(s3_store_options options) : m_options(std::move(options)), m_clients(m_options.client) {
  std::error_code ec;
  fs::create_directories(m_options.cache_dir, ec);
  if (ec) {
    throw config_error("s3.cache_dir",
                       "cannot create '" + m_options.cache_dir.string() + "': " + ec.message());
  }
  m_file = revision_file(m_options.cache_dir, std::nullopt);
  if (m_options.mode == durability_mode::durable) {
    // The remote object is the truth in Durable mode: files left by an earlier store in this directory
    // are not based on any revision this store knows, so start over from the remote revision.
    remove_revision_files(m_options.cache_dir);
    take_remote(false, false);
  }
}

s3_store::~s3_store() {
  if (!m_options.own_cache_dir) return;
  std::lock_guard lock(m_mutex);
  if (dirty_locked()) return;  // keep local writes that were never uploaded
  std::error_code ec;
  fs::remove_all(m_options.cache_dir, ec);
}

std::pair<fs::path, std::uint64_t> s3_store::current_file() const {
  std::lock_guard lock(m_mutex);
  return {m_file, m_generation.load()};
}

std::string s3_store::description() const {
  std::lock_guard lock(m_mutex);
  return "'" + m_file.string() + "' (local copy of s3://" + m_options.bucket + "/" + m_options.key + ")";
}

// ---------------------------------------------------------------- writer lock

void s3_store::lock_writer() {
  if (writer_held_here()) {
    throw internal_error(
        "this thread already holds the S3 store's write lock through another connection; writing through a "
        "second connection would deadlock");
  }
  m_writer.lock();
  m_writer_owner.store(std::this_thread::get_id(), std::memory_order_relaxed);
}

void s3_store::unlock_writer() noexcept {
  m_writer_owner.store(std::thread::id{}, std::memory_order_relaxed);
  m_writer.unlock();
}

// ---------------------------------------------------------------- state

sync_state s3_store::state() {
  std::optional<std::string> base;
  {
    std::lock_guard lock(m_mutex);
    if (!fs::exists(m_file)) return sync_state::local_missing;
    base = m_last_etag;
  }
  auto head =
      object_call("head", [&](s3_client& c) { return c.head_object(m_options.bucket, m_options.key); });
  std::lock_guard lock(m_mutex);
  const bool dirty = dirty_locked();
  if (!head) return dirty ? sync_state::remote_missing_dirty : sync_state::remote_missing_clean;
  if (base && head->etag == *base) return dirty ? sync_state::local_changes : sync_state::in_sync;
  return dirty ? sync_state::concurrent_changes : sync_state::remote_changes;
}

// ---------------------------------------------------------------- snapshot (pull)

void s3_store::snapshot() {
  {
    std::lock_guard lock(m_mutex);
    if (dirty_locked() && !m_rejected) {
      throw conflict_error("Snapshot refused for key '" + m_options.key +
                           "': local store has unsynced writes");
    }
  }
  if (!take_remote(false, true)) {
    // Unchanged remote: still a no-op, unless the local file went missing (then it is downloaded again).
    bool missing = false;
    {
      std::lock_guard lock(m_mutex);
      missing = !fs::exists(m_file);
    }
    if (missing) take_remote(false, false);
  }
}

bool s3_store::take_remote(bool writer_held, bool conditional) {
  std::optional<std::string> base;
  bool rejected = false;
  {
    std::lock_guard lock(m_mutex);
    base = m_last_etag;
    rejected = m_rejected;
  }
  const bool ask_if_changed = conditional && base && !rejected;
  auto got = object_call("get", [&](s3_client& c) {
    return c.get_object(m_options.bucket, m_options.key,
                        ask_if_changed ? std::optional<std::string_view>(*base) : std::nullopt);
  });
  if (got.status == get_status::not_modified) return false;
  if (got.status == get_status::not_found) {
    if (conditional) throw not_found("object", m_options.key);
    return false;  // opening: nothing remote yet, start from an empty local copy
  }
  const fs::path file = revision_file(m_options.cache_dir, got.etag);
  writer_guard writer(*this, writer_held);
  std::lock_guard lock(m_mutex);
  if (rejected && !m_rejected) return false;  // another caller replaced the rejected writes meanwhile
  // Compare-and-swap on the local side: nobody wrote or synced while the bytes were on their way.
  if (m_last_etag != base || (dirty_locked() && !m_rejected)) {
    throw conflict_error("Snapshot CAS failed for key '" + m_options.key +
                         "': local state changed during snapshot");
  }
  write_file_atomically(file, got.body);
  switch_to_locked(file, got.etag);
  m_synced_version = m_write_version;
  m_rejected = false;
  return true;
}

void s3_store::switch_to_locked(const fs::path& file, const std::string& etag) {
  const fs::path old = m_file;
  m_file = file;
  m_last_etag = etag;
  m_change_counter = read_change_counter(file);
  m_generation.fetch_add(1, std::memory_order_acq_rel);
  // Connections still reading the old file keep it open (POSIX); they move to the new one at their next
  // statement. Nobody writes it: writes hold the writer lock, which the caller holds.
  if (old != file) remove_quietly(old);
}

// ---------------------------------------------------------------- sync (push) and group commit

void s3_store::sync() {
  std::uint64_t version = 0;
  {
    std::lock_guard lock(m_mutex);
    if (m_rejected) {
      throw conflict_error("Sync refused for key '" + m_options.key +
                           "': the local writes lost a compare-and-swap to a concurrent writer; snapshot() "
                           "replaces them with the remote revision");
    }
    if (!dirty_locked()) return;  // clean: no-op, even when the remote object is missing (spec §8.3)
    version = m_write_version;
  }
  wait_durable(version);
}

void s3_store::begin_write() {
  std::lock_guard lock(m_mutex);
  ++m_writers_busy;
}

void s3_store::end_write_without_commit() noexcept {
  std::lock_guard lock(m_mutex);
  --m_writers_busy;
  m_changed.notify_all();
}

std::uint64_t s3_store::record_commit() {
  std::lock_guard lock(m_mutex);
  --m_writers_busy;
  m_changed.notify_all();
  // A write transaction that changed nothing (an empty poll, a repeated migration) costs no upload: the
  // original uploads after each one, so an idle Durable poll loop would PUT the whole file every tick. It
  // still waits for writes already pending (it may have read them).
  const auto counter = read_change_counter(m_file);
  if (counter && counter == m_change_counter) return m_write_version;
  m_change_counter = counter;
  return ++m_write_version;
}

void s3_store::wait_durable(std::uint64_t version) {
  std::unique_lock lock(m_mutex);
  // Only rounds that end after this call began count: an explicit sync() after a failed one tries again.
  const std::uint64_t failures_before = m_failures;
  for (;;) {
    if (m_synced_version >= version) return;
    if (m_failures != failures_before && m_failed_upto >= version) std::rethrow_exception(m_failure);
    if (!m_uploading) {
      lead_upload(lock);
      continue;
    }
    m_changed.wait(lock);
  }
}

void s3_store::lead_upload(std::unique_lock<std::mutex>& lock) {
  m_uploading = true;
  lock.unlock();
  upload_outcome round;
  std::exception_ptr failure;
  bool lost_race = false;
  try {
    upload(round);
  } catch (const conflict_error&) {
    failure = std::current_exception();
    lost_race = true;
  } catch (...) {
    failure = std::current_exception();
  }
  lock.lock();
  m_uploading = false;
  m_round_ended = std::chrono::steady_clock::now();
  if (failure) {
    ++m_failures;
    m_failure = failure;
    // A lost compare-and-swap dooms every local write, not only the ones in this round: they all sit on a
    // revision that is no longer the remote one.
    const std::uint64_t covered = lost_race ? m_write_version : round.version;
    m_failed_upto = std::max(m_failed_upto, covered);
    if (lost_race) {
      m_rejected = true;
      m_lost_races.fetch_add(1);
      m_last_lost_race.store(std::chrono::steady_clock::now().time_since_epoch().count());
    }
  }
  m_changed.notify_all();
}

void s3_store::upload(upload_outcome& round) {
  {
    // Writers already on their way (past before_write) are a millisecond from committing: waiting for
    // them makes this round carry their writes instead of leaving them to the next one.
    // Writers the last round just woke need a moment to come back with their next write.
    constexpr auto gather_window = std::chrono::milliseconds(10);
    constexpr auto comeback = std::chrono::milliseconds(2);
    std::unique_lock lock(m_mutex);
    const auto earliest = m_round_ended + comeback;
    m_changed.wait_for(lock, gather_window,
                       [&] { return m_writers_busy == 0 && std::chrono::steady_clock::now() >= earliest; });
  }
  std::string bytes;
  std::optional<std::string> base;
  {
    writer_guard writer(*this, false);
    std::lock_guard lock(m_mutex);
    round.version = m_write_version;
    if (!fs::exists(m_file)) {
      throw conflict_error("Sync refused for key '" + m_options.key + "': local cache file is missing");
    }
    bytes = read_whole_file(m_file);
    base = m_last_etag;
  }
  // A known revision is replaced only if it is still the remote one; without one (or when the object was
  // deleted behind our back) the object is only created, so a fresh store never overwrites remote state.
  put_result result =
      put_checked(bytes, base ? put_condition::if_match(*base) : put_condition::if_none_match_any());
  if (result.status == put_status::not_found) result = put_checked(bytes, put_condition::if_none_match_any());
  if (result.status != put_status::stored) {
    // In Durable mode the writes that lost were never acknowledged and are replaced by the remote revision
    // before the next operation: trying again is safe, and runs on the winner's state.
    throw conflict_error("Sync refused for key '" + m_options.key +
                             "': local and remote changed concurrently from baseline " +
                             (base ? *base : "<none>"),
                         m_options.mode == durability_mode::durable);
  }
  m_uploads.fetch_add(1);
  writer_guard writer(*this, false);
  std::lock_guard lock(m_mutex);
  // The new revision's file: the uploaded bytes, or the current file when writers committed since (their
  // writes sit on top of the uploaded revision and stay dirty until the next round).
  const fs::path file = revision_file(m_options.cache_dir, result.etag);
  if (file != m_file)
    write_file_atomically(file, m_write_version == round.version ? bytes : read_whole_file(m_file));
  switch_to_locked(file, result.etag);
  m_synced_version = std::max(m_synced_version, round.version);
}

put_result s3_store::put_checked(const std::string& bytes, const put_condition& condition) {
  constexpr int max_attempts = 3;
  for (int attempt = 1;; ++attempt) {
    try {
      put_result result = object_call("put", [&](s3_client& c) {
        return c.put_object(m_options.bucket, m_options.key, bytes, condition);
      });
      // A refused precondition may be our own write seen a second time (a request the transport sent
      // twice): the object then holds exactly our bytes.
      if (result.status == put_status::precondition_failed) {
        if (auto seen = look_after_put(bytes, condition); seen && seen->status == put_status::stored)
          return *seen;
      }
      return result;
    } catch (const error& e) {
      // Sent, but the outcome is unknown (no answer, or a 5xx to a conditional write): never retry blindly.
      const auto* s3e = dynamic_cast<const s3_error*>(&e);
      const bool unknown = e.code() == error_code::timeout || (s3e != nullptr && s3e->outcome_unknown());
      if (!unknown || attempt == max_attempts) throw;
      auto seen = look_after_put(bytes, condition);
      if (seen) return *seen;  // it landed, or another writer's revision is there now
    }
  }
}

std::optional<put_result> s3_store::look_after_put(const std::string& bytes, const put_condition& condition) {
  auto head =
      object_call("head", [&](s3_client& c) { return c.head_object(m_options.bucket, m_options.key); });
  if (head && head->size == bytes.size() && head->etag == "\"" + md5_hex(bytes) + "\"") {
    return put_result{put_status::stored, head->etag, {}};
  }
  const bool unchanged =
      condition.type() == put_condition::kind::if_match ? head && head->etag == condition.etag() : !head;
  if (unchanged) return std::nullopt;  // the write did not happen: sending it again is safe
  return put_result{put_status::precondition_failed, {}, {}};
}

// ---------------------------------------------------------------- Durable mode hooks

void s3_store::prepare_write() {
  if (m_options.mode != durability_mode::durable) return;
  bool rejected = false;
  {
    std::lock_guard lock(m_mutex);
    rejected = m_rejected;
  }
  if (rejected) take_remote(true, false);
}

bool s3_store::check_before_write() const noexcept {
  constexpr auto contention_window = std::chrono::seconds(10);
  const auto last = m_last_lost_race.load();
  if (last == 0) return false;
  const auto since =
      std::chrono::steady_clock::now().time_since_epoch() - std::chrono::steady_clock::duration(last);
  return since < contention_window;
}

void s3_store::ensure_fresh_for_read() {
  for (int attempt = 0; attempt < 3; ++attempt) {
    std::uint64_t pending = 0;
    bool rejected = false;
    {
      std::lock_guard lock(m_mutex);
      rejected = m_rejected;
      if (!rejected && m_write_version > m_synced_version) pending = m_write_version;
    }
    if (rejected) {
      take_remote(false, false);
      return;
    }
    if (pending != 0) {
      // Reads see only uploaded state: first make the local writes durable (joining the group commit).
      try {
        wait_durable(pending);
      } catch (const conflict_error&) {
        throw conflict_error("Durable S3 read refused: local state is dirty and cannot be synchronized",
                             true);
      }
      continue;
    }
    try {
      take_remote(false, true);
    } catch (const not_found&) {
      // No remote object and nothing local to upload: read the local copy (spec: RemoteMissing clean).
    } catch (const conflict_error&) {
      continue;  // a writer committed meanwhile: upload first, then look again
    }
    return;
  }
}

}  // namespace pgqrs::detail::s3
