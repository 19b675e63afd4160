//! The tutorials (docs/learn.md): `/api/v1/tutorials` lists them, a lesson answers its
//! text, files, harness and neighbours, its solution, and its check, which runs the
//! learner's files through the normal run path (the same lowering, plan, memo and queue
//! as `POST /api/v1/run`) and evaluates the lesson's expectations on the result.

use crate::api::{FileIn, RunRequest};
use crate::error::ApiError;
use crate::routes::native::{Client, RunAnswer, admit, json_error, run_request};
use crate::state::App;
use corral_learn::{Lesson, Tutorial};
use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{State, get, post};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

fn all() -> Result<&'static [Tutorial], ApiError> {
    corral_learn::tutorials().map_err(|e| {
        ApiError::new(
            Status::InternalServerError,
            format!("the tutorials are broken: {e}"),
        )
    })
}

fn find(tutorial: &str) -> Result<&'static Tutorial, ApiError> {
    all()?
        .iter()
        .find(|t| t.id == tutorial)
        .ok_or_else(|| ApiError::new(Status::NotFound, format!("no tutorial {tutorial:?}")))
}

fn find_lesson(
    tutorial: &str,
    lesson: &str,
) -> Result<(&'static Tutorial, usize, &'static Lesson), ApiError> {
    let t = find(tutorial)?;
    let (i, l) = t.lesson(lesson).ok_or_else(|| {
        ApiError::new(
            Status::NotFound,
            format!("no lesson {lesson:?} in the tutorial {tutorial:?}"),
        )
    })?;
    Ok((t, i, l))
}

/// A tutorial as listed: its id, title, description and lessons (id and title).
fn summary(t: &Tutorial) -> Value {
    let lessons: Vec<Value> = t
        .lessons
        .iter()
        .map(|l| json!({"id": l.id, "title": l.title}))
        .collect();
    json!({"id": t.id, "title": t.title, "description": t.description, "lessons": lessons})
}

#[get("/api/v1/tutorials")]
pub fn tutorials() -> Result<Json<Value>, ApiError> {
    let list: Vec<Value> = all()?.iter().map(summary).collect();
    Ok(Json(json!({ "tutorials": list })))
}

#[get("/api/v1/tutorials/<tutorial>")]
pub fn tutorial(tutorial: &str) -> Result<Json<Value>, ApiError> {
    Ok(Json(summary(find(tutorial)?)))
}

#[get("/api/v1/tutorials/<tutorial>/<lesson>")]
pub fn lesson(tutorial: &str, lesson: &str) -> Result<Json<Value>, ApiError> {
    let (t, i, l) = find_lesson(tutorial, lesson)?;
    let neighbour = |j: Option<usize>| {
        j.and_then(|j| t.lessons.get(j))
            .map(|n| json!({"id": n.id, "title": n.title}))
            .unwrap_or(Value::Null)
    };
    Ok(Json(json!({
        "tutorial": summary(t),
        "id": l.id,
        "title": l.title,
        "number": i + 1,
        "markdown": l.markdown,
        "html": l.html,
        "files": l.files,
        "harness": l.harness,
        "args": l.args,
        "check": l.check,
        "previous": neighbour(i.checked_sub(1)),
        "next": neighbour(Some(i + 1)),
    })))
}

#[get("/api/v1/tutorials/<tutorial>/<lesson>/solution")]
pub fn solution(tutorial: &str, lesson: &str) -> Result<Json<Value>, ApiError> {
    let (_, _, l) = find_lesson(tutorial, lesson)?;
    Ok(Json(json!({ "files": l.solution })))
}

/// The learner's files: `files` (the crate root `src/main.rs` among them), or `code`
/// alone for `src/main.rs`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest {
    pub files: Option<Vec<FileIn>>,
    pub code: Option<String>,
}

/// A check's answer: whether it passed, in words what held or differed, and the run.
#[derive(Serialize)]
pub struct CheckAnswer {
    pub passed: bool,
    pub verdict: String,
    pub result: RunAnswer,
}

#[post("/api/v1/tutorials/<tutorial>/<lesson>/check", data = "<body>")]
pub async fn check(
    tutorial: &str,
    lesson: &str,
    body: Result<Json<CheckRequest>, rocket::serde::json::Error<'_>>,
    app: &State<App>,
    client: Client,
) -> Result<Json<CheckAnswer>, ApiError> {
    admit(app, &client)?;
    let (_, _, l) = find_lesson(tutorial, lesson)?;
    let body = body.map_err(json_error)?.into_inner();
    // The lesson says how its code runs; the learner sends only the files.
    let req = RunRequest {
        code: body.code,
        files: body.files,
        harness: Some(l.harness.clone()),
        args: Some(l.args.clone()),
        ..RunRequest::default()
    }
    .into_request()?;
    let result = run_request(app, req).await?;
    let verdict = l.check.evaluate(&result.result);
    Ok(Json(CheckAnswer {
        passed: verdict.passed,
        verdict: verdict.verdict,
        result,
    }))
}
