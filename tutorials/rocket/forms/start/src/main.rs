#[macro_use]
extern crate rocket;

// Define `struct Login` here, deriving `FromForm`.

#[post("/login")]
fn login() -> &'static str {
    "Who are you?"
}

#[launch]
fn rocket() -> _ {
    rocket::build().mount("/", routes![login])
}
