#pragma once
// The exception hierarchy of the original package (spec §10.13) and the one mapping from pgqrs::error_code.

#include <nanobind/nanobind.h>

namespace pgqrs::python {

/// Creates PgqrsError and its subclasses in `m` and registers the translator for pgqrs::error.
void register_errors(nanobind::module_& m);

}  // namespace pgqrs::python
