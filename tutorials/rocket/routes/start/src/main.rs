#[macro_use]
extern crate rocket;

#[get("/")]
fn index() -> &'static str {
    "Welcome to Rocket!"
}

// Add a `hello` route here.

#[launch]
fn rocket() -> _ {
    rocket::build().mount("/", routes![index])
}
