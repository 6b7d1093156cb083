// pgqrs.as_s3(store) and the S3 store handle (spec §8.6, §10.4): snapshot, sync and state of a store opened on
// s3://bucket/key. The awaitables are pgqrs/_s3.py's; the sync states cross as the original's names.

#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>

#include <string>

#include "bindings.hpp"
#include "pgqrs/pgqrs.hpp"
#include "pgqrs/s3.hpp"

namespace pgqrs::python {
namespace {

/// The original's Python SyncState names (RemoteMissing split by its local_dirty flag).
const char* python_name(sync_state state) {
  switch (state) {
    case sync_state::local_missing:
      return "LocalMissing";
    case sync_state::remote_missing_clean:
      return "RemoteMissingClean";
    case sync_state::remote_missing_dirty:
      return "RemoteMissingDirty";
    case sync_state::in_sync:
      return "InSync";
    case sync_state::local_changes:
      return "LocalChanges";
    case sync_state::remote_changes:
      return "RemoteChanges";
    case sync_state::concurrent_changes:
      return "ConcurrentChanges";
  }
  return "Unknown";
}

}  // namespace

void bind_s3(nb::module_& m) {
  nb::class_<s3_store_handle>(m, "S3StoreHandle", "The S3 operations of one store (pgqrs.as_s3).")
      .def("snapshot", &s3_store_handle::snapshot, release_gil())
      .def("sync", &s3_store_handle::sync, release_gil())
      .def("state",
           [](const s3_store_handle& h) {
             sync_state state{};
             {
               nb::gil_scoped_release unlocked;
               state = h.state();
             }
             return std::string(python_name(state));
           })
      .def_prop_ro("mode",
                   [](const s3_store_handle& h) {
                     return std::string(h.mode() == durability_mode::local ? "local" : "durable");
                   })
      .def("uploads", &s3_store_handle::uploads)
      .def("lost_races", &s3_store_handle::lost_races);

  m.def(
      "as_s3",
      [](const store& s) {
        if (s.backend() != backend_kind::s3) {
          throw nb::type_error(("store backend is '" + std::string(s.backend_name()) + "', expected 's3'").c_str());
        }
        return as_s3(s);
      },
      "store"_a);
}

}  // namespace pgqrs::python
