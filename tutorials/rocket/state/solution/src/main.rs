#[macro_use]
extern crate rocket;

use rocket::State;
use std::sync::atomic::{AtomicUsize, Ordering};

/// How many visits the application has seen.
struct Visits(AtomicUsize);

#[get("/visit")]
fn visit(visits: &State<Visits>) -> String {
    let n = visits.0.fetch_add(1, Ordering::Relaxed) + 1;
    format!("You are visitor number {n}.")
}

#[launch]
fn rocket() -> _ {
    rocket::build()
        .manage(Visits(AtomicUsize::new(0)))
        .mount("/", routes![visit])
}
