//! HTTP routes, one module per API family.

pub mod native;
pub mod playground;
