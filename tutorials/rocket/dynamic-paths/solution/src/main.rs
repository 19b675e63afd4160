#[macro_use]
extern crate rocket;

#[get("/hello/<name>/<age>")]
fn hello(name: &str, age: u8) -> String {
    format!("Hello, {name}! You are {age} years old.")
}

#[launch]
fn rocket() -> _ {
    rocket::build().mount("/", routes![hello])
}
