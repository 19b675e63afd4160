#[macro_use]
extern crate rocket;

use rocket::fairing::AdHoc;
use rocket::http::Header;

#[get("/")]
fn index() -> &'static str {
    "Hello from behind a fairing."
}

#[launch]
fn rocket() -> _ {
    rocket::build()
        .mount("/", routes![index])
        .attach(AdHoc::on_response("Served-By", |_req, res| {
            Box::pin(async move {
                res.set_header(Header::new("X-Served-By", "corral"));
            })
        }))
}
