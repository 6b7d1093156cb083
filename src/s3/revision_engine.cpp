#include "s3/revision_engine.hpp"

#include <algorithm>
#include <string_view>
#include <tuple>
#include <variant>

#include "sqlite/sqlite_engine.hpp"
#include "sqlite_family/busy_wait.hpp"

namespace pgqrs::detail::s3 {

using sqlite_family::engine_statement;

/// A statement that survives its connection moving to another file: it remembers its SQL and bindings and
/// re-prepares itself on the new file at its next first step.
class revision_statement final : public engine_statement {
 public:
  revision_statement(revision_engine& owner, std::string sql, std::unique_ptr<engine_statement> inner)
      : m_owner(owner),
        m_sql(std::move(sql)),
        m_inner(std::move(inner)),
        m_parameter_count(m_inner->parameter_count()),
        m_column_count(m_inner->column_count()),
        m_read_only(m_inner->read_only()) {}
  ~revision_statement() override { m_owner.forget(this); }

  // The same SQL has the same shape on every file: asked once, so no call before step() needs a prepare
  // (which could meet a lock where the family cannot wait for it).
  [[nodiscard]] int parameter_count() const override { return m_parameter_count; }
  void bind_null(int index) override { remember(index, std::monostate{}); }
  void bind_int64(int index, std::int64_t value) override { remember(index, value); }
  void bind_double(int index, double value) override { remember(index, value); }
  void bind_text(int index, std::string_view value) override { remember(index, value); }

  bool step() override {
    if (!m_started) {
      m_owner.follow();
      if (!m_inner) {
        m_inner = m_owner.prepare_inner(m_sql);
        for (std::size_t i = 0; i < m_bindings.size(); ++i) apply(static_cast<int>(i) + 1, m_bindings[i]);
      }
      m_started = true;
    }
    return m_inner->step();
  }
  void reset() noexcept override {
    m_started = false;
    m_bindings.clear();
    if (m_inner) m_inner->reset();
  }
  [[nodiscard]] int column_count() const override { return m_column_count; }
  [[nodiscard]] sql_value column(int index) const override { return m_inner->column(index); }
  [[nodiscard]] bool read_only() const override { return m_read_only; }

  /// The connection closes its file: the SQLite statement must go first.
  void drop() noexcept { m_inner.reset(); }

 private:
  using binding = std::variant<std::monostate, std::int64_t, double, std::string_view>;

  /// Kept for the next file; applied now when the statement is prepared on the current one (else step()
  /// prepares it and applies them all).
  void remember(int index, binding value) {
    const auto slot = static_cast<std::size_t>(index - 1);
    if (m_bindings.size() <= slot) m_bindings.resize(slot + 1);
    m_bindings[slot] = value;
    if (m_inner) apply(index, value);
  }
  void apply(int index, const binding& value) {
    engine_statement& s = *m_inner;
    if (const auto* n = std::get_if<std::int64_t>(&value)) {
      s.bind_int64(index, *n);
    } else if (const auto* d = std::get_if<double>(&value)) {
      s.bind_double(index, *d);
    } else if (const auto* t = std::get_if<std::string_view>(&value)) {
      s.bind_text(index, *t);
    } else {
      s.bind_null(index);
    }
  }

  revision_engine& m_owner;
  std::string m_sql;
  std::unique_ptr<engine_statement> m_inner;
  int m_parameter_count;
  int m_column_count;
  bool m_read_only;
  /// Bindings since the last reset (text stays alive until then: engine_statement's contract).
  std::vector<binding> m_bindings;
  bool m_started = false;
};

namespace {
std::unique_ptr<sqlite_family::engine_connection> open_file(const std::filesystem::path& path, bool create) {
  return std::make_unique<sqlite::sqlite_engine>(sqlite::read_write_file(path.string(), create));
}
}  // namespace

revision_engine::revision_engine(std::shared_ptr<const revision_files> files,
                                 std::chrono::milliseconds busy_timeout)
    : m_files(std::move(files)),
      m_busy_timeout(busy_timeout),
      m_rng((reinterpret_cast<std::uintptr_t>(this) >> 4U) | 1U) {
  std::tie(m_conn, m_generation) = open_current();
}

std::pair<std::unique_ptr<sqlite_family::engine_connection>, std::uint64_t> revision_engine::open_current() {
  // The setup reads the file header, which waits for a writer's commit on the new file to finish.
  return sqlite_family::retry_while_busy(m_busy_timeout, m_rng, [&] {
    for (;;) {
      // Only the first file (generation 0, cache.sqlite) is created by opening it; later ones exist before
      // they are published. A switch between reading the name and opening it leaves the old name deleted
      // (cannot open) or this connection on a stale file: look again.
      auto [path, generation] = m_files->current_file();
      try {
        auto conn = open_file(path, generation == 0);
        for (const auto& script : m_setup) conn->execute_script(script);
        if (m_files->generation() == generation) return std::make_pair(std::move(conn), generation);
      } catch (const sqlite_family::engine_error& e) {
        if (e.kind() != sqlite_family::fault::cant_open || m_files->generation() == generation) throw;
      }
    }
  });
}

revision_engine::~revision_engine() {
  for (auto* stmt : m_statements) stmt->drop();
}

std::unique_ptr<engine_statement> revision_engine::prepare(const std::string& sql) {
  follow();  // prepare on the current file: a table may exist only there (a snapshot of a fresh store)
  auto inner = prepare_inner(sql);
  if (!inner) return nullptr;  // only comments
  auto stmt = std::make_unique<revision_statement>(*this, sql, std::move(inner));
  m_statements.push_back(stmt.get());
  return stmt;
}

void revision_engine::execute_script(const std::string& sql) {
  follow();
  m_conn->execute_script(sql);
  if (std::string_view(sql).starts_with("PRAGMA")) m_setup.push_back(sql);
}

void revision_engine::follow() {
  if (m_files->generation() == m_generation || !m_conn->autocommit()) return;
  auto [next, generation] = open_current();
  for (auto* stmt : m_statements) stmt->drop();
  m_conn = std::move(next);
  m_generation = generation;
}

std::unique_ptr<engine_statement> revision_engine::prepare_inner(const std::string& sql) {
  // Preparing reads the schema: on a file another connection is committing to, that waits for the commit.
  return sqlite_family::retry_while_busy(m_busy_timeout, m_rng, [&] { return m_conn->prepare(sql); });
}

void revision_engine::forget(revision_statement* stmt) noexcept {
  m_statements.erase(std::remove(m_statements.begin(), m_statements.end(), stmt), m_statements.end());
}

}  // namespace pgqrs::detail::s3
