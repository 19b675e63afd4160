#[macro_use]
extern crate rocket;

#[get("/search?<q>&<limit>")]
fn search(q: &str, limit: Option<usize>) -> String {
    let limit = limit.unwrap_or(10);
    format!("Searching for {q:?}, showing {limit} results.")
}

#[launch]
fn rocket() -> _ {
    rocket::build().mount("/", routes![search])
}
