#pragma once
// The parts of the extension module pgqrs._pgqrs, one per file (bind_*.cpp), registered by module.cpp.

#include <nanobind/nanobind.h>

namespace pgqrs::python {

namespace nb = nanobind;
using namespace nb::literals;

/// Every call that can touch the database runs with the GIL released: arguments are converted while the GIL
/// is held, the library call runs without it, the result is converted after the guard has re-taken it.
using release_gil = nb::call_guard<nb::gil_scoped_release>;

void bind_config(nb::module_& m);
void bind_records(nb::module_& m);
void bind_handles(nb::module_& m);
void bind_workflow(nb::module_& m);
void bind_dequeue(nb::module_& m);
void bind_tables(nb::module_& m);
void bind_admin(nb::module_& m);
void bind_operations(nb::module_& m);
void bind_s3(nb::module_& m);
void bind_inline_call(nb::module_& m);

}  // namespace pgqrs::python
