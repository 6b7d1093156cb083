#include <gtest/gtest.h>
#include "turso/turso_engine.hpp"
TEST(turso_engine, placeholder) { EXPECT_EQ(pgqrs::detail::turso::database::engine_version(), PGQRS_TURSO_EXPECTED_VERSION); }
