// The S3 backend against a real S3 endpoint (moto, started by scripts/test.sh): every case of spec §8.7,
// plus the cases of issue 12 (object deleted behind our back, endpoint down, racing writers, secrets).

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "s3_backend_support.hpp"

namespace pgqrs::test {
namespace {

namespace fs = std::filesystem;

class s3_backend : public s3_store_test {
 protected:
  static std::int64_t messages_in(const store& s) { return s.messages().count(); }
};

// ---------------------------------------------------------------- bootstrap / restore / replacement

TEST_F(s3_backend, bootstrap_creates_the_missing_remote_object) {
  auto s = open(durability_mode::durable);
  EXPECT_FALSE(head());
  admin(s).install();
  EXPECT_TRUE(head());
  EXPECT_EQ(as_s3(s).state(), sync_state::in_sync);
}

TEST_F(s3_backend, a_fresh_cache_restores_the_existing_remote_by_snapshot) {
  auto a = open(durability_mode::local, "a");
  admin(a).install();
  a.queue("tasks");
  as_s3(a).sync();

  auto b = open(durability_mode::local, "b");
  EXPECT_EQ(as_s3(b).state(), sync_state::remote_changes);
  as_s3(b).snapshot();
  EXPECT_EQ(as_s3(b).state(), sync_state::in_sync);
  EXPECT_EQ(b.queues().count(), 1);
}

TEST_F(s3_backend, a_replacement_writer_cannot_overwrite_existing_remote_state) {
  auto a = open(durability_mode::local, "a");
  admin(a).install();
  as_s3(a).sync();
  const auto before = head()->etag;

  auto b = open(durability_mode::local, "b");
  admin(b).install();
  EXPECT_THROW(as_s3(b).sync(), conflict_error);
  EXPECT_EQ(head()->etag, before);
}

TEST_F(s3_backend, durable_store_on_an_existing_remote_starts_from_it) {
  auto a = open(durability_mode::durable, "a");
  admin(a).install();
  a.queue("tasks");
  a.producer_ephemeral("tasks").enqueue({{"n", 1}});

  // The original's Durable store conflicts here; ours adopts the remote revision when it opens, so its
  // install() is the usual no-op migration and loses nothing.
  auto b = open(durability_mode::durable, "b");
  admin(b).install();
  EXPECT_EQ(messages_in(b), 1);
  EXPECT_EQ(messages_in(a), 1);
}

// ---------------------------------------------------------------- sync

TEST_F(s3_backend, repeated_sync_keeps_the_etag) {
  auto s = open(durability_mode::local);
  admin(s).install();
  as_s3(s).sync();
  const auto etag = head()->etag;
  const auto uploads = as_s3(s).uploads();
  as_s3(s).sync();
  as_s3(s).sync();
  EXPECT_EQ(head()->etag, etag);
  EXPECT_EQ(as_s3(s).uploads(), uploads);
}

TEST_F(s3_backend, sync_recreates_a_deleted_object_when_dirty_and_is_a_noop_when_clean) {
  auto s = open(durability_mode::local);
  admin(s).install();
  as_s3(s).sync();
  ASSERT_EQ(env_client().delete_object(bucket, key), detail::s3::delete_status::deleted);

  as_s3(s).sync();  // clean: nothing to upload, even though the object is gone
  EXPECT_FALSE(head());
  EXPECT_EQ(as_s3(s).state(), sync_state::remote_missing_clean);

  s.queue("tasks");
  EXPECT_EQ(as_s3(s).state(), sync_state::remote_missing_dirty);
  as_s3(s).sync();
  EXPECT_TRUE(head());
  EXPECT_EQ(as_s3(s).state(), sync_state::in_sync);
}

TEST_F(s3_backend, durable_writes_recreate_an_object_deleted_behind_our_back) {
  auto s = open(durability_mode::durable);
  admin(s).install();
  s.queue("tasks");
  ASSERT_EQ(env_client().delete_object(bucket, key), detail::s3::delete_status::deleted);
  s.producer_ephemeral("tasks").enqueue({{"n", 1}});
  ASSERT_TRUE(head());
  auto fresh = open(durability_mode::durable, "fresh");
  EXPECT_EQ(messages_in(fresh), 1);
  EXPECT_EQ(fresh.queues().count(), 1);
}

// ---------------------------------------------------------------- snapshot

TEST_F(s3_backend, snapshot_is_a_noop_when_the_etag_matches) {
  auto s = open(durability_mode::local);
  admin(s).install();
  as_s3(s).sync();
  const auto files = cache_files_in(dirs.back());
  as_s3(s).snapshot();
  EXPECT_EQ(cache_files_in(dirs.back()), files);
  EXPECT_EQ(as_s3(s).state(), sync_state::in_sync);
}

TEST_F(s3_backend, snapshot_with_unsynced_writes_is_a_conflict) {
  auto s = open(durability_mode::local);
  admin(s).install();
  try {
    as_s3(s).snapshot();
    FAIL() << "snapshot over unsynced writes succeeded";
  } catch (const conflict_error& e) {
    EXPECT_NE(
        std::string(e.what()).find("Snapshot refused for key '" + key + "': local store has unsynced writes"),
        std::string::npos)
        << e.what();
  }
}

TEST_F(s3_backend, snapshot_of_a_missing_remote_is_not_found) {
  auto s = open(durability_mode::local);
  try {
    as_s3(s).snapshot();
    FAIL() << "snapshot without a remote object succeeded";
  } catch (const not_found& e) {
    EXPECT_EQ(e.entity(), "object");
    EXPECT_EQ(e.id(), key);
  }
}

TEST_F(s3_backend, snapshot_picks_up_remote_changes) {
  auto [a, b] = two_local_stores_in_sync();
  a.queue("tasks");
  as_s3(a).sync();
  EXPECT_EQ(b.queues().count(), 0);
  EXPECT_EQ(as_s3(b).state(), sync_state::remote_changes);
  as_s3(b).snapshot();
  EXPECT_EQ(b.queues().count(), 1);
}

// ---------------------------------------------------------------- compare-and-swap

TEST_F(s3_backend, a_stale_writer_gets_a_conflict_and_recovers_after_a_snapshot) {
  auto [a, b] = two_local_stores_in_sync();
  a.queue("from_a");
  as_s3(a).sync();
  b.queue("from_b");
  EXPECT_EQ(as_s3(b).state(), sync_state::concurrent_changes);
  try {
    as_s3(b).sync();
    FAIL() << "a stale writer's sync succeeded";
  } catch (const conflict_error& e) {
    EXPECT_NE(std::string(e.what()).find("changed concurrently from baseline"), std::string::npos)
        << e.what();
  }
  // Not wedged: the writes that lost are replaced by the remote revision, and the store works again.
  as_s3(b).snapshot();
  EXPECT_EQ(as_s3(b).state(), sync_state::in_sync);
  EXPECT_EQ(b.queues().count(), 1);
  b.queue("from_b");
  as_s3(b).sync();
  as_s3(a).snapshot();
  EXPECT_EQ(a.queues().count(), 2);
}

TEST_F(s3_backend, durable_writers_with_separate_caches_race_and_nothing_acknowledged_is_lost) {
  auto seed = open(durability_mode::durable, "seed");
  admin(seed).install();
  seed.queue("q");
  store writers[2] = {open(durability_mode::durable, "w0"), open(durability_mode::durable, "w1")};
  std::vector<std::int64_t> acknowledged[2];
  int refused = 0;
  constexpr int rounds = 8;
  for (int round = 0; round < rounds; ++round) {
    std::atomic<int> ready{0};
    auto write = [&](int w) {
      ready.fetch_add(1);
      while (ready.load() < 2) std::this_thread::yield();
      try {
        acknowledged[w].push_back(
            enqueue().message({{"w", w}, {"round", round}}).to("q").execute(writers[w]).at(0));
      } catch (const conflict_error&) {
        ++refused;  // lost more races than the library retries: not acknowledged
      }
    };
    std::thread t0(write, 0), t1(write, 1);
    t0.join();
    t1.join();
  }
  // Each round both write from one revision: one upload wins, the other loses the compare-and-swap, its
  // write is answered with a (retryable) conflict, replaced by the winner's revision and retried.
  EXPECT_GT(as_s3(writers[0]).lost_races() + as_s3(writers[1]).lost_races(), 0U)
      << "the writers never raced (the test proves nothing)";
  EXPECT_LE(refused, 1);
  auto check = open(durability_mode::durable, "check");
  std::set<std::int64_t> present, expected;
  for (const auto& m : check.messages().list()) present.insert(m.id);
  for (const auto& ids : acknowledged) expected.insert(ids.begin(), ids.end());
  // Every acknowledged message is there, and nothing else: the writes that lost left no trace.
  EXPECT_EQ(present, expected);
}

// ---------------------------------------------------------------- files and states

TEST_F(s3_backend, only_the_current_revision_file_is_kept) {
  auto s = open(durability_mode::local);
  admin(s).install();
  EXPECT_EQ(cache_files_in(dirs.back()), std::vector<std::string>{"cache.sqlite"});
  as_s3(s).sync();
  const auto first = cache_files_in(dirs.back());
  ASSERT_EQ(first.size(), 1U);
  EXPECT_EQ(first[0], detail::s3::revision_file("", head()->etag).string());
  s.queue("tasks");
  as_s3(s).sync();
  const auto second = cache_files_in(dirs.back());
  ASSERT_EQ(second.size(), 1U);
  EXPECT_NE(second, first);
  EXPECT_EQ(s.queues().count(), 1);  // the connections followed the copy to its new file
}

TEST_F(s3_backend, the_etag_is_sanitised_into_the_file_name) {
  EXPECT_EQ(detail::s3::revision_file("d", std::string("\"etag:1/2\"")),
            fs::path("d/cache__etag_1_2_.sqlite"));
  EXPECT_EQ(detail::s3::revision_file("d", std::nullopt), fs::path("d/cache.sqlite"));
}

TEST_F(s3_backend, every_sync_state) {
  auto a = open(durability_mode::local, "a");
  EXPECT_EQ(as_s3(a).state(), sync_state::remote_missing_clean);
  admin(a).install();
  EXPECT_EQ(as_s3(a).state(), sync_state::remote_missing_dirty);
  as_s3(a).sync();
  EXPECT_EQ(as_s3(a).state(), sync_state::in_sync);
  a.queue("one");
  EXPECT_EQ(as_s3(a).state(), sync_state::local_changes);
  as_s3(a).sync();

  auto b = open(durability_mode::local, "b");
  as_s3(b).snapshot();
  b.queue("two");
  as_s3(b).sync();
  EXPECT_EQ(as_s3(a).state(), sync_state::remote_changes);
  a.queue("three");
  EXPECT_EQ(as_s3(a).state(), sync_state::concurrent_changes);

  b.queue("four");
  for (const auto& f : cache_files_in(dirs[1])) fs::remove(dirs[1] / f);
  EXPECT_EQ(as_s3(b).state(), sync_state::local_missing);
  try {
    as_s3(b).sync();
    FAIL() << "sync without a local file succeeded";
  } catch (const conflict_error& e) {
    EXPECT_NE(std::string(e.what()).find("local cache file is missing"), std::string::npos) << e.what();
  }
  EXPECT_EQ(to_string(sync_state::remote_missing_dirty), "RemoteMissing{local_dirty=true}");
}

// ---------------------------------------------------------------- Durable mode

TEST_F(s3_backend, durable_writes_are_uploaded_without_an_explicit_sync) {
  auto s = open(durability_mode::durable);
  admin(s).install();
  s.queue("tasks");
  auto p = s.producer_ephemeral("tasks");
  p.enqueue({{"n", 1}});
  EXPECT_EQ(as_s3(s).state(), sync_state::in_sync);
  auto fresh = open(durability_mode::local, "fresh");
  as_s3(fresh).snapshot();
  EXPECT_EQ(messages_in(fresh), 1);
}

TEST_F(s3_backend, durable_writes_that_change_nothing_cost_no_upload) {
  auto s = open(durability_mode::durable);
  admin(s).install();
  s.queue("tasks");
  auto c = s.consumer("tasks", "idle");
  const auto before = as_s3(s).uploads();
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(c.dequeue_many(1).empty());  // an idle poll loop's ticks
  admin(s).install();                                                  // every migration already applied
  EXPECT_EQ(as_s3(s).uploads(), before);
  EXPECT_EQ(as_s3(s).state(), sync_state::in_sync);
}

TEST_F(s3_backend, durable_stores_see_each_others_writes) {
  auto a = open(durability_mode::durable, "a");
  admin(a).install();
  a.queue("tasks");
  auto b = open(durability_mode::durable, "b");
  auto pa = a.producer_ephemeral("tasks");
  auto pb = b.producer_ephemeral("tasks");
  for (int i = 0; i < 3; ++i) {
    pa.enqueue({{"from", "a"}});
    EXPECT_EQ(messages_in(b), 2 * i + 1);  // a read takes the newer remote revision first
    pb.enqueue({{"from", "b"}});
    EXPECT_EQ(messages_in(a), 2 * i + 2);
  }
}

// ---------------------------------------------------------------- errors

TEST_F(s3_backend, an_unreachable_endpoint_is_a_timeout_and_the_local_state_stays) {
  const std::string real = std::getenv("AWS_ENDPOINT_URL");
  ::setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1", 1);  // nothing listens on port 1
  auto s = open(durability_mode::local);
  ::setenv("AWS_ENDPOINT_URL", real.c_str(), 1);
  admin(s).install();
  s.queue("tasks");
  EXPECT_THROW(as_s3(s).sync(), timeout_error);
  EXPECT_THROW((void)as_s3(s).state(), timeout_error);
  EXPECT_EQ(s.queues().count(), 1);  // local writes intact, still waiting for a sync

  ::setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1", 1);
  EXPECT_THROW(open(durability_mode::durable, "down"), timeout_error);
  ::setenv("AWS_ENDPOINT_URL", real.c_str(), 1);
}

TEST_F(s3_backend, secrets_never_appear_in_errors) {
  const std::string real_secret = std::getenv("AWS_SECRET_ACCESS_KEY");
  const std::string real_endpoint = std::getenv("AWS_ENDPOINT_URL");
  ::setenv("AWS_SECRET_ACCESS_KEY", test_secret.c_str(), 1);
  ::setenv("AWS_SESSION_TOKEN", test_token.c_str(), 1);
  std::vector<std::string> messages;
  {
    auto a = open(durability_mode::local, "a");
    admin(a).install();
    as_s3(a).sync();
    auto b = open(durability_mode::local, "b");
    admin(b).install();
    try {
      as_s3(b).sync();
    } catch (const std::exception& e) {
      messages.emplace_back(e.what());
    }
    ::setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1", 1);
    auto down = open(durability_mode::local, "down");
    admin(down).install();
    try {
      as_s3(down).sync();
    } catch (const std::exception& e) {
      messages.emplace_back(e.what());
    }
  }
  ::setenv("AWS_ENDPOINT_URL", real_endpoint.c_str(), 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", real_secret.c_str(), 1);
  ::unsetenv("AWS_SESSION_TOKEN");
  ASSERT_EQ(messages.size(), 2U);
  for (const auto& m : messages) EXPECT_TRUE(free_of_secrets(m)) << m;
}

TEST_F(s3_backend, as_s3_on_another_backend_is_a_clear_error) {
  auto path = fresh_cache_dir("sqlite");
  fs::create_directories(path);
  dirs.push_back(path);
  auto s = connect("sqlite://" + (path / "db.sqlite").string());
  try {
    (void)as_s3(s);
    FAIL() << "as_s3 accepted an SQLite store";
  } catch (const validation_error& e) {
    EXPECT_NE(std::string(e.what()).find("store backend is 'sqlite', expected 's3'"), std::string::npos);
  }
}

TEST_F(s3_backend, an_empty_cache_dir_is_a_config_error_and_none_means_a_default) {
  config c = config::from_dsn("s3://" + bucket + "/" + key);
  c.s3.cache_dir = fs::path();
  EXPECT_THROW(connect(c), config_error);
  c.s3.cache_dir.reset();
  auto s = connect(c);  // the original refuses; we use a private directory under the user's cache
  admin(s).install();
  EXPECT_EQ(as_s3(s).state(), sync_state::in_sync);
}

}  // namespace
}  // namespace pgqrs::test
