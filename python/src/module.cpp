// pgqrs._pgqrs: the synchronous binding of the C++ library. Every call that can touch the database runs
// with the GIL released (release_gil in bindings.hpp). The asynchronous, original-compatible API is the
// Python package around this module (python/pgqrs); payloads arrive here as JSON text produced there by
// json.dumps.

#include "bindings.hpp"
#include "errors.hpp"

NB_MODULE(_pgqrs, m) {
  m.doc() = "Native core of the pgqrs package (synchronous; the GIL is released on every blocking call).";
  pgqrs::python::register_errors(m);
  pgqrs::python::bind_config(m);
  pgqrs::python::bind_records(m);
  pgqrs::python::bind_handles(m);
  pgqrs::python::bind_workflow(m);
  pgqrs::python::bind_dequeue(m);
  pgqrs::python::bind_tables(m);
  pgqrs::python::bind_admin(m);
  pgqrs::python::bind_operations(m);
  pgqrs::python::bind_s3(m);
  pgqrs::python::bind_inline_call(m);
}
