// metrics_exposition (include/pgqrs/operations.hpp): the Prometheus text format, version 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/). Everything is a gauge: each value is read
// from the database at scrape time, not counted by this process.

#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>

#include "pgqrs/admin.hpp"
#include "pgqrs/operations.hpp"

namespace pgqrs {

namespace {

/// A label value: backslash, double quote and line feed are escaped.
std::string escape_label(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f", v);
  return buf;
}

class writer {
 public:
  void family(std::string_view name, std::string_view help) {
    m_name = name;
    m_out.append("# HELP ").append(name).append(" ").append(help).append("\n");
    m_out.append("# TYPE ").append(name).append(" gauge\n");
  }
  void sample(std::string_view label, std::string_view value, const std::string& v) {
    m_out.append(m_name).append("{").append(label).append("=\"").append(escape_label(value)).append("\"} ");
    m_out.append(v).append("\n");
  }
  void sample(std::string_view label, std::string_view value, std::int64_t v) {
    sample(label, value, std::to_string(v));
  }
  std::string take() { return std::move(m_out); }

 private:
  std::string m_out;
  std::string m_name;
};

void queue_families(writer& w, const std::vector<queue_metrics>& queues, timestamp t) {
  struct gauge {
    const char* name;
    const char* help;
    std::int64_t (*value)(const queue_metrics&);
  };
  static constexpr gauge gauges[] = {
      {"pgqrs_queue_pending_messages", "Live messages not under an unexpired lease (ready, delayed or poison).",
       [](const queue_metrics& m) { return m.pending_messages; }},
      {"pgqrs_queue_ready_messages", "Pending messages visible now.",
       [](const queue_metrics& m) { return m.pending_messages - m.delayed_messages; }},
      {"pgqrs_queue_leased_messages", "Live messages under an unexpired lease.",
       [](const queue_metrics& m) { return m.locked_messages; }},
      {"pgqrs_queue_delayed_messages", "Pending messages visible only later (delay, retry, sleep, pause).",
       [](const queue_metrics& m) { return m.delayed_messages; }},
      {"pgqrs_queue_archived_messages", "Archived messages, acknowledged and dead-lettered.",
       [](const queue_metrics& m) { return m.archived_messages; }},
      {"pgqrs_queue_dead_lettered_messages", "Archived messages that were dead-lettered (read limit reached).",
       [](const queue_metrics& m) { return m.dead_lettered_messages; }},
  };
  for (const auto& g : gauges) {
    w.family(g.name, g.help);
    for (const auto& m : queues) w.sample("queue", m.name, g.value(m));
  }
  w.family("pgqrs_queue_oldest_pending_message_age_seconds",
           "Seconds since the oldest pending message was enqueued (0 without pending messages).");
  for (const auto& m : queues) {
    const auto age = m.oldest_pending_message ? std::chrono::duration<double>(t - *m.oldest_pending_message).count()
                                              : 0.0;
    w.sample("queue", m.name, number(age < 0 ? 0.0 : age));
  }
}

}  // namespace

std::string metrics_exposition(const store& s) {
  const auto a = admin(s);
  const auto t = now();
  writer w;
  queue_families(w, a.all_queues_metrics(), t);

  // One global row; the stale count (which needs a timeout) is not exported.
  const auto workers = a.worker_health_stats(std::chrono::seconds{0}, false);
  worker_status_counts c;
  if (!workers.empty()) c = workers.front();
  w.family("pgqrs_workers", "Registered workers by status.");
  w.sample("status", to_string(worker_status::ready), c.ready_workers);
  w.sample("status", to_string(worker_status::polling), c.polling_workers);
  w.sample("status", to_string(worker_status::suspended), c.suspended_workers);
  w.sample("status", to_string(worker_status::interrupted), c.interrupted_workers);
  w.sample("status", to_string(worker_status::stopped), c.stopped_workers);

  w.family("pgqrs_workflow_runs", "Workflow runs by status.");
  for (const auto& [status, count] : run_counts_by_status(s)) w.sample("status", to_string(status), count);
  return w.take();
}

}  // namespace pgqrs
