//! HTTP routes, one module per API family.

pub mod native;
pub mod playground;
pub mod tools;
pub mod openapi;
pub mod ws;
