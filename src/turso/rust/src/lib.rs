//! Re-exports Turso's C ABI (the `turso_*` functions declared in the crate's turso.h) so that they are kept
//! in this staticlib. Nothing else lives here: the C++ side (src/turso/turso_engine.cpp) owns all policy.
pub use turso_sdk_kit::capi::*;
