#[macro_use]
extern crate rocket;

#[get("/")]
fn index() -> &'static str {
    "The only page there is."
}

#[launch]
fn rocket() -> _ {
    rocket::build().mount("/", routes![index])
}
