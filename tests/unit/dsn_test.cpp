// DSN parsing (spec §1.1, with our strict schemes), password redaction, and what connect() reports for DSNs
// whose backend is not built or whose database cannot be opened.

#include <gtest/gtest.h>
#include "catch_as.hpp"

#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include <pgqrs/pgqrs.hpp>

#include "core/config/dsn.hpp"
#include "core/db/registry.hpp"

using namespace pgqrs;
using pgqrs::detail::parse_dsn;

namespace {

/// The config_error thrown by parse_dsn(dsn); fails the test if none is thrown.
std::optional<config_error> dsn_error(std::string_view dsn) {
  auto e = catch_as<config_error>([&] { (void)parse_dsn(dsn); });
  if (!e) ADD_FAILURE() << "parse_dsn accepted '" << dsn << "'";
  return e;
}

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

}  // namespace

// ---------------------------------------------------------------- postgres

TEST(Dsn, PostgresqlSchemeSelectsPostgresAndKeepsTheDsnVerbatim) {
  const std::string dsn = "postgresql://user:pw@localhost:5432/db?sslmode=require";
  auto p = parse_dsn(dsn);
  EXPECT_EQ(p.kind, backend_kind::postgres);
  EXPECT_EQ(p.target, dsn);
}

TEST(Dsn, PostgresSchemeSelectsPostgres) {
  auto p = parse_dsn("postgres://localhost/db");
  EXPECT_EQ(p.kind, backend_kind::postgres);
  EXPECT_EQ(p.target, "postgres://localhost/db");
}

TEST(Dsn, ConfigBackendReportsTheKindOfItsDsn) {
  EXPECT_EQ(config::from_dsn("postgresql://h/db").backend(), backend_kind::postgres);
  EXPECT_EQ(config::from_dsn("sqlite::memory:").backend(), backend_kind::sqlite);
  EXPECT_EQ(config::from_dsn("turso:///x.db").backend(), backend_kind::turso);
  EXPECT_EQ(config::from_dsn("s3://b/k.sqlite").backend(), backend_kind::s3);
}

// ---------------------------------------------------------------- sqlite

TEST(Dsn, SqliteWithThreeSlashesIsAnAbsolutePath) {
  auto p = parse_dsn("sqlite:///abs/path.db");
  EXPECT_EQ(p.kind, backend_kind::sqlite);
  EXPECT_EQ(p.target, "/abs/path.db");
  EXPECT_FALSE(p.memory);
  EXPECT_FALSE(p.uri);
  EXPECT_TRUE(p.params.empty());
}

TEST(Dsn, SqliteWithTwoSlashesIsARelativePath) {
  auto p = parse_dsn("sqlite://rel.db");
  EXPECT_EQ(p.kind, backend_kind::sqlite);
  EXPECT_EQ(p.target, "rel.db");
  EXPECT_FALSE(p.memory);
  EXPECT_FALSE(p.uri);
}

TEST(Dsn, SqliteColonMemoryIsAnInMemoryDatabase) {
  auto p = parse_dsn("sqlite::memory:");
  EXPECT_EQ(p.kind, backend_kind::sqlite);
  EXPECT_EQ(p.target, ":memory:");
  EXPECT_TRUE(p.memory);
  EXPECT_FALSE(p.uri);
}

TEST(Dsn, SqliteFileUriIsPassedAsAUriAndModeMemoryMakesItInMemory) {
  auto p = parse_dsn("sqlite:file:x?mode=memory&cache=shared");
  EXPECT_EQ(p.kind, backend_kind::sqlite);
  EXPECT_EQ(p.target, "file:x?mode=memory&cache=shared");
  EXPECT_TRUE(p.uri);
  EXPECT_TRUE(p.memory);
}

TEST(Dsn, SqliteFileUriWithoutModeMemoryIsNotInMemory) {
  auto p = parse_dsn("sqlite:file:/tmp/x.db?cache=shared");
  EXPECT_TRUE(p.uri);
  EXPECT_FALSE(p.memory);
}

TEST(Dsn, SqliteModeParameterIsParsedAndRemovedFromThePath) {
  auto p = parse_dsn("sqlite://x.db?mode=rw");
  EXPECT_EQ(p.kind, backend_kind::sqlite);
  EXPECT_EQ(p.target, "x.db");
  ASSERT_EQ(p.params.size(), 1u);
  EXPECT_EQ(p.params.at("mode"), "rw");
  EXPECT_FALSE(p.memory);
}

TEST(Dsn, SqliteAcceptsModesRwcAndRo) {
  EXPECT_EQ(parse_dsn("sqlite:///a.db?mode=rwc").params.at("mode"), "rwc");
  EXPECT_EQ(parse_dsn("sqlite:///a.db?mode=ro").params.at("mode"), "ro");
}

TEST(Dsn, SqliteModeMemoryParameterMakesTheDatabaseInMemory) {
  auto p = parse_dsn("sqlite://shared.db?mode=memory");
  EXPECT_TRUE(p.memory);
  EXPECT_EQ(p.target, "shared.db");
}

TEST(Dsn, SqlitePathIsPercentDecoded) {
  auto p = parse_dsn("sqlite:///tmp/my%20queue%2Bdb.db");
  EXPECT_EQ(p.target, "/tmp/my queue+db.db");
}

TEST(Dsn, SqliteTruncatedPercentEscapeIsRejected) {
  auto e = dsn_error("sqlite:///tmp/a%2");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "dsn");
}

TEST(Dsn, SqliteNonHexPercentEscapeIsRejected) {
  auto e = dsn_error("sqlite:///tmp/a%zz.db");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "dsn");
}

// Regression (fixed): raw control characters are rejected (see DsnErrors, ControlCharactersAreRejected) but a
// percent-encoded one is decoded into the path, so "sqlite:///tmp/a%00b.db" yields a target with an embedded
// NUL (which sqlite3_open_v2 would silently truncate to "/tmp/a"). Expected: config_error{field "dsn"};
// actual: accepted.
TEST(Dsn, SqlitePercentEncodedNulInThePathIsRejected) {
  auto e = catch_as<config_error>([] { (void)parse_dsn("sqlite:///tmp/a%00b.db"); });
  ASSERT_TRUE(e) << "a percent-encoded NUL was decoded into the database path";
  EXPECT_EQ(e->field(), "dsn");
}

// ---------------------------------------------------------------- turso and s3

TEST(Dsn, TursoWithThreeSlashesSelectsTursoWithAnAbsolutePath) {
  auto p = parse_dsn("turso:///x.db");
  EXPECT_EQ(p.kind, backend_kind::turso);
  EXPECT_EQ(p.target, "/x.db");
}

TEST(Dsn, S3SplitsBucketAndObjectKey) {
  auto p = parse_dsn("s3://bucket/key/path.sqlite");
  EXPECT_EQ(p.kind, backend_kind::s3);
  EXPECT_EQ(p.bucket, "bucket");
  EXPECT_EQ(p.key, "key/path.sqlite");
}

TEST(Dsn, S3TrimsLeadingSlashesFromTheKey) {
  auto p = parse_dsn("s3://bucket//key.sqlite");
  EXPECT_EQ(p.bucket, "bucket");
  EXPECT_EQ(p.key, "key.sqlite");
}

// ---------------------------------------------------------------- errors

TEST(DsnErrors, EmptyStringIsRejected) {
  auto e = dsn_error("");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "dsn");
  EXPECT_TRUE(contains(e->what(), "empty")) << e->what();
}

TEST(DsnErrors, WhitespaceOnlyIsRejectedAsEmpty) {
  auto e = dsn_error("   ");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "dsn");
  EXPECT_TRUE(contains(e->what(), "empty")) << e->what();
}

TEST(DsnErrors, UnsupportedSchemeIsNamedWithoutLeakingThePassword) {
  auto e = dsn_error("mysql://u:secret@h/db");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "dsn");
  EXPECT_TRUE(contains(e->what(), "'mysql'")) << e->what();
  EXPECT_FALSE(contains(e->what(), "secret")) << e->what();
  EXPECT_FALSE(contains(e->detail(), "secret")) << e->detail();
}

TEST(DsnErrors, ErrorMessageStartsWithTheInvalidConfigurationPrefix) {
  auto e = dsn_error("mysql://h/db");
  ASSERT_TRUE(e);
  EXPECT_TRUE(std::string_view(e->what()).starts_with("Invalid configuration value for dsn: ")) << e->what();
  EXPECT_EQ(e->code(), error_code::config);
}

TEST(DsnErrors, PgShorthandSchemeIsRejected) {
  auto e = dsn_error("pg://x");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "dsn");
  EXPECT_TRUE(contains(e->what(), "'pg'")) << e->what();
}

TEST(DsnErrors, PostgresWithoutDoubleSlashIsRejected) {
  auto e = dsn_error("postgres:/x");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "dsn");
}

TEST(DsnErrors, PostgresWithNoHostAndNoDatabaseIsRejected) {
  for (const char* dsn : {"postgresql://", "postgres://", "postgresql:///", "postgres://user@", "postgresql://:5432",
                          "postgresql://user:secret@/"}) {
    auto e = dsn_error(dsn);
    ASSERT_TRUE(e) << dsn;
    EXPECT_EQ(e->field(), "dsn");
    EXPECT_TRUE(contains(e->what(), "names no host and no database")) << e->what();
    EXPECT_FALSE(contains(e->what(), "secret")) << e->what();
  }
}

TEST(Dsn, PostgresWithOnlyASocketDatabaseOrParametersIsAccepted) {
  for (const char* dsn : {"postgresql:///mydb", "postgresql://localhost", "postgresql://?host=/tmp&dbname=x",
                          "postgresql://[::1]:5432", "postgres://u@h"}) {
    EXPECT_NO_THROW((void)parse_dsn(dsn)) << dsn;
  }
}

TEST(DsnErrors, SqlitePathNamingADirectoryIsRejected) {
  for (const char* dsn : {"sqlite:///", "sqlite:///tmp/", "sqlite://data/", "turso:///"}) {
    auto e = dsn_error(dsn);
    ASSERT_TRUE(e) << dsn;
    EXPECT_EQ(e->field(), "dsn");
    EXPECT_TRUE(contains(e->what(), "names a directory")) << e->what();
  }
}

TEST(DsnErrors, MissingSchemeIsRejected) {
  auto e = dsn_error("localhost/db");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "dsn");
}

TEST(DsnErrors, SqliteWithNothingAfterTheColonIsRejected) {
  auto e = dsn_error("sqlite:");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "dsn");
}

TEST(DsnErrors, SqliteWithAnEmptyPathIsRejected) {
  auto e = dsn_error("sqlite://");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "dsn");
  EXPECT_TRUE(contains(e->what(), "path")) << e->what();
}

TEST(DsnErrors, SqliteUnknownModeIsRejected) {
  auto e = dsn_error("sqlite://x.db?mode=bogus");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "dsn");
  EXPECT_TRUE(contains(e->what(), "bogus")) << e->what();
}

TEST(DsnErrors, SqliteUnknownParameterIsRejected) {
  auto e = dsn_error("sqlite://x.db?foo=1");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "dsn");
  EXPECT_TRUE(contains(e->what(), "foo")) << e->what();
}

TEST(DsnErrors, SqliteParameterWithoutValueIsRejected) {
  auto e = dsn_error("sqlite://x.db?mode");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "dsn");
}

TEST(DsnErrors, TursoWithoutPathIsRejected) {
  auto e = dsn_error("turso://");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "dsn");
}

TEST(DsnErrors, S3WithoutBucketIsRejected) {
  auto e = dsn_error("s3://");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "dsn");
  EXPECT_TRUE(contains(e->what(), "S3 DSN missing bucket")) << e->what();
}

TEST(DsnErrors, S3WithoutKeyIsRejected) {
  auto e = dsn_error("s3://bucket");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "dsn");
  EXPECT_TRUE(contains(e->what(), "S3 DSN missing object key")) << e->what();
}

TEST(DsnErrors, S3WithATrailingSlashButNoKeyIsRejected) {
  auto e = dsn_error("s3://bucket/");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "dsn");
  EXPECT_TRUE(contains(e->what(), "S3 DSN missing object key")) << e->what();
}

TEST(DsnErrors, S3WithoutDoubleSlashIsRejected) {
  auto e = dsn_error("s3:bucket/key");
  ASSERT_TRUE(e);
  EXPECT_TRUE(contains(e->what(), "Invalid S3 DSN format")) << e->what();
}

TEST(DsnErrors, ControlCharactersAreRejected) {
  for (std::string dsn :
       {std::string("sqlite:///tmp/a\n.db"), std::string("sqlite:///tmp/a\x01.db"),
        std::string("postgresql://h/db\x7f"), std::string("sqlite:///tmp/a") + '\0' + ".db"}) {
    auto e = catch_as<config_error>([&] { (void)parse_dsn(dsn); });
    ASSERT_TRUE(e) << "accepted a DSN with a control character (length " << dsn.size() << ")";
    EXPECT_EQ(e->field(), "dsn");
  }
}

TEST(DsnErrors, ConfigFromDsnRejectsAMalformedDsn) {
  auto e = catch_as<config_error>([] { (void)config::from_dsn("mysql://h/db"); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "dsn");
}

// ---------------------------------------------------------------- redact_dsn

TEST(RedactDsn, HidesThePasswordOfUserInfo) {
  EXPECT_EQ(redact_dsn("postgresql://user:secret@localhost:5432/db"),
            "postgresql://user:***@localhost:5432/db");
}

TEST(RedactDsn, HidesAPasswordContainingAnAtSign) {
  auto r = redact_dsn("postgresql://user:p@ss@host/db");
  EXPECT_EQ(r, "postgresql://user:***@host/db");
}

TEST(RedactDsn, HidesPasswordQueryParameter) {
  auto r = redact_dsn("postgresql://host/db?user=u&password=secret&sslmode=require");
  EXPECT_EQ(r, "postgresql://host/db?user=u&password=***&sslmode=require");
}

TEST(RedactDsn, HidesPasswordQueryParameterAtTheEnd) {
  EXPECT_EQ(redact_dsn("postgres://host/db?password=secret"), "postgres://host/db?password=***");
}

TEST(RedactDsn, LeavesUserWithoutPasswordUnchanged) {
  const std::string dsn = "postgresql://user@localhost:5432/db";
  EXPECT_EQ(redact_dsn(dsn), dsn);
}

TEST(RedactDsn, LeavesHostAndPortWithoutUserUnchanged) {
  const std::string dsn = "postgresql://localhost:5432/db?sslmode=require";
  EXPECT_EQ(redact_dsn(dsn), dsn);
}

TEST(RedactDsn, LeavesFileDsnsUnchanged) {
  EXPECT_EQ(redact_dsn("sqlite:///tmp/a.db?mode=rwc"), "sqlite:///tmp/a.db?mode=rwc");
  EXPECT_EQ(redact_dsn("sqlite::memory:"), "sqlite::memory:");
  EXPECT_EQ(redact_dsn("s3://bucket/key.sqlite"), "s3://bucket/key.sqlite");
}

// ---------------------------------------------------------------- connect

TEST(Connect, TursoDsnOpensOrReportsThatTheBackendIsNotEnabled) {
  if (pgqrs::detail::backend_available(backend_kind::turso)) {
    EXPECT_EQ(pgqrs::connect("turso::memory:").backend(), backend_kind::turso);
    return;
  }
  auto e = catch_as<config_error>([] { (void)pgqrs::connect("turso:///tmp/x.db"); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "dsn");
  EXPECT_TRUE(contains(e->what(), "Turso backend is not enabled in this build of pgqrs (build with -DPGQRS_WITH_TURSO=ON)")) << e->what();
}

TEST(Connect, S3DsnReportsThatTheBackendIsNotEnabledOrWhichCredentialIsMissing) {
  if (pgqrs::detail::backend_available(pgqrs::backend_kind::s3)) {
    // Built: the credentials come from the standard AWS variables, and their absence is named.
    ::unsetenv("AWS_ACCESS_KEY_ID");
    auto e = catch_as<missing_config>([] { (void)pgqrs::connect("s3://b/k"); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->field(), "AWS_ACCESS_KEY_ID");
    return;
  }
  auto e = catch_as<config_error>([] { (void)pgqrs::connect("s3://b/k"); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "dsn");
  EXPECT_TRUE(contains(e->what(), "S3 backend is not enabled")) << e->what();
}

TEST(Connect, MalformedDsnIsAConfigError) {
  auto e = catch_as<config_error>([] { (void)pgqrs::connect("mysql://u:secret@h/db"); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "dsn");
  EXPECT_FALSE(contains(e->what(), "secret")) << e->what();
}

TEST(Connect, SqliteFileInAMissingDirectoryIsAConnectionError) {
  EXPECT_THROW((void)pgqrs::connect("sqlite:///nonexistent-dir-xyz/a.db?mode=rw"), connection_error);
}
