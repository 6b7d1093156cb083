#pragma once
// Test support: a small HTTP/1.1 server on 127.0.0.1 that answers each request with whatever the test's
// handler says (a status, a body, a delay, or a dropped connection), and records what it received. moto
// cannot be made to fail on demand, so the retry rules and error texts are checked against this instead.

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace pgqrs::test {

struct fake_request {
  std::string method;
  std::string target;                          // path and query as sent
  std::map<std::string, std::string> headers;  // lowercase names
  std::string body;
};

struct fake_response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds delay{0};  // before answering
  bool drop_connection = false;        // read the request, then close without answering
};

/// Answers every connection with `handler` (called from one thread per connection); each answer closes the
/// connection. Stops and joins in the destructor.
class fake_http_server {
 public:
  using handler = std::function<fake_response(const fake_request&)>;

  explicit fake_http_server(handler h);
  ~fake_http_server();
  fake_http_server(const fake_http_server&) = delete;
  fake_http_server& operator=(const fake_http_server&) = delete;

  /// "http://127.0.0.1:<port>".
  [[nodiscard]] std::string endpoint() const;
  [[nodiscard]] std::vector<fake_request> requests() const;

 private:
  void serve();
  void handle(int fd);

  handler m_handler;
  int m_listen_fd = -1;
  int m_port = 0;
  std::atomic<bool> m_stop{false};
  mutable std::mutex m_mutex;
  std::vector<fake_request> m_requests;
  std::vector<std::thread> m_connections;  // owned by the serving thread, joined before it ends
  std::thread m_thread;
};

/// An S3 error document.
std::string s3_error_xml(const std::string& code, const std::string& message);

}  // namespace pgqrs::test
