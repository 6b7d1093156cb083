// Durable workflows for the Python package: the enums and records, definitions and triggers, the original's
// run and step API from outside a worker (run_builder, step_builder), and RunExecution, the engine's
// stepwise execution under a lease that the package's worker loop drives (python/pgqrs/_workflow.py).
// JSON crosses as text produced by json.dumps on the Python side; results come back as Python objects.

#include <nanobind/nanobind.h>
#include <nanobind/stl/function.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/string_view.h>
#include <nanobind/stl/vector.h>

#include <chrono>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bindings.hpp"
#include "convert.hpp"
#include "inline_call.hpp"
#include "pgqrs/pgqrs.hpp"

namespace pgqrs::python {

namespace {

using std::chrono::milliseconds;

std::optional<timestamp> optional_time(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  return parse_time(*text);
}

/// Seconds from Python (int or float) to milliseconds. @throws nb::value_error for negative or non-finite
milliseconds seconds_to_ms(double seconds, const char* what) {
  if (!std::isfinite(seconds) || seconds < 0) throw nb::value_error((std::string("Invalid ") + what).c_str());
  return milliseconds(static_cast<std::int64_t>(std::llround(seconds * 1000.0)));
}

nb::object optional_json(const std::optional<json>& j) {
  return j ? to_python(*j) : nb::none();
}

// ---------------------------------------------------------------- enums and records

/// A status as the package's WorkflowStatus member (python/pgqrs/_enums.py: shaped like the original's
/// pyo3 enum, shared with WorkerStatus).
nb::object status_to_python(workflow_status s) {
  // Kept for the process's life and never destroyed: a static nb::object would be released after the
  // interpreter is gone.
  static auto* from_native =
      new nb::object(nb::module_::import_("pgqrs._enums").attr("WorkflowStatus").attr("_from_native"));
  return (*from_native)(std::string(to_string(s)));
}

/// A WorkflowStatus member (or its native text) as the C++ status. @throws nb::type_error
workflow_status status_from_python(nb::handle v) {
  const auto text = nb::isinstance<nb::str>(v) ? nb::cast<std::string>(v) : nb::cast<std::string>(nb::str(v.attr("_name")));
  std::string upper;
  for (char c : text) upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  if (auto s = parse_workflow_status(upper)) return *s;
  throw nb::type_error(("not a WorkflowStatus: " + text).c_str());
}

void bind_workflow_records(nb::module_& m) {
  nb::class_<workflow_record>(m, "WorkflowRecord", "A workflow definition (read-only).")
      .def_ro("id", &workflow_record::id)
      .def_ro("name", &workflow_record::name)
      .def_ro("queue_id", &workflow_record::queue_id)
      .def_prop_ro("created_at", [](const workflow_record& w) { return to_python(w.created_at); })
      .def("__repr__", [](const workflow_record& w) {
        return "WorkflowRecord(id=" + std::to_string(w.id) + ", name='" + w.name + "')";
      });

  nb::class_<run_record>(m, "RunRecord", "A workflow run (read-only).")
      .def_ro("id", &run_record::id)
      .def_ro("workflow_id", &run_record::workflow_id)
      .def_ro("message_id", &run_record::message_id)
      .def_prop_ro("status", [](const run_record& r) { return status_to_python(r.status); })
      .def_prop_ro("input", [](const run_record& r) { return r.input.is_null() ? nb::none() : to_python(r.input); })
      .def_prop_ro("output", [](const run_record& r) { return optional_json(r.output); })
      .def_prop_ro("error", [](const run_record& r) { return optional_json(r.error); })
      .def_prop_ro("created_at", [](const run_record& r) { return to_python(r.created_at); })
      .def_prop_ro("updated_at", [](const run_record& r) { return to_python(r.updated_at); })
      .def_prop_ro("started_at", [](const run_record& r) { return to_python(r.started_at); })
      .def_prop_ro("paused_at", [](const run_record& r) { return to_python(r.paused_at); })
      .def_prop_ro("completed_at", [](const run_record& r) { return to_python(r.completed_at); })
      .def_ro("worker_id", &run_record::worker_id)
      .def_ro("key", &run_record::key)
      .def("__repr__", [](const run_record& r) {
        return "RunRecord(id=" + std::to_string(r.id) + ", message_id=" + std::to_string(r.message_id) +
               ", status=" + std::string(to_string(r.status)) + ")";
      });

  nb::class_<step_record>(m, "StepRecord", "The checkpoint of one step of a run (read-only).")
      .def_ro("id", &step_record::id)
      .def_ro("run_id", &step_record::run_id)
      .def_ro("step_name", &step_record::step_name)
      .def_prop_ro("status", [](const step_record& s) { return status_to_python(s.status); })
      // The original has the attribute; steps store no input.
      .def_prop_ro("input", [](const step_record&) { return nb::none(); })
      .def_prop_ro("output", [](const step_record& s) { return optional_json(s.output); })
      .def_prop_ro("error", [](const step_record& s) { return optional_json(s.error); })
      .def_prop_ro("retry_at", [](const step_record& s) { return to_python(s.retry_at); })
      .def_ro("retry_count", &step_record::retry_count)
      .def_prop_ro("created_at", [](const step_record& s) { return to_python(s.created_at); })
      .def_prop_ro("updated_at", [](const step_record& s) { return to_python(s.updated_at); })
      .def_prop_ro("started_at", [](const step_record& s) { return to_python(s.started_at); })
      .def_prop_ro("completed_at", [](const step_record& s) { return to_python(s.completed_at); })
      .def("__repr__", [](const step_record& s) {
        return "StepRecord(id=" + std::to_string(s.id) + ", step_name='" + s.step_name +
               "', status=" + std::string(to_string(s.status)) + ")";
      });
}

// ---------------------------------------------------------------- retry policy

void bind_policy(nb::module_& m) {
  nb::class_<retry_policy>(m, "RetryPolicy", "How a transiently failing step is retried (native form).")
      .def_static(
          "make",
          [](const std::string& kind, double base_s, double max_s, std::uint32_t max_attempts) {
            const auto base = std::chrono::seconds(static_cast<std::int64_t>(base_s));
            const auto max = std::chrono::seconds(static_cast<std::int64_t>(max_s));
            if (kind == "fixed") return retry_policy::fixed(base, max_attempts);
            if (kind == "exponential") return retry_policy::exponential(base, max, max_attempts);
            if (kind == "exponential_with_jitter") return retry_policy::exponential_with_jitter(base, max, max_attempts);
            throw nb::value_error(("unknown backoff '" + kind + "'").c_str());
          },
          "kind"_a, "base_seconds"_a, "max_seconds"_a, "max_attempts"_a)
      .def_prop_ro("max_attempts", &retry_policy::max_attempts)
      .def("delay", [](const retry_policy& p, std::uint32_t attempt) { return p.delay(attempt).count(); }, "attempt"_a);
}

// ---------------------------------------------------------------- definitions, runs and steps from outside

run_builder run_of(std::int64_t message_id) {
  auto b = run();
  b.message_id(message_id);
  return b;
}

step_builder step_of(std::int64_t run_id, const std::string& name, const std::optional<std::string>& at,
                     const std::optional<retry_policy>& policy) {
  auto b = step();
  b.run_id(run_id).name(name);
  if (at) b.at(parse_time(*at));
  if (policy) b.retry(*policy);
  return b;
}

void bind_functions(nb::module_& m) {
  m.def(
      "workflow_create",
      [](const store& s, const std::string& name, bool fail_if_exists) {
        return workflow().name(name).fail_if_exists(fail_if_exists).create(s);
      },
      "store"_a, "name"_a, "fail_if_exists"_a, release_gil());
  m.def(
      "workflow_trigger",
      [](const store& s, const std::string& name, const std::string& input, std::optional<std::string> key,
         double delay_s, const producer* via) {
        auto t = workflow().name(name).trigger(parse_payload(input));
        if (key) t.key(*key);
        if (delay_s > 0) t.delay(seconds_to_ms(delay_s, "delay"));
        if (via) t.producer(*via);
        return t.execute(s);
      },
      "store"_a, "name"_a, "input"_a, "key"_a = nb::none(), "delay_seconds"_a = 0.0, nb::arg("producer").none() = nb::none(),
      release_gil());
  m.def("workflow_get", &get_workflow, "store"_a, "name"_a, release_gil());
  m.def("workflow_list", &list_workflows, "store"_a, release_gil());
  m.def(
      "run_list",
      [](const store& s, std::optional<std::string> workflow, nb::handle status, std::size_t limit) {
        run_filter f;
        f.workflow = std::move(workflow);
        if (!status.is_none()) f.status = status_from_python(status);
        f.limit = limit;
        nb::gil_scoped_release unlocked;
        return list_runs(s, f);
      },
      "store"_a, "workflow"_a = nb::none(), "status"_a = nb::none(), "limit"_a = 100);
  m.def("run_get", &get_run, "store"_a, "run_id"_a, release_gil());
  m.def("step_list", &list_steps, "store"_a, "run_id"_a, release_gil());

  // The run of a trigger message (spec §7.4 and §7.8), by message id.
  m.def(
      "run_materialise", [](const store& s, std::int64_t msg) { return run_of(msg).execute(s); }, "store"_a,
      "message_id"_a, release_gil());
  m.def(
      "run_record", [](const store& s, std::int64_t msg) { return run_of(msg).record(s); }, "store"_a,
      "message_id"_a, release_gil());
  m.def(
      "run_start", [](const store& s, std::int64_t msg) { return run_of(msg).start(s); }, "store"_a,
      "message_id"_a, release_gil());
  m.def(
      "run_complete",
      [](const store& s, std::int64_t msg, const std::string& output) {
        return run_of(msg).complete(s, parse_payload(output));
      },
      "store"_a, "message_id"_a, "output"_a, release_gil());
  m.def(
      "run_fail",
      [](const store& s, std::int64_t msg, const std::string& error) {
        return run_of(msg).fail(s, parse_payload(error));
      },
      "store"_a, "message_id"_a, "error"_a, release_gil());
  m.def(
      "run_pause",
      [](const store& s, std::int64_t msg, const std::string& message, double resume_after_s) {
        return run_of(msg).pause(s, message, seconds_to_ms(resume_after_s, "resume_after"));
      },
      "store"_a, "message_id"_a, "message"_a, "resume_after_seconds"_a, release_gil());
  m.def(
      "run_cancel", [](const store& s, std::int64_t msg) { return run_of(msg).cancel(s); }, "store"_a,
      "message_id"_a, release_gil());
  m.def(
      "run_resume", [](const store& s, std::int64_t msg) { return run_of(msg).resume(s); }, "store"_a,
      "message_id"_a, release_gil());
  m.def(
      "run_get_output",
      [](const store& s, std::int64_t msg) -> std::optional<std::string> {
        auto out = run_of(msg).get<json>(s);
        if (!out) return std::nullopt;
        return out->dump();
      },
      "store"_a, "message_id"_a, release_gil());

  // The original's step API (StepBuilder, Run.acquire_step, StepGuard) by run id.
  m.def(
      "step_acquire",
      [](const store& s, std::int64_t run_id, const std::string& name, std::optional<std::string> at,
         std::optional<retry_policy> policy) {
        auto a = step_of(run_id, name, at, policy).acquire(s);
        return std::make_pair(a.execute, a.execute ? std::optional<std::string>() : a.output.dump());
      },
      "store"_a, "run_id"_a, "name"_a, "at"_a = nb::none(), "policy"_a = nb::none(), release_gil());
  m.def(
      "step_complete",
      [](const store& s, std::int64_t run_id, const std::string& name, const std::string& output,
         std::optional<std::string> at) {
        return step_of(run_id, name, at, std::nullopt).complete(s, parse_payload(output));
      },
      "store"_a, "run_id"_a, "name"_a, "output"_a, "at"_a = nb::none(), release_gil());
  m.def(
      "step_fail",
      [](const store& s, std::int64_t run_id, const std::string& name, const std::string& error,
         std::optional<std::string> at, std::optional<retry_policy> policy) {
        return step_of(run_id, name, at, policy).fail(s, parse_payload(error));
      },
      "store"_a, "run_id"_a, "name"_a, "error"_a, "at"_a = nb::none(), "policy"_a = nb::none(), release_gil());
}

// ---------------------------------------------------------------- RunExecution

/// begin_step's result for Python: (done, output as JSON text or None).
std::pair<bool, std::optional<std::string>> as_pair(const step_start& s) {
  return {s.done, s.done ? std::optional<std::string>(s.output.dump()) : std::nullopt};
}

step_failure failure_of(const std::string& kind, const std::string& code, const std::string& message,
                        std::optional<double> delay_s) {
  std::optional<milliseconds> delay;
  if (delay_s) delay = seconds_to_ms(*delay_s, "retry_after");
  if (kind == "transient") return step_failure::transient(code, message, delay);
  if (kind == "pause") return step_failure::pause(message, delay.value_or(milliseconds(0)));
  if (kind == "permanent") return step_failure::permanent(message);
  throw nb::value_error(("unknown failure kind '" + kind + "'").c_str());
}

// ---------------------------------------------------------------- transactional steps

/// A Python value as a bound parameter of user SQL. @throws nb::type_error
sql_arg sql_arg_of(nb::handle v) {
  if (v.is_none()) return nullptr;
  if (nb::isinstance<nb::bool_>(v)) return nb::cast<bool>(v);
  if (nb::isinstance<nb::int_>(v)) return nb::cast<std::int64_t>(v);
  if (nb::isinstance<nb::float_>(v)) return nb::cast<double>(v);
  if (nb::isinstance<nb::str>(v)) return nb::cast<std::string>(v);
  throw nb::type_error(("SQL parameters must be None, bool, int, float or str, got " +
                        nb::cast<std::string>(nb::str(v.type().attr("__name__")))).c_str());
}

nb::object cell_to_python(const sql_cell& c) {
  if (const auto* i = std::get_if<std::int64_t>(&c)) return nb::int_(*i);
  if (const auto* d = std::get_if<double>(&c)) return nb::float_(*d);
  if (const auto* t = std::get_if<std::string>(&c)) return nb::str(t->data(), t->size());
  if (const auto* ts = std::get_if<timestamp>(&c)) return to_python(*ts);
  return nb::none();
}

void bind_transaction(nb::module_& m) {
  nb::class_<transaction>(m, "Transaction", "The database transaction of a transactional step.")
      .def_prop_ro("dialect", [](const transaction& t) { return std::string(t.dialect()); })
      .def(
          "execute",
          [](transaction& t, const std::string& sql, nb::handle params) {
            std::vector<sql_arg> args;
            if (!params.is_none()) {
              for (nb::handle p : params) args.push_back(sql_arg_of(p));
            }
            sql_rows rows;
            {
              nb::gil_scoped_release unlocked;
              rows = t.execute(sql, args);
            }
            nb::list out;
            for (const auto& row : rows.rows) {
              nb::list r;
              for (const auto& c : row) r.append(cell_to_python(c));
              out.append(nb::tuple(r));
            }
            return nb::make_tuple(out, rows.affected);
          },
          "sql"_a, "params"_a = nb::none(),
          "Runs one statement with bound parameters ($1.. on PostgreSQL, ?1.. on SQLite); returns (rows, affected).");
}

/// A Python exception raised by a transactional step's body, carried through the C++ engine (which records
/// it as the step's failure) and raised again when the call returns to Python.
struct python_step_failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Runs `fn(tx)` under the GIL and returns its result as JSON (json.dumps, as payloads are); a Python
/// exception is kept in `raised` and surfaces to the engine as python_step_failure, or as a
/// transient_step_error for pgqrs.TransientStepError (its `code`/`retry_after` attributes as the decorators
/// read them).
json call_step_body(const nb::callable& fn, transaction& tx, std::optional<nb::python_error>& raised) {
  nb::gil_scoped_acquire locked;
  try {
    nb::object result = fn(nb::cast(&tx, nb::rv_policy::reference));
    auto text = nb::cast<std::string>(nb::module_::import_("pgqrs._util").attr("_dumps")(result));
    return parse_payload(text);
  } catch (nb::python_error& e) {
    const std::string message = nb::cast<std::string>(nb::str(e.value()));
    const bool transient = e.matches(nb::module_::import_("pgqrs").attr("TransientStepError"));
    std::optional<milliseconds> retry_after;
    std::string code = "TRANSIENT_ERROR";
    if (transient) {
      nb::object value = nb::borrow(e.value());
      if (nb::hasattr(value, "code")) code = nb::cast<std::string>(nb::str(value.attr("code")));
      if (nb::hasattr(value, "retry_after") && !value.attr("retry_after").is_none()) {
        retry_after = seconds_to_ms(nb::cast<double>(value.attr("retry_after")), "retry_after");
      }
    }
    raised.emplace(std::move(e));
    if (transient) throw transient_step_error(code, message, retry_after);
    throw python_step_failure(message);
  }
}

execution_options claim_options(double lease_s, const std::optional<std::string>& at,
                                const std::optional<retry_policy>& policy) {
  execution_options o;
  o.lease = seconds_to_ms(lease_s, "lease");
  o.at = optional_time(at);
  if (policy) o.policy = *policy;
  return o;
}

// The calls of the worker loop's hot path, each bound twice: as a blocking call (GIL released, run on a
// thread) and as start_<name>, an InlineCall for the event loop's own thread (PostgreSQL).
void complete_step_call(run_execution& x, std::string_view name, const std::string& output) {
  x.complete_step(name, parse_payload(output));
}
std::optional<run_execution> complete_and_claim_call(run_execution& x, const std::string& output) {
  return x.complete_and_claim_next(parse_payload(output));
}
std::optional<run_execution> fail_and_claim_call(run_execution& x, const std::string& error) {
  return x.fail_and_claim_next(parse_payload(error));
}

void bind_execution(nb::module_& m) {
  nb::class_<run_execution>(m, "RunExecution",
                            "A run claimed by a worker, executed step by step under its message's lease.")
      .def_static(
          "claim",
          [](const store& s, const std::string& workflow, const consumer& c, double lease_s,
             std::optional<std::string> at, std::optional<retry_policy> policy) {
            return run_execution::claim(s, workflow, c, claim_options(lease_s, at, policy));
          },
          "store"_a, "workflow"_a, "consumer"_a, "lease_seconds"_a = 30.0, "at"_a = nb::none(),
          "policy"_a = nb::none(), release_gil())
      .def_static(
          "start_claim",
          [](const store& s, std::string workflow, const consumer& c, double lease_s,
             std::optional<std::string> at, std::optional<retry_policy> policy) {
            auto o = claim_options(lease_s, at, policy);
            return inline_call::start([&s, &c, workflow = std::move(workflow), o = std::move(o)] {
              return run_execution::claim(s, workflow, c, o);
            });
          },
          "store"_a, "workflow"_a, "consumer"_a, "lease_seconds"_a = 30.0, "at"_a = nb::none(),
          "policy"_a = nb::none(), nb::keep_alive<0, 1>(), nb::keep_alive<0, 3>())
      .def_prop_ro("record", [](const run_execution& x) { return x.record(); })
      .def_prop_ro("message", [](const run_execution& x) { return x.message(); })
      .def_prop_ro("input", [](const run_execution& x) { return to_python(x.input()); })
      .def_prop_ro("current_time", [](const run_execution& x) { return to_python(x.current_time()); })
      .def_prop_ro("state", [](const run_execution& x) { return std::string(to_string(x.state())); })
      // Called on the event loop's thread: no database write (see try_begin_step), so no GIL release needed
      // for long, but released anyway because an exhausted step's error is built from stored JSON.
      .def(
          "try_begin_step",
          [](run_execution& x, std::string_view name) -> std::optional<std::pair<bool, std::optional<std::string>>> {
            auto s = x.try_begin_step(name);
            if (!s) return std::nullopt;
            return as_pair(*s);
          },
          "name"_a, release_gil())
      .def(
          "begin_step", [](run_execution& x, std::string_view name) { return as_pair(x.begin_step(name)); }, "name"_a,
          release_gil())
      .def("complete_step", &complete_step_call, "name"_a, "output"_a, release_gil())
      .def(
          "start_complete_step",
          [](run_execution& x, std::string name, std::string output) {
            return inline_call::start([&x, name = std::move(name), output = std::move(output)] {
              complete_step_call(x, name, output);
            });
          },
          "name"_a, "output"_a, nb::keep_alive<0, 1>())
      .def(
          "fail_step",
          [](run_execution& x, std::string_view name, const std::string& kind, const std::string& code,
             const std::string& message, std::optional<double> delay_s, std::optional<retry_policy> policy) {
            x.fail_step(name, failure_of(kind, code, message, delay_s), policy);
          },
          "name"_a, "kind"_a, "code"_a, "message"_a, "delay_seconds"_a = nb::none(), "policy"_a = nb::none(),
          release_gil())
      .def(
          "transaction_step",
          [](run_execution& x, std::string_view name, nb::callable fn,
             std::optional<retry_policy> policy) -> std::optional<std::string> {
            std::optional<nb::python_error> raised;
            std::optional<json> out;
            try {
              nb::gil_scoped_release unlocked;
              out = x.transaction_step(
                  name, [&](transaction& tx) { return call_step_body(fn, tx, raised); }, policy);
            } catch (const python_step_failure&) {
              if (raised) throw std::move(*raised);  // recorded as the step's failure; the user's exception
              throw;
            } catch (const transient_step_error&) {
              if (raised) throw std::move(*raised);  // the retry is recorded only if the policy allowed none
              throw;
            }
            if (!out) return std::nullopt;
            return out->dump();
          },
          "name"_a, "fn"_a, "policy"_a = nb::none())
      .def(
          "sleep",
          [](run_execution& x, std::string_view name, double seconds) {
            return x.sleep(name, seconds_to_ms(seconds, "duration"));
          },
          "name"_a, "seconds"_a, release_gil())
      .def(
          "pause",
          [](run_execution& x, std::string_view message, double resume_after_s) {
            return x.pause(message, seconds_to_ms(resume_after_s, "resume_after"));
          },
          "message"_a, "resume_after_seconds"_a, release_gil())
      .def(
          "suspend",
          [](run_execution& x, std::string_view message, double resume_after_s) {
            x.suspend(message, seconds_to_ms(resume_after_s, "resume_after"));
          },
          "message"_a, "resume_after_seconds"_a, release_gil())
      .def(
          "complete", [](run_execution& x, const std::string& output) { x.complete(parse_payload(output)); },
          "output"_a, release_gil())
      .def(
          "fail", [](run_execution& x, const std::string& error) { x.fail(parse_payload(error)); }, "error"_a,
          release_gil())
      .def("complete_and_claim_next", &complete_and_claim_call, "output"_a, release_gil(),
           "complete(), and the worker's next ready run claimed in the same statement (None if none).")
      .def(
          "start_complete_and_claim_next",
          [](run_execution& x, std::string output) {
            return inline_call::start(
                [&x, output = std::move(output)] { return complete_and_claim_call(x, output); });
          },
          "output"_a, nb::keep_alive<0, 1>())
      .def("fail_and_claim_next", &fail_and_claim_call, "error"_a, release_gil(),
           "fail(), and the next run claimed as complete_and_claim_next.")
      .def(
          "start_fail_and_claim_next",
          [](run_execution& x, std::string error) {
            return inline_call::start(
                [&x, error = std::move(error)] { return fail_and_claim_call(x, error); });
          },
          "error"_a, nb::keep_alive<0, 1>())
      .def(
          "give_back", [](run_execution& x, double delay_s) { x.give_back(seconds_to_ms(delay_s, "delay")); },
          "delay_seconds"_a = 0.0, release_gil());
}

}  // namespace

void bind_workflow(nb::module_& m) {
  bind_workflow_records(m);
  bind_policy(m);
  bind_functions(m);
  bind_transaction(m);
  bind_execution(m);
}

}  // namespace pgqrs::python
