//! Empty on purpose: this package only exists so that cargo builds its dependencies
//! (the vetted crates) once; user code links them directly with `--extern`.
