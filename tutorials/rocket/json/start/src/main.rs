#[macro_use]
extern crate rocket;

use rocket::serde::json::Json;
use rocket::serde::{Deserialize, Serialize};

/// What a client sends to create a todo.
#[derive(Deserialize)]
#[serde(crate = "rocket::serde")]
struct NewTodo {
    title: String,
}

/// A todo, as the API answers it.
#[derive(Serialize)]
#[serde(crate = "rocket::serde")]
struct Todo {
    id: u32,
    title: String,
    done: bool,
}

#[get("/todos/1")]
fn first() -> Json<Todo> {
    Json(Todo {
        id: 1,
        title: "Read the guide".to_string(),
        done: true,
    })
}

// Add a route for `POST /todos` here, taking `data = "<new>"`.

#[launch]
fn rocket() -> _ {
    rocket::build().mount("/", routes![first])
}
