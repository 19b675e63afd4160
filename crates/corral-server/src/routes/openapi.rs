//! `GET /api/openapi.json`: the native API described as OpenAPI 3.0, written by hand.

use rocket::get;
use rocket::http::ContentType;

/// The document (checked by the tests below against the routes mounted).
pub const DOCUMENT: &str = include_str!("openapi.json");

#[get("/api/openapi.json")]
pub fn openapi() -> (ContentType, &'static str) {
    (ContentType::JSON, DOCUMENT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    /// Rocket's `/run/<harness>` as OpenAPI's `/run/{harness}`.
    fn openapi_path(rocket_path: &str) -> String {
        rocket_path
            .split('/')
            .map(
                |seg| match seg.strip_prefix('<').and_then(|s| s.strip_suffix('>')) {
                    Some(name) => format!("{{{}}}", name.trim_end_matches("..")),
                    None => seg.to_string(),
                },
            )
            .collect::<Vec<_>>()
            .join("/")
    }

    #[test]
    fn every_native_route_is_described() {
        let doc: Value = serde_json::from_str(DOCUMENT).expect("openapi.json is JSON");
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.0"));
        let rocket = rocket::build().mount("/", crate::native_routes());
        let mut seen = 0;
        for route in rocket.routes() {
            let path = openapi_path(route.uri.path());
            let method = route.method.as_str().to_ascii_lowercase();
            let op = &doc["paths"][&path][&method];
            assert!(
                op.is_object(),
                "{method} {path} is mounted but not described"
            );
            assert!(
                op["responses"].as_object().is_some_and(|r| !r.is_empty()),
                "{method} {path} has no responses"
            );
            seen += 1;
        }
        assert!(seen >= 8, "only {seen} native routes");
        // The Rust result (docs/contracts.md) with the server's own fields.
        let result = &doc["components"]["schemas"]["RunResult"]["properties"];
        for field in ["status", "step", "limit", "compile", "run", "cached", "key"] {
            assert!(result[field].is_object(), "RunResult lacks {field}");
        }
        let request = &doc["components"]["schemas"]["RunRequest"]["properties"];
        for field in [
            "code",
            "files",
            "harness",
            "args",
            "channel",
            "edition",
            "mode",
            "crate_type",
            "stdin",
            "argv",
            "time",
            "seed",
            "compile_only",
            "limits",
        ] {
            assert!(request[field].is_object(), "RunRequest lacks {field}");
        }
    }

    #[test]
    fn every_reference_resolves() {
        let doc: Value = serde_json::from_str(DOCUMENT).unwrap();
        fn walk(v: &Value, doc: &Value) {
            match v {
                Value::Object(m) => {
                    if let Some(Value::String(r)) = m.get("$ref") {
                        let target = r
                            .strip_prefix("#/")
                            .map(|p| p.split('/').fold(doc, |v, k| &v[k]))
                            .unwrap_or(&Value::Null);
                        assert!(target.is_object(), "dangling $ref {r}");
                    }
                    m.values().for_each(|v| walk(v, doc));
                }
                Value::Array(a) => a.iter().for_each(|v| walk(v, doc)),
                _ => {}
            }
        }
        walk(&doc, &doc);
    }
}
