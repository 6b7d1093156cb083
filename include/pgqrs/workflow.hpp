#pragma once
/// @file workflow.hpp
/// Durable workflows (spec §7): a workflow is ordinary C++ code whose named steps are checkpointed in the
/// database. After a crash the run resumes from the last completed step; completed steps are never executed
/// again (their stored result is returned instead).
///
/// ```cpp
/// pgqrs::workflow_def archive{"archive_files", [](pgqrs::workflow_run& run, const json& in) -> json {
///   auto list = pgqrs::workflow_step(run, "list", [&] { return list_files(in["dir"]); });
///   run.sleep("cool_down", std::chrono::seconds(5));
///   return pgqrs::workflow_step(run, "zip", [&] { return zip(list); });
/// }};
/// pgqrs::workflow().name(archive).create(store);                         // idempotent
/// auto msg = pgqrs::workflow().name(archive).trigger({{"dir", "/tmp"}}).key("job-1").execute(store);
/// pgqrs::workflow().name(archive).consumer(store.consumer("archive_files", "w1")).poll(store, stop);
/// json out = pgqrs::run().message(msg).result<json>(store, std::chrono::seconds(30));
/// ```
///
/// Rules for workflow code: code between steps must be deterministic (it runs again on every resumption);
/// side effects belong in steps and should be idempotent, or use `transaction_step` for database writes
/// that must happen exactly once. Do not swallow exceptions with `catch (...)` around steps: the engine
/// unwinds workflow code with its own exceptions (lease lost, cancelled, waiting for a retry or a sleep).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "pgqrs/consumer.hpp"
#include "pgqrs/errors.hpp"
#include "pgqrs/producer.hpp"
#include "pgqrs/store.hpp"
#include "pgqrs/types.hpp"

namespace pgqrs {

namespace detail {
struct run_context;
class run_access;
}  // namespace detail

// ---------------------------------------------------------------- records

/// Status of a run (all values) or of a step (running, success, error), spec §7.1. Displayed uppercase.
enum class workflow_status { queued, running, paused, cancelling, cancelled, success, error };

[[nodiscard]] std::string_view to_string(workflow_status s);
[[nodiscard]] std::optional<workflow_status> parse_workflow_status(std::string_view text);
/// SUCCESS, ERROR and CANCELLED: the run will not change any more.
[[nodiscard]] bool is_terminal(workflow_status s);

/// A row of `pgqrs_workflows`: a definition, bound 1:1 to the queue of the same name.
struct workflow_record {
  std::int64_t id = 0;
  std::string name;
  std::int64_t queue_id = 0;
  timestamp created_at{};
};

/// A row of `pgqrs_workflow_runs`: one run per trigger message.
struct run_record {
  std::int64_t id = 0;
  std::int64_t workflow_id = 0;
  std::int64_t message_id = 0;
  workflow_status status = workflow_status::queued;
  /// The trigger payload, `{"input": …}`.
  json input;
  std::optional<json> output;
  std::optional<json> error;
  timestamp created_at{};
  timestamp updated_at{};
  std::optional<timestamp> started_at;
  std::optional<timestamp> paused_at;
  std::optional<timestamp> completed_at;
  /// The worker that last started the run.
  std::optional<std::int64_t> worker_id;
  /// The caller's idempotency key given to trigger().key(), if any.
  std::optional<std::string> key;
};

/// A row of `pgqrs_workflow_steps`: the checkpoint of one named step of a run.
struct step_record {
  std::int64_t id = 0;
  std::int64_t run_id = 0;
  std::string step_name;
  workflow_status status = workflow_status::running;
  std::optional<json> output;
  /// `{"is_transient": bool, "code": …, "message": …}` of the last failure.
  std::optional<json> error;
  timestamp created_at{};
  timestamp updated_at{};
  std::optional<timestamp> started_at;
  std::optional<timestamp> completed_at;
  /// Failed executions that scheduled a retry.
  std::int32_t retry_count = 0;
  /// When a failed step may run again (NULL: it will not).
  std::optional<timestamp> retry_at;
};

// ---------------------------------------------------------------- retry policy

/// How often and when a step that failed with a transient error runs again (spec §7.5, with the original's
/// arithmetic). A step may fail transiently `max_attempts` times and still be retried each time: with the
/// default policy it executes at most 4 times.
class retry_policy {
 public:
  enum class backoff { fixed, exponential, exponential_with_jitter };

  /// The original's default: 3 retries, exponential from 1 s, capped at 60 s, jitter ±cap/4.
  retry_policy() = default;
  [[nodiscard]] static retry_policy fixed(std::chrono::seconds delay, std::uint32_t max_attempts = 3);
  [[nodiscard]] static retry_policy exponential(std::chrono::seconds base, std::chrono::seconds max,
                                                std::uint32_t max_attempts = 3);
  [[nodiscard]] static retry_policy exponential_with_jitter(std::chrono::seconds base, std::chrono::seconds max,
                                                            std::uint32_t max_attempts = 3);
  /// Transient failures are not retried: the first one fails the step.
  [[nodiscard]] static retry_policy none();

  [[nodiscard]] std::uint32_t max_attempts() const noexcept { return m_max_attempts; }
  [[nodiscard]] backoff strategy() const noexcept { return m_backoff; }
  [[nodiscard]] std::chrono::seconds base() const noexcept { return m_base; }
  [[nodiscard]] std::chrono::seconds max_delay() const noexcept { return m_max; }

  /// Whether a step that has been retried `retry_count` times may be retried again.
  [[nodiscard]] bool should_retry(std::uint32_t retry_count) const noexcept { return retry_count < m_max_attempts; }
  /// Delay before retry number `attempt` (0-based): fixed → delay; exponential → min(base·2^attempt, max);
  /// with jitter, that ± a uniform whole number of seconds in [−cap/4, +cap/4], at least 1 s.
  [[nodiscard]] std::chrono::seconds delay(std::uint32_t attempt) const;
  /// Same, with the jitter drawn from `random` (for tests): jitter = random mod (2·(cap/4) + 1) − cap/4.
  [[nodiscard]] std::chrono::seconds delay(std::uint32_t attempt, std::uint64_t random) const;

 private:
  retry_policy(backoff b, std::chrono::seconds base, std::chrono::seconds max, std::uint32_t attempts)
      : m_backoff(b), m_base(base), m_max(max), m_max_attempts(attempts) {}
  backoff m_backoff = backoff::exponential_with_jitter;
  std::chrono::seconds m_base{1};
  std::chrono::seconds m_max{60};
  std::uint32_t m_max_attempts = 3;
};

// ---------------------------------------------------------------- SQL inside transactional steps

/// A value bound to a `$1`/`?1` parameter of user SQL.
using sql_arg = std::variant<std::nullptr_t, std::int64_t, double, bool, std::string, timestamp>;
/// A cell of a row returned by user SQL (timestamps come back as text on the SQLite family).
using sql_cell = std::variant<std::monostate, std::int64_t, double, std::string, timestamp>;

/// Rows returned by one statement of user SQL.
struct sql_rows {
  std::vector<std::vector<sql_cell>> rows;
  /// Rows changed by an INSERT/UPDATE/DELETE without RETURNING.
  std::int64_t affected = 0;

  [[nodiscard]] std::size_t size() const noexcept { return rows.size(); }
  [[nodiscard]] bool empty() const noexcept { return rows.empty(); }
  /// @throws validation_error when the cell is not an integer
  [[nodiscard]] std::int64_t int64(std::size_t row, std::size_t col) const;
  /// @throws validation_error when the cell is not text
  [[nodiscard]] const std::string& text(std::size_t row, std::size_t col) const;
  [[nodiscard]] bool is_null(std::size_t row, std::size_t col) const;
};

/// The database transaction of a transactional step: the user's statements and the step's checkpoint
/// commit together or not at all. Placeholders are `$1, $2, …` on PostgreSQL and `?1, ?2, …` on the SQLite
/// family; values are always bound, never spliced into the SQL.
class transaction {
 public:
  /// Runs one statement. @throws query_error (the step then fails and the transaction rolls back)
  sql_rows execute(std::string_view sql, const std::vector<sql_arg>& params = {});
  /// "postgres" or "sqlite": which placeholder style and SQL dialect to write.
  [[nodiscard]] std::string_view dialect() const;

 private:
  friend class detail::run_access;
  explicit transaction(void* conn, std::string_view dialect) : m_conn(conn), m_dialect(dialect) {}
  void* m_conn;  // detail::connection&, kept opaque so no driver type appears here
  std::string_view m_dialect;
};

// ---------------------------------------------------------------- the run, as workflow code sees it

/// Handed to workflow code: the run being executed and the way to checkpoint its steps. Used by the one
/// thread executing the run; not to be kept beyond the workflow function.
class workflow_run {
 public:
  [[nodiscard]] std::int64_t id() const;
  [[nodiscard]] std::int64_t message_id() const;
  [[nodiscard]] const std::string& workflow_name() const;
  /// The trigger input (the `input` member of the trigger payload).
  [[nodiscard]] const json& input() const;
  /// "Now" for this execution: the injected time (`.at(t)`) or the wall clock.
  [[nodiscard]] timestamp current_time() const;

  /// Runs `body` as step `name` unless it already succeeded, in which case its stored output is returned
  /// without running it. Prefer the typed `pgqrs::workflow_step`. On failure the step is recorded and the
  /// exception propagates: a `transient_step_error` schedules a retry per `policy` (else the workflow's
  /// policy) and the run waits without holding a thread or a lease; a `paused_error` pauses the run.
  /// @throws retries_exhausted when the step failed for good before, step_not_ready, workflow_cancelled,
  ///         lease_lost, and whatever `body` throws
  json run_step(std::string_view name, const std::function<json()>& body,
                const std::optional<retry_policy>& policy = std::nullopt);

  /// Runs `body` and commits the step's checkpoint in the same database transaction as the SQL it runs,
  /// so the side effect and the checkpoint exist together or not at all.
  json run_transaction_step(std::string_view name, const std::function<json(transaction&)>& body,
                            const std::optional<retry_policy>& policy = std::nullopt);

  /// Typed transactional step: `fn(pgqrs::transaction&) -> T` with T convertible to/from JSON.
  template <typename F>
  auto transaction_step(std::string_view name, F&& fn,
                        const std::optional<retry_policy>& policy = std::nullopt);

  /// Durable sleep: the wake time is stored once (as step `name`); the run is released until then, holding
  /// no thread and no lease, and a crash does not move the wake time. Returns at once when it has passed.
  void sleep(std::string_view name, std::chrono::milliseconds duration);

  /// Pauses the run here for `resume_after` (run status PAUSED, `error` = `{"message", "resume_after"}`),
  /// holding no thread and no lease; it continues from this point after that or after `run().resume()`
  /// (the call then returns). Recorded as step `__pause_<n>` for the n-th pause of the run's code.
  void pause(std::string_view message, std::chrono::milliseconds resume_after);

 private:
  friend class detail::run_access;
  explicit workflow_run(std::shared_ptr<detail::run_context> ctx) : m_ctx(std::move(ctx)) {}
  std::shared_ptr<detail::run_context> m_ctx;
};

namespace detail {
/// Converts a step's stored output back to T. @throws serialization_error
template <typename T>
T from_step_json(const json& j, std::string_view step) {
  try {
    return j.get<T>();
  } catch (const json::exception& e) {
    throw serialization_error("output of step '" + std::string(step) + "' does not convert to the requested type: " +
                              e.what());
  }
}
}  // namespace detail

/// Runs `fn()` as step `name` of `run` once: its result (any type with nlohmann to_json/from_json, or void)
/// is stored; later executions of the run return the stored value without calling `fn`.
/// @throws as workflow_run::run_step
template <typename F>
auto workflow_step(workflow_run& run, std::string_view name, F&& fn,
                   const std::optional<retry_policy>& policy = std::nullopt) {
  using result_t = std::decay_t<std::invoke_result_t<F&>>;
  if constexpr (std::is_void_v<result_t>) {
    (void)run.run_step(name, [&]() -> json { fn(); return nullptr; }, policy);
  } else {
    return detail::from_step_json<result_t>(run.run_step(name, [&]() -> json { return json(fn()); }, policy), name);
  }
}

template <typename F>
auto workflow_run::transaction_step(std::string_view name, F&& fn, const std::optional<retry_policy>& policy) {
  using result_t = std::decay_t<std::invoke_result_t<F&, transaction&>>;
  if constexpr (std::is_void_v<result_t>) {
    (void)run_transaction_step(name, [&](transaction& tx) -> json { fn(tx); return nullptr; }, policy);
  } else {
    return detail::from_step_json<result_t>(
        run_transaction_step(name, [&](transaction& tx) -> json { return json(fn(tx)); }, policy), name);
  }
}

// ---------------------------------------------------------------- definitions

/// The code of a workflow (`fn(workflow_run&, const json& input) -> json`) under its name, with its retry
/// policy. The handler lives in the program; the database stores only the name (and its queue).
class workflow_def {
 public:
  using function = std::function<json(workflow_run&, const json&)>;

  /// An untyped definition, or a typed one: `fn(workflow_run&, const In&) -> Out` with In/Out convertible
  /// from/to JSON (Out may be void).
  template <typename F>
  workflow_def(std::string name, F&& fn) : m_name(std::move(name)), m_fn(wrap(std::forward<F>(fn))) {}

  /// Retry policy of every step of this workflow that does not name its own.
  workflow_def& retry(retry_policy p) {
    m_policy = p;
    return *this;
  }

  [[nodiscard]] const std::string& name() const noexcept { return m_name; }
  [[nodiscard]] const function& fn() const noexcept { return m_fn; }
  [[nodiscard]] const retry_policy& policy() const noexcept { return m_policy; }

 private:
  template <typename T>
  struct signature;
  template <typename R, typename In>
  struct signature<std::function<R(workflow_run&, In)>> {
    using input = std::decay_t<In>;
    using output = R;
  };

  template <typename F>
  static function wrap(F&& fn) {
    if constexpr (std::is_convertible_v<F, function> &&
                  std::is_same_v<std::invoke_result_t<F&, workflow_run&, const json&>, json>) {
      return function(std::forward<F>(fn));
    } else {
      using sig = signature<decltype(std::function{fn})>;
      using in_t = typename sig::input;
      using out_t = typename sig::output;
      return [f = std::forward<F>(fn)](workflow_run& run, const json& in) -> json {
        if constexpr (std::is_void_v<out_t>) {
          f(run, detail::from_step_json<in_t>(in, "input"));
          return nullptr;
        } else {
          return json(f(run, detail::from_step_json<in_t>(in, "input")));
        }
      };
    }
  }

  std::string m_name;
  function m_fn;
  retry_policy m_policy;
};

// ---------------------------------------------------------------- builders

class workflow_builder;

/// `workflow().name(n).trigger(input)`: enqueues `{"input": input}` on the workflow's queue.
class trigger_builder {
 public:
  /// Idempotent start: a second trigger with the same key (for this workflow) returns the first trigger's
  /// message instead of starting another run, also when several threads or processes race.
  trigger_builder& key(std::string k);
  /// Enqueue through this producer (its validation and rate limit) instead of an ephemeral one.
  trigger_builder& producer(const pgqrs::producer& p);
  /// Start no earlier than `d` from now.
  trigger_builder& delay(std::chrono::milliseconds d);
  /// @returns the trigger message (the existing one for a repeated key)
  /// @throws not_found (no such workflow), queue_not_found (its queue was deleted), validation_error,
  ///         payload_too_large, serialization_error
  queue_message execute(const store& s) const;

 private:
  friend class workflow_builder;
  trigger_builder(std::string workflow, json input) : m_workflow(std::move(workflow)), m_input(std::move(input)) {}
  std::string m_workflow;
  json m_input;
  std::optional<std::string> m_key;
  std::optional<pgqrs::producer> m_producer;
  std::chrono::milliseconds m_delay{0};
};

/// What the workflow worker loops of a builder did (workflow_builder::poll / execute).
struct workflow_loop_stats {
  std::uint64_t runs_completed = 0;
  std::uint64_t runs_failed = 0;
  std::uint64_t runs_cancelled = 0;
  /// Executions that stopped to wait (retry, sleep, pause) and released their run.
  std::uint64_t runs_suspended = 0;
  /// Executions stopped because another worker took the run over (lease lost).
  std::uint64_t runs_fenced = 0;
  /// Database failures the loops waited out.
  std::uint64_t transient_errors = 0;
};

class workflow_builder {
 public:
  workflow_builder();
  /// The definition to create, trigger or run (running needs its function).
  workflow_builder& name(const workflow_def& def);
  /// By name only: create and trigger (no function to run).
  workflow_builder& name(std::string workflow_name);
  /// `create()` throws workflow_already_exists for an existing definition (the original's behaviour)
  /// instead of returning it.
  workflow_builder& fail_if_exists(bool fail = true);
  /// The consumer (of the workflow's queue) whose worker runs the runs; default: one cached per store.
  workflow_builder& consumer(const pgqrs::consumer& c);
  /// Runs executed at once by poll() (threads; default 1).
  workflow_builder& concurrency(std::size_t n);
  /// Lease on a run's message while it executes (kept alive in the background; default 30 s).
  workflow_builder& lease(std::chrono::milliseconds l);
  /// Sleep between empty polls (default config.poll_interval).
  workflow_builder& poll_interval(std::chrono::milliseconds interval);
  /// Use `t` as "now" (tests of retries and sleeps); disables lease renewal.
  workflow_builder& at(timestamp t);

  /// Creates the definition and, if missing, its queue. Idempotent: returns the existing definition
  /// (unless fail_if_exists). @throws workflow_already_exists, validation_error (bad name)
  workflow_record create(const store& s) const;

  /// @throws validation_error without a name
  [[nodiscard]] trigger_builder trigger(json input) const;
  template <typename T>
    requires(!std::is_same_v<std::decay_t<T>, json>)
  [[nodiscard]] trigger_builder trigger(const T& input) const {
    return trigger(json(input));
  }

  /// Claims one ready run, if any, and executes it (to completion, failure, or its next wait).
  /// @returns whether a run was executed. @throws not_found (workflow), validation_error (no function),
  ///          suspended (worker interrupted or suspended)
  bool execute(const store& s) const;
  /// Executes runs until the worker is interrupted or suspended (throws `suspended`) or `stop` is requested
  /// (returns). A failing run never ends the loop; database outages are waited out.
  void poll(const store& s) const;
  void poll(const store& s, std::stop_token stop) const;

  /// What this builder's loops did so far (shared by its copies).
  [[nodiscard]] workflow_loop_stats stats() const;

 private:
  struct counters;
  /// The workflow's record and the consumer that runs it (checked to be of the workflow's queue).
  struct runner {
    workflow_record wf;
    pgqrs::consumer worker;
  };
  runner resolve_runner(const store& s) const;
  void run_loops(const store& s, std::stop_token stop) const;
  std::optional<std::string> m_name;
  std::shared_ptr<const workflow_def> m_def;
  bool m_fail_if_exists = false;
  std::optional<pgqrs::consumer> m_consumer;
  std::size_t m_concurrency = 1;
  std::chrono::milliseconds m_lease{std::chrono::seconds(30)};
  std::optional<std::chrono::milliseconds> m_poll_interval;
  std::optional<timestamp> m_at;
  std::shared_ptr<counters> m_counters;
};

[[nodiscard]] workflow_builder workflow();

/// `run().message(m)`: a run seen from outside its workflow (any process): status, result, cancel, resume.
class run_builder {
 public:
  run_builder& message(const queue_message& m);
  run_builder& message_id(std::int64_t id);

  /// The run of the message, created (QUEUED) if no worker picked it up yet (the original's `execute`).
  /// @throws not_found (no such message, or its queue has no workflow)
  run_record execute(const store& s) const;
  /// The run if it exists yet.
  [[nodiscard]] std::optional<run_record> record(const store& s) const;

  /// The output once SUCCESS; std::nullopt while the run is queued, running, paused or cancelling (or not
  /// created yet). @throws execution_failed (ERROR), workflow_cancelled (CANCELLED), serialization_error
  template <typename T = json>
  [[nodiscard]] std::optional<T> get(const store& s) const {
    auto out = get_json(s);
    if (!out) return std::nullopt;
    return detail::from_step_json<T>(*out, "output");
  }
  /// Waits (checking every 100 ms, then less often) until the run is terminal and returns like get().
  /// @throws timeout_error after `timeout`, execution_failed, workflow_cancelled
  template <typename T = json>
  [[nodiscard]] T result(const store& s, std::chrono::milliseconds timeout) const {
    return detail::from_step_json<T>(result_json(s, timeout), "output");
  }

  /// Marks the run started outside a worker (the original's `start()`): QUEUED/PAUSED → RUNNING; a RUNNING
  /// run is returned unchanged. @throws validation_error ("Run <id> is in terminal <STATUS> state") for a
  /// finished or cancelling run
  run_record start(const store& s) const;
  /// Requests cancellation (QUEUED/RUNNING/PAUSED → CANCELLING); the run becomes CANCELLED at its next step
  /// boundary, or when picked up. A waiting run is made visible now so that happens promptly.
  /// @throws validation_error ("Run <id> is in terminal <STATUS> state") for a finished run
  run_record cancel(const store& s) const;
  /// Records the run's result from outside a worker (the original's `complete`): SUCCESS with `output`. A
  /// finished run is never overwritten (returned unchanged); a pending cancel wins (the run becomes CANCELLED).
  /// The message is not archived: a worker that picks it up finds the run finished and archives it.
  run_record complete(const store& s, const json& output) const;
  /// ERROR with `error`, under the same rules as complete().
  run_record fail(const store& s, const json& error) const;
  /// PAUSED, with error `{"message", "resume_after"}` (the original's `pause`); a finished or cancelling run
  /// is returned unchanged.
  run_record pause(const store& s, std::string_view message, std::chrono::milliseconds resume_after) const;
  /// Ends a pause (or a sleep, or a retry wait) now: the run's message becomes visible at once.
  /// @returns false when the run is not waiting (its message is leased or gone)
  bool resume(const store& s) const;

 private:
  std::int64_t message_or_throw() const;
  std::optional<json> get_json(const store& s) const;
  json result_json(const store& s, std::chrono::milliseconds timeout) const;
  std::optional<std::int64_t> m_message_id;
};

[[nodiscard]] run_builder run();

// ---------------------------------------------------------------- inspection

/// Which runs `list_runs` returns (all filters optional; newest first).
struct run_filter {
  std::optional<std::string> workflow = std::nullopt;
  std::optional<workflow_status> status = std::nullopt;
  std::optional<timestamp> created_after = std::nullopt;
  std::optional<timestamp> created_before = std::nullopt;
  std::size_t limit = 100;
};

[[nodiscard]] std::vector<workflow_record> list_workflows(const store& s);
[[nodiscard]] std::optional<workflow_record> get_workflow(const store& s, std::string_view name);
/// @throws not_found for an unknown workflow name in the filter
[[nodiscard]] std::vector<run_record> list_runs(const store& s, const run_filter& filter = {});
[[nodiscard]] std::optional<run_record> get_run(const store& s, std::int64_t run_id);
/// Steps of a run in the order they were first recorded.
[[nodiscard]] std::vector<step_record> list_steps(const store& s, std::int64_t run_id);

}  // namespace pgqrs
