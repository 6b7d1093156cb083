// The native steps of the Python poll loops (pgqrs.DequeueBuilder, python/pgqrs/_dequeue.py). The loop itself
// is an asyncio loop in Python so that a waiting coroutine holds no thread: each step below is one short call
// (a status read and a claim, a heartbeat, a lease renewal), and the wait between empty polls is an
// asyncio.sleep. The worker status rules are the C++ poll loops' (spec §3.8), written over the public API.

#include <nanobind/nanobind.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <chrono>
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

/// An interrupted worker is moved to suspended and the loop ends with "worker interrupted"; a suspended one
/// (and with `stopped_too` a stopped one) ends it too. @throws suspended
void stop_unless_running(const consumer& c, bool stopped_too) {
  const auto status = c.status();
  if (status == worker_status::interrupted) {
    try {
      c.suspend();
    } catch (const state_transition_error&) {
      // Another loop on the same worker suspended it first: it was interrupted all the same.
    }
    throw suspended("worker interrupted");
  }
  if (status == worker_status::suspended) throw suspended("worker suspended");
  if (stopped_too && status == worker_status::stopped) throw suspended("worker stopped");
}

/// The lease of a loop's claims: as given, else the original's defaults (30 s; with at() the configured
/// default_lock_time, 5 s).
std::chrono::milliseconds lease_of(const store& s, std::optional<std::int64_t> lease_ms, bool at) {
  if (lease_ms) return std::chrono::milliseconds(*lease_ms);
  if (at) return s.config().default_lock_time;
  return default_lease;
}

}  // namespace

/// One claim attempt of a poll loop, after the status checks.
std::vector<queue_message> poll_fetch(const store& s, const consumer& c, std::size_t batch,
                                      std::optional<std::int64_t> lease_ms, const std::optional<std::string>& at,
                                      bool stopped_too) {
  stop_unless_running(c, stopped_too);
  const auto lease = lease_of(s, lease_ms, at.has_value());
  if (at) return c.dequeue_at(batch, lease, parse_time(*at));
  return c.dequeue_many_with_delay(batch, lease);  // beats first when the last beat is half an interval old
}

void bind_dequeue(nb::module_& m) {
  m.def(
      "poll_begin",
      [](const consumer& c) {
        stop_unless_running(c, false);
        c.poll();
      },
      "consumer"_a, release_gil(), "Status checks, then ready|polling → polling (a stopped worker is refused).");
  m.def("poll_fetch", &poll_fetch, "store"_a, "consumer"_a, "batch"_a, "lease_ms"_a.none(), "at"_a.none(),
        "stopped_too"_a, release_gil(), "One claim attempt after the status checks.");
  m.def(
      "start_poll_fetch",
      [](const store& s, const consumer& c, std::size_t batch, std::optional<std::int64_t> lease_ms,
         std::optional<std::string> at, bool stopped_too) {
        return inline_call::start([&s, &c, batch, lease_ms, at = std::move(at), stopped_too] {
          return poll_fetch(s, c, batch, lease_ms, at, stopped_too);
        });
      },
      "store"_a, "consumer"_a, "batch"_a, "lease_ms"_a.none(), "at"_a.none(), "stopped_too"_a,
      nb::keep_alive<0, 1>(), nb::keep_alive<0, 2>(), "poll_fetch as an InlineCall.");
  m.def(
      "poll_idle",
      [](const consumer& c) {
        c.heartbeat();
        stop_unless_running(c, true);
      },
      "consumer"_a, release_gil(), "Heartbeat and status checks of a waiting loop.");
  m.def(
      "poll_renew",
      [](const consumer& c, const std::vector<std::int64_t>& ids, std::int64_t additional_ms) {
        c.heartbeat();
        if (!ids.empty()) (void)c.extend_vt_many(ids, std::chrono::milliseconds(additional_ms));
      },
      "consumer"_a, "ids"_a, "additional_ms"_a, release_gil(),
      "Heartbeat, and leases of the messages being handled pushed forward.");
  m.def(
      "poll_end",
      [](const consumer& c) {
        try {
          c.complete_poll();
        } catch (const state_transition_error&) {
          stop_unless_running(c, true);  // says why (interrupted, suspended, stopped) when it can
          throw;
        }
      },
      "consumer"_a, release_gil(), "polling → ready.");
  m.def(
      "lease_ms_of",
      [](const store& s, std::optional<std::int64_t> lease_ms, bool at) {
        return static_cast<std::int64_t>(lease_of(s, lease_ms, at).count());
      },
      "store"_a, "lease_ms"_a.none(), "at"_a);
  m.def(
      "check_time",
      [](const std::string& text) { return format_rfc3339(parse_time(text)); }, "text"_a,
      "RFC 3339 text, normalised. Raises ValueError.");
}

}  // namespace pgqrs::python
