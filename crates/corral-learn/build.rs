//! Embeds `tutorials/` in the crate: writes `$OUT_DIR/tutorials.rs`, a table of every
//! file under it (its path relative to `tutorials/`, and `include_str!` of it), so a
//! change to any lesson rebuilds the crate. The shape is checked here, so a tutorial
//! that lists a lesson without its files fails the build naming it; the contents are
//! checked by `corral_learn::tutorials` (and its tests).

use std::fmt::Write;
use std::path::{Path, PathBuf};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tutorials");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = vec![];
    walk(&root, &root, &mut files);
    files.sort();
    for (rel, _) in &files {
        if let Some(tutorial) = rel.strip_suffix("/tutorial.toml") {
            check_shape(&root, tutorial);
        }
    }
    let mut out =
        String::from("/// Every file under tutorials/: (path relative to it, contents).\n");
    out.push_str("pub static FILES: &[(&str, &str)] = &[\n");
    for (rel, abs) in &files {
        writeln!(
            out,
            "    ({rel:?}, include_str!({:?})),",
            abs.display().to_string()
        )
        .unwrap();
    }
    out.push_str("];\n");
    let dest = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("tutorials.rs");
    std::fs::write(dest, out).unwrap();
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("tutorials: cannot read {}: {e}", dir.display()))
        .flatten()
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        if path.is_dir() {
            walk(root, &path, out);
        } else {
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let abs = path.canonicalize().unwrap();
            out.push((rel, abs));
        }
    }
}

/// Each lesson that `<tutorial>/tutorial.toml` lists has a directory with
/// `lesson.toml`, `text.md`, `start/` and `solution/`.
fn check_shape(root: &Path, tutorial: &str) {
    let manifest = std::fs::read_to_string(root.join(tutorial).join("tutorial.toml")).unwrap();
    let value: toml::Table = toml::from_str(&manifest)
        .unwrap_or_else(|e| panic!("tutorial {tutorial}: tutorial.toml: {e}"));
    let lessons = value
        .get("lessons")
        .and_then(|l| l.as_array())
        .unwrap_or_else(|| panic!("tutorial {tutorial}: tutorial.toml has no `lessons = [...]`"));
    for lesson in lessons {
        let lesson = lesson
            .as_str()
            .unwrap_or_else(|| panic!("tutorial {tutorial}: a lesson is not a string: {lesson}"));
        let dir = root.join(tutorial).join(lesson);
        for need in ["lesson.toml", "text.md", "start", "solution"] {
            if !dir.join(need).exists() {
                panic!(
                    "tutorial {tutorial}, lesson {lesson}: missing {need} (in tutorials/{tutorial}/{lesson}/)"
                );
            }
        }
    }
}
