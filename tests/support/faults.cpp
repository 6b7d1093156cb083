#include "faults.hpp"

#include "core/db/fault_hooks.hpp"

namespace pgqrs::testing {

void lose_next_commits(int n) {
  detail::fault_hooks::commits_to_lose.store(n);
}

void clear_faults() {
  detail::fault_hooks::commits_to_lose.store(0);
}

}  // namespace pgqrs::testing
