//! corral-server: the HTTP face of corral (Rocket). Runs requests through the Rust
//! pipeline behind a bounded queue, remembers results, answers the native API.
//!
//! **Architecture invariant:** knows nothing about how the jail works inside; it
//! only calls `corral_rust::pipeline::Pipeline`.

pub mod api;
pub mod cors;
pub mod error;
pub mod memo;
pub mod queue;
pub mod ratelimit;
pub mod routes;
pub mod state;

use rocket::{Build, Rocket, catchers, routes};
use state::App;

/// The Rocket application with every route, over `app`.
pub fn rocket(app: App, figment: rocket::figment::Figment) -> Rocket<Build> {
    use routes::native;
    rocket::custom(figment)
        .manage(app)
        .attach(cors::Cors)
        .mount(
            "/",
            routes![
                native::run,
                native::run_harness,
                native::harnesses,
                native::toolchains,
                native::crates,
                native::healthz,
                native::metrics,
                routes::tools::format,
                routes::tools::clippy,
                routes::tools::compile,
                routes::tools::miri,
                cors::preflight,
            ],
        )
        .mount("/", routes::playground::routes())
        .register("/", catchers![error::default_catcher])
}
