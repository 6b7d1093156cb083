#pragma once
// S3 clients for one store, one per concurrent caller: an s3_client (a libcurl easy handle) serves one
// thread at a time, and keeping them keeps their connections alive between calls.

#include <memory>
#include <mutex>
#include <vector>

#include "s3/s3_client.hpp"

namespace pgqrs::detail::s3 {

class client_pool {
 public:
  /// @throws config_error for an unusable configuration (checked now, not at the first call)
  explicit client_pool(s3_config config) : m_config(std::move(config)) { give_back(make()); }

  /// Runs `call(s3_client&)` on an idle client (a new one when all are busy).
  template <typename Call>
  auto with(Call&& call) {
    std::unique_ptr<s3_client> client = take();
    struct returner {
      client_pool& pool;
      std::unique_ptr<s3_client>& c;
      ~returner() { pool.give_back(std::move(c)); }
    } back{*this, client};
    return call(*client);
  }

 private:
  std::unique_ptr<s3_client> make() const { return std::make_unique<s3_client>(m_config); }
  std::unique_ptr<s3_client> take() {
    {
      std::lock_guard lock(m_mutex);
      if (!m_idle.empty()) {
        auto c = std::move(m_idle.back());
        m_idle.pop_back();
        return c;
      }
    }
    return make();
  }
  void give_back(std::unique_ptr<s3_client> c) noexcept {
    std::lock_guard lock(m_mutex);
    m_idle.push_back(std::move(c));
  }

  s3_config m_config;
  std::mutex m_mutex;
  std::vector<std::unique_ptr<s3_client>> m_idle;
};

}  // namespace pgqrs::detail::s3
