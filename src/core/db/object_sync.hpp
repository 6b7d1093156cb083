#pragma once
// What the public S3 handle (pgqrs/s3.hpp) calls on an S3 store: implemented by the S3 backend
// (s3/s3_store.hpp), reached through database::backend_state(), so the handle's code in core/api needs no
// backend header and links in every build.

#include <cstdint>

#include "pgqrs/config.hpp"
#include "pgqrs/s3.hpp"

namespace pgqrs::detail {

class object_sync {
 public:
  object_sync() = default;
  object_sync(const object_sync&) = delete;
  object_sync& operator=(const object_sync&) = delete;
  virtual ~object_sync() = default;

  [[nodiscard]] virtual sync_state state() = 0;
  virtual void snapshot() = 0;
  virtual void sync() = 0;
  [[nodiscard]] virtual durability_mode mode() const = 0;
  [[nodiscard]] virtual std::uint64_t uploads() const = 0;
  [[nodiscard]] virtual std::uint64_t lost_races() const = 0;
};

}  // namespace pgqrs::detail
