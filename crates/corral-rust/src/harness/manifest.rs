//! The built-in harnesses: `harnesses/<id>/harness.toml` and its templates, embedded at
//! build time and parsed (and checked) once on first use.

use super::args::{ArgSpec, ArgType};
use super::{Harness, HarnessError, Output, Placement};
use serde::Deserialize;
use std::sync::OnceLock;

/// The format of `harness.toml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    id: String,
    version: u32,
    description: String,
    /// A stub that runs, shown to people choosing the harness.
    example: String,
    /// What the stub must provide, said instead of an error inside the harness's code.
    #[serde(default)]
    needs: Option<String>,
    crate_type: String,
    #[serde(default)]
    test: bool,
    #[serde(default)]
    crates: Vec<String>,
    #[serde(default)]
    link_shared: bool,
    placement: Placement,
    stub_file: String,
    crate_root: String,
    #[serde(default)]
    stub_suffix: Option<String>,
    #[serde(default)]
    run_args: Vec<String>,
    #[serde(default)]
    output: Output,
    #[serde(default)]
    files: Vec<FileSpec>,
    #[serde(default)]
    args: Vec<ArgSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSpec {
    /// Where the rendered file goes in the work dir.
    path: String,
    /// The template's file name in the harness's directory.
    template: String,
}

/// One embedded harness directory.
struct Embedded {
    dir: &'static str,
    manifest: &'static str,
    templates: &'static [(&'static str, &'static str)],
}

macro_rules! embed {
    ($dir:literal $(, $template:literal)*) => {
        Embedded {
            dir: $dir,
            manifest: include_str!(concat!("../../../../harnesses/", $dir, "/harness.toml")),
            templates: &[$(($template, include_str!(concat!("../../../../harnesses/", $dir, "/", $template)))),*],
        }
    };
}

const EMBEDDED: &[Embedded] = &[
    embed!("bin"),
    embed!("expr", "main.rs.tmpl"),
    embed!("test"),
    embed!("doctest"),
    embed!("rocket-request", "main.rs.tmpl", "entry.rs.tmpl"),
];

/// Every built-in harness, in a fixed order (`bin` first).
pub fn builtin() -> &'static [Harness] {
    static ALL: OnceLock<Vec<Harness>> = OnceLock::new();
    ALL.get_or_init(|| {
        EMBEDDED
            .iter()
            .map(|e| load(e).unwrap_or_else(|err| panic!("built-in harness {}: {err}", e.dir)))
            .collect()
    })
}

/// The built-in harness with this id.
pub fn find(id: &str) -> Option<&'static Harness> {
    builtin().iter().find(|h| h.id == id)
}

/// Like [`find`], with an error that lists the harnesses there are.
pub fn get(id: &str) -> Result<&'static Harness, HarnessError> {
    find(id).ok_or_else(|| HarnessError::UnknownHarness {
        id: id.to_string(),
        known: builtin().iter().map(|h| h.id.clone()).collect(),
    })
}

fn load(e: &Embedded) -> Result<Harness, String> {
    let m: Manifest = toml::from_str(e.manifest).map_err(|err| err.to_string())?;
    if m.id != e.dir {
        return Err(format!("id {:?} differs from its directory", m.id));
    }
    if m.crate_type != "bin" {
        return Err(format!("unsupported crate_type {:?}", m.crate_type));
    }
    for (i, a) in m.args.iter().enumerate() {
        if m.args[..i].iter().any(|b| b.name == a.name) {
            return Err(format!("argument {:?} declared twice", a.name));
        }
        if (a.kind == ArgType::Enum) == a.values.is_empty() {
            return Err(format!(
                "argument {:?}: `values` goes with type enum",
                a.name
            ));
        }
        if a.required && a.default.is_some() {
            return Err(format!(
                "argument {:?} is required and has a default",
                a.name
            ));
        }
        if let Some(d) = &a.default {
            a.check(d)
                .map_err(|err| format!("default of {:?}: {err}", a.name))?;
        }
        if (a.kind == ArgType::Records) == a.fields.is_empty() {
            return Err(format!(
                "argument {:?}: `fields` goes with type records",
                a.name
            ));
        }
        for f in &a.fields {
            if f.kind == ArgType::Records || f.kind == ArgType::Enum && f.values.is_empty() {
                return Err(format!(
                    "argument {:?}: field {:?} is not a plain argument",
                    a.name, f.name
                ));
            }
            if let Some(d) = &f.default {
                f.check(d)
                    .map_err(|err| format!("default of {:?}.{:?}: {err}", a.name, f.name))?;
            }
        }
    }
    let mut templates = Vec::new();
    for f in &m.files {
        let text = e
            .templates
            .iter()
            .find(|(name, _)| *name == f.template)
            .ok_or_else(|| format!("template {:?} is not embedded", f.template))?
            .1;
        templates.push((f.path.clone(), text));
    }
    let stub_in_module = matches!(m.placement, Placement::Expression | Placement::Module);
    if stub_in_module == templates.is_empty() {
        return Err("templates go with the expression and module placements".into());
    }
    if (m.placement == Placement::Module) != m.stub_suffix.is_some() {
        return Err("stub_suffix goes with the module placement".into());
    }
    if m.link_shared && m.stub_file == m.crate_root {
        return Err("link_shared needs a crate root of the harness's own, not the stub".into());
    }
    Ok(Harness {
        id: m.id,
        version: m.version,
        description: m.description,
        example: m.example,
        needs: m.needs,
        crate_type: m.crate_type,
        test: m.test,
        crates: m.crates,
        link_shared: m.link_shared,
        args: m.args,
        placement: m.placement,
        stub_file: m.stub_file,
        crate_root: m.crate_root,
        stub_suffix: m.stub_suffix,
        run_args: m.run_args,
        output: m.output,
        templates,
    })
}
