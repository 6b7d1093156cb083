// Tests of the PostgreSQL driver (src/postgres): the codec without a server, then the connection, pool and
// prepared-statement handling against a real server.
//
// Needs PGQRS_PG_DSN (a server the tests may create schemas in); the PgBouncer tests also need
// PGQRS_PGBOUNCER_DSN (PgBouncer in transaction mode in front of the same server) and are skipped without it.
// Each test works in its own uniquely named schema, so runs can share a server.

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/db/connection_pool.hpp"
#include "core/db/database.hpp"
#include "core/db/registry.hpp"
#include "pgqrs/config.hpp"
#include "pgqrs/errors.hpp"
#include "postgres/pg_codec.hpp"
#include "postgres/pg_connection.hpp"

using namespace std::chrono;
using namespace std::chrono_literals;
using pgqrs::timestamp;
namespace d = pgqrs::detail;
namespace pg = pgqrs::detail::pg;

namespace {

d::sql_query make_query(std::string name, std::vector<std::string> statements) {
  return d::sql_query{std::move(name), std::move(statements)};
}

timestamp at(int y, unsigned mo, unsigned day, int h = 0, int mi = 0, int s = 0, int us = 0) {
  return timestamp{sys_days{year{y} / month{mo} / std::chrono::day{day}}} + hours{h} + minutes{mi} +
         seconds{s} + microseconds{us};
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

/// A name no other test (or concurrent run) uses.
std::string unique_name(const std::string& prefix) {
  static std::atomic<int> counter{0};
  static const unsigned salt = std::random_device{}();
  return prefix + "_" + std::to_string(::getpid()) + "_" + std::to_string(salt % 100000) + "_" +
         std::to_string(counter++);
}

/// The URI `dsn` with its database name replaced.
std::string with_database(const std::string& dsn, const std::string& db) {
  const std::size_t authority = dsn.find("://") + 3;
  const std::size_t query = dsn.find('?', authority);
  const std::size_t slash = dsn.find('/', authority);
  const std::size_t end = query == std::string::npos ? dsn.size() : query;
  if (slash == std::string::npos || slash > end) return dsn.substr(0, end) + "/" + db + dsn.substr(end);
  return dsn.substr(0, slash + 1) + db + dsn.substr(end);
}

std::string big_endian(std::uint64_t v, std::size_t bytes) {
  std::string out(bytes, '\0');
  for (std::size_t i = 0; i < bytes; ++i) out[bytes - 1 - i] = static_cast<char>((v >> (8 * i)) & 0xff);
  return out;
}

}  // namespace

// =====================================================================================  codec (no server)

TEST(PgCodec, EncodesTimestampsAsUtcTextWithMicroseconds) {
  EXPECT_EQ(pg::encode_timestamp(at(2024, 3, 5, 6, 7, 8, 9)), "2024-03-05 06:07:08.000009+00");
  EXPECT_EQ(pg::encode_timestamp(timestamp{}), "1970-01-01 00:00:00.000000+00");
  EXPECT_EQ(pg::encode_timestamp(timestamp{} - 1us), "1969-12-31 23:59:59.999999+00");
  EXPECT_EQ(pg::encode_timestamp(at(1900, 2, 28, 23, 59, 59, 500000)), "1900-02-28 23:59:59.500000+00");
  EXPECT_EQ(pg::encode_timestamp(at(1600, 2, 29)), "1600-02-29 00:00:00.000000+00");
  EXPECT_EQ(pg::encode_timestamp(at(0, 1, 1)), "0001-01-01 00:00:00.000000+00 BC");
  EXPECT_EQ(pg::encode_timestamp(at(10000, 1, 1)), "10000-01-01 00:00:00.000000+00");
  EXPECT_EQ(pg::encode_timestamp(timestamp::max()), "infinity");
  EXPECT_EQ(pg::encode_timestamp(timestamp::min()), "-infinity");
}

TEST(PgCodec, EncodesIdAndTextListsAsArrayLiterals) {
  EXPECT_EQ(pg::encode_id_list(d::id_list{{1, 2, 3}}), "{1,2,3}");
  EXPECT_EQ(pg::encode_id_list(d::id_list{}), "{}");
  EXPECT_EQ(pg::encode_id_list(d::id_list{{-9223372036854775807LL - 1}}), "{-9223372036854775808}");
  EXPECT_EQ(pg::encode_text_list(d::text_list{{"a", "b\"c"}}), R"({"a","b\"c"})");
  EXPECT_EQ(pg::encode_text_list(d::text_list{{R"(back\slash)", "", "NULL", "{,}"}}),
            R"({"back\\slash","","NULL","{,}"})");
  EXPECT_EQ(pg::encode_text_list(d::text_list{}), "{}");
}

TEST(PgCodec, EncodesScalarsAsTextAndNullAsAbsent) {
  std::string out = "stale";
  EXPECT_FALSE(pg::encode_param(d::null_param(), out));
  EXPECT_TRUE(pg::encode_param(std::int64_t{-42}, out));
  EXPECT_EQ(out, "-42");
  EXPECT_TRUE(pg::encode_param(true, out));
  EXPECT_EQ(out, "true");
  EXPECT_TRUE(pg::encode_param(false, out));
  EXPECT_EQ(out, "false");
  EXPECT_TRUE(pg::encode_param(0.1, out));
  EXPECT_EQ(std::stod(out), 0.1);
  EXPECT_TRUE(pg::encode_param(std::numeric_limits<double>::quiet_NaN(), out));
  EXPECT_EQ(out, "NaN");
  EXPECT_TRUE(pg::encode_param(-std::numeric_limits<double>::infinity(), out));
  EXPECT_EQ(out, "-Infinity");
  EXPECT_TRUE(pg::encode_param(std::string("as is"), out));
  EXPECT_EQ(out, "as is");
}

TEST(PgCodec, DecodesBinaryTimestampsFromThePostgresEpoch) {
  const std::string zero = big_endian(0, 8);
  EXPECT_EQ(std::get<timestamp>(pg::decode_binary(pg::oid::timestamptz, zero.data(), 8)), at(2000, 1, 1));
  const std::string minus_one = big_endian(static_cast<std::uint64_t>(-1), 8);
  EXPECT_EQ(std::get<timestamp>(pg::decode_binary(pg::oid::timestamp, minus_one.data(), 8)),
            at(1999, 12, 31, 23, 59, 59, 999999));
  EXPECT_EQ(pg::decode_timestamp(-pg::postgres_epoch_offset_us - 1), timestamp{} - 1us);
  EXPECT_EQ(pg::decode_timestamp(std::numeric_limits<std::int64_t>::max()), timestamp::max());
  EXPECT_EQ(pg::decode_timestamp(std::numeric_limits<std::int64_t>::min()), timestamp::min());
  // Beyond what any PostgreSQL sends (the fuzzer's reproducer, tests/fuzz/corpus/row_decode_fuzz): an error,
  // not a signed overflow.
  EXPECT_THROW((void)pg::decode_timestamp(std::numeric_limits<std::int64_t>::max() - 1), pgqrs::internal_error);
}

TEST(PgCodec, DecodesBinaryScalarsByTypeOid) {
  const std::string i2 = big_endian(static_cast<std::uint16_t>(-2), 2);
  EXPECT_EQ(std::get<std::int64_t>(pg::decode_binary(pg::oid::int2, i2.data(), 2)), -2);
  const std::string i4 = big_endian(static_cast<std::uint32_t>(-70000), 4);
  EXPECT_EQ(std::get<std::int64_t>(pg::decode_binary(pg::oid::int4, i4.data(), 4)), -70000);
  EXPECT_EQ(std::get<std::int64_t>(pg::decode_binary(pg::oid::oid, i4.data(), 4)), 4294897296);
  const std::string i8 = big_endian(0x0102030405060708ULL, 8);
  EXPECT_EQ(std::get<std::int64_t>(pg::decode_binary(pg::oid::int8, i8.data(), 8)), 0x0102030405060708LL);
  const std::string f8 = big_endian(std::bit_cast<std::uint64_t>(2.5), 8);
  EXPECT_EQ(std::get<double>(pg::decode_binary(pg::oid::float8, f8.data(), 8)), 2.5);
  const std::string f4 = big_endian(std::bit_cast<std::uint32_t>(0.25f), 4);
  EXPECT_EQ(std::get<double>(pg::decode_binary(pg::oid::float4, f4.data(), 4)), 0.25);
  EXPECT_EQ(std::get<std::int64_t>(pg::decode_binary(pg::oid::boolean, "\x01", 1)), 1);
  EXPECT_EQ(std::get<std::int64_t>(pg::decode_binary(pg::oid::boolean, "\x00", 1)), 0);
  EXPECT_EQ(std::get<std::string>(pg::decode_binary(pg::oid::jsonb, "\x01{\"a\": 1}", 9)), "{\"a\": 1}");
  EXPECT_EQ(std::get<std::string>(pg::decode_binary(pg::oid::text, "hello", 5)), "hello");
  EXPECT_EQ(std::get<std::string>(pg::decode_binary(987654, "enum_label", 10)), "enum_label");
  EXPECT_THROW((void)pg::decode_binary(pg::oid::numeric, "\0\0\0\0\0\0\0\0", 8), pgqrs::internal_error);
  EXPECT_THROW((void)pg::decode_binary(pg::oid::int8, "\0\0\0\0", 4), pgqrs::internal_error);
}

TEST(PgCodec, NamesStatementsByAHashOfTheirText) {
  const std::string a = pg::statement_name("SELECT 1");
  EXPECT_EQ(a.size(), pg::statement_name_length);
  EXPECT_EQ(a.substr(0, 6), "pgqrs_");
  EXPECT_EQ(a, pg::statement_name("SELECT 1"));
  EXPECT_NE(a, pg::statement_name("SELECT 2"));
  EXPECT_EQ(pg::fnv1a64(""), 0xcbf29ce484222325ULL);  // FNV-1a 64 reference values
  EXPECT_EQ(pg::fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(pg::statement_name(""), "pgqrs_cbf29ce484222325");
}

TEST(PgCodec, CountsPlaceholdersOutsideLiteralsAndComments) {
  EXPECT_EQ(pg::max_placeholder("SELECT 1"), 0u);
  EXPECT_EQ(pg::max_placeholder("SELECT $1::bigint, $12::text, $3"), 12u);
  EXPECT_EQ(pg::max_placeholder("SELECT '$9', \"$8\", $2 -- $7\n /* $6 /* $5 */ */ + $1"), 2u);
  EXPECT_EQ(pg::max_placeholder("SELECT E'it\\'s $4', 'a''$5', $$ $6 $$, $tag$ $7 $tag$, $1"), 1u);
  EXPECT_EQ(pg::max_placeholder("SELECT foo$1 FROM t WHERE x = $2"), 2u);
  std::vector<bool> used{true};
  EXPECT_EQ(pg::max_placeholder("SELECT $3, $1, $3", &used), 3u);
  EXPECT_EQ(used, (std::vector<bool>{true, false, true}));
  EXPECT_EQ(pg::max_placeholder("SELECT 1", &used), 0u);
  EXPECT_TRUE(used.empty());
}

// =====================================================================================  against a server

class PgDriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dsn = env("PGQRS_PG_DSN");
    if (m_dsn.empty()) {
      GTEST_FAIL() << "PGQRS_PG_DSN is not set: these tests need a PostgreSQL server "
                      "(e.g. `source /work/shared/recipes/pg_up.sh --pgbouncer` exports it)";
    }
    m_schema = unique_name("pgdrv");
    admin().execute_script("CREATE SCHEMA " + m_schema);
  }
  void TearDown() override {
    if (m_admin && m_admin->healthy()) {
      m_admin->rollback();
      m_admin->execute_script("DROP SCHEMA IF EXISTS " + m_schema + " CASCADE");
    } else if (!m_schema.empty() && !m_dsn.empty()) {
      connect().execute_script("DROP SCHEMA IF EXISTS " + m_schema + " CASCADE");
    }
  }

  [[nodiscard]] pgqrs::config cfg(std::uint32_t max_connections = 4) const {
    pgqrs::config c;
    c.dsn = m_dsn;
    c.schema = m_schema;
    c.max_connections = max_connections;
    c.connection_timeout = std::chrono::seconds(5);
    return c;
  }

  std::unique_ptr<d::pg_connection> open(
      pgqrs::prepared_statements mode = pgqrs::prepared_statements::automatic, std::string dsn = {},
      std::shared_ptr<std::atomic<bool>> flag = nullptr) const {
    d::pg_connection::options o;
    o.dsn = dsn.empty() ? m_dsn : dsn;
    o.connect_timeout_seconds = 5;
    o.prepared_statements = mode;
    o.unnamed_only = std::move(flag);
    return std::make_unique<d::pg_connection>(o);
  }
  d::pg_connection& connect() {
    m_extra.push_back(open());
    return *m_extra.back();
  }
  /// A connection of the test itself, for setup and checks.
  d::pg_connection& admin() {
    if (!m_admin) m_admin = open();
    return *m_admin;
  }
  d::row_set sql(const std::string& statement, std::vector<d::sql_param> params = {}) {
    return admin().execute(make_query("test", {statement}), params);
  }
  [[nodiscard]] std::string table(const std::string& name) const { return m_schema + "." + name; }

  std::string m_dsn;
  std::string m_schema;
  std::unique_ptr<d::pg_connection> m_admin;
  std::vector<std::unique_ptr<d::pg_connection>> m_extra;
};

TEST_F(PgDriverTest, RoundTripsEveryParameterType) {
  const timestamp t = at(2026, 4, 1, 10, 0, 0, 123456);
  const timestamp old = at(1969, 7, 20, 20, 17, 40, 1);
  std::vector<d::sql_param> params{std::int64_t{-9223372036854775807LL - 1},
                                   0.1,
                                   true,
                                   std::string("héllo \"quoted\" \\ 'single'"),
                                   t,
                                   std::string(R"({"k": [1, 2, {"n": null}]})"),
                                   d::id_list{{5, -6, 7}},
                                   d::text_list{{"a", "b\"c", "d\\e", "", "NULL"}},
                                   old,
                                   std::numeric_limits<double>::infinity(),
                                   timestamp::max()};
  auto rows =
      sql("SELECT $1::bigint, $2::float8, $3::bool, $4::text, $5::timestamptz, $6::jsonb, "
          "array_length($7::bigint[], 1)::bigint, ($7::bigint[])[2], array_to_string($8::text[], '|'), "
          "cardinality($8::text[])::bigint, ($8::text[])[5] IS NULL, $9::timestamptz, $10::float8, "
          "$11::timestamptz",
          params);
  ASSERT_EQ(rows.size(), 1u);
  ASSERT_EQ(rows.columns(), 14u);
  EXPECT_EQ(rows.i64(0, 0), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(rows.f64(0, 1), 0.1);
  EXPECT_TRUE(rows.boolean(0, 2));
  EXPECT_EQ(rows.text(0, 3), "héllo \"quoted\" \\ 'single'");
  EXPECT_EQ(rows.ts(0, 4), t);
  EXPECT_EQ(rows.text(0, 5), R"({"k": [1, 2, {"n": null}]})");
  EXPECT_EQ(rows.i64(0, 6), 3);
  EXPECT_EQ(rows.i64(0, 7), -6);
  EXPECT_EQ(rows.text(0, 8), "a|b\"c|d\\e||NULL");
  EXPECT_EQ(rows.i64(0, 9), 5);
  EXPECT_FALSE(rows.boolean(0, 10));  // "NULL" quoted is the text NULL, not a SQL NULL
  EXPECT_EQ(rows.ts(0, 11), old);
  EXPECT_TRUE(std::isinf(rows.f64(0, 12)));
  EXPECT_EQ(rows.ts(0, 13), timestamp::max());

  // Timestamps far from now survive text encoding and binary decoding.
  const auto echo_ts = make_query("echo_ts", {"SELECT $1::timestamptz"});
  for (timestamp v : {at(0, 1, 1), at(-100, 6, 15, 12), at(1900, 3, 1, 0, 0, 0, 1), timestamp{} - 1us,
                      at(10000, 1, 1), timestamp::min(), at(2000, 1, 1)}) {
    EXPECT_EQ(admin().execute(echo_ts, std::vector<d::sql_param>{v}).ts(0, 0), v) << pg::encode_timestamp(v);
  }

  // Lists used the way the queries use them: unnest and = ANY.
  auto ids = sql("SELECT x FROM unnest($1::bigint[]) AS x ORDER BY x", {d::id_list{{3, 1, 2}}});
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_EQ(ids.i64(2, 0), 3);
  auto none = sql("SELECT count(*) FROM unnest($1::bigint[])", {d::id_list{}});
  EXPECT_EQ(none.i64(0, 0), 0);
}

TEST_F(PgDriverTest, SendsNullParametersAsSqlNull) {
  auto rows = sql("SELECT $1::bigint IS NULL, $2::text, $3::timestamptz, $4::jsonb, coalesce($5::bigint, 7)",
                  {d::null_param(), d::null_param(), d::optional_param(std::optional<timestamp>{}),
                   d::null_param(), d::null_param()});
  EXPECT_TRUE(rows.boolean(0, 0));
  EXPECT_TRUE(rows.is_null(0, 1));
  EXPECT_FALSE(rows.opt_ts(0, 2).has_value());
  EXPECT_FALSE(rows.opt_text(0, 3).has_value());
  EXPECT_EQ(rows.i64(0, 4), 7);
}

TEST_F(PgDriverTest, DecodesResultColumnsByTheirType) {
  admin().execute_script("CREATE TYPE " + table("mood") + " AS ENUM ('happy', 'sad')");
  auto rows =
      sql("SELECT 1::int2, 2::int4, 3::oid, 1.5::float4, 'v'::varchar, 'b'::char(3), 'n'::name, "
          "'{\"j\": 1}'::json, '{\"b\": 2}'::jsonb, 'sad'::" +
          table("mood") +
          ", '2001-02-03 04:05:06.7'::timestamp, '-infinity'::timestamptz, false, "
          "'1999-01-08 04:05:06+02'::timestamptz");
  EXPECT_EQ(rows.i64(0, 0), 1);
  EXPECT_EQ(rows.i64(0, 1), 2);
  EXPECT_EQ(rows.i64(0, 2), 3);
  EXPECT_EQ(rows.f64(0, 3), 1.5);
  EXPECT_EQ(rows.text(0, 4), "v");
  EXPECT_EQ(rows.text(0, 5), "b  ");
  EXPECT_EQ(rows.text(0, 6), "n");
  EXPECT_EQ(rows.text(0, 7), "{\"j\": 1}");
  EXPECT_EQ(rows.text(0, 8), "{\"b\": 2}");
  EXPECT_EQ(rows.text(0, 9), "sad");
  EXPECT_EQ(rows.ts(0, 10), at(2001, 2, 3, 4, 5, 6, 700000));
  EXPECT_EQ(rows.ts(0, 11), timestamp::min());
  EXPECT_FALSE(rows.boolean(0, 12));
  EXPECT_EQ(rows.ts(0, 13), at(1999, 1, 8, 2, 5, 6));
  EXPECT_THROW((void)sql("SELECT 1.5::numeric"), pgqrs::internal_error);
  // The connection stays usable after a decode error.
  EXPECT_EQ(sql("SELECT 1::bigint").i64(0, 0), 1);
}

TEST_F(PgDriverTest, TimestampsDoNotDependOnTheSessionTimeZone) {
  admin().execute_script("SET TIME ZONE 'America/New_York'");
  const timestamp t = at(2026, 1, 15, 3, 30, 0, 250);
  auto rows =
      sql("SELECT $1::timestamptz, $1::timestamptz = '2026-01-15 03:30:00.00025+00'::timestamptz", {t});
  EXPECT_EQ(rows.ts(0, 0), t);
  EXPECT_TRUE(rows.boolean(0, 1));
}

TEST_F(PgDriverTest, ReportsRowsAffectedByStatementsWithoutReturning) {
  admin().execute_script("CREATE TABLE " + table("t") + " (id bigint PRIMARY KEY)");
  auto inserted =
      sql("INSERT INTO " + table("t") + " SELECT generate_series(1, $1::bigint)", {std::int64_t{5}});
  EXPECT_EQ(inserted.affected(), 5);
  EXPECT_EQ(inserted.size(), 0u);
  auto updated = sql("UPDATE " + table("t") + " SET id = id + 100 WHERE id = ANY($1::bigint[])",
                     {d::id_list{{1, 2, 99}}});
  EXPECT_EQ(updated.affected(), 2);
  auto created = sql("CREATE INDEX ON " + table("t") + " (id)");
  EXPECT_EQ(created.affected(), 0);
}

TEST_F(PgDriverTest, MultiStatementQueryRollsBackWhenALaterStatementFails) {
  admin().execute_script("CREATE TABLE " + table("t") + " (id bigint PRIMARY KEY, note text)");
  // The second statement takes fewer parameters than the first: each gets what it uses.
  auto q = make_query("insert_twice", {"INSERT INTO " + table("t") + " VALUES ($1::bigint, $2::text)",
                                       "INSERT INTO " + table("t") + " VALUES ($1::bigint)"});
  std::vector<d::sql_param> params{std::int64_t{1}, std::string("first")};
  try {
    (void)admin().execute(q, params);
    FAIL() << "expected a unique violation";
  } catch (const pgqrs::query_error& e) {
    EXPECT_EQ(e.sqlstate(), "23505");
    EXPECT_EQ(e.query(), "insert_twice");
  }
  EXPECT_FALSE(admin().in_transaction());
  EXPECT_EQ(sql("SELECT count(*) FROM " + table("t")).i64(0, 0), 0);

  // The same with named prepared statements (a skipped parameter is declared when preparing).
  auto named = open(pgqrs::prepared_statements::always);
  EXPECT_THROW((void)named->execute(q, params), pgqrs::query_error);
  EXPECT_EQ(sql("SELECT count(*) FROM " + table("t")).i64(0, 0), 0);
  (void)sql("INSERT INTO " + table("t") + " VALUES (1, 'only')");
  auto skip_first =
      make_query("skip_first", {"SELECT $1::bigint", "UPDATE " + table("t") + " SET note = $2::text"});
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(
        named->execute(skip_first, std::vector<d::sql_param>{std::int64_t{7}, std::string("x")}).i64(0, 0),
        7);
  }
  EXPECT_EQ(sql("SELECT note FROM " + table("t")).text(0, 0), "x");
}

TEST_F(PgDriverTest, MultiStatementQueryReturnsTheFirstStatementsRows) {
  admin().execute_script("CREATE TABLE " + table("t") + " (id bigserial PRIMARY KEY, n bigint)");
  auto q = make_query("insert_then_update",
                      {"INSERT INTO " + table("t") + " (n) VALUES ($1::bigint) RETURNING id, n",
                       "UPDATE " + table("t") + " SET n = n + $2::bigint"});
  auto rows = admin().execute(q, std::vector<d::sql_param>{std::int64_t{10}, std::int64_t{5}});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows.i64(0, 1), 10);
  EXPECT_EQ(sql("SELECT n FROM " + table("t")).i64(0, 0), 15);
  EXPECT_FALSE(admin().in_transaction());

  // Inside the caller's transaction it joins it instead of committing on its own.
  admin().begin(d::tx_mode::write);
  (void)admin().execute(q, std::vector<d::sql_param>{std::int64_t{20}, std::int64_t{1}});
  EXPECT_TRUE(admin().in_transaction());
  admin().rollback();
  EXPECT_FALSE(admin().in_transaction());
  EXPECT_EQ(sql("SELECT count(*) FROM " + table("t")).i64(0, 0), 1);
}

TEST_F(PgDriverTest, UniqueViolationCarriesSqlstateAndDetailButNotTheQueryText) {
  admin().execute_script("CREATE TABLE " + table("t") + " (name text PRIMARY KEY)");
  auto q = make_query("insert_name", {"INSERT INTO " + table("t") + " VALUES ($1::text)"});
  std::vector<d::sql_param> params{std::string("dup")};
  (void)admin().execute(q, params);
  try {
    (void)admin().execute(q, params);
    FAIL() << "expected a unique violation";
  } catch (const pgqrs::query_error& e) {
    EXPECT_EQ(e.sqlstate(), d::sqlstate::unique_violation);
    EXPECT_EQ(e.query(), "insert_name");
    const std::string what = e.what();
    EXPECT_NE(what.find("duplicate key value violates unique constraint"), std::string::npos) << what;
    EXPECT_NE(what.find("already exists"), std::string::npos) << what;  // the DETAIL line
    EXPECT_EQ(what.find("INSERT INTO"), std::string::npos) << what;
  }
  EXPECT_TRUE(admin().healthy());
  EXPECT_FALSE(admin().in_transaction());
}

TEST_F(PgDriverTest, TransactionsCommitRollBackAndRefuseToCommitAfterAnError) {
  admin().execute_script("CREATE TABLE " + table("t") + " (id bigint PRIMARY KEY)");
  auto insert = make_query("insert", {"INSERT INTO " + table("t") + " VALUES ($1::bigint)"});
  admin().begin(d::tx_mode::read);
  EXPECT_TRUE(admin().in_transaction());
  (void)admin().execute(insert, std::vector<d::sql_param>{std::int64_t{1}});
  admin().commit();
  EXPECT_FALSE(admin().in_transaction());

  admin().begin(d::tx_mode::write);
  EXPECT_THROW(admin().begin(d::tx_mode::write), pgqrs::internal_error);  // no silent nesting
  (void)admin().execute(insert, std::vector<d::sql_param>{std::int64_t{2}});
  EXPECT_THROW((void)admin().execute(insert, std::vector<d::sql_param>{std::int64_t{1}}), pgqrs::query_error);
  EXPECT_TRUE(admin().in_transaction());  // aborted, still open
  try {
    admin().commit();
    FAIL() << "COMMIT of an aborted transaction must throw";
  } catch (const pgqrs::query_error& e) {
    EXPECT_EQ(e.sqlstate(), "40000");
    EXPECT_EQ(e.query(), "COMMIT");
  }
  EXPECT_FALSE(admin().in_transaction());
  EXPECT_EQ(sql("SELECT count(*) FROM " + table("t")).i64(0, 0), 1);

  {  // detail::transaction rolls back unless committed
    d::transaction tx(admin(), d::tx_mode::write);
    (void)admin().execute(insert, std::vector<d::sql_param>{std::int64_t{3}});
  }
  EXPECT_EQ(sql("SELECT count(*) FROM " + table("t")).i64(0, 0), 1);
}

TEST_F(PgDriverTest, ScriptsRunManyStatementsAndFailAsMigrationErrors) {
  admin().execute_script("CREATE TABLE " + table("m") + " (id int); INSERT INTO " + table("m") +
                         " VALUES (1); INSERT INTO " + table("m") + " VALUES (2);");
  EXPECT_EQ(sql("SELECT count(*) FROM " + table("m")).i64(0, 0), 2);
  try {
    admin().execute_script("INSERT INTO " + table("m") + " VALUES (3); SELECT * FROM " + table("missing") +
                           ";");
    FAIL() << "expected an error";
  } catch (const pgqrs::query_error& e) {
    EXPECT_EQ(e.query(), "migration");
    EXPECT_EQ(e.sqlstate(), "42P01");
  }
  // A simple-protocol script without BEGIN runs as one implicit transaction.
  EXPECT_EQ(sql("SELECT count(*) FROM " + table("m")).i64(0, 0), 2);
  admin().execute_script("");  // empty is fine
}

TEST_F(PgDriverTest, ServerNoticesDoNotReachStderr) {
  ::testing::internal::CaptureStderr();
  admin().execute_script("DO $$ BEGIN RAISE NOTICE 'pgdrv-notice'; END $$");
  (void)sql("SELECT 1::bigint");
  admin().execute_script("ROLLBACK");
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(err.find("pgdrv-notice"), std::string::npos) << err;
  EXPECT_EQ(err.find("no transaction"), std::string::npos) << err;
}

TEST_F(PgDriverTest, TerminatingItsOwnBackendMakesTheConnectionUnhealthy) {
  auto& conn = connect();
  EXPECT_TRUE(conn.healthy());
  EXPECT_THROW(
      (void)conn.execute(make_query("suicide", {"SELECT pg_terminate_backend(pg_backend_pid())"}), {}),
      pgqrs::connection_error);
  EXPECT_FALSE(conn.healthy());
  EXPECT_THROW((void)conn.execute(make_query("after", {"SELECT 1"}), {}), pgqrs::connection_error);
  conn.rollback();  // tolerated on a broken connection
}

TEST_F(PgDriverTest, BackendTerminatedByAnotherSessionIsReportedAndReplacedByThePool) {
  auto db = d::open_postgres(cfg(1));
  const auto pid_query = make_query("pid", {"SELECT pg_backend_pid()"});
  std::int64_t first_pid = 0;
  {
    auto conn = db->acquire();
    first_pid = conn->execute(pid_query, {}).i64(0, 0);
    auto killed = sql("SELECT pg_terminate_backend($1::int, 5000)", {first_pid});
    ASSERT_TRUE(killed.boolean(0, 0));
    try {
      (void)conn->execute(make_query("after_kill", {"SELECT 1"}), {});
      FAIL() << "expected connection_error";
    } catch (const pgqrs::connection_error& e) {
      EXPECT_NE(std::string(e.what()).find("query after_kill"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(conn->healthy());
  }  // returned broken: the pool discards it
  auto conn = db->acquire();
  EXPECT_TRUE(conn->healthy());
  EXPECT_NE(conn->execute(pid_query, {}).i64(0, 0), first_pid);
}

TEST_F(PgDriverTest, UnreachableServerFailsAtOpenWithoutRevealingThePassword) {
  pgqrs::config c = cfg();
  c.dsn = "postgresql://pgqrs_user:Sup3rSecretPw@127.0.0.1:1/somedb";
  try {
    (void)d::open_postgres(c);
    FAIL() << "expected connection_error";
  } catch (const pgqrs::connection_error& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.find("Sup3rSecretPw"), std::string::npos) << what;
    EXPECT_NE(what.find("Failed to connect to postgres at 127.0.0.1:1/somedb"), std::string::npos) << what;
  }
  // A malformed URI is a configuration error found before connecting; libpq echoes parts of it: still no
  // password.
  c.dsn = "postgresql://pgqrs_user:Sup3r%zzSecretPw@127.0.0.1:1/somedb";
  try {
    (void)d::open_postgres(c);
    FAIL() << "expected config_error";
  } catch (const pgqrs::config_error& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.find("SecretPw"), std::string::npos) << what;
    EXPECT_NE(what.find("malformed PostgreSQL DSN"), std::string::npos) << what;
  }
  c = cfg();
  c.schema = "bad-schema";
  EXPECT_THROW((void)d::open_postgres(c), pgqrs::config_error);
}

TEST_F(PgDriverTest, MistakesLibpqFindsOnlyWhenConnectingAreConfigErrorsBeforeAnyConnection) {
  pgqrs::config c = cfg();
  for (const std::string dsn : {"postgresql://u:Pw-Secret-1@localhost:abc/db", "postgresql://u:Pw-Secret-1@localhost:70000/db",
                                "postgresql://u:Pw-Secret-1@h1:5432,h2:x/db", "postgresql://u:Pw-Secret-1@localhost/db?sslmode=bogus",
                                "postgresql://u:Pw-Secret-1@localhost/db?no_such_option=1"}) {
    c.dsn = dsn;
    try {
      (void)d::open_postgres(c);
      FAIL() << "expected config_error for " << dsn;
    } catch (const pgqrs::config_error& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("malformed PostgreSQL DSN"), std::string::npos) << what;
      EXPECT_EQ(what.find("Pw-Secret-1"), std::string::npos) << what;
    }
  }
  // Valid forms pass the check (and then fail to connect to a closed port, a connection error).
  for (const std::string dsn : {"postgresql://u@127.0.0.1:1/db?sslmode=disable", "postgresql://u@127.0.0.1:1,127.0.0.1:2/db"}) {
    c.dsn = dsn;
    EXPECT_THROW((void)d::open_postgres(c), pgqrs::connection_error) << dsn;
  }
}

TEST_F(PgDriverTest, PoolThrowsPoolExhaustedWhenEveryConnectionIsBusy) {
  pgqrs::config c = cfg(1);
  c.connection_timeout = std::chrono::seconds(1);
  auto db = d::open_postgres(c);
  EXPECT_EQ(db->dialect(), "postgres");
  EXPECT_EQ(db->kind(), pgqrs::backend_kind::postgres);
  auto held = db->acquire();
  const auto start = steady_clock::now();
  EXPECT_THROW((void)db->acquire(), pgqrs::pool_exhausted);
  EXPECT_GE(steady_clock::now() - start, 900ms);
}

TEST_F(PgDriverTest, AlwaysModeReusesNamedPreparedStatements) {
  auto conn = open(pgqrs::prepared_statements::always);
  auto q = make_query("add", {"SELECT $1::bigint + $2::bigint"});
  for (std::int64_t i = 0; i < 3; ++i) {
    EXPECT_EQ(conn->execute(q, std::vector<d::sql_param>{i, std::int64_t{10}}).i64(0, 0), i + 10);
  }
  EXPECT_TRUE(conn->uses_named_statements());
  // Prepared once: exactly one statement of ours on this session.
  auto prepared = conn->execute(
      make_query("count", {"SELECT count(*) FROM pg_prepared_statements WHERE name = $1::text"}),
      std::vector<d::sql_param>{pg::statement_name(q.statements[0])});
  EXPECT_EQ(prepared.i64(0, 0), 1);
  // A statement that disappeared from the server (DEALLOCATE) is prepared again after one error.
  conn->execute_script("DEALLOCATE ALL");
  EXPECT_THROW((void)conn->execute(q, std::vector<d::sql_param>{std::int64_t{1}, std::int64_t{1}}),
               pgqrs::query_error);
  EXPECT_EQ(conn->execute(q, std::vector<d::sql_param>{std::int64_t{1}, std::int64_t{1}}).i64(0, 0), 2);
}

TEST_F(PgDriverTest, CachedPlansFollowATableThatGrewSinceTheyWereMade) {
  // A new installation: the table is analysed while empty, so the first generic plan of a lookup scans it
  // sequentially; after it has grown, the connection must plan again and use the index.
  sql("CREATE TABLE " + table("grows") + " (id BIGINT PRIMARY KEY, m BIGINT UNIQUE, s TEXT)");
  sql("ALTER TABLE " + table("grows") + " SET (autovacuum_enabled = off)");  // no ANALYZE behind our back
  sql("ANALYZE " + table("grows"));
  auto conn = open();
  const auto lookup = make_query("lookup", {"SELECT s FROM " + table("grows") + " WHERE m = $1::bigint"});
  const auto plan = [&] {
    const std::string name = pg::statement_name(lookup.statements[0]);
    auto rows = conn->execute_adhoc("EXPLAIN EXECUTE " + name + "(1)", {});
    std::string text;
    for (std::size_t r = 0; r < rows.size(); ++r) text += rows.text(r, 0) + "\n";
    return text;
  };
  EXPECT_TRUE(conn->execute(lookup, std::vector<d::sql_param>{std::int64_t{1}}).empty());
  ASSERT_NE(plan().find("Seq Scan"), std::string::npos) << plan();  // the stale case this test is about
  sql("INSERT INTO " + table("grows") + " SELECT g, g, 'row ' || g FROM generate_series(1, 20000) g");
  for (std::int64_t i = 0; i < 1000; ++i) {
    ASSERT_EQ(conn->execute(lookup, std::vector<d::sql_param>{i + 1}).text(0, 0), "row " + std::to_string(i + 1));
  }
  EXPECT_NE(plan().find("Index Scan"), std::string::npos) << plan();
}

TEST_F(PgDriverTest, NeverModeUsesOnlyUnnamedStatements) {
  auto conn = open(pgqrs::prepared_statements::never);
  EXPECT_FALSE(conn->uses_named_statements());
  auto q = make_query("add", {"SELECT $1::bigint + 1"});
  for (std::int64_t i = 0; i < 3; ++i)
    EXPECT_EQ(conn->execute(q, std::vector<d::sql_param>{i}).i64(0, 0), i + 1);
  EXPECT_EQ(conn->execute(make_query("count", {"SELECT count(*) FROM pg_prepared_statements"}), {}).i64(0, 0),
            0);
}

TEST_F(PgDriverTest, AutomaticModeFallsBackWhenAPreparedStatementGoesMissing) {
  // Simulates what a transaction-mode pooler does: the statement is gone on "this" backend.
  auto flag = std::make_shared<std::atomic<bool>>(false);
  auto conn = open(pgqrs::prepared_statements::automatic, {}, flag);
  auto other = open(pgqrs::prepared_statements::automatic, {}, flag);
  auto q = make_query("add", {"SELECT $1::bigint + 1"});
  EXPECT_EQ(conn->execute(q, std::vector<d::sql_param>{std::int64_t{1}}).i64(0, 0), 2);
  conn->execute_script("DEALLOCATE ALL");
  EXPECT_EQ(conn->execute(q, std::vector<d::sql_param>{std::int64_t{2}}).i64(0, 0), 3);  // retried unnamed
  EXPECT_TRUE(flag->load());
  EXPECT_FALSE(other->uses_named_statements());  // shared by every connection of the database

  // A multi-statement query in its own transaction is rolled back and retried unnamed.
  auto flag3 = std::make_shared<std::atomic<bool>>(false);
  auto conn3 = open(pgqrs::prepared_statements::automatic, {}, flag3);
  auto multi = make_query("multi", {"SELECT $1::bigint * 2", "SELECT $1::bigint * 3"});
  EXPECT_EQ(conn3->execute(multi, std::vector<d::sql_param>{std::int64_t{4}}).i64(0, 0), 8);
  conn3->execute_script("DEALLOCATE ALL");
  EXPECT_EQ(conn3->execute(multi, std::vector<d::sql_param>{std::int64_t{5}}).i64(0, 0), 10);
  EXPECT_TRUE(flag3->load());
  EXPECT_FALSE(conn3->in_transaction());

  // Inside a caller's transaction the failure is thrown (the transaction is aborted), then it is unnamed.
  auto conn2 = open(pgqrs::prepared_statements::automatic);
  EXPECT_EQ(conn2->execute(q, std::vector<d::sql_param>{std::int64_t{1}}).i64(0, 0), 2);
  conn2->execute_script("DEALLOCATE ALL");
  conn2->begin(d::tx_mode::write);
  try {
    (void)conn2->execute(q, std::vector<d::sql_param>{std::int64_t{1}});
    FAIL() << "expected a query_error";
  } catch (const pgqrs::query_error& e) {
    EXPECT_EQ(e.sqlstate(), "26000");
  }
  conn2->rollback();
  EXPECT_FALSE(conn2->uses_named_statements());
  EXPECT_EQ(conn2->execute(q, std::vector<d::sql_param>{std::int64_t{5}}).i64(0, 0), 6);
}

// =====================================================================================  through PgBouncer

class PgBouncerTest : public PgDriverTest {
 protected:
  void SetUp() override {
    m_bouncer = env("PGQRS_PGBOUNCER_DSN");
    // A missing server is a failure, not a skip: scripts/test.sh always starts PgBouncer.
    if (m_bouncer.empty()) FAIL() << "PGQRS_PGBOUNCER_DSN is not set: run the suite with scripts/test.sh";
    PgDriverTest::SetUp();
  }
  /// Runs `per_thread` iterations of a single and a multi-statement query on each of 8 threads.
  void hammer(pgqrs::prepared_statements mode) {
    admin().execute_script("CREATE TABLE " + table("hits") + " (id bigserial PRIMARY KEY, n bigint)");
    pgqrs::config c = cfg(8);
    c.dsn = m_bouncer;
    c.prepared_statements = mode;
    auto db = d::open_postgres(c);
    const auto add = make_query("add", {"SELECT $1::bigint + $2::bigint, $3::text"});
    const auto insert =
        make_query("insert", {"INSERT INTO " + table("hits") + " (n) VALUES ($1::bigint) RETURNING id",
                              "UPDATE " + table("hits") + " SET n = n + 1 WHERE id = lastval()"});
    constexpr int threads = 8;
    constexpr int per_thread = 100;
    std::atomic<int> failures{0};
    std::vector<std::string> errors(threads);
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        try {
          for (int i = 0; i < per_thread; ++i) {
            auto conn = db->acquire();
            auto r = conn->execute(
                add, std::vector<d::sql_param>{std::int64_t{t}, std::int64_t{i}, std::string("x")});
            if (r.i64(0, 0) != t + i || r.text(0, 1) != "x") ++failures;
            if (i % 10 == 0) (void)conn->execute(insert, std::vector<d::sql_param>{std::int64_t{i}});
          }
        } catch (const std::exception& e) {
          ++failures;
          errors[static_cast<std::size_t>(t)] = e.what();
        }
      });
    }
    for (auto& th : pool) th.join();
    EXPECT_EQ(failures.load(), 0);
    for (const auto& e : errors) EXPECT_TRUE(e.empty()) << e;
    auto totals = sql("SELECT count(*), sum(n)::bigint FROM " + table("hits"));
    EXPECT_EQ(totals.i64(0, 0), threads * per_thread / 10);
    EXPECT_EQ(totals.i64(0, 1), threads * (450 + 10));  // n = i + 1 for i = 0, 10, ..., 90
  }
  std::string m_bouncer;
};

TEST_F(PgBouncerTest, AutomaticModeDetectsThePoolerAtConnectAndUsesUnnamedStatements) {
  auto flag = std::make_shared<std::atomic<bool>>(false);
  auto client = open(pgqrs::prepared_statements::automatic, m_bouncer, flag);
  EXPECT_TRUE(flag->load());
  EXPECT_FALSE(client->uses_named_statements());
  auto q = make_query("add", {"SELECT $1::bigint + 1"});
  client->begin(d::tx_mode::write);
  EXPECT_EQ(client->execute(q, std::vector<d::sql_param>{std::int64_t{1}}).i64(0, 0), 2);
  client->commit();
  // Directly connected, automatic mode keeps named statements.
  auto direct_flag = std::make_shared<std::atomic<bool>>(false);
  auto direct = open(pgqrs::prepared_statements::automatic, {}, direct_flag);
  EXPECT_FALSE(direct_flag->load());
  EXPECT_TRUE(direct->uses_named_statements());
}

TEST_F(PgBouncerTest, NamedStatementsBreakWhenThePoolerRoutesToAnotherBackend) {
  // Why automatic mode exists: in `always` mode a statement prepared on one server backend is missing on the
  // next one the pooler picks. A database of its own gives this test its own PgBouncer pool, so terminating
  // a server backend below cannot hit another test (or a concurrent run) sharing the PgBouncer.
  const std::string db_name = unique_name("pgdrv_db");
  admin().execute_script("CREATE DATABASE " + db_name);
  struct drop_database {
    d::pg_connection& admin;
    std::string name;
    ~drop_database() {
      try {
        admin.execute_script("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      } catch (const std::exception&) {
      }
    }
  } guard{admin(), db_name};
  auto client = open(pgqrs::prepared_statements::always, with_database(m_bouncer, db_name));
  // Unique SQL texts, so no other client has prepared them on any backend.
  const std::string tag = unique_name("probe");
  auto q = make_query("probe", {"SELECT $1::bigint + 1 AS " + tag});
  const auto pid = make_query("pid", {"SELECT pg_backend_pid() AS " + tag});
  client->begin(d::tx_mode::write);
  EXPECT_EQ(client->execute(q, std::vector<d::sql_param>{std::int64_t{1}}).i64(0, 0), 2);
  const std::int64_t prepared_on = client->execute(pid, {}).i64(0, 0);
  client->commit();
  // Take that server backend away (PgBouncer drops the dead server connection), so the next statement
  // runs on another backend. (Pinning backends with open transactions instead can exhaust PgBouncer's pool.)
  ASSERT_TRUE(sql("SELECT pg_terminate_backend($1::int, 5000)", {prepared_on}).boolean(0, 0));
  std::this_thread::sleep_for(100ms);
  try {
    (void)client->execute(q, std::vector<d::sql_param>{std::int64_t{41}});
    FAIL() << "expected prepared statement does not exist";
  } catch (const pgqrs::query_error& e) {
    EXPECT_EQ(e.sqlstate(), "26000");
  }
  EXPECT_TRUE(client->healthy());
}

TEST_F(PgBouncerTest, AutomaticModeWorksFromManyThreads) {
  hammer(pgqrs::prepared_statements::automatic);
}

TEST_F(PgBouncerTest, NeverModeWorksFromManyThreads) {
  hammer(pgqrs::prepared_statements::never);
}
