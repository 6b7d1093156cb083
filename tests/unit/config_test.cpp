// Configuration (spec §1.2): defaults, schema-name rules, PGQRS_* environment variables, YAML files, the
// load() precedence, load_with_options, and detail::check_config. Where we deliberately differ from the
// original (unparsable env values and unknown YAML keys are errors) the tests check our behaviour.

#include <gtest/gtest.h>
#include <stdlib.h>  // setenv, unsetenv, mkdtemp
#include "catch_as.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/config.hpp"
#include "pgqrs/config.hpp"
#include "pgqrs/errors.hpp"

namespace fs = std::filesystem;
using namespace pgqrs;

namespace {

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

constexpr const char* all_variables[] = {
    "PGQRS_DSN",
    "PGQRS_CONFIG_FILE",
    "PGQRS_SCHEMA",
    "PGQRS_MAX_CONNECTIONS",
    "PGQRS_CONNECTION_TIMEOUT",
    "PGQRS_DEFAULT_LOCK_TIME",
    "PGQRS_DEFAULT_BATCH_SIZE",
    "PGQRS_MAX_READ_CT",
    "PGQRS_HEARTBEAT_INTERVAL",
    "PGQRS_POLL_INTERVAL_MS",
    "PGQRS_VALIDATION_CONFIG",
    "PGQRS_SQLITE_USE_WAL",
    "PGQRS_SQLITE_BUSY_TIMEOUT_MS",
    "PGQRS_SQLITE_SYNCHRONOUS",
    "PGQRS_S3_MODE",
    "PGQRS_S3_CACHE_DIR",
    "PGQRS_PREPARED_STATEMENTS",
};

/// Clears every PGQRS_* variable and runs the test in a fresh empty directory; restores both afterwards, so
/// the tests also pass when the whole binary runs in one process.
class ConfigEnv : public ::testing::Test {
 protected:
  void SetUp() override {
    clear_env();
    m_old_cwd = fs::current_path();
    std::string pattern = (fs::temp_directory_path() / "pgqrs-config-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    m_dir = pattern;
    fs::current_path(m_dir);
  }
  void TearDown() override {
    clear_env();
    fs::current_path(m_old_cwd);
    std::error_code ec;
    fs::remove_all(m_dir, ec);
  }

  static void clear_env() {
    for (const char* name : all_variables) unsetenv(name);
  }
  static void set(const char* name, const std::string& value) { setenv(name, value.c_str(), 1); }

  /// Writes `text` to `name` in the test directory and returns its absolute path.
  fs::path write(const std::string& name, const std::string& text) const {
    fs::path p = m_dir / name;
    std::ofstream(p) << text;
    return p;
  }

  fs::path m_dir;
  fs::path m_old_cwd;
};

using ConfigFile = ConfigEnv;
using ConfigLoad = ConfigEnv;

}  // namespace

// ================================================================ schema names

TEST(SchemaName, AcceptsPlainLowercaseName) {
  EXPECT_NO_THROW(validate_schema_name("public"));
}

TEST(SchemaName, AcceptsLeadingUnderscore) {
  EXPECT_NO_THROW(validate_schema_name("_x"));
}

TEST(SchemaName, AcceptsDollarAfterTheFirstCharacter) {
  EXPECT_NO_THROW(validate_schema_name("a$b"));
}

TEST(SchemaName, AcceptsMixedCaseAndDigitsAfterTheFirstCharacter) {
  EXPECT_NO_THROW(validate_schema_name("Tenant_42"));
}

TEST(SchemaName, AcceptsExactly63Bytes) {
  EXPECT_NO_THROW(validate_schema_name(std::string(63, 'a')));
}

TEST(SchemaName, RejectsEmptyName) {
  auto e = catch_as<config_error>([] { validate_schema_name(""); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "schema");
  EXPECT_TRUE(contains(e->what(), "cannot be empty")) << e->what();
}

TEST(SchemaName, Rejects64Bytes) {
  auto e = catch_as<config_error>([] { validate_schema_name(std::string(64, 'a')); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "schema");
  EXPECT_TRUE(contains(e->what(), "exceeds maximum length of 63 bytes")) << e->what();
}

TEST(SchemaName, RejectsLeadingDigit) {
  auto e = catch_as<config_error>([] { validate_schema_name("1abc"); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "schema");
  EXPECT_TRUE(contains(e->what(), "must start with a letter or underscore")) << e->what();
}

TEST(SchemaName, RejectsLeadingDollar) {
  auto e = catch_as<config_error>([] { validate_schema_name("$a"); });
  ASSERT_TRUE(e);
  EXPECT_TRUE(contains(e->what(), "must start with a letter or underscore")) << e->what();
}

TEST(SchemaName, RejectsHyphenNamingTheCharacter) {
  auto e = catch_as<config_error>([] { validate_schema_name("a-b"); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "schema");
  EXPECT_TRUE(contains(e->what(), "contains invalid character '-'")) << e->what();
}

TEST(SchemaName, RejectsDoubleQuote) {
  auto e = catch_as<config_error>([] { validate_schema_name("a\"b"); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "schema");
  EXPECT_TRUE(contains(e->what(), "contains invalid character '\"'")) << e->what();
}

TEST(SchemaName, RejectsSpace) {
  auto e = catch_as<config_error>([] { validate_schema_name("a b"); });
  ASSERT_TRUE(e);
  EXPECT_TRUE(contains(e->what(), "contains invalid character ' '")) << e->what();
}

TEST(SchemaName, RejectsSqlInjectionAttempt) {
  auto e = catch_as<config_error>([] { validate_schema_name("x; DROP SCHEMA public"); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "schema");
  EXPECT_TRUE(contains(e->what(), "contains invalid character ';'")) << e->what();
}

TEST(SchemaName, RejectsNonAsciiLetters) {
  auto e = catch_as<config_error>([] { validate_schema_name("caf\xC3\xA9"); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "schema");
  EXPECT_TRUE(contains(e->what(), "contains invalid character")) << e->what();
}

// Regression (fixed): the invalid-character message prints a non-printable byte as "\x" followed by its
// *decimal* value (identifiers.cpp uses std::to_string), so byte 0xC3 is shown as '\x195' and 0x1F as '\x31',
// which read as different hex bytes. Expected '\xc3' (hex, either case); actual '\x195'.
TEST(SchemaName, ShowsANonPrintableByteInHex) {
  auto e = catch_as<config_error>([] { validate_schema_name("caf\xC3\xA9"); });
  ASSERT_TRUE(e);
  const std::string what = e->what();
  EXPECT_TRUE(contains(what, "'\\xc3'") || contains(what, "'\\xC3'")) << what;
}

TEST(SchemaName, WithSchemaReturnsACopyWithTheNewSchema) {
  const config base = config::from_dsn("sqlite::memory:");
  const config other = base.with_schema("tenant_1");
  EXPECT_EQ(other.schema, "tenant_1");
  EXPECT_EQ(base.schema, "public");
  EXPECT_EQ(other.dsn, base.dsn);
}

TEST(SchemaName, WithSchemaValidatesTheName) {
  auto e = catch_as<config_error>([] { (void)config::from_dsn("sqlite::memory:").with_schema("a-b"); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "schema");
}

TEST(SchemaName, FromDsnWithSchemaSetsAValidSchema) {
  auto cfg = config::from_dsn_with_schema("postgresql://h/db", "_x");
  EXPECT_EQ(cfg.schema, "_x");
  EXPECT_EQ(cfg.dsn, "postgresql://h/db");
}

TEST(SchemaName, FromDsnWithSchemaRejectsAnInvalidSchema) {
  auto e = catch_as<config_error>([] { (void)config::from_dsn_with_schema("postgresql://h/db", "1x"); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "schema");
}

TEST(SchemaName, FromDsnWithSchemaRejectsAnInvalidDsn) {
  auto e = catch_as<config_error>([] { (void)config::from_dsn_with_schema("nope", "ok"); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "dsn");
}

// ================================================================ defaults

TEST(ConfigDefaults, MatchTheSpecification) {
  const config c = config::from_dsn("postgresql://localhost/db");
  EXPECT_EQ(c.dsn, "postgresql://localhost/db");
  EXPECT_EQ(c.schema, "public");
  EXPECT_EQ(c.max_connections, 16u);
  EXPECT_EQ(c.connection_timeout, std::chrono::seconds(30));
  EXPECT_EQ(c.default_lock_time, std::chrono::seconds(5));
  EXPECT_EQ(c.default_max_batch_size, 100u);
  EXPECT_EQ(c.max_read_ct, 5);
  EXPECT_EQ(c.heartbeat_interval, std::chrono::seconds(5));
  EXPECT_EQ(c.poll_interval, std::chrono::milliseconds(250));
  EXPECT_TRUE(c.sqlite.use_wal);
  EXPECT_EQ(c.s3.mode, durability_mode::durable);
  EXPECT_FALSE(c.s3.cache_dir.has_value());
}

TEST(ConfigDefaults, ValidationDefaultsMatchTheSpecification) {
  const validation_config v = config::from_dsn("sqlite::memory:").validation;
  EXPECT_EQ(v.max_payload_size_bytes, 1'048'576u);
  EXPECT_EQ(v.max_string_length, 1024u);
  EXPECT_EQ(v.max_object_depth, 5u);
  EXPECT_EQ(v.forbidden_keys, (std::vector<std::string>{"__proto__", "constructor"}));
  EXPECT_TRUE(v.required_keys.empty());
  ASSERT_TRUE(v.max_enqueue_per_second.has_value());
  EXPECT_EQ(*v.max_enqueue_per_second, 1000u);
  ASSERT_TRUE(v.max_enqueue_burst.has_value());
  EXPECT_EQ(*v.max_enqueue_burst, 50u);
}

TEST(ConfigDefaults, OurExtensionsDefaultToSafeValues) {
  const config c = config::from_dsn("sqlite::memory:");
  EXPECT_EQ(c.sqlite.busy_timeout, std::chrono::milliseconds(5000));
  EXPECT_EQ(c.sqlite.synchronous, sqlite_synchronous::full);
  EXPECT_EQ(c.prepared_statements, prepared_statements::automatic);
}

TEST(ConfigDefaults, WithMaxConnectionsReturnsAModifiedCopy) {
  const config base = config::from_dsn("sqlite::memory:");
  EXPECT_EQ(base.with_max_connections(3).max_connections, 3u);
  EXPECT_EQ(base.max_connections, 16u);
}

TEST_F(ConfigEnv, FromDsnIgnoresTheEnvironment) {
  set("PGQRS_MAX_READ_CT", "9");
  set("PGQRS_SCHEMA", "other");
  const config c = config::from_dsn("sqlite::memory:");
  EXPECT_EQ(c.max_read_ct, 5);
  EXPECT_EQ(c.schema, "public");
}

// ================================================================ from_env

TEST_F(ConfigEnv, MissingDsnIsMissingConfig) {
  auto e = catch_as<missing_config>([] { (void)config::from_env(); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->what(), "Missing required configuration: PGQRS_DSN");
  EXPECT_EQ(e->field(), "PGQRS_DSN");
  EXPECT_EQ(e->code(), error_code::missing_config);
}

TEST_F(ConfigEnv, DsnAloneGivesDefaults) {
  set("PGQRS_DSN", "postgresql://h/db");
  const config c = config::from_env();
  EXPECT_EQ(c.dsn, "postgresql://h/db");
  EXPECT_EQ(c.max_connections, 16u);
  EXPECT_EQ(c.max_read_ct, 5);
  EXPECT_EQ(c.schema, "public");
}

TEST_F(ConfigEnv, InvalidDsnIsAConfigErrorForDsn) {
  set("PGQRS_DSN", "mysql://h/db");
  auto e = catch_as<config_error>([] { (void)config::from_env(); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "dsn");
}

TEST_F(ConfigEnv, EveryNumericVariableIsApplied) {
  set("PGQRS_DSN", "sqlite::memory:");
  set("PGQRS_MAX_CONNECTIONS", "7");
  set("PGQRS_CONNECTION_TIMEOUT", "11");
  set("PGQRS_DEFAULT_LOCK_TIME", "12");
  set("PGQRS_DEFAULT_BATCH_SIZE", "13");
  set("PGQRS_MAX_READ_CT", "14");
  set("PGQRS_HEARTBEAT_INTERVAL", "15");
  set("PGQRS_POLL_INTERVAL_MS", "16");
  const config c = config::from_env();
  EXPECT_EQ(c.max_connections, 7u);
  EXPECT_EQ(c.connection_timeout, std::chrono::seconds(11));
  EXPECT_EQ(c.default_lock_time, std::chrono::seconds(12));
  EXPECT_EQ(c.default_max_batch_size, 13u);
  EXPECT_EQ(c.max_read_ct, 14);
  EXPECT_EQ(c.heartbeat_interval, std::chrono::seconds(15));
  EXPECT_EQ(c.poll_interval, std::chrono::milliseconds(16));
}

TEST_F(ConfigEnv, SchemaVariableIsApplied) {
  set("PGQRS_DSN", "postgresql://h/db");
  set("PGQRS_SCHEMA", "tenant_a");
  EXPECT_EQ(config::from_env().schema, "tenant_a");
}

TEST_F(ConfigEnv, InvalidSchemaVariableIsRejected) {
  set("PGQRS_DSN", "postgresql://h/db");
  set("PGQRS_SCHEMA", "bad-name");
  auto e = catch_as<config_error>([] { (void)config::from_env(); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "schema");
}

TEST_F(ConfigEnv, SqliteVariablesAreApplied) {
  set("PGQRS_DSN", "sqlite::memory:");
  set("PGQRS_SQLITE_USE_WAL", "false");
  set("PGQRS_SQLITE_SYNCHRONOUS", "normal");
  const config c = config::from_env();
  EXPECT_FALSE(c.sqlite.use_wal);
  EXPECT_EQ(c.sqlite.synchronous, sqlite_synchronous::normal);
}

TEST_F(ConfigEnv, PreparedStatementsVariableIsApplied) {
  set("PGQRS_DSN", "postgresql://h/db");
  set("PGQRS_PREPARED_STATEMENTS", "never");
  EXPECT_EQ(config::from_env().prepared_statements, prepared_statements::never);
}

TEST_F(ConfigEnv, S3ModeLocalIsApplied) {
  set("PGQRS_DSN", "s3://b/k.sqlite");
  set("PGQRS_S3_MODE", "local");
  EXPECT_EQ(config::from_env().s3.mode, durability_mode::local);
}

TEST_F(ConfigEnv, S3ModeIsCaseInsensitive) {
  set("PGQRS_DSN", "s3://b/k.sqlite");
  set("PGQRS_S3_MODE", "DURABLE");
  EXPECT_EQ(config::from_env().s3.mode, durability_mode::durable);
  set("PGQRS_S3_MODE", "Local");
  EXPECT_EQ(config::from_env().s3.mode, durability_mode::local);
}

TEST_F(ConfigEnv, UnknownS3ModeIsRejected) {
  set("PGQRS_DSN", "s3://b/k.sqlite");
  set("PGQRS_S3_MODE", "eventual");
  auto e = catch_as<config_error>([] { (void)config::from_env(); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "PGQRS_S3_MODE");
}

TEST_F(ConfigEnv, S3CacheDirVariableIsApplied) {
  set("PGQRS_DSN", "s3://b/k.sqlite");
  set("PGQRS_S3_CACHE_DIR", "/tmp/pgqrs-cache");
  auto c = config::from_env();
  ASSERT_TRUE(c.s3.cache_dir.has_value());
  EXPECT_EQ(*c.s3.cache_dir, fs::path("/tmp/pgqrs-cache"));
}

TEST_F(ConfigEnv, NonNumericValueIsAConfigErrorNamingTheVariable) {
  set("PGQRS_DSN", "sqlite::memory:");
  set("PGQRS_MAX_CONNECTIONS", "abc");
  auto e = catch_as<config_error>([] { (void)config::from_env(); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "PGQRS_MAX_CONNECTIONS");
  EXPECT_TRUE(contains(e->what(), "PGQRS_MAX_CONNECTIONS")) << e->what();
  EXPECT_TRUE(contains(e->what(), "abc")) << e->what();
}

TEST_F(ConfigEnv, NumberWithTrailingGarbageIsRejected) {
  set("PGQRS_DSN", "sqlite::memory:");
  set("PGQRS_POLL_INTERVAL_MS", "100ms");
  auto e = catch_as<config_error>([] { (void)config::from_env(); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "PGQRS_POLL_INTERVAL_MS");
}

TEST_F(ConfigEnv, NegativeValueForAnUnsignedSettingIsRejected) {
  set("PGQRS_DSN", "sqlite::memory:");
  set("PGQRS_HEARTBEAT_INTERVAL", "-1");
  auto e = catch_as<config_error>([] { (void)config::from_env(); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "PGQRS_HEARTBEAT_INTERVAL");
}

TEST_F(ConfigEnv, OutOfRangeValueIsRejected) {
  set("PGQRS_DSN", "sqlite::memory:");
  set("PGQRS_MAX_CONNECTIONS", "4294967296");
  auto e = catch_as<config_error>([] { (void)config::from_env(); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "PGQRS_MAX_CONNECTIONS");
}

TEST_F(ConfigEnv, InvalidBooleanIsRejected) {
  set("PGQRS_DSN", "sqlite::memory:");
  set("PGQRS_SQLITE_USE_WAL", "maybe");
  auto e = catch_as<config_error>([] { (void)config::from_env(); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "PGQRS_SQLITE_USE_WAL");
}

TEST_F(ConfigEnv, ValidationConfigJsonIsApplied) {
  set("PGQRS_DSN", "sqlite::memory:");
  set("PGQRS_VALIDATION_CONFIG",
      R"({"max_payload_size_bytes":2048,"max_string_length":10,"max_object_depth":3,)"
      R"("forbidden_keys":["x"],"required_keys":["id"],"max_enqueue_per_second":7,"max_enqueue_burst":9})");
  const validation_config v = config::from_env().validation;
  EXPECT_EQ(v.max_payload_size_bytes, 2048u);
  EXPECT_EQ(v.max_string_length, 10u);
  EXPECT_EQ(v.max_object_depth, 3u);
  EXPECT_EQ(v.forbidden_keys, std::vector<std::string>{"x"});
  EXPECT_EQ(v.required_keys, std::vector<std::string>{"id"});
  EXPECT_EQ(v.max_enqueue_per_second, std::optional<std::uint32_t>(7));
  EXPECT_EQ(v.max_enqueue_burst, std::optional<std::uint32_t>(9));
}

TEST_F(ConfigEnv, ValidationConfigNullRateDisablesRateLimiting) {
  set("PGQRS_DSN", "sqlite::memory:");
  set("PGQRS_VALIDATION_CONFIG", R"({"max_enqueue_per_second":null})");
  const validation_config v = config::from_env().validation;
  EXPECT_FALSE(v.max_enqueue_per_second.has_value());
  EXPECT_EQ(v.max_payload_size_bytes, 1'048'576u);  // other fields keep their defaults
}

TEST_F(ConfigEnv, ValidationConfigThatIsNotJsonIsRejected) {
  set("PGQRS_DSN", "sqlite::memory:");
  set("PGQRS_VALIDATION_CONFIG", "{not json");
  auto e = catch_as<config_error>([] { (void)config::from_env(); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "PGQRS_VALIDATION_CONFIG");
}

TEST_F(ConfigEnv, ValidationConfigThatIsNotAnObjectIsRejected) {
  set("PGQRS_DSN", "sqlite::memory:");
  set("PGQRS_VALIDATION_CONFIG", "[1,2]");
  auto e = catch_as<config_error>([] { (void)config::from_env(); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "PGQRS_VALIDATION_CONFIG");
}

TEST_F(ConfigEnv, ValidationConfigWithAWrongTypeIsRejected) {
  set("PGQRS_DSN", "sqlite::memory:");
  set("PGQRS_VALIDATION_CONFIG", R"({"max_string_length":-1})");
  auto e = catch_as<config_error>([] { (void)config::from_env(); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "PGQRS_VALIDATION_CONFIG");
}

// Regression (fixed): a rate that does not fit in std::uint32_t is silently truncated by nlohmann's
// get<std::uint32_t>() (4294967296 becomes 0, which means "never refill"). Expected config_error{field
// "PGQRS_VALIDATION_CONFIG"}; actual: accepted with max_enqueue_per_second == 0. The same reader serves YAML
// validation_config.
TEST_F(ConfigEnv, ValidationConfigRateOutOfRangeIsRejected) {
  set("PGQRS_DSN", "sqlite::memory:");
  set("PGQRS_VALIDATION_CONFIG", R"({"max_enqueue_per_second":4294967296})");
  std::optional<std::uint32_t> accepted;
  auto e = catch_as<config_error>([&] { accepted = config::from_env().validation.max_enqueue_per_second; });
  ASSERT_TRUE(e) << "accepted as " << (accepted ? std::to_string(*accepted) : std::string("nullopt"));
  EXPECT_EQ(e->field(), "PGQRS_VALIDATION_CONFIG");
}

// Regression (fixed): unknown keys are rejected in the YAML validation_config section (and config.cpp says
// both formats "accept exactly the same keys"), but the PGQRS_VALIDATION_CONFIG JSON reader silently ignores
// them, so a typo such as "max_payload_size" leaves the default in force. Expected config_error; actual:
// accepted.
TEST_F(ConfigEnv, ValidationConfigUnknownKeyIsRejected) {
  set("PGQRS_DSN", "sqlite::memory:");
  set("PGQRS_VALIDATION_CONFIG", R"({"max_payload_size":10})");
  auto e = catch_as<config_error>([] { (void)config::from_env(); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "PGQRS_VALIDATION_CONFIG");
}

// ================================================================ from_file (YAML)

TEST_F(ConfigFile, ReadsTopLevelSettings) {
  auto path = write("c.yaml",
                    "dsn: postgresql://h/db\n"
                    "schema: tenant_b\n"
                    "max_connections: 4\n"
                    "connection_timeout_seconds: 9\n"
                    "default_lock_time_seconds: 8\n"
                    "default_max_batch_size: 7\n"
                    "max_read_ct: 6\n"
                    "heartbeat_interval: 3\n"
                    "poll_interval_ms: 50\n"
                    "prepared_statements: always\n");
  const config c = config::from_file(path);
  EXPECT_EQ(c.dsn, "postgresql://h/db");
  EXPECT_EQ(c.schema, "tenant_b");
  EXPECT_EQ(c.max_connections, 4u);
  EXPECT_EQ(c.connection_timeout, std::chrono::seconds(9));
  EXPECT_EQ(c.default_lock_time, std::chrono::seconds(8));
  EXPECT_EQ(c.default_max_batch_size, 7u);
  EXPECT_EQ(c.max_read_ct, 6);
  EXPECT_EQ(c.heartbeat_interval, std::chrono::seconds(3));
  EXPECT_EQ(c.poll_interval, std::chrono::milliseconds(50));
  EXPECT_EQ(c.prepared_statements, prepared_statements::always);
}

TEST_F(ConfigFile, MissingFieldsKeepTheirDefaults) {
  const config c = config::from_file(write("c.yaml", "dsn: \"sqlite::memory:\"\n"));
  EXPECT_EQ(c.dsn, "sqlite::memory:");
  EXPECT_EQ(c.max_connections, 16u);
  EXPECT_EQ(c.poll_interval, std::chrono::milliseconds(250));
  EXPECT_EQ(c.validation.max_enqueue_burst, std::optional<std::uint32_t>(50));
}

TEST_F(ConfigFile, ReadsNestedValidationConfigSection) {
  auto path = write("c.yaml",
                    "dsn: sqlite:///tmp/q.db\n"
                    "validation_config:\n"
                    "  max_payload_size_bytes: 4096\n"
                    "  max_string_length: 64\n"
                    "  max_object_depth: 2\n"
                    "  forbidden_keys: [secret, token]\n"
                    "  required_keys:\n"
                    "    - id\n"
                    "  max_enqueue_per_second: 20\n"
                    "  max_enqueue_burst: 30\n");
  const validation_config v = config::from_file(path).validation;
  EXPECT_EQ(v.max_payload_size_bytes, 4096u);
  EXPECT_EQ(v.max_string_length, 64u);
  EXPECT_EQ(v.max_object_depth, 2u);
  EXPECT_EQ(v.forbidden_keys, (std::vector<std::string>{"secret", "token"}));
  EXPECT_EQ(v.required_keys, std::vector<std::string>{"id"});
  EXPECT_EQ(v.max_enqueue_per_second, std::optional<std::uint32_t>(20));
  EXPECT_EQ(v.max_enqueue_burst, std::optional<std::uint32_t>(30));
}

TEST_F(ConfigFile, NullRateInYamlDisablesRateLimiting) {
  auto path = write("c.yaml",
                    "dsn: sqlite:///tmp/q.db\n"
                    "validation_config:\n"
                    "  max_enqueue_per_second: ~\n"
                    "  forbidden_keys: []\n");
  const validation_config v = config::from_file(path).validation;
  EXPECT_FALSE(v.max_enqueue_per_second.has_value());
  EXPECT_TRUE(v.forbidden_keys.empty());
}

TEST_F(ConfigFile, ReadsNestedSqliteSection) {
  auto path = write("c.yaml",
                    "dsn: sqlite:///tmp/q.db\n"
                    "sqlite:\n"
                    "  use_wal: false\n"
                    "  busy_timeout_ms: 100\n"
                    "  synchronous: normal\n");
  const config c = config::from_file(path);
  EXPECT_FALSE(c.sqlite.use_wal);
  EXPECT_EQ(c.sqlite.busy_timeout, std::chrono::milliseconds(100));
  EXPECT_EQ(c.sqlite.synchronous, sqlite_synchronous::normal);
}

TEST_F(ConfigFile, ReadsNestedS3Section) {
  auto path = write("c.yaml",
                    "dsn: s3://bucket/q.sqlite\n"
                    "s3:\n"
                    "  mode: local\n"
                    "  cache_dir: /tmp/cache\n");
  const config c = config::from_file(path);
  EXPECT_EQ(c.s3.mode, durability_mode::local);
  ASSERT_TRUE(c.s3.cache_dir.has_value());
  EXPECT_EQ(*c.s3.cache_dir, fs::path("/tmp/cache"));
}

// Regression (fixed): YAML spells booleans true/True/TRUE and false/False/FALSE (the original's serde_yaml
// accepts all of them), but parse_bool only knows lowercase, so "use_wal: False" is rejected. Expected
// use_wal == false; actual config_error{field "sqlite.use_wal"} "'False' is not a boolean (true/false)".
TEST_F(ConfigFile, YamlCapitalisedBooleanIsAccepted) {
  auto path = write("c.yaml",
                    "dsn: sqlite:///tmp/q.db\n"
                    "sqlite:\n"
                    "  use_wal: False\n");
  std::optional<config> c;
  EXPECT_NO_THROW(c = config::from_file(path));
  if (c) {
    EXPECT_FALSE(c->sqlite.use_wal);
  }
}

TEST_F(ConfigFile, MissingFileIsAConfigErrorForFile) {
  auto e = catch_as<config_error>([this] { (void)config::from_file(m_dir / "absent.yaml"); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "file");
}

TEST_F(ConfigFile, InvalidYamlIsAConfigErrorForYaml) {
  auto path = write("c.yaml", "dsn: [unclosed\nschema: {\n");
  auto e = catch_as<config_error>([&] { (void)config::from_file(path); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "yaml");
}

TEST_F(ConfigFile, YamlThatIsNotAMappingIsRejected) {
  auto path = write("c.yaml", "- a\n- b\n");
  auto e = catch_as<config_error>([&] { (void)config::from_file(path); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "yaml");
}

TEST_F(ConfigFile, UnknownTopLevelKeyIsRejected) {
  auto path = write("c.yaml", "dsn: sqlite:///tmp/q.db\nmax_conections: 4\n");
  auto e = catch_as<config_error>([&] { (void)config::from_file(path); });
  ASSERT_TRUE(e);
  EXPECT_TRUE(contains(e->what(), "max_conections")) << e->what();
}

TEST_F(ConfigFile, UnknownValidationConfigKeyIsRejected) {
  auto path = write("c.yaml", "dsn: sqlite:///tmp/q.db\nvalidation_config:\n  max_depth: 3\n");
  auto e = catch_as<config_error>([&] { (void)config::from_file(path); });
  ASSERT_TRUE(e);
  EXPECT_TRUE(contains(e->what(), "max_depth")) << e->what();
}

TEST_F(ConfigFile, UnknownSqliteKeyIsRejected) {
  auto path = write("c.yaml", "dsn: sqlite:///tmp/q.db\nsqlite:\n  wal: true\n");
  auto e = catch_as<config_error>([&] { (void)config::from_file(path); });
  ASSERT_TRUE(e);
  EXPECT_TRUE(contains(e->what(), "wal")) << e->what();
}

TEST_F(ConfigFile, UnknownS3KeyIsRejected) {
  auto path = write("c.yaml", "dsn: s3://b/k\ns3:\n  region: eu\n");
  auto e = catch_as<config_error>([&] { (void)config::from_file(path); });
  ASSERT_TRUE(e);
  EXPECT_TRUE(contains(e->what(), "region")) << e->what();
}

TEST_F(ConfigFile, NonNumericValueIsAConfigErrorNamingTheKey) {
  auto path = write("c.yaml", "dsn: sqlite:///tmp/q.db\nmax_connections: many\n");
  auto e = catch_as<config_error>([&] { (void)config::from_file(path); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "max_connections");
}

TEST_F(ConfigFile, InvalidSchemaInFileIsRejected) {
  auto path = write("c.yaml", "dsn: sqlite:///tmp/q.db\nschema: a-b\n");
  auto e = catch_as<config_error>([&] { (void)config::from_file(path); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "schema");
}

TEST_F(ConfigFile, InvalidDsnInFileIsRejected) {
  auto path = write("c.yaml", "dsn: mysql://h/db\n");
  auto e = catch_as<config_error>([&] { (void)config::from_file(path); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "dsn");
}

TEST_F(ConfigFile, MissingDsnIsMissingConfig) {
  auto path = write("c.yaml", "max_connections: 4\n");
  auto e = catch_as<missing_config>([&] { (void)config::from_file(path); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "dsn");
}

TEST_F(ConfigFile, FromFileIgnoresTheEnvironment) {
  set("PGQRS_MAX_READ_CT", "9");
  const config c = config::from_file(write("c.yaml", "dsn: sqlite:///tmp/q.db\n"));
  EXPECT_EQ(c.max_read_ct, 5);
}

// ================================================================ load / load_with_options

TEST_F(ConfigLoad, NothingConfiguredIsMissingConfiguration) {
  auto e = catch_as<missing_config>([] { (void)config::load(); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "configuration");
  EXPECT_STREQ(e->what(), "Missing required configuration: configuration");
}

TEST_F(ConfigLoad, ConfigFileVariableBeatsDsnVariable) {
  auto path = write("explicit.yaml", "dsn: sqlite:///from-file.db\n");
  set("PGQRS_CONFIG_FILE", path.string());
  set("PGQRS_DSN", "sqlite:///from-env.db");
  EXPECT_EQ(config::load().dsn, "sqlite:///from-file.db");
}

TEST_F(ConfigLoad, ConfigFileVariablePointingNowhereIsAnErrorNotAFallback) {
  set("PGQRS_CONFIG_FILE", (m_dir / "absent.yaml").string());
  set("PGQRS_DSN", "sqlite:///from-env.db");
  auto e = catch_as<config_error>([] { (void)config::load(); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "file");
}

TEST_F(ConfigLoad, DsnVariableBeatsLocalYamlFile) {
  write("pgqrs.yaml", "dsn: sqlite:///from-yaml.db\n");
  set("PGQRS_DSN", "sqlite:///from-env.db");
  set("PGQRS_MAX_READ_CT", "8");
  const config c = config::load();
  EXPECT_EQ(c.dsn, "sqlite:///from-env.db");
  EXPECT_EQ(c.max_read_ct, 8);
}

TEST_F(ConfigLoad, LocalYamlBeatsLocalYml) {
  write("pgqrs.yaml", "dsn: sqlite:///from-yaml.db\n");
  write("pgqrs.yml", "dsn: sqlite:///from-yml.db\n");
  EXPECT_EQ(config::load().dsn, "sqlite:///from-yaml.db");
}

TEST_F(ConfigLoad, LocalYmlIsUsedWhenNothingElseIsPresent) {
  write("pgqrs.yml", "dsn: sqlite:///from-yml.db\n");
  EXPECT_EQ(config::load().dsn, "sqlite:///from-yml.db");
}

TEST_F(ConfigLoad, LoadWithOptionsUsesTheExplicitDsnAndStillAppliesTheEnvironment) {
  set("PGQRS_DSN", "sqlite:///from-env.db");
  set("PGQRS_MAX_READ_CT", "7");
  write("pgqrs.yaml", "dsn: sqlite:///from-yaml.db\n");
  const config c = config::load_with_options("sqlite:///explicit.db", std::nullopt);
  EXPECT_EQ(c.dsn, "sqlite:///explicit.db");
  EXPECT_EQ(c.max_read_ct, 7);
}

TEST_F(ConfigLoad, LoadWithOptionsExplicitDsnBeatsExplicitFile) {
  auto path = write("explicit.yaml", "dsn: sqlite:///from-file.db\n");
  EXPECT_EQ(config::load_with_options("sqlite:///explicit.db", path).dsn, "sqlite:///explicit.db");
}

TEST_F(ConfigLoad, LoadWithOptionsExplicitFileBeatsTheEnvironment) {
  auto path = write("explicit.yaml", "dsn: sqlite:///from-file.db\n");
  set("PGQRS_DSN", "sqlite:///from-env.db");
  EXPECT_EQ(config::load_with_options(std::nullopt, path).dsn, "sqlite:///from-file.db");
}

TEST_F(ConfigLoad, LoadWithOptionsFallsBackToStandardSources) {
  write("pgqrs.yml", "dsn: sqlite:///from-yml.db\n");
  EXPECT_EQ(config::load_with_options(std::nullopt, std::nullopt).dsn, "sqlite:///from-yml.db");
}

TEST_F(ConfigLoad, LoadWithOptionsWithNothingIsMissingConfig) {
  auto e = catch_as<missing_config>([] { (void)config::load_with_options(std::nullopt, std::nullopt); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "configuration");
}

TEST_F(ConfigLoad, LoadWithOptionsExplicitSchemaOverridesEnvironmentSchema) {
  set("PGQRS_SCHEMA", "from_env");
  const config c = config::load_with_options("postgresql://h/db", std::nullopt, "explicit_schema");
  EXPECT_EQ(c.schema, "explicit_schema");
}

TEST_F(ConfigLoad, LoadWithOptionsExplicitSchemaOverridesFileSchema) {
  auto path = write("explicit.yaml", "dsn: postgresql://h/db\nschema: from_file\n");
  EXPECT_EQ(config::load_with_options(std::nullopt, path, "explicit_schema").schema, "explicit_schema");
}

TEST_F(ConfigLoad, LoadWithOptionsValidatesTheExplicitSchema) {
  auto e = catch_as<config_error>(
      [] { (void)config::load_with_options("postgresql://h/db", std::nullopt, "x; DROP SCHEMA public"); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "schema");
}

TEST_F(ConfigLoad, LoadWithOptionsValidatesTheExplicitDsn) {
  auto e = catch_as<config_error>([] { (void)config::load_with_options("pg://x", std::nullopt); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "dsn");
}

// ================================================================ check_config

namespace {
config valid_config() {
  return config::from_dsn("sqlite::memory:");
}

std::optional<config_error> check_error(const config& c) {
  return catch_as<config_error>([&] { pgqrs::detail::check_config(c); });
}
}  // namespace

TEST(CheckConfig, AcceptsTheDefaults) {
  EXPECT_NO_THROW(pgqrs::detail::check_config(valid_config()));
}

TEST(CheckConfig, RejectsZeroMaxConnections) {
  auto c = valid_config();
  c.max_connections = 0;
  auto e = check_error(c);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "max_connections");
}

TEST(CheckConfig, RejectsZeroMaxReadCount) {
  auto c = valid_config();
  c.max_read_ct = 0;
  auto e = check_error(c);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "max_read_ct");
}

TEST(CheckConfig, RejectsNegativeMaxReadCount) {
  auto c = valid_config();
  c.max_read_ct = -3;
  auto e = check_error(c);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "max_read_ct");
}

TEST(CheckConfig, RejectsZeroDefaultMaxBatchSize) {
  auto c = valid_config();
  c.default_max_batch_size = 0;
  auto e = check_error(c);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "default_max_batch_size");
}

TEST(CheckConfig, RejectsZeroHeartbeatInterval) {
  auto c = valid_config();
  c.heartbeat_interval = std::chrono::seconds(0);
  auto e = check_error(c);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "heartbeat_interval");
}

TEST(CheckConfig, RejectsZeroPollInterval) {
  auto c = valid_config();
  c.poll_interval = std::chrono::milliseconds(0);
  auto e = check_error(c);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "poll_interval_ms");
}

TEST(CheckConfig, RejectsZeroBurstWhenARateIsSet) {
  auto c = valid_config();
  c.validation.max_enqueue_per_second = 10;
  c.validation.max_enqueue_burst = 0;
  auto e = check_error(c);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "validation_config.max_enqueue_burst");
}

TEST(CheckConfig, AcceptsZeroBurstWhenRateLimitingIsDisabled) {
  auto c = valid_config();
  c.validation.max_enqueue_per_second = std::nullopt;
  c.validation.max_enqueue_burst = 0;
  EXPECT_NO_THROW(pgqrs::detail::check_config(c));
}

TEST(CheckConfig, RejectsAnInvalidSchemaSetDirectly) {
  auto c = valid_config();
  c.schema = "a-b";
  auto e = check_error(c);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "schema");
}

TEST(CheckConfig, RejectsAnInvalidDsnSetDirectly) {
  auto c = valid_config();
  c.dsn = "mysql://h/db";
  auto e = check_error(c);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "dsn");
}

// ================================================================ one field table for every source

namespace {
/// A valid, non-default value for every field, as text. A field added to the table without a sample here
/// fails the tests below.
const std::map<std::string, std::string> field_samples = {
    {"dsn", "sqlite:///tmp/field-sample.db"},
    {"schema", "tenant_x"},
    {"max_connections", "3"},
    {"connection_timeout_seconds", "4"},
    {"default_lock_time_seconds", "6"},
    {"default_max_batch_size", "7"},
    {"max_read_ct", "8"},
    {"heartbeat_interval", "9"},
    {"poll_interval_ms", "10"},
    {"validation_config", R"({"max_string_length":7})"},
    {"prepared_statements", "never"},
    {"sqlite.use_wal", "false"},
    {"sqlite.busy_timeout_ms", "11"},
    {"sqlite.synchronous", "normal"},
    {"s3.mode", "local"},
    {"s3.cache_dir", "/tmp/field-cache"},
};

/// The YAML text that sets `name` (dotted names become a section; json fields a mapping).
std::string yaml_setting(const std::string& name, const std::string& text) {
  const auto dot = name.find('.');
  if (name == "validation_config") return "validation_config:\n  max_string_length: 7\n";
  if (dot == std::string::npos) return name + ": \"" + text + "\"\n";
  return name.substr(0, dot) + ":\n  " + name.substr(dot + 1) + ": \"" + text + "\"\n";
}
}  // namespace

TEST(ConfigFields, EveryFieldHasAnEnvironmentVariableAYamlNameAndASample) {
  std::set<std::string> env_names;
  for (const auto& f : config_fields()) {
    EXPECT_FALSE(f.name.empty());
    EXPECT_TRUE(f.env.starts_with("PGQRS_")) << f.name;
    EXPECT_FALSE(f.description.empty()) << f.name;
    EXPECT_TRUE(field_samples.count(std::string(f.name))) << "no sample for " << f.name;
    env_names.insert(std::string(f.env));
  }
  // The variables the tests clear are exactly the table's, plus PGQRS_CONFIG_FILE (which names a file).
  std::set<std::string> cleared(std::begin(all_variables), std::end(all_variables));
  cleared.erase("PGQRS_CONFIG_FILE");
  EXPECT_EQ(env_names, cleared);
}

TEST_F(ConfigEnv, TheEnvironmentAndYamlAcceptTheSameKeysWithTheSameEffect) {
  for (const auto& f : config_fields()) {
    const std::string name(f.name);
    const std::string& sample = field_samples.at(name);
    clear_env();
    set("PGQRS_DSN", name == "dsn" ? sample : "sqlite:///tmp/field-other.db");
    set(std::string(f.env).c_str(), sample);
    const config from_env = config::from_env();

    std::string yaml = name == "dsn" ? "" : "dsn: \"sqlite:///tmp/field-other.db\"\n";
    yaml += yaml_setting(name, sample);
    const config from_yaml = config::from_file(write("fields.yaml", yaml));

    const config defaults;
    EXPECT_NE(config_field_text(from_env, name), config_field_text(defaults, name)) << name << " (env)";
    EXPECT_EQ(config_field_text(from_env, name), config_field_text(from_yaml, name)) << name;
  }
}

TEST(ConfigFields, SetAndPrintRoundTripForEveryField) {
  for (const auto& f : config_fields()) {
    config c;
    const std::string name(f.name);
    set_config_field(c, name, field_samples.at(name));
    config again;
    set_config_field(again, name, config_field_text(c, name));
    EXPECT_EQ(config_field_text(again, name), config_field_text(c, name)) << name;
  }
}

TEST(ConfigFields, AnUnknownFieldIsAConfigError) {
  config c;
  EXPECT_THROW(set_config_field(c, "max_conections", "3"), config_error);
  EXPECT_THROW((void)config_field_text(c, "nope"), config_error);
}
