//! corral-server: the HTTP face of corral (Rocket). Runs requests through the Rust
//! pipeline behind a bounded queue, remembers results, answers the native API.
//!
//! **Architecture invariant:** knows nothing about how the jail works inside; it
//! only calls `corral_rust::pipeline::Pipeline`.

pub mod api;
pub mod cors;
pub mod error;
pub mod front;
pub mod memo;
pub mod queue;
pub mod ratelimit;
pub mod routes;
pub mod runner;
pub mod state;
#[cfg(test)]
mod testing;

use rocket::{Build, Rocket, catchers, routes};
use state::App;

/// The native API's routes: each is described in /api/openapi.json (a test checks).
pub fn native_routes() -> Vec<rocket::Route> {
    use routes::{learn, native, openapi, tools};
    routes![
        native::run,
        native::run_harness,
        native::harnesses,
        native::toolchains,
        native::crates,
        native::healthz,
        native::metrics,
        tools::format,
        tools::clippy,
        tools::compile,
        tools::miri,
        openapi::openapi,
        learn::tutorials,
        learn::tutorial,
        learn::lesson,
        learn::solution,
        learn::check,
    ]
}

/// The Rocket application with every route, over `app`.
pub fn rocket(app: App, figment: rocket::figment::Figment) -> Rocket<Build> {
    rocket::custom(figment)
        .manage(routes::playground::meta::Versions::new(
            app.pipeline.toolchains(),
        ))
        .manage(app)
        .attach(cors::Cors)
        .attach(routes::page::shield())
        .attach(routes::page::FrameGuard)
        .mount("/", native_routes())
        .mount("/", routes![cors::preflight, routes::ws::websocket])
        .mount("/", routes::playground::routes())
        .mount("/", routes::page::routes())
        .mount("/", routes::download::routes())
        .register("/", catchers![error::default_catcher])
}
