// The Rocket guide's first example, as written; try:
//   corral run --harness rocket-request --arg uri=/ examples/rocket.rs
#[macro_use]
extern crate rocket;

#[get("/")]
fn index() -> &'static str {
    "Hello, world!"
}

#[launch]
fn rocket() -> _ {
    rocket::build().mount("/", routes![index])
}
