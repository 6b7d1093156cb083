#pragma once
// A small TCP forwarding proxy on loopback, put between an S3 client and moto. pgqrs-bench uses it to add
// latency per request (moto on loopback answers in about a millisecond; real S3 in tens); the S3 outage
// tests use it to make a working endpoint go away in the middle of a run, in the two ways a network fails:
// nothing listens (connection refused at once) and a black hole (connections hang until the client's
// timeout). One thread per connection: it is for tests and benchmarks with a handful of connections.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace pgqrs::tools {

class tcp_proxy {
 public:
  /// Listens on 127.0.0.1 (a free port) and forwards every connection to `target_endpoint`
  /// ("http://host:port"). Bytes from the client are held back for `delay` before they go on, so each request
  /// reaches the server `delay` later and every round trip takes that much longer; a large body keeps its
  /// throughput (its chunks are delayed, not spaced).
  /// @throws std::runtime_error when the endpoint cannot be parsed or the socket cannot listen
  explicit tcp_proxy(const std::string& target_endpoint, std::chrono::milliseconds delay = {});
  ~tcp_proxy();
  tcp_proxy(const tcp_proxy&) = delete;
  tcp_proxy& operator=(const tcp_proxy&) = delete;

  /// "http://127.0.0.1:<port>": what the client under test uses as its endpoint.
  [[nodiscard]] std::string endpoint() const;
  [[nodiscard]] int port() const noexcept { return m_port; }

  /// On: open and new connections are accepted and read, but nothing is forwarded or answered (a network
  /// that drops packets: the client waits for its timeout). Off: new connections are forwarded again.
  void black_hole(bool on) noexcept { m_black_hole.store(on); }
  /// Closes the listening socket and every connection: connecting is refused until resume().
  void stop();
  /// Listens again on the same port and forwards. @throws std::runtime_error when the port is taken
  void resume();
  /// Connections accepted so far.
  [[nodiscard]] std::uint64_t connections() const noexcept { return m_accepted.load(); }

 private:
  void listen_on(int port);
  void accept_loop();
  void serve(int client_fd);

  std::string m_target_host;
  int m_target_port = 0;
  std::chrono::milliseconds m_delay;
  int m_port = 0;
  int m_listen_fd = -1;
  std::atomic<bool> m_running{false};
  std::atomic<bool> m_black_hole{false};
  std::atomic<std::uint64_t> m_accepted{0};
  std::thread m_acceptor;
  std::mutex m_mutex;
  std::vector<std::thread> m_connections;
};

}  // namespace pgqrs::tools
