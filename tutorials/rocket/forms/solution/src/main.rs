#[macro_use]
extern crate rocket;

use rocket::form::Form;

#[derive(FromForm)]
struct Login<'r> {
    username: &'r str,
    password: &'r str,
}

#[post("/login", data = "<login>")]
fn login(login: Form<Login<'_>>) -> String {
    if login.password == "crab" {
        format!("Welcome, {}!", login.username)
    } else {
        "Wrong password.".to_string()
    }
}

#[launch]
fn rocket() -> _ {
    rocket::build().mount("/", routes![login])
}
