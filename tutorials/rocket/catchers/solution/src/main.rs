#[macro_use]
extern crate rocket;

use rocket::Request;

#[get("/")]
fn index() -> &'static str {
    "The only page there is."
}

#[catch(404)]
fn not_found(req: &Request) -> String {
    format!("Sorry, {} is not here.", req.uri())
}

#[launch]
fn rocket() -> _ {
    rocket::build()
        .mount("/", routes![index])
        .register("/", catchers![not_found])
}
