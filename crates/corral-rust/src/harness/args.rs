//! Harness arguments: their declared types and rules (from the manifest), validation of
//! what a request sends, and rendering a validated value as a Rust literal for a template.

use super::HarnessError;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One declared argument of a harness (a `[[args]]` table of its manifest). Serialises as
/// the argument's schema.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ArgSpec {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ArgType,
    #[serde(default)]
    pub required: bool,
    /// Used when the request does not send the argument.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
    pub description: String,
    /// The allowed values of an `enum` (matched case-insensitively, stored as spelled here).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// Longest string, or longest item of a list, in characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_len: Option<usize>,
    /// Most items in a list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_items: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    /// A rule for strings and list items beyond length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<ArgFormat>,
    /// The fields of each item of a `records` list: arguments themselves (not records).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<ArgSpec>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ArgType {
    String,
    Integer,
    Boolean,
    Enum,
    /// A list of strings.
    List,
    /// A list of objects, each with the declared `fields` (checked as arguments are).
    Records,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ArgFormat {
    /// An HTTP origin-form target: starts with `/`, printable ASCII without spaces.
    OriginUri,
    /// An HTTP header line `Name: value`: the name an RFC 9110 token, the value without
    /// control characters.
    Header,
}

impl ArgType {
    fn expected(self) -> &'static str {
        match self {
            ArgType::String => "a string",
            ArgType::Integer => "an integer",
            ArgType::Boolean => "a boolean",
            ArgType::Enum => "a string",
            ArgType::List => "a list of strings",
            ArgType::Records => "a list of objects (or that list as JSON text)",
        }
    }
}

impl ArgSpec {
    /// Neither required nor defaulted: templates see it as an `Option`.
    pub fn is_optional(&self) -> bool {
        !self.required && self.default.is_none()
    }

    /// Checks `value` and returns its canonical form. Strings stand in for integers and
    /// booleans (`"5"`, `"true"`), and a single string for a one-item list, as query
    /// strings send them.
    pub(crate) fn check(&self, value: &Value) -> Result<Value, HarnessError> {
        let name = &self.name;
        let wrong = || HarnessError::WrongType {
            name: name.clone(),
            expected: self.kind.expected().to_string(),
            found: describe(value),
        };
        match self.kind {
            ArgType::String => {
                let s = value.as_str().ok_or_else(wrong)?;
                self.check_text(name, s)?;
                Ok(Value::from(s))
            }
            ArgType::Integer => {
                let n = match value {
                    Value::Number(n) => n.as_i64(),
                    Value::String(s) => s.trim().parse::<i64>().ok(),
                    _ => None,
                }
                .ok_or_else(wrong)?;
                if self.min.is_some_and(|min| n < min) || self.max.is_some_and(|max| n > max) {
                    return Err(HarnessError::OutOfRange {
                        name: name.clone(),
                        value: n,
                        range: range_text(self.min, self.max),
                    });
                }
                Ok(Value::from(n))
            }
            ArgType::Boolean => match value {
                Value::Bool(b) => Ok(Value::from(*b)),
                Value::String(s) if s == "true" => Ok(Value::from(true)),
                Value::String(s) if s == "false" => Ok(Value::from(false)),
                _ => Err(wrong()),
            },
            ArgType::Enum => {
                let s = value.as_str().ok_or_else(wrong)?;
                match self.values.iter().find(|v| v.eq_ignore_ascii_case(s)) {
                    Some(v) => Ok(Value::from(v.as_str())),
                    None => Err(HarnessError::NotAllowed {
                        name: name.clone(),
                        value: s.to_string(),
                        allowed: self.values.clone(),
                    }),
                }
            }
            ArgType::List => {
                let items: Vec<&str> = match value {
                    Value::String(s) => vec![s.as_str()],
                    Value::Array(a) => a
                        .iter()
                        .map(|v| v.as_str().ok_or_else(wrong))
                        .collect::<Result<_, _>>()?,
                    _ => return Err(wrong()),
                };
                if let Some(max) = self.max_items.filter(|&m| items.len() > m) {
                    return Err(HarnessError::TooMany {
                        name: name.clone(),
                        count: items.len(),
                        max,
                    });
                }
                for (i, item) in items.iter().enumerate() {
                    self.check_text(&format!("{name}[{i}]"), item)?;
                }
                Ok(Value::from(items))
            }
            ArgType::Records => {
                // From a query string or the command line: the list as JSON text.
                let parsed;
                let value = match value {
                    Value::String(s) => {
                        parsed = serde_json::from_str::<Value>(s).map_err(|_| wrong())?;
                        &parsed
                    }
                    v => v,
                };
                let items = value.as_array().ok_or_else(wrong)?;
                if let Some(max) = self.max_items.filter(|&m| items.len() > m) {
                    return Err(HarnessError::TooMany {
                        name: name.clone(),
                        count: items.len(),
                        max,
                    });
                }
                let mut out = vec![];
                for (i, item) in items.iter().enumerate() {
                    let at = format!("{name}[{i}]");
                    let Value::Object(record) = item else {
                        return Err(HarnessError::WrongType {
                            name: at,
                            expected: "an object".into(),
                            found: describe(item),
                        });
                    };
                    out.push(Value::Object(check_fields(&at, &self.fields, record)?));
                }
                Ok(Value::Array(out))
            }
        }
    }

    fn check_text(&self, name: &str, s: &str) -> Result<(), HarnessError> {
        let len = s.chars().count();
        if let Some(max) = self.max_len.filter(|&m| len > m) {
            return Err(HarnessError::TooLong {
                name: name.to_string(),
                len,
                max,
            });
        }
        let invalid = |reason: String| HarnessError::Invalid {
            name: name.to_string(),
            reason,
        };
        match self.format {
            None => Ok(()),
            Some(ArgFormat::OriginUri) => {
                if !s.starts_with('/') {
                    Err(invalid(format!("{s:?} must start with '/'")))
                } else if let Some(c) = s.chars().find(|c| !c.is_ascii_graphic()) {
                    Err(invalid(format!(
                        "{s:?} may only hold printable ASCII without spaces (found {c:?}); percent-encode the rest"
                    )))
                } else {
                    Ok(())
                }
            }
            Some(ArgFormat::Header) => {
                let Some((header, value)) = s.split_once(':') else {
                    return Err(invalid(format!("{s:?} must look like \"Name: value\"")));
                };
                let header = header.trim();
                let is_tchar = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
                if header.is_empty() || !header.chars().all(is_tchar) {
                    Err(invalid(format!("{header:?} is not a valid header name")))
                } else if value.chars().any(|c| c.is_control() && c != '\t') {
                    Err(invalid(format!(
                        "the value of header {header:?} holds a control character"
                    )))
                } else {
                    Ok(())
                }
            }
        }
    }

    /// A Rust expression for a canonical value (or its absence), for templates: strings and
    /// enums as `"…"` literals, integers and booleans as such, lists as `&["…", …]`, and
    /// optional arguments wrapped in `Some(…)` / `None`.
    pub(crate) fn rust_literal(&self, value: Option<&Value>) -> String {
        let plain = match value {
            None => return "None".to_string(),
            // Records: `&[(field, field, …), …]`, the fields in declared order.
            Some(Value::Array(items)) if self.kind == ArgType::Records => {
                let records: Vec<String> = items
                    .iter()
                    .map(|r| {
                        let fields: Vec<String> = self
                            .fields
                            .iter()
                            .map(|f| f.rust_literal(r.get(&f.name)))
                            .collect();
                        format!("({},)", fields.join(", "))
                    })
                    .collect();
                format!("&[{}]", records.join(", "))
            }
            Some(Value::String(s)) => rust_str(s),
            Some(Value::Array(items)) => {
                let items: Vec<String> = items
                    .iter()
                    .map(|v| rust_str(v.as_str().unwrap_or_default()))
                    .collect();
                format!("&[{}]", items.join(", "))
            }
            Some(v) => v.to_string(),
        };
        if self.is_optional() {
            format!("Some({plain})")
        } else {
            plain
        }
    }
}

/// Validates a request's arguments against `specs`: unknown names are errors, defaults
/// fill in what is missing, and every value comes back in canonical form (absent optional
/// arguments are left out; `null` counts as absent).
pub(crate) fn validate(
    harness: &str,
    specs: &[ArgSpec],
    args: &Map<String, Value>,
) -> Result<Map<String, Value>, HarnessError> {
    if let Some(unknown) = args.keys().find(|k| !specs.iter().any(|s| &s.name == *k)) {
        return Err(HarnessError::UnknownArgument {
            harness: harness.to_string(),
            name: unknown.clone(),
            known: specs.iter().map(|s| s.name.clone()).collect(),
        });
    }
    check_all(specs, args, |name| name.to_string())
}

/// Each of `specs` checked in `given` (defaults filling in, `null` counting as absent),
/// errors naming an argument as `name(spec's name)`.
fn check_all(
    specs: &[ArgSpec],
    given: &Map<String, Value>,
    name: impl Fn(&str) -> String,
) -> Result<Map<String, Value>, HarnessError> {
    let mut out = Map::new();
    for spec in specs {
        match given
            .get(&spec.name)
            .filter(|v| !v.is_null())
            .or(spec.default.as_ref())
        {
            Some(v) => {
                let named = ArgSpec {
                    name: name(&spec.name),
                    ..spec.clone()
                };
                out.insert(spec.name.clone(), named.check(v)?);
            }
            None if spec.required => {
                return Err(HarnessError::MissingArgument {
                    name: name(&spec.name),
                    description: spec.description.clone(),
                });
            }
            None => {}
        }
    }
    Ok(out)
}

/// Checks one record of a `records` argument against its fields, as [`validate`] checks
/// arguments; errors name the field as `NAME[i].FIELD`.
fn check_fields(
    at: &str,
    fields: &[ArgSpec],
    record: &Map<String, Value>,
) -> Result<Map<String, Value>, HarnessError> {
    if let Some(unknown) = record
        .keys()
        .find(|k| !fields.iter().any(|f| &f.name == *k))
    {
        let known: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
        return Err(HarnessError::Invalid {
            name: at.to_string(),
            reason: format!("no field {unknown:?}; its fields: {}", known.join(", ")),
        });
    }
    check_all(fields, record, |field| format!("{at}.{field}"))
}

/// A Rust string literal for `s` that holds nothing but printable ASCII: everything else
/// is escaped, so no value can end the literal or the line it is on.
pub(crate) fn rust_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            _ => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
        }
    }
    out.push('"');
    out
}

fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string {s:?}"),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "an object".into(),
    }
}

fn range_text(min: Option<i64>, max: Option<i64>) -> String {
    match (min, max) {
        (Some(a), Some(b)) => format!("from {a} to {b}"),
        (Some(a), None) => format!("at least {a}"),
        (None, Some(b)) => format!("at most {b}"),
        (None, None) => "any".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(toml_text: &str) -> ArgSpec {
        toml::from_str(toml_text).unwrap()
    }

    #[test]
    fn rust_str_escapes_everything_that_could_escape() {
        assert_eq!(rust_str("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(
            rust_str("x\n\r\té\u{202e}"),
            r#""x\u{a}\u{d}\u{9}\u{e9}\u{202e}""#
        );
    }

    #[test]
    fn integers_and_booleans_accept_query_strings() {
        let n = spec("name = \"n\"\ntype = \"integer\"\ndescription = \"d\"\nmin = 1\nmax = 9");
        assert_eq!(n.check(&json!(5)), Ok(json!(5)));
        assert_eq!(n.check(&json!("7")), Ok(json!(7)));
        assert!(matches!(
            n.check(&json!(10)),
            Err(HarnessError::OutOfRange { value: 10, .. })
        ));
        assert!(matches!(
            n.check(&json!(1.5)),
            Err(HarnessError::WrongType { .. })
        ));
        let b = spec("name = \"b\"\ntype = \"boolean\"\ndescription = \"d\"");
        assert_eq!(b.check(&json!("true")), Ok(json!(true)));
        assert!(b.check(&json!("yes")).is_err());
        assert_eq!(b.rust_literal(Some(&json!(false))), "Some(false)");
    }

    #[test]
    fn required_unknown_and_defaulted_arguments() {
        let specs = vec![
            spec("name = \"r\"\ntype = \"string\"\nrequired = true\ndescription = \"needed\""),
            spec("name = \"d\"\ntype = \"integer\"\ndefault = 3\ndescription = \"x\""),
        ];
        let err = validate("h", &specs, &Map::new()).unwrap_err();
        assert_eq!(err.to_string(), "argument \"r\" is required (needed)");
        let ok = validate("h", &specs, json!({"r": "x"}).as_object().unwrap()).unwrap();
        assert_eq!(Value::Object(ok), json!({"r": "x", "d": 3}));
        let err = validate("h", &specs, json!({"r": "x", "z": 1}).as_object().unwrap());
        assert_eq!(
            err.unwrap_err().to_string(),
            "harness \"h\" has no argument \"z\"; its arguments: r, d"
        );
        assert_eq!(specs[0].rust_literal(Some(&json!("x"))), "\"x\"");
        assert_eq!(specs[1].rust_literal(Some(&json!(3))), "3");
    }

    #[test]
    fn lists_take_one_string_or_many() {
        let l = spec(
            "name = \"h\"\ntype = \"list\"\ndescription = \"d\"\nmax_items = 2\nmax_len = 5\ndefault = []",
        );
        assert_eq!(l.check(&json!("a")), Ok(json!(["a"])));
        assert_eq!(l.check(&json!(["a", "b"])), Ok(json!(["a", "b"])));
        assert!(matches!(
            l.check(&json!(["a", "b", "c"])),
            Err(HarnessError::TooMany {
                count: 3,
                max: 2,
                ..
            })
        ));
        assert_eq!(
            l.check(&json!(["a", "bbbbbb"])),
            Err(HarnessError::TooLong {
                name: "h[1]".into(),
                len: 6,
                max: 5
            })
        );
        assert!(matches!(
            l.check(&json!([1])),
            Err(HarnessError::WrongType { .. })
        ));
        assert_eq!(l.rust_literal(Some(&json!(["a", "\""]))), r#"&["a", "\""]"#);
        assert_eq!(l.rust_literal(Some(&json!([]))), "&[]");
    }

    #[test]
    fn records_check_each_field_and_render_as_tuples() {
        let r = spec(
            r#"name = "then"
type = "records"
description = "d"
max_items = 2
default = []
[[fields]]
name = "uri"
type = "string"
default = "/"
format = "origin-uri"
description = "u"
[[fields]]
name = "body"
type = "string"
description = "b"
[[fields]]
name = "header"
type = "list"
default = []
description = "h"
"#,
        );
        let ok = r
            .check(&json!([{"uri": "/a", "body": "x"}, {"header": "A: 1"}]))
            .unwrap();
        assert_eq!(
            ok,
            json!([{"uri": "/a", "body": "x", "header": []}, {"uri": "/", "header": ["A: 1"]}])
        );
        assert_eq!(
            r.rust_literal(Some(&ok)),
            r#"&[("/a", Some("x"), &[],), ("/", None, &["A: 1"],)]"#
        );
        assert_eq!(r.rust_literal(Some(&json!([]))), "&[]");
        assert_eq!(
            r.check(&json!([{"uri": "nope"}])).unwrap_err().to_string(),
            "argument \"then[0].uri\": \"nope\" must start with '/'"
        );
        assert!(
            r.check(&json!([{"verb": "GET"}]))
                .unwrap_err()
                .to_string()
                .contains("no field \"verb\"; its fields: uri, body, header")
        );
        assert!(matches!(
            r.check(&json!([{}, {}, {}])),
            Err(HarnessError::TooMany { count: 3, .. })
        ));
        assert!(matches!(
            r.check(&json!(["/x"])),
            Err(HarnessError::WrongType { .. })
        ));
        // As a query string or the command line sends it: JSON text.
        assert_eq!(
            r.check(&json!(r#"[{"uri": "/q"}]"#)),
            Ok(json!([{"uri": "/q", "header": []}]))
        );
        assert!(matches!(
            r.check(&json!("not json")),
            Err(HarnessError::WrongType { .. })
        ));
    }
}
