// tools/common: the table renderer and the progress line the CLI and pgqrs-bench print with.
#include <gtest/gtest.h>
#include <unistd.h>

#include <iostream>
#include <sstream>

#include "progress.hpp"
#include "table.hpp"

namespace pgqrs::tools {
namespace {

TEST(tools_table, columns_are_as_wide_as_their_widest_cell_with_no_trailing_spaces) {
  EXPECT_EQ(render_table({"id", "name"}, {{"1", "emails"}, {"10", ""}}),
            "id  name\n"
            "--  ------\n"
            "1   emails\n"
            "10\n");
}

TEST(tools_table, width_counts_utf8_characters_not_bytes) {
  EXPECT_EQ(display_width("żółw"), 4U);
  EXPECT_EQ(render_table({"a", "b"}, {{"żółw", "x"}}), "a     b\n----  -\nżółw  x\n");
}

TEST(tools_table, an_empty_list_prints_its_header) {
  EXPECT_EQ(render_table({"id", "queue_name"}, {}), "id  queue_name\n--  ----------\n");
}

/// Captures what progress_line writes to std::cerr.
class captured_stderr {
 public:
  captured_stderr() : m_old(std::cerr.rdbuf(m_text.rdbuf())) {}
  ~captured_stderr() { std::cerr.rdbuf(m_old); }
  std::string text() const { return m_text.str(); }

 private:
  std::ostringstream m_text;
  std::streambuf* m_old;
};

TEST(tools_progress, into_a_log_it_writes_a_line_per_interval_not_per_update) {
  if (::isatty(STDERR_FILENO) != 0) GTEST_SKIP() << "stderr is a terminal";
  captured_stderr err;
  {
    progress_line line(std::chrono::seconds(60));
    EXPECT_FALSE(line.on_terminal());
    for (int i = 0; i < 100; ++i) line.update("drain: " + std::to_string(i) + "/100");
    line.clear();  // before other output: the next update is written at once
    line.update("seeding");
  }
  EXPECT_EQ(err.text(), "  .. drain: 0/100\n  .. seeding\n");
}

}  // namespace
}  // namespace pgqrs::tools
