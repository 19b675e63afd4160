//! HTTP routes, one module per API family.

pub mod download;
pub mod learn;
pub mod native;
pub mod openapi;
pub mod page;
pub mod playground;
pub mod tools;
pub mod ws;
