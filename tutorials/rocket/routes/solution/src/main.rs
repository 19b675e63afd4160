#[macro_use]
extern crate rocket;

#[get("/")]
fn index() -> &'static str {
    "Welcome to Rocket!"
}

#[get("/hello")]
fn hello() -> &'static str {
    "Hello, Rocket!"
}

#[launch]
fn rocket() -> _ {
    rocket::build().mount("/", routes![index, hello])
}
