// Builds without the Turso backend (PGQRS_WITH_TURSO=OFF) still link the drain scenario, which picks the raw
// ceiling by backend at run time: reached only when such a build is given --turso, and then says why not.
#include <stdexcept>

#include "baselines.hpp"

namespace pgqrs::bench {

std::unique_ptr<raw_queue> raw_turso_queue(const std::string&, std::int64_t) {
  throw std::runtime_error("this pgqrs-bench was built without Turso (PGQRS_WITH_TURSO=OFF)");
}

}  // namespace pgqrs::bench
