#include "fake_http_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <stdexcept>

namespace pgqrs::test {

namespace {

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string trim(const std::string& text) {
  const auto begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return {};
  return text.substr(begin, text.find_last_not_of(" \t\r\n") - begin + 1);
}

/// Parses what arrived so far; false until the head and the whole Content-Length body are in.
bool parse_request(const std::string& data, fake_request& out) {
  const auto head_end = data.find("\r\n\r\n");
  if (head_end == std::string::npos) return false;
  const std::string head = data.substr(0, head_end);
  const auto first_line_end = head.find("\r\n");
  const std::string first_line = head.substr(0, first_line_end);
  const auto sp1 = first_line.find(' ');
  const auto sp2 = first_line.find(' ', sp1 + 1);
  out.method = first_line.substr(0, sp1);
  out.target = first_line.substr(sp1 + 1, sp2 - sp1 - 1);
  out.headers.clear();
  std::size_t pos = first_line_end == std::string::npos ? head.size() : first_line_end + 2;
  while (pos < head.size()) {
    auto end = head.find("\r\n", pos);
    if (end == std::string::npos) end = head.size();
    const std::string line = head.substr(pos, end - pos);
    const auto colon = line.find(':');
    if (colon != std::string::npos)
      out.headers[lowercase(trim(line.substr(0, colon)))] = trim(line.substr(colon + 1));
    pos = end + 2;
  }
  std::size_t length = 0;
  if (auto it = out.headers.find("content-length"); it != out.headers.end()) length = std::stoul(it->second);
  if (data.size() < head_end + 4 + length) return false;
  out.body = data.substr(head_end + 4, length);
  return true;
}

void send_all(int fd, const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<std::size_t>(n);
  }
}

}  // namespace

fake_http_server::fake_http_server(handler h) : m_handler(std::move(h)) {
  m_listen_fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (m_listen_fd < 0) throw std::runtime_error("fake_http_server: socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(m_listen_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(m_listen_fd, 64) != 0 ||
      ::getsockname(m_listen_fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(m_listen_fd);
    throw std::runtime_error("fake_http_server: bind/listen failed");
  }
  m_port = ntohs(addr.sin_port);
  m_thread = std::thread([this] { serve(); });
}

fake_http_server::~fake_http_server() {
  m_stop = true;
  if (m_thread.joinable()) m_thread.join();
  ::close(m_listen_fd);
}

std::string fake_http_server::endpoint() const {
  return "http://127.0.0.1:" + std::to_string(m_port);
}

std::vector<fake_request> fake_http_server::requests() const {
  std::lock_guard lock(m_mutex);
  return m_requests;
}

void fake_http_server::serve() {
  while (!m_stop) {
    pollfd p{m_listen_fd, POLLIN, 0};
    if (::poll(&p, 1, 20) <= 0) continue;
    const int fd = ::accept(m_listen_fd, nullptr, nullptr);
    if (fd < 0) continue;
    // A thread per connection: a slow answer must not hold back the client's retry.
    m_connections.emplace_back([this, fd] {
      handle(fd);
      ::close(fd);
    });
  }
  for (auto& t : m_connections) t.join();
}

void fake_http_server::handle(int fd) {
  std::string data;
  fake_request request;
  char buffer[65536];
  while (!parse_request(data, request)) {
    pollfd p{fd, POLLIN, 0};
    if (m_stop || ::poll(&p, 1, 5000) <= 0) return;
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) return;
    data.append(buffer, static_cast<std::size_t>(n));
  }
  {
    std::lock_guard lock(m_mutex);
    m_requests.push_back(request);
  }
  const fake_response response = m_handler(request);
  for (auto waited = std::chrono::milliseconds(0); waited < response.delay && !m_stop;
       waited += std::chrono::milliseconds(10)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (response.drop_connection || m_stop) return;
  std::string out = "HTTP/1.1 " + std::to_string(response.status) + " Fake\r\n";
  out += "Content-Length: " + std::to_string(response.body.size()) + "\r\nConnection: close\r\n";
  for (const auto& [name, value] : response.headers) out += name + ": " + value + "\r\n";
  out += "\r\n";
  if (request.method != "HEAD") out += response.body;
  send_all(fd, out);
}

std::string s3_error_xml(const std::string& code, const std::string& message) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>" + message +
         "</Message><RequestId>fake-request-id</RequestId></Error>";
}

}  // namespace pgqrs::test
