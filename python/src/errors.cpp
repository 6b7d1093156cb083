#include "errors.hpp"

#include <Python.h>

#include <chrono>
#include <cstring>
#include <exception>
#include <string>

#include "pgqrs/errors.hpp"

namespace pgqrs::python {

namespace nb = nanobind;

namespace {

// Python exception classes, created once at import (strong references held for the process's life).
enum class py_error {
  base,
  connection,
  queue_not_found,
  worker_not_found,
  queue_already_exists,
  message_not_found,
  serialization,
  config,
  rate_limited,
  validation,
  timeout,
  internal,
  state_transition,
  transient_step,
  retries_exhausted,
  step_not_ready,
  paused,
  count_
};

PyObject* g_types[static_cast<int>(py_error::count_)] = {};

PyObject* type_of(py_error e) {
  return g_types[static_cast<int>(e)];
}

// The one place where C++ errors meet Python classes (spec §10.13). No default: a new error_code fails the
// build (-Wswitch) until it is mapped here.
py_error python_class(error_code code) {
  switch (code) {
    case error_code::config:
    case error_code::missing_config:
      return py_error::config;
    case error_code::connection:
    case error_code::query:
    case error_code::pool_exhausted:
    case error_code::in_doubt:
      return py_error::connection;
    case error_code::queue_not_found:
      return py_error::queue_not_found;
    case error_code::queue_already_exists:
      return py_error::queue_already_exists;
    case error_code::worker_not_found:
      return py_error::worker_not_found;
    case error_code::validation:
    case error_code::payload_too_large:
    case error_code::schema_validation:
      return py_error::validation;
    case error_code::state_transition:
    case error_code::worker_has_pending_messages:
      return py_error::state_transition;
    case error_code::rate_limited:
      return py_error::rate_limited;
    case error_code::timeout:
      return py_error::timeout;
    case error_code::serialization:
      return py_error::serialization;
    case error_code::internal:
      return py_error::internal;
    case error_code::transient:
      return py_error::transient_step;
    case error_code::retries_exhausted:
      return py_error::retries_exhausted;
    case error_code::step_not_ready:
      return py_error::step_not_ready;
    case error_code::paused:
      return py_error::paused;
    // The original raises the base class for these.
    case error_code::not_found:
    case error_code::conflict:
    case error_code::suspended:
    case error_code::workflow_already_exists:
    case error_code::execution_failed:
    case error_code::cancelled:
    case error_code::lease_lost:
      return py_error::base;
  }
  return py_error::base;
}

void set_attr(PyObject* exc, const char* name, PyObject* value) {
  if (value == nullptr) return;
  PyObject_SetAttrString(exc, name, value);
  Py_DECREF(value);
}

void raise(const error& e) {
  PyObject* type = type_of(python_class(e.code()));
  const char* what = e.what();
  // Database messages are not guaranteed to be UTF-8; never fail the translation over it.
  PyObject* text = PyUnicode_DecodeUTF8(what, static_cast<Py_ssize_t>(std::strlen(what)), "replace");
  PyObject* exc = text != nullptr ? PyObject_CallOneArg(type, text) : nullptr;
  Py_XDECREF(text);
  if (exc == nullptr) return;  // a Python error is already set
  // Structured attributes beyond the message (the original has none; they cost nothing here).
  if (const auto* db = dynamic_cast<const database_error*>(&e)) {
    set_attr(exc, "sqlstate",
             db->sqlstate().empty() ? Py_NewRef(Py_None) : PyUnicode_FromString(db->sqlstate().c_str()));
  }
  if (const auto* rl = dynamic_cast<const rate_limited*>(&e)) {
    set_attr(exc, "retry_after",
             PyFloat_FromDouble(std::chrono::duration<double>(rl->retry_after()).count()));
  }
  set_attr(exc, "retryable", PyBool_FromLong(e.retryable() ? 1 : 0));
  PyErr_SetObject(type, exc);
  Py_DECREF(exc);
}

PyObject* make_type(nb::module_& m, const char* name, PyObject* base, const char* doc) {
  // Named pgqrs.<Name>, as the original's classes are, so tracebacks and reprs read the same.
  std::string qualified = std::string("pgqrs.") + name;
  PyObject* type = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, base, nullptr);
  if (type == nullptr) throw nb::python_error();
  m.attr(name) = nb::borrow(type);
  return type;
}

}  // namespace

void register_errors(nb::module_& m) {
  auto def = [&](py_error e, const char* name, const char* doc) {
    g_types[static_cast<int>(e)] =
        make_type(m, name, e == py_error::base ? PyExc_Exception : type_of(py_error::base), doc);
  };
  def(py_error::base, "PgqrsError", "Base class of every pgqrs error.");
  def(py_error::connection, "PgqrsConnectionError", "Connecting to or querying the database failed.");
  def(py_error::queue_not_found, "QueueNotFoundError", "The queue does not exist.");
  def(py_error::worker_not_found, "WorkerNotFoundError", "The worker does not exist.");
  def(py_error::queue_already_exists, "QueueAlreadyExistsError", "A queue with that name exists.");
  def(py_error::message_not_found, "MessageNotFoundError", "The message does not exist.");
  def(py_error::serialization, "SerializationError", "A value could not be converted to or from JSON.");
  def(py_error::config, "ConfigError", "A configuration value (DSN, schema, setting) is missing or invalid.");
  def(py_error::rate_limited, "RateLimitedError", "The producer's enqueue rate limit was exceeded.");
  def(py_error::validation, "ValidationError", "Input or state rejected by a validation rule.");
  def(py_error::timeout, "TimeoutError", "An operation timed out.");
  def(py_error::internal, "InternalError", "An unexpected state inside the library.");
  def(py_error::state_transition, "StateTransitionError",
      "A worker status change the state machine refuses.");
  def(py_error::transient_step, "TransientStepError", "A workflow step failure that may go away (retried).");
  def(py_error::retries_exhausted, "RetriesExhaustedError", "A workflow step failed after all its retries.");
  def(py_error::step_not_ready, "StepNotReadyError", "A workflow step's retry is scheduled for later.");
  def(py_error::paused, "PausedError", "A workflow run is paused.");

  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const error& e) {
      raise(e);
    }
  });
}

}  // namespace pgqrs::python
