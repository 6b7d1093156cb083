#include "inline_call.hpp"

namespace pgqrs::python {

inline_call::~inline_call() {
  if (m_fiber && !m_fiber->done()) finish();
}

int inline_call::fd() const {
  if (!m_fiber || m_fiber->done()) return -1;
  return m_fiber->waiting_for() == detail::fiber::wait_kind::offload ? -2 : m_fiber->wait_fd();
}

void inline_call::resume() {
  if (!m_fiber) return;
  nb::gil_scoped_release unlocked;
  m_fiber->resume();
}

void inline_call::run_offloaded() {
  if (!m_fiber) return;
  nb::gil_scoped_release unlocked;
  m_fiber->run_offloaded();
}

void inline_call::finish() {
  if (!m_fiber) return;
  nb::gil_scoped_release unlocked;
  m_fiber->finish_blocking();
}

nb::object inline_call::result() {
  if (!m_fiber || !m_fiber->done()) throw std::logic_error("InlineCall.result() before the call finished");
  m_fiber.reset();
  auto take = std::move(m_take);
  return take();
}

void bind_inline_call(nb::module_& m) {
  nb::class_<inline_call>(m, "InlineCall",
                          "A native call running on the event loop's thread (pgqrs._util._inline drives it).")
      .def_prop_ro("fd", &inline_call::fd,
                   "-1 finished (call result()), -2 call run_offloaded() on another thread, else a socket to "
                   "wait for (readable); then resume().")
      .def("resume", &inline_call::resume)
      .def("run_offloaded", &inline_call::run_offloaded)
      .def("finish", &inline_call::finish, "Runs the call to its end with blocking waits; then result().")
      .def("result", &inline_call::result);
}

}  // namespace pgqrs::python
