#[macro_use]
extern crate rocket;

use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};

/// Proof that the request carries the right API key.
struct ApiKey;

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ApiKey {
    type Error = &'static str;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        match req.headers().get_one("X-Api-Key") {
            Some("open-sesame") => Outcome::Success(ApiKey),
            _ => Outcome::Error((Status::Unauthorized, "missing or wrong API key")),
        }
    }
}

#[get("/secret")]
fn secret(_key: ApiKey) -> &'static str {
    "The cake is in the fridge."
}

#[launch]
fn rocket() -> _ {
    rocket::build().mount("/", routes![secret])
}
