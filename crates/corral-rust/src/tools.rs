//! The tools beside compile-and-run (rustfmt, Clippy, `--emit asm/llvm-ir/mir`, HIR and
//! macro expansion, Miri), each one sandboxed step under the compile policy: a tool is
//! untrusted as soon as it reads user code.

use crate::pipeline::{PROGRAM, Pipeline, Stop, codegen_flags, compile_policy};
use crate::plan::{Job, Plan};
use crate::request::{CrateType, Edition, RequestError};
use crate::result::Status;
use crate::toolchain::{TOOLCHAIN_MOUNT, Toolchain};
use corral_sandbox::Outcome;
use serde::{Deserialize, Serialize};
use std::io::Read;
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Component, Path};

/// The most of an artifact (asm, LLVM IR, …) that is read back.
pub const ARTIFACT_CAP: u64 = 8 << 20;

/// A tool a request can ask for instead of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tool {
    /// rustfmt on the crate root; the formatted code comes back in `code`.
    Format,
    /// Clippy (`clippy-driver`, called like rustc, check only); its lints are on stderr.
    Clippy,
    /// rustc's assembly, LLVM IR, MIR, HIR or macro expansion, in `code`.
    Emit(EmitTarget),
    /// Miri (never planned today: it needs a sysroot corral cannot build yet).
    Miri,
}

impl Tool {
    pub fn name(self) -> &'static str {
        match self {
            Tool::Format => "rustfmt",
            Tool::Clippy => "Clippy",
            Tool::Emit(_) => "rustc",
            Tool::Miri => "Miri",
        }
    }
}

/// What a tool produced, in the Rust Playground's terms.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolOutput {
    pub success: bool,
    /// "Exited with status N" or "Exited with signal 9 (SIGKILL): kill program".
    pub exit_detail: String,
    /// The formatted code, or the artifact (asm, LLVM IR, MIR, HIR, expanded code).
    pub code: Option<String>,
    /// `code` stops at [`ARTIFACT_CAP`] (or at the output limit, for rustfmt).
    pub code_truncated: bool,
    pub stdout: String,
    pub stderr: String,
    /// `compile_error` when the tool rejected the code; the sandbox's status otherwise.
    pub status: Status,
    /// Why corral failed, when `status` is `internal_error`.
    pub error: Option<String>,
}

/// What `emit` produces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EmitTarget {
    Asm(AsmFlavor),
    LlvmIr,
    Mir,
    /// `-Zunpretty=hir`: nightly only.
    Hir,
    /// `-Zunpretty=expanded`: nightly only.
    MacroExpansion,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AsmFlavor {
    #[default]
    Att,
    Intel,
}

impl EmitTarget {
    /// The Playground's `target` (`asm`, `llvm-ir`, `mir`, `hir`) or `macro-expansion`,
    /// with its `assemblyFlavor` (`att`, `intel`) for `asm`.
    pub fn parse(target: &str, flavor: Option<&str>) -> Result<EmitTarget, RequestError> {
        let flavor = match flavor {
            None | Some("att") => AsmFlavor::Att,
            Some("intel") => AsmFlavor::Intel,
            Some(other) => {
                return Err(RequestError::Invalid(format!(
                    "assembly flavor {other:?} is not att or intel"
                )));
            }
        };
        Ok(match target {
            "asm" => EmitTarget::Asm(flavor),
            "llvm-ir" => EmitTarget::LlvmIr,
            "mir" => EmitTarget::Mir,
            "hir" => EmitTarget::Hir,
            "macro-expansion" => EmitTarget::MacroExpansion,
            other => {
                return Err(RequestError::Invalid(format!(
                    "target {other:?} is not one of asm, llvm-ir, mir, hir, macro-expansion"
                )));
            }
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EmitTarget::Asm(_) => "asm",
            EmitTarget::LlvmIr => "llvm-ir",
            EmitTarget::Mir => "mir",
            EmitTarget::Hir => "hir",
            EmitTarget::MacroExpansion => "macro-expansion",
        }
    }

    /// rustc's flags for this target, and the file (under `target/`) they write.
    fn flags(self) -> (Vec<&'static str>, &'static str) {
        match self {
            // One codegen unit, or rustc ignores `-o` and writes one file per unit.
            EmitTarget::Asm(AsmFlavor::Att) => (
                vec!["--emit", "asm", "-C", "codegen-units=1"],
                "playground.s",
            ),
            EmitTarget::Asm(AsmFlavor::Intel) => (
                vec![
                    "--emit",
                    "asm",
                    "-C",
                    "codegen-units=1",
                    "-C",
                    "llvm-args=-x86-asm-syntax=intel",
                ],
                "playground.s",
            ),
            EmitTarget::LlvmIr => (
                vec!["--emit", "llvm-ir", "-C", "codegen-units=1"],
                "playground.ll",
            ),
            EmitTarget::Mir => (vec!["--emit", "mir"], "playground.mir"),
            EmitTarget::Hir => (vec!["-Zunpretty=hir"], "playground.hir"),
            EmitTarget::MacroExpansion => (vec!["-Zunpretty=expanded"], "playground.expanded.rs"),
        }
    }

    fn needs_nightly(self) -> bool {
        matches!(self, EmitTarget::Hir | EmitTarget::MacroExpansion)
    }
}

impl Pipeline {
    /// Whether `tool` can run on `tc` here (a lowering check: see [`Pipeline::plan`]).
    pub(crate) fn check_tool(&self, tc: &Toolchain, tool: Tool) -> Result<(), RequestError> {
        let installed = |component: &str, binary: &str| {
            tc.has(component) && tc.path.join("bin").join(binary).is_file()
        };
        match tool {
            Tool::Format if !installed("rustfmt", "rustfmt") => {
                Err(self.not_installed("rustfmt", "rustfmt", &tc.channel))
            }
            Tool::Clippy if !installed("clippy", "clippy-driver") => {
                Err(self.not_installed("Clippy", "clippy", &tc.channel))
            }
            Tool::Emit(target) if target.needs_nightly() && !is_nightly(tc) => {
                Err(RequestError::NeedsNightly {
                    what: match target {
                        EmitTarget::Hir => "HIR output (-Zunpretty=hir)",
                        _ => "macro expansion (-Zunpretty=expanded)",
                    }
                    .into(),
                    channel: tc.channel.clone(),
                })
            }
            Tool::Miri if !tc.has("miri") => Err(self.not_installed("Miri", "miri", &tc.channel)),
            Tool::Miri => Err(RequestError::Unsupported(format!(
                "Miri is installed for {}, but corral cannot run it yet (it needs a Miri sysroot built by `cargo miri setup`)",
                tc.channel
            ))),
            _ => Ok(()),
        }
    }

    fn not_installed(&self, tool: &str, component: &str, channel: &str) -> RequestError {
        RequestError::NotInstalled {
            tool: tool.into(),
            component: component.into(),
            channel: channel.to_string(),
            installed_for: self
                .toolchains()
                .iter()
                .filter(|t| t.has(component))
                .map(|t| t.channel.clone())
                .collect(),
        }
    }

    /// Runs a tool plan: one step under the compile policy (a tool is untrusted as
    /// soon as it reads user code). `stop` kills it.
    pub(crate) fn run_tool(
        &self,
        plan: &Plan,
        tool: Tool,
        stop: &Stop,
    ) -> Result<ToolOutput, RequestError> {
        let tc = self.toolchain_of(plan)?;
        self.check_tool(tc, tool)?;
        let baked = self.bake_of(plan, tc)?;
        let code = plan.code();
        let mut stdin: &[u8] = b"";
        let mut files: &[(String, String)] = &plan.files;
        let (mut argv, artifact) = match tool {
            Tool::Format => {
                // rustfmt reads its stdin; an empty work dir is its working directory.
                stdin = code.as_bytes();
                files = &[];
                let argv = vec![
                    format!("{TOOLCHAIN_MOUNT}/bin/rustfmt"),
                    "--edition".into(),
                    plan.edition.as_str().into(),
                ];
                (argv, None)
            }
            Tool::Clippy => {
                let mut argv = vec![
                    format!("{TOOLCHAIN_MOUNT}/bin/clippy-driver"),
                    "--sysroot".into(),
                    TOOLCHAIN_MOUNT.into(),
                ];
                argv.extend(crate_args(plan.edition, plan.crate_type));
                // Check only, as `cargo clippy` does: no code generation.
                argv.extend([
                    "--emit=metadata".into(),
                    "-o".into(),
                    format!("target/lib{PROGRAM}.rmeta"),
                ]);
                (argv, None)
            }
            Tool::Emit(target) => {
                let (flags, file) = target.flags();
                let mut argv = vec![format!("{TOOLCHAIN_MOUNT}/bin/rustc")];
                argv.extend(crate_args(plan.edition, plan.crate_type));
                argv.extend(flags.iter().map(|s| s.to_string()));
                argv.extend(["-o".into(), format!("target/{file}")]);
                (argv, Some((target, file)))
            }
            Tool::Miri => unreachable!("check_tool refuses Miri"),
        };
        if tool != Tool::Format {
            argv.extend(codegen_flags(plan.mode, false));
            if let Some(b) = &baked {
                argv.extend(b.rustc_flags());
            }
        }
        let work = match self.work_dir(files) {
            Ok(w) => w,
            Err(e) => return Ok(internal(format!("cannot prepare the work dir: {e}"))),
        };
        let policy = compile_policy(
            tc,
            work.path(),
            baked.as_deref(),
            plan.limits.compile.clone(),
        );
        let out = match self.step(&policy, &argv, stdin, stop) {
            Ok(o) => o,
            Err(e) => return Ok(internal(e)),
        };
        let mut result = from_outcome(&out);
        let missing = match baked {
            None if !result.success => result
                .stderr
                .lines()
                .find_map(crate::bake::missing_vetted_crate),
            _ => None,
        };
        if let Some(name) = missing {
            return Err(crate::plan::not_baked_using(tc, plan.mode, &name));
        }
        match (tool, artifact) {
            (Tool::Format, _) if result.success => {
                result.code = Some(out.stdout.clone());
                result.code_truncated = out.stdout_truncated;
                result.stdout = String::new();
            }
            (_, Some((target, file))) if result.success => {
                match read_artifact(
                    work.path(),
                    Path::new("target").join(file).as_path(),
                    ARTIFACT_CAP,
                ) {
                    Ok((bytes, truncated)) => {
                        result.code = Some(String::from_utf8_lossy(&bytes).into_owned());
                        result.code_truncated = truncated;
                    }
                    Err(e) => {
                        result.success = false;
                        result.status = Status::InternalError;
                        result.error = Some(format!("cannot read the {}: {e}", target.as_str()));
                    }
                }
            }
            _ => {}
        }
        Ok(result)
    }

    /// Lowers and runs a tool request (a convenience for callers without a queue).
    pub fn tool(&self, req: &crate::request::Request) -> Result<ToolOutput, RequestError> {
        let plan = self.plan(req)?;
        match &plan.job {
            Job::Tool(tool) => self.run_tool(&plan, *tool, &Stop::default()),
            Job::Run(_) => Err(RequestError::Invalid(
                "this request asks for a run, not a tool".into(),
            )),
        }
    }
}

fn is_nightly(tc: &Toolchain) -> bool {
    tc.channel == "nightly" || tc.version.contains("nightly")
}

fn crate_args(edition: Edition, crate_type: CrateType) -> Vec<String> {
    let (root, kind) = match crate_type {
        CrateType::Bin => ("src/main.rs", "bin"),
        CrateType::Lib => ("src/lib.rs", "lib"),
    };
    vec![
        root.into(),
        "--edition".into(),
        edition.as_str().into(),
        "--crate-name".into(),
        PROGRAM.into(),
        "--crate-type".into(),
        kind.into(),
    ]
}

fn from_outcome(out: &Outcome) -> ToolOutput {
    let status = match out.status {
        corral_sandbox::Status::RuntimeError => Status::CompileError,
        other => other.into(),
    };
    ToolOutput {
        success: out.status == corral_sandbox::Status::Success,
        exit_detail: exit_detail(out.exit_code, out.signal),
        code: None,
        code_truncated: false,
        stdout: out.stdout.clone(),
        stderr: out.stderr.clone(),
        status,
        error: out.error.clone(),
    }
}

fn internal(error: String) -> ToolOutput {
    ToolOutput {
        success: false,
        exit_detail: String::new(),
        code: None,
        code_truncated: false,
        stdout: String::new(),
        stderr: String::new(),
        status: Status::InternalError,
        error: Some(error),
    }
}

/// The Rust Playground's exit detail: "Exited with status N", or
/// "Exited with signal 9 (SIGKILL): kill program"; empty when there was no exit.
pub fn exit_detail(exit_code: Option<i32>, signal: Option<i32>) -> String {
    const SIGNALS: [(&str, &str); 15] = [
        ("SIGHUP", "terminal line hangup"),
        ("SIGINT", "interrupt program"),
        ("SIGQUIT", "quit program"),
        ("SIGILL", "illegal instruction"),
        ("SIGTRAP", "trace trap"),
        ("SIGABRT", "abort program"),
        ("SIGBUS", "bus error"),
        ("SIGFPE", "floating-point exception"),
        ("SIGKILL", "kill program"),
        ("SIGUSR1", "user-defined signal 1"),
        ("SIGSEGV", "segmentation violation"),
        ("SIGUSR2", "user-defined signal 2"),
        ("SIGPIPE", "write on a pipe with no reader"),
        ("SIGALRM", "real-time timer expired"),
        ("SIGTERM", "software termination signal"),
    ];
    match (exit_code, signal) {
        (Some(code), _) => format!("Exited with status {code}"),
        (None, Some(sig)) => {
            let (name, what) = usize::try_from(sig)
                .ok()
                .and_then(|s| s.checked_sub(1))
                .and_then(|i| SIGNALS.get(i).copied())
                .unwrap_or(("???", "Unknown signal"));
            format!("Exited with signal {sig} ({name}): {what}")
        }
        (None, None) => String::new(),
    }
}

/// Reads `rel` under `dir` without trusting what the sandbox left there: no component
/// may be a symbolic link, the file must be a regular file with one link (not a FIFO,
/// device or hard link), and at most `cap` bytes are read. Returns (bytes, truncated).
pub fn read_artifact(dir: &Path, rel: &Path, cap: u64) -> std::io::Result<(Vec<u8>, bool)> {
    use nix::fcntl::{OFlag, open, openat};
    use nix::sys::stat::Mode;
    use std::os::unix::fs::MetadataExt;
    let bad = || std::io::Error::other(format!("{} is not a plain relative path", rel.display()));
    let names: Vec<&std::ffi::OsStr> = rel
        .components()
        .map(|c| match c {
            Component::Normal(n) => Ok(n),
            _ => Err(bad()),
        })
        .collect::<Result<_, _>>()?;
    let (last, parents) = names.split_last().ok_or_else(bad)?;
    let dir_flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
    let mut fd: OwnedFd = open(dir, dir_flags, Mode::empty())?;
    for name in parents {
        fd = openat(fd.as_fd(), *name, dir_flags, Mode::empty())?;
    }
    // O_NONBLOCK: opening a FIFO must not wait for a writer.
    let file_flags = OFlag::O_RDONLY
        | OFlag::O_NOFOLLOW
        | OFlag::O_NONBLOCK
        | OFlag::O_NOCTTY
        | OFlag::O_CLOEXEC;
    let file = std::fs::File::from(openat(fd.as_fd(), *last, file_flags, Mode::empty())?);
    let meta = file.metadata()?;
    if !meta.file_type().is_file() || meta.nlink() != 1 {
        return Err(std::io::Error::other(format!(
            "{} is not a regular file with one link",
            rel.display()
        )));
    }
    let mut bytes = vec![];
    file.take(cap + 1).read_to_end(&mut bytes)?;
    let truncated = bytes.len() as u64 > cap;
    bytes.truncate(cap as usize);
    Ok((bytes, truncated))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("corral-tools-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("target")).unwrap();
        dir
    }

    #[test]
    fn the_artifact_reader_refuses_links_fifos_and_caps_size() {
        let dir = temp("reader");
        let t = dir.join("target");
        std::fs::write(t.join("ok.s"), "main:\n").unwrap();
        let (b, cut) = read_artifact(&dir, Path::new("target/ok.s"), 100).unwrap();
        assert_eq!((b.as_slice(), cut), (&b"main:\n"[..], false));
        let (b, cut) = read_artifact(&dir, Path::new("target/ok.s"), 3).unwrap();
        assert_eq!((b.as_slice(), cut), (&b"mai"[..], true));

        std::os::unix::fs::symlink("/etc/passwd", t.join("link.s")).unwrap();
        assert!(read_artifact(&dir, Path::new("target/link.s"), 100).is_err());
        // A link in a parent component is refused too.
        std::os::unix::fs::symlink(&t, dir.join("via")).unwrap();
        assert!(read_artifact(&dir, Path::new("via/ok.s"), 100).is_err());
        nix::unistd::mkfifo(&t.join("fifo.s"), nix::sys::stat::Mode::S_IRWXU).unwrap();
        let started = std::time::Instant::now();
        assert!(read_artifact(&dir, Path::new("target/fifo.s"), 100).is_err());
        assert!(
            started.elapsed() < std::time::Duration::from_secs(2),
            "no wait on a FIFO"
        );
        std::fs::hard_link(t.join("ok.s"), t.join("hard.s")).unwrap();
        assert!(read_artifact(&dir, Path::new("target/hard.s"), 100).is_err());
        std::fs::create_dir(t.join("dir.s")).unwrap();
        assert!(read_artifact(&dir, Path::new("target/dir.s"), 100).is_err());
        assert!(read_artifact(&dir, Path::new("../etc/passwd"), 100).is_err());
        assert!(read_artifact(&dir, Path::new("/etc/passwd"), 100).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn exit_details_read_like_the_playground() {
        assert_eq!(exit_detail(Some(0), None), "Exited with status 0");
        assert_eq!(
            exit_detail(None, Some(9)),
            "Exited with signal 9 (SIGKILL): kill program"
        );
        assert_eq!(
            exit_detail(None, Some(31)),
            "Exited with signal 31 (???): Unknown signal"
        );
    }

    #[test]
    fn targets_parse_and_say_what_is_valid() {
        assert_eq!(
            EmitTarget::parse("asm", Some("intel")).unwrap(),
            EmitTarget::Asm(AsmFlavor::Intel)
        );
        assert_eq!(EmitTarget::parse("mir", None).unwrap(), EmitTarget::Mir);
        assert!(
            EmitTarget::parse("wasm", None)
                .unwrap_err()
                .to_string()
                .contains("asm, llvm-ir")
        );
        let e = RequestError::NotInstalled {
            tool: "rustfmt".into(),
            component: "rustfmt".into(),
            channel: "nightly".into(),
            installed_for: vec!["stable".into()],
        };
        assert!(
            e.to_string()
                .starts_with("rustfmt is not installed for nightly; installed for: stable")
        );
    }
}
