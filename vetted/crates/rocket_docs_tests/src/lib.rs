//! Helpers for the examples of Rocket's guide, which its code blocks call in hidden
//! (`# `) lines, so that every block runs as written:
//!
//! - [`map!`] and [`bmap!`]: a `HashMap` or `BTreeMap` literal, each key and value
//!   converted with `Into` to the type the surrounding code expects;
//! - [`assert_form_parses!`]: a form string parses into a type and equals a value;
//! - [`assert_not_form_parses!`]: form strings fail to parse into a type;
//! - [`assert_form_parses_ok!`]: form strings parse into a type;
//! - [`client`]: a blocking local client of a Rocket instance serving some routes.
//!
//! ```
//! use rocket_docs_tests::{assert_form_parses, map};
//! use std::collections::HashMap;
//!
//! assert_form_parses!(HashMap<String, usize>, "a=1&b=2" => map!["a" => 1usize, "b" => 2usize]);
//! ```

// The macros name Rocket through this crate, so that they work in any module.
#[doc(hidden)]
pub use rocket as __rocket;

/// A `HashMap` of the given entries: `map!["a" => 1, "b" => 2]`. Keys and values go
/// through `Into`, so the map's types come from where it is used.
#[macro_export]
macro_rules! map {
    ($($key:expr => $value:expr),* $(,)?) => {{
        #[allow(unused_mut)]
        let mut entries = ::std::collections::HashMap::new();
        $( entries.insert(::std::convert::Into::into($key), ::std::convert::Into::into($value)); )*
        entries
    }};
}

/// A `BTreeMap` of the given entries, as [`map!`] makes a `HashMap`.
#[macro_export]
macro_rules! bmap {
    ($($key:expr => $value:expr),* $(,)?) => {{
        #[allow(unused_mut)]
        let mut entries = ::std::collections::BTreeMap::new();
        $( entries.insert(::std::convert::Into::into($key), ::std::convert::Into::into($value)); )*
        entries
    }};
}

/// Asserts that form strings parse into `T` (with `Form::<T>::parse`) and equal a value.
///
/// - `assert_form_parses!(T, "a=1" => value)`: one form, one value;
/// - `assert_form_parses!(T, "a=1" => v1, "a=2" => v2)`: pairs;
/// - `assert_form_parses!(T, "a=1", "a=01" => value)`: several forms, one value.
///
/// A form that does not parse fails with the form and the errors.
#[macro_export]
macro_rules! assert_form_parses {
    ($T:ty, $form:expr => $value:expr) => {{
        let text = $form;
        match $crate::__rocket::form::Form::<$T>::parse(text) {
            ::std::result::Result::Ok(parsed) => {
                ::std::assert_eq!(parsed, $value, "the form {:?}", text)
            }
            ::std::result::Result::Err(errors) => ::std::panic!(
                "the form {:?} does not parse into {}: {:?}",
                text,
                ::std::stringify!($T),
                errors
            ),
        }
    }};
    ($T:ty, $($form:expr => $value:expr),+ $(,)?) => {{
        $( $crate::assert_form_parses!($T, $form => $value); )+
    }};
    ($T:ty, $($form:expr),+ $(,)? => $value:expr) => {{
        $( $crate::assert_form_parses!($T, $form => $value); )+
    }};
}

/// Asserts that each form string fails to parse into `T`.
#[macro_export]
macro_rules! assert_not_form_parses {
    ($T:ty, $($form:expr),* $(,)?) => {{
        $(
            let text = $form;
            if let ::std::result::Result::Ok(parsed) = $crate::__rocket::form::Form::<$T>::parse(text) {
                // Only its presence is reported: `T` need not be `Debug`.
                let _ = parsed;
                ::std::panic!("the form {:?} parses into {}, but should not", text, ::std::stringify!($T));
            }
        )*
    }};
}

/// Asserts that each form string parses into `T`, whatever the value.
#[macro_export]
macro_rules! assert_form_parses_ok {
    ($T:ty, $($form:expr),* $(,)?) => {{
        $(
            let text = $form;
            if let ::std::result::Result::Err(errors) = $crate::__rocket::form::Form::<$T>::parse(text) {
                ::std::panic!("the form {:?} does not parse into {}: {:?}", text, ::std::stringify!($T), errors);
            }
        )*
    }};
}

/// A blocking local client of a Rocket instance that serves `routes` at `/`, with the
/// debug profile's default configuration, logging only errors (such as colliding
/// routes). Panics when the instance does not ignite.
pub fn client(routes: Vec<rocket::Route>) -> rocket::local::blocking::Client {
    let config = rocket::Config {
        log_level: rocket::config::LogLevel::Critical,
        ..rocket::Config::debug_default()
    };
    let rocket = rocket::custom(config).mount("/", routes);
    match rocket::local::blocking::Client::tracked(rocket) {
        Ok(client) => client,
        Err(e) => panic!("the Rocket instance of the routes does not ignite: {e}"),
    }
}
