// s3: producers enqueue into a Durable-mode S3 store (every enqueue returns once an upload containing it
// succeeded) against moto with a fixed latency added to every request by a TCP proxy this scenario starts
// (tcp_proxy.hpp): moto on loopback answers in about a millisecond, real S3 in tens, and the original
// publishes its S3 numbers under 60 ms added latency (6.6 msg/s at batch 1, 326 at batch 50). Measured for
// batch 1 and 50 with 1 and 8 producers (threads of one store): messages/s and PUTs per message (the store's
// upload counter; group commit lets concurrent producers share uploads).
// The endpoint and credentials come from AWS_ENDPOINT_URL / AWS_* (scripts/moto_server.sh exports them);
// without an endpoint the scenario only says so.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

#include <pgqrs/pgqrs.hpp>
#include <pgqrs/s3.hpp>

#include "bench.hpp"
#include "s3/s3_client.hpp"
#include "tcp_proxy.hpp"

namespace pgqrs::bench {
namespace {

namespace fs = std::filesystem;

constexpr auto added_latency = std::chrono::milliseconds(60);

/// The original's published Durable-mode figures under the same added latency (its README).
double original_published(std::size_t batch) {
  return batch == 1 ? 6.6 : 326.0;
}

std::string s3_endpoint() {
  for (const char* name : {"PGQRS_S3_ENDPOINT", "AWS_ENDPOINT_URL"}) {
    const char* v = std::getenv(name);
    if (v != nullptr && *v != '\0') return v;
  }
  return {};
}

/// Sets an environment variable for a scope (the store reads AWS_ENDPOINT_URL when it connects).
class scoped_env {
 public:
  scoped_env(const char* name, const std::string& value) : m_name(name) {
    if (const char* old = std::getenv(name)) m_old = old;
    ::setenv(name, value.c_str(), 1);
  }
  scoped_env(const scoped_env&) = delete;
  scoped_env& operator=(const scoped_env&) = delete;
  ~scoped_env() {
    if (m_old) {
      ::setenv(m_name, m_old->c_str(), 1);
    } else {
      ::unsetenv(m_name);
    }
  }

 private:
  const char* m_name;
  std::optional<std::string> m_old;
};

struct measurement {
  double seconds = 0;
  std::int64_t messages = 0;
  std::uint64_t uploads = 0;
};

/// `producers` threads each enqueue `rounds` times `batch` messages (~100-byte payloads) into a fresh
/// Durable store on s3://bucket/key.
measurement produce(const std::string& bucket, const std::string& key, const fs::path& cache_dir,
                    int producers, std::size_t batch, int rounds) {
  config cfg = config::from_dsn("s3://" + bucket + "/" + key);
  cfg.s3.mode = durability_mode::durable;
  cfg.s3.cache_dir = cache_dir;
  cfg.max_connections = static_cast<std::uint32_t>(producers + 2);
  cfg.validation.max_enqueue_per_second.reset();
  auto s = connect(cfg);
  admin(s).install();
  s.queue("bench");
  std::vector<producer> handles;
  for (int p = 0; p < producers; ++p) handles.push_back(s.producer("bench", "p" + std::to_string(p)));
  const std::string filler(80, 'x');
  const auto uploads_before = as_s3(s).uploads();
  measurement m;
  m.seconds = seconds_of([&] {
    std::vector<std::thread> threads;
    for (int p = 0; p < producers; ++p) {
      threads.emplace_back([&, p] {
        const auto& h = handles[static_cast<std::size_t>(p)];
        for (int r = 0; r < rounds; ++r) {
          std::vector<json> payloads;
          for (std::size_t i = 0; i < batch; ++i)
            payloads.push_back(json{{"p", p}, {"r", r}, {"pad", filler}});
          if (batch == 1) {
            (void)h.enqueue(payloads.front());
          } else {
            (void)h.batch_enqueue(payloads);
          }
        }
      });
    }
    for (auto& t : threads) t.join();
  });
  m.messages = static_cast<std::int64_t>(producers) * rounds * static_cast<std::int64_t>(batch);
  m.uploads = as_s3(s).uploads() - uploads_before;
  return m;
}

void run(const options& opts, reporter& rep) {
  const std::string endpoint = s3_endpoint();
  if (endpoint.empty()) {
    rep.note(
        "s3: no S3 endpoint (set AWS_ENDPOINT_URL, e.g. eval \"$(scripts/moto_server.sh start)\"): skipped");
    return;
  }
  tools::tcp_proxy proxy(endpoint, added_latency);
  const std::string bucket = "pgqrs-bench-" + std::to_string(::getpid());
  detail::s3::s3_client(detail::s3::s3_config::from_env()).create_bucket(bucket);
  const fs::path cache_root = fs::temp_directory_path() / ("pgqrs-bench-s3-" + std::to_string(::getpid()));
  scoped_env through_proxy("AWS_ENDPOINT_URL", proxy.endpoint());
  for (std::size_t batch : {std::size_t{1}, std::size_t{50}}) {
    for (int producers : {1, 8}) {
      // Rounds per producer: batch 1 costs about one added round trip per enqueue alone (8 producers share
      // them), batch 50 about one per batch.
      const int rounds = batch == 1 ? pick(opts, producers == 1 ? 100 : 60, producers == 1 ? 40 : 25, 3)
                                    : pick(opts, 40, 15, 2);
      const std::string label =
          "s3 batch=" + std::to_string(batch) + " producers=" + std::to_string(producers);
      rep.progress(label);
      const std::string key = "b" + std::to_string(batch) + "-p" + std::to_string(producers) + ".sqlite";
      const auto m = produce(bucket, key, cache_root / key, producers, batch, rounds);
      const double rate = static_cast<double>(m.messages) / m.seconds;
      const double published = original_published(batch);
      rep.record({"s3",
                  "s3",
                  "pgqrs-cpp",
                  {{"batch", batch},
                   {"producers", producers},
                   {"messages", m.messages},
                   {"payload_bytes", 100},
                   {"mode", "durable"},
                   {"added_latency_ms", added_latency.count()},
                   {"endpoint", "moto through a latency proxy"}},
                  {{"seconds", m.seconds},
                   {"msgs_per_sec", rate},
                   {"uploads", m.uploads},
                   {"puts_per_msg", static_cast<double>(m.uploads) / static_cast<double>(m.messages)},
                   {"original_published_msgs_per_sec", published},
                   {"ratio_to_original_published", rate / published}}});
    }
  }
  std::error_code ec;
  fs::remove_all(cache_root, ec);
}

const registrar reg{
    {"s3", "Durable-mode S3 enqueue (moto + 60 ms per request), batch 1/50, 1/8 producers", run}};

}  // namespace
}  // namespace pgqrs::bench
