//! Errors a client sees: a status and `{"error": "..."}`, with Retry-After when waiting helps.

use rocket::http::{Header, Status};
use rocket::response::{self, Responder, Response};
use rocket::serde::json::Json;
use serde_json::json;

#[derive(Debug)]
pub struct ApiError {
    pub status: Status,
    pub message: String,
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: Status, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
            retry_after: None,
        }
    }
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(Status::BadRequest, message)
    }
    pub fn busy(message: impl Into<String>, retry_after: u64) -> ApiError {
        ApiError {
            status: Status::ServiceUnavailable,
            message: message.into(),
            retry_after: Some(retry_after),
        }
    }
}

impl From<corral_rust::request::RequestError> for ApiError {
    fn from(e: corral_rust::request::RequestError) -> ApiError {
        let status =
            Status::from_code(crate::queue::refused_status(&e)).unwrap_or(Status::BadRequest);
        ApiError::new(status, e.to_string())
    }
}

impl From<crate::queue::RunError> for ApiError {
    fn from(e: crate::queue::RunError) -> ApiError {
        use crate::queue::RunError;
        match e {
            RunError::Refused(e) => e.into(),
            RunError::Busy { .. } | RunError::ShuttingDown => ApiError::busy(e.to_string(), 5),
            other => ApiError::new(
                Status::from_code(other.http_status()).unwrap_or(Status::InternalServerError),
                other.to_string(),
            ),
        }
    }
}

impl<'r> Responder<'r, 'static> for ApiError {
    fn respond_to(self, req: &'r rocket::Request<'_>) -> response::Result<'static> {
        let mut res = Response::build_from(Json(json!({ "error": self.message })).respond_to(req)?);
        res.status(self.status);
        if let Some(secs) = self.retry_after {
            res.header(Header::new("Retry-After", secs.to_string()));
        }
        res.ok()
    }
}

/// Every error Rocket itself produces (unknown route, body too large, bad JSON …)
/// also answers JSON that says what was wrong.
#[rocket::catch(default)]
pub fn default_catcher(status: Status, _req: &rocket::Request<'_>) -> ApiError {
    let message = match status.code {
        400 => "the request could not be understood (check the JSON body)".to_string(),
        404 => "no such route; see /api/openapi.json".to_string(),
        413 => "the request body is too large".to_string(),
        422 => "the request body does not have the expected fields or types".to_string(),
        _ => format!("{} {}", status.code, status.reason().unwrap_or("error")),
    };
    ApiError::new(status, message)
}
