#include "tcp_proxy.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <deque>
#include <stdexcept>
#include <string_view>

namespace pgqrs::tools {

namespace {

using clock = std::chrono::steady_clock;

/// How often blocked loops look at the stop flag.
constexpr int tick_ms = 20;

void parse_endpoint(const std::string& endpoint, std::string& host, int& port) {
  std::string_view rest = endpoint;
  if (const auto scheme = rest.find("://"); scheme != std::string_view::npos) rest.remove_prefix(scheme + 3);
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) rest = rest.substr(0, slash);
  const auto colon = rest.rfind(':');
  if (colon == std::string_view::npos) throw std::runtime_error("tcp_proxy: no port in '" + endpoint + "'");
  host = std::string(rest.substr(0, colon));
  port = std::stoi(std::string(rest.substr(colon + 1)));
}

int connect_to(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return -1;
  int fd = socket(found->ai_family, found->ai_socktype, 0);
  if (fd >= 0 && ::connect(fd, found->ai_addr, found->ai_addrlen) != 0) {
    ::close(fd);
    fd = -1;
  }
  freeaddrinfo(found);
  return fd;
}

bool send_all(int fd, const std::string& bytes) {
  for (std::size_t sent = 0; sent < bytes.size();) {
    // MSG_NOSIGNAL: a peer that went away must not kill the test process with SIGPIPE.
    const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

/// Reads what is there; false on end of stream or error.
bool read_some(int fd, std::string& into) {
  char buffer[64 * 1024];
  ssize_t n = 0;
  do {
    n = ::recv(fd, buffer, sizeof buffer, 0);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) return false;
  into.assign(buffer, static_cast<std::size_t>(n));
  return true;
}

}  // namespace

tcp_proxy::tcp_proxy(const std::string& target_endpoint, std::chrono::milliseconds delay) : m_delay(delay) {
  parse_endpoint(target_endpoint, m_target_host, m_target_port);
  listen_on(0);
}

tcp_proxy::~tcp_proxy() {
  stop();
}

std::string tcp_proxy::endpoint() const {
  return "http://127.0.0.1:" + std::to_string(m_port);
}

void tcp_proxy::listen_on(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("tcp_proxy: socket failed");
  const int yes = 1;
  // The same port again after stop(): its old connections may still be in TIME_WAIT.
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd, 64) != 0) {
    ::close(fd);
    throw std::runtime_error("tcp_proxy: cannot listen on 127.0.0.1:" + std::to_string(port));
  }
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  m_port = ntohs(addr.sin_port);
  m_listen_fd = fd;
  m_running = true;
  m_acceptor = std::thread([this] { accept_loop(); });
}

void tcp_proxy::stop() {
  if (!m_running.exchange(false)) return;
  m_acceptor.join();
  ::close(m_listen_fd);
  m_listen_fd = -1;
  std::vector<std::thread> connections;
  {
    std::lock_guard lock(m_mutex);
    connections.swap(m_connections);
  }
  for (auto& t : connections) t.join();  // each closes its sockets when it sees the flag
}

void tcp_proxy::resume() {
  if (m_running) return;
  m_black_hole = false;
  listen_on(m_port);
}

void tcp_proxy::accept_loop() {
  while (m_running) {
    pollfd p{m_listen_fd, POLLIN, 0};
    if (poll(&p, 1, tick_ms) <= 0) continue;
    const int client = accept(m_listen_fd, nullptr, nullptr);
    if (client < 0) continue;
    m_accepted.fetch_add(1);
    std::lock_guard lock(m_mutex);
    m_connections.emplace_back([this, client] { serve(client); });
  }
}

void tcp_proxy::serve(int client_fd) {
  // A black-holed connection never reaches the server: connecting upstream would already be an answer.
  int server_fd = m_black_hole ? -1 : connect_to(m_target_host, m_target_port);
  if (server_fd < 0 && !m_black_hole) {
    ::close(client_fd);  // the target is down: the client sees its connection closed
    return;
  }
  struct pending {
    clock::time_point due;
    std::string bytes;
  };
  std::deque<pending> to_server;  // client bytes waiting for their delay
  std::string chunk;
  bool open = true;
  while (open && m_running) {
    int timeout = tick_ms;
    if (!to_server.empty()) {
      const auto wait =
          std::chrono::duration_cast<std::chrono::milliseconds>(to_server.front().due - clock::now());
      timeout = std::clamp(static_cast<int>(wait.count()), 0, tick_ms);
    }
    pollfd fds[2] = {{client_fd, POLLIN, 0}, {server_fd, POLLIN, 0}};
    const int ready = poll(fds, server_fd < 0 ? 1 : 2, timeout);
    const bool hole = m_black_hole;
    if (ready > 0 && (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      if (!read_some(client_fd, chunk)) break;
      if (!hole) to_server.push_back({clock::now() + m_delay, chunk});
    }
    if (ready > 0 && server_fd >= 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      if (!read_some(server_fd, chunk)) break;
      if (!hole && !send_all(client_fd, chunk)) break;
    }
    while (open && !to_server.empty() && to_server.front().due <= clock::now()) {
      if (!hole) open = send_all(server_fd, to_server.front().bytes);
      to_server.pop_front();
    }
  }
  ::close(client_fd);
  if (server_fd >= 0) ::close(server_fd);
}

}  // namespace pgqrs::tools
