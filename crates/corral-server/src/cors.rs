//! CORS: any origin may call the API (documentation sites, mdBook, bots); preflight
//! requests are answered.

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::{Header, Status};
use rocket::{Request, Response, options};

pub struct Cors;

#[rocket::async_trait]
impl Fairing for Cors {
    fn info(&self) -> Info {
        Info {
            name: "CORS",
            kind: Kind::Response,
        }
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        let path = req.uri().path();
        // The page and its embed route keep their own rules; the APIs are open.
        if path.starts_with("/api/")
            || path.starts_with("/run/")
            || path.starts_with("/meta/")
            || path == "/evaluate.json"
            || !path.as_str().contains('.')
        {
            res.set_header(Header::new("Access-Control-Allow-Origin", "*"));
            res.set_header(Header::new(
                "Access-Control-Allow-Methods",
                "GET, POST, OPTIONS",
            ));
            res.set_header(Header::new(
                "Access-Control-Allow-Headers",
                "Content-Type, Authorization, Accept",
            ));
            res.set_header(Header::new("Access-Control-Max-Age", "3600"));
        }
    }
}

/// Preflight for any path.
#[options("/<_..>")]
pub fn preflight() -> Status {
    Status::NoContent
}
