#pragma once
// Raw SQL against a store's database, for test setup, tampering and inspection only (the library never
// builds SQL from input). The one place where tests touch the library's internals.

#include <span>
#include <string>

#include <pgqrs/store.hpp>

#include "core/db/row_set.hpp"
#include "core/db/sql_value.hpp"

namespace pgqrs::testing {

/// Runs a parameterless script (several statements allowed).
void exec_sql(const store& s, const std::string& sql);
/// Runs one statement with bound parameters ($1.. / ?1..) and returns its rows.
detail::row_set query_rows(const store& s, const std::string& sql, std::span<const detail::sql_param> params = {});
/// The first column of the first row of `sql` as an integer.
std::int64_t query_int(const store& s, const std::string& sql);

}  // namespace pgqrs::testing
