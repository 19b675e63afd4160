//! Rendering a harness template: `{{name}}` placeholders inside a line, and line-level
//! directives that keep track of which generated lines hold the user's text.
//!
//! - A line that is only `{{lifted}}` becomes the stub's lifted crate-level lines (mapped
//!   back to the user's lines); `{{extern_crates}}` becomes `extern crate NAME;` lines.
//! - A line starting with `{{?condition}}` is kept (without that prefix) only when the
//!   condition holds.
//! - `{{arg.NAME}}` is an argument as a Rust literal, `{{marker}}` the output marker.

/// What a template may refer to.
pub(crate) struct Context<'a> {
    pub lifted: &'a [(String, usize)],
    pub extern_crates: &'a [String],
    pub conditions: &'a [&'a str],
    /// Inline placeholders (`arg.method`, `marker`) and their replacement text.
    pub values: &'a [(String, String)],
}

pub(crate) struct Rendered {
    pub text: String,
    /// Per line of `text` (one per `text.split('\n')` item): the user's line and the bytes
    /// removed from its start, or `None` for harness code.
    pub lines: Vec<Option<(usize, usize)>>,
}

/// Renders `template`; an unknown placeholder or condition is an error (a harness bug).
pub(crate) fn render(template: &str, cx: &Context<'_>) -> Result<Rendered, String> {
    let mut text: Vec<String> = Vec::new();
    let mut lines = Vec::new();
    for line in template.split('\n') {
        match line.trim() {
            "{{lifted}}" => {
                for (l, user_line) in cx.lifted {
                    text.push(l.clone());
                    lines.push(Some((*user_line, 0)));
                }
                continue;
            }
            "{{extern_crates}}" => {
                for name in cx.extern_crates {
                    text.push(format!("extern crate {name};"));
                    lines.push(None);
                }
                continue;
            }
            _ => {}
        }
        let mut line = line;
        if let Some(rest) = line.strip_prefix("{{?") {
            let (cond, rest) = rest
                .split_once("}}")
                .ok_or_else(|| format!("unterminated condition in {line:?}"))?;
            if !is_known_condition(cond) {
                return Err(format!("unknown condition {cond:?}"));
            }
            if !cx.conditions.contains(&cond) {
                continue;
            }
            line = rest;
        }
        text.push(substitute(line, cx.values)?);
        lines.push(None);
    }
    Ok(Rendered {
        text: text.join("\n"),
        lines,
    })
}

/// The conditions a template may test.
pub(crate) const CONDITIONS: &[&str] = &["stub_main"];

fn is_known_condition(cond: &str) -> bool {
    CONDITIONS.contains(&cond)
}

fn substitute(line: &str, values: &[(String, String)]) -> Result<String, String> {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .ok_or_else(|| format!("unterminated placeholder in {line:?}"))?;
        let name = &after[..end];
        let value = values
            .iter()
            .find(|(n, _)| n == name)
            .ok_or_else(|| format!("unknown placeholder {{{{{name}}}}}"))?;
        out.push_str(&value.1);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_directives_and_placeholders() {
        let lifted = vec![("#![feature(x)]".to_string(), 3)];
        let cx = Context {
            lifted: &lifted,
            extern_crates: &["rocket".to_string()],
            conditions: &[],
            values: &[("arg.a".into(), "\"v\"".into())],
        };
        let r = render(
            "//! t\n{{lifted}}\n{{extern_crates}}\nconst A: &str = {{arg.a}};\n{{?stub_main}}x\n",
            &cx,
        )
        .unwrap();
        assert_eq!(
            r.text,
            "//! t\n#![feature(x)]\nextern crate rocket;\nconst A: &str = \"v\";\n"
        );
        assert_eq!(r.lines, vec![None, Some((3, 0)), None, None, None]);
        assert!(render("{{nope}}", &cx).is_err());
        assert!(render("{{?nope}}x", &cx).is_err());
    }
}
