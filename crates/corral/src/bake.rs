//! `corral bake`: fetch the vetted crates (trusted, the only step with the network) and
//! build them offline in the sandbox, for each toolchain and mode asked for; or carry
//! bakes to another machine in one archive (`--export`, `--import`: `archive`).

mod archive;

use anyhow::Context;
use clap::Args;
use corral_rust::bake::{self, BakeMode, CrateList};
use corral_rust::toolchain;
use corral_sandbox::Sandbox;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct BakeArgs {
    /// Toolchain to bake for: stable, beta, nightly or a version such as 1.95.0
    /// (repeatable; default stable).
    #[arg(long = "toolchain", value_name = "T")]
    toolchains: Vec<String>,
    /// Release mode only (default: debug and release).
    #[arg(long)]
    release: bool,
    /// Debug mode only (default: debug and release).
    #[arg(long, conflicts_with = "release")]
    debug: bool,
    /// Another crate list: a directory with Cargo.toml and Cargo.lock, or that Cargo.toml.
    #[arg(long, value_name = "FILE")]
    crates: Option<PathBuf>,
    /// Build nothing: write the bakes of the chosen toolchains and modes (default:
    /// stable, debug and release) into one archive FILE.
    #[arg(long, value_name = "FILE", conflicts_with = "import")]
    export: Option<PathBuf>,
    /// With --export: sign the archive with this secret key (`corral key new`).
    #[arg(long, value_name = "SECRET", requires = "export")]
    key: Option<PathBuf>,
    /// Build nothing: verify the archive FILE and put its bakes into the store.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["crates", "toolchains", "debug", "release"])]
    import: Option<PathBuf>,
    /// With --import: the public key (FILE.pub of `corral key new`) that must have
    /// signed the archive.
    #[arg(long, value_name = "PUBKEY", requires = "import")]
    trust: Option<PathBuf>,
    /// With --import: accept an archive that is not signed.
    #[arg(long, requires = "import")]
    unsigned: bool,
}

pub fn run(args: BakeArgs) -> anyhow::Result<u8> {
    if let Some(file) = &args.import {
        return archive::import(file, args.trust.as_deref(), args.unsigned);
    }
    let list = match &args.crates {
        Some(path) => CrateList::from_path(path)?,
        None => CrateList::builtin(),
    };
    let modes = match (args.debug, args.release) {
        (true, _) => vec![BakeMode::Debug],
        (_, true) => vec![BakeMode::Release],
        _ => BakeMode::ALL.to_vec(),
    };
    let asked = if args.toolchains.is_empty() {
        vec!["stable".to_string()]
    } else {
        args.toolchains.clone()
    };
    let home = toolchain::rustup_home();
    let installed = toolchain::discover(&home);
    if installed.is_empty() {
        anyhow::bail!(toolchain::ToolchainError::NoneFound(
            home.display().to_string()
        ));
    }
    // Every name is checked before anything is built.
    let toolchains = asked
        .iter()
        .map(|t| toolchain::resolve(&installed, t))
        .collect::<Result<Vec<_>, _>>()?;
    let store = bake::default_store();
    if let Some(out) = &args.export {
        return archive::export(out, args.key.as_deref(), &store, &toolchains, &modes, &list);
    }
    std::fs::create_dir_all(&store)
        .with_context(|| format!("cannot create the bake store {}", store.display()))?;
    let sandbox = Sandbox::new(crate::helper())?;
    let tty = std::io::stderr().is_terminal();
    eprintln!("corral bake: {} into {}", list.origin, store.display());
    let mut done: Vec<(String, BakeMode)> = vec![];
    let mut failed = vec![];
    for tc in toolchains {
        for &mode in &modes {
            let key = (bake::toolchain_key(tc), mode);
            if done.contains(&key) {
                eprintln!(
                    "[{} {mode}] same commit as a toolchain already baked: nothing to do",
                    tc.channel
                );
                continue;
            }
            done.push(key);
            let label = format!("[{} {mode}]", tc.channel);
            let mut transient = false;
            let mut progress = |line: &str| {
                let mut err = std::io::stderr().lock();
                let passing = line.starts_with("Compiling ") || line.starts_with("Downloaded ");
                if tty && passing {
                    let _ = write!(err, "\r\x1b[2K{label} {line}");
                    transient = true;
                } else {
                    if transient {
                        let _ = write!(err, "\r\x1b[2K");
                        transient = false;
                    }
                    let _ = writeln!(err, "{label} {line}");
                }
                let _ = err.flush();
            };
            let result = bake::bake_with(&sandbox, &store, tc, mode, &list, &mut progress);
            if transient {
                eprint!("\r\x1b[2K");
            }
            match result {
                Ok(b) => eprintln!(
                    "{label} ready: {} crates for rustc {} in {}",
                    b.externs.len(),
                    b.rustc_version,
                    b.store_mount.0.display()
                ),
                Err(e) => {
                    eprintln!("{label} error: {e}");
                    failed.push(label);
                }
            }
        }
    }
    if failed.is_empty() {
        Ok(0)
    } else {
        anyhow::bail!("bake failed for {}", failed.join(", "))
    }
}
