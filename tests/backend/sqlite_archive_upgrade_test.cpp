// Schema version 5 of the SQLite family keeps archived messages in pgqrs_messages
// (sql/sqlite/migrations/0005_archive_in_place.sql). A file written by version 4, with acknowledged and
// dead-lettered messages in the separate pgqrs_archive table, must come through install() with nothing lost:
// the archive is still listed and counted, a dead-lettered message can be replayed, live messages are still
// claimed, and verify() passes.

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "core/db/sql_catalog.hpp"
#include "pgqrs/pgqrs.hpp"

namespace {

namespace fs = std::filesystem;

void exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "?";
    sqlite3_free(err);
    FAIL() << msg << "\n" << sql;
  }
}

/// A file as version 4 of the library left it: migrations 1..4, one queue, two live messages (one leased by
/// a consumer), one acknowledged and one dead-lettered message in pgqrs_archive.
void write_version_4_file(const fs::path& path) {
  const pgqrs::detail::sql_catalog catalog("sqlite", "main");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  exec(db, catalog.query("schema_version_create").statements.front());
  for (const auto& m : catalog.migrations()) {
    if (m.version > 4) break;
    exec(db, m.script);
    exec(db, "INSERT INTO pgqrs_schema_version (version, description, applied_at) VALUES (" +
                 std::to_string(m.version) + ", 'v4', 1)");
  }
  exec(db, R"sql(
INSERT INTO pgqrs_queues (id, queue_name, created_at) VALUES (1, 'jobs', 1);
INSERT INTO pgqrs_workers (id, name, queue_id, started_at, heartbeat_at, status) VALUES (1, 'w', 1, 1, 1, 'stopped');
INSERT INTO pgqrs_messages (id, queue_id, payload, vt, enqueued_at, read_ct, producer_worker_id) VALUES
  (3, 1, '{"n":3}', 1, 1, 0, 1),
  (4, 1, '{"n":4}', 2, 2, 0, 1);
INSERT INTO pgqrs_archive (id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id,
                           consumer_worker_id, archived_at, dead_lettered_at) VALUES
  (1, 1, '{"n":1}', 5, 1, 1, 2, 1, 1, 10, NULL),
  (2, 1, '{"n":2}', 5, 1, 3, 2, 1, 1, 11, 11);
UPDATE sqlite_sequence SET seq = 4 WHERE name = 'pgqrs_messages';
)sql");
  sqlite3_close(db);
}

TEST(archive_upgrade, a_version_4_file_keeps_its_archive_and_live_messages_through_install) {
  const fs::path path = fs::temp_directory_path() / ("pgqrs_upgrade_" + std::to_string(::getpid()) + ".db");
  fs::remove(path);
  write_version_4_file(path);
  {
    auto s = pgqrs::connect("sqlite://" + path.string());
    pgqrs::admin(s).install();
    EXPECT_NO_THROW(pgqrs::admin(s).verify());

    const auto archived = s.messages().list_archived_by_queue(1);
    ASSERT_EQ(archived.size(), 2U);
    EXPECT_EQ(archived[0].id, 2);  // most recently archived first
    EXPECT_EQ(archived[1].id, 1);
    EXPECT_EQ(archived[1].payload, pgqrs::json({{"n", 1}}));
    EXPECT_TRUE(archived[1].archived_at.has_value());
    EXPECT_EQ(s.messages().count(), 2);  // live only
    EXPECT_EQ(s.messages().count_by_queue(1), 4);

    const auto m = pgqrs::admin(s).queue_metrics("jobs");
    EXPECT_EQ(m.total_messages, 4);
    EXPECT_EQ(m.archived_messages, 2);
    EXPECT_EQ(m.dead_lettered_messages, 1);

    // The dead-lettered message goes back live under its id; the consumer then gets the three live ones in
    // claim order, and archiving one leaves it listed with the others.
    auto producer = s.producer("jobs", "p");
    const auto replayed = producer.replay_dlq(2);
    ASSERT_TRUE(replayed.has_value());
    EXPECT_EQ(replayed->read_ct, 0);
    EXPECT_EQ(s.messages().count(), 3);
    EXPECT_EQ(pgqrs::admin(s).queue_metrics("jobs").dead_lettered_messages, 0);

    auto consumer = s.consumer("jobs", "c");
    const auto first = consumer.dequeue();
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(first->id, 3);
    ASSERT_TRUE(consumer.archive(first->id).has_value());
    EXPECT_EQ(s.messages().list_archived_by_queue(1).size(), 2U);  // 1 and 3
    EXPECT_FALSE(consumer.archive(first->id).has_value());         // already archived

    // New messages get ids past every archived one (AUTOINCREMENT survived the move).
    const auto fresh = producer.enqueue(pgqrs::json({{"n", 5}}));
    EXPECT_EQ(fresh.id, 5);
    EXPECT_EQ(pgqrs::admin(s).queue_metrics("jobs").total_messages, 5);
  }
  fs::remove(path);
  fs::remove(path.string() + "-wal");
  fs::remove(path.string() + "-shm");
}

}  // namespace
