//! Rocket's own hello world, the ceiling that bench/api.sh measures corral against.
//! Port from ROCKET_PORT (default 8001).

#[rocket::get("/")]
fn index() -> &'static str {
    "Hello, world!"
}

#[rocket::launch]
fn rocket() -> _ {
    let figment = rocket::Config::figment().merge(("log_level", "off"));
    rocket::custom(figment).mount("/", rocket::routes![index])
}
