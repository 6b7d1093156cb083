#include "raw_sql.hpp"

#include "core/api/store_state.hpp"

namespace pgqrs::testing {

void exec_sql(const store& s, const std::string& sql) {
  auto conn = detail::state_of(s)->core->db->acquire();
  conn->execute_script(sql);
}

detail::row_set query_rows(const store& s, const std::string& sql, std::span<const detail::sql_param> params) {
  auto conn = detail::state_of(s)->core->db->acquire();
  return conn->execute_adhoc(sql, params);
}

std::int64_t query_int(const store& s, const std::string& sql) {
  return query_rows(s, sql).i64(0, 0);
}

}  // namespace pgqrs::testing
