#[macro_use]
extern crate rocket;

#[get("/search?<q>&<limit>")]
fn search(q: &str, limit: usize) -> String {
    format!("Searching for {q:?}, showing {limit} results.")
}

#[launch]
fn rocket() -> _ {
    rocket::build().mount("/", routes![search])
}
