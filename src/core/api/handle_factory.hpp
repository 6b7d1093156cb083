#pragma once
// The library's only way to build handles from internal state: the handles' constructors are private, so
// applications cannot make one around state they do not own (DESIGN: internal constructors are not API).

#include <memory>

#include "core/api/store_state.hpp"
#include "pgqrs/consumer.hpp"
#include "pgqrs/producer.hpp"
#include "pgqrs/store.hpp"

namespace pgqrs::detail {

class handle_factory {
 public:
  [[nodiscard]] static store make_store(std::shared_ptr<store_state> state) { return store(std::move(state)); }
  [[nodiscard]] static consumer make_consumer(std::shared_ptr<worker_state> state) {
    return consumer(std::move(state));
  }
  [[nodiscard]] static producer make_producer(std::shared_ptr<worker_state> state) {
    return producer(std::move(state));
  }
};

}  // namespace pgqrs::detail
