//! `corral serve`: the HTTP API on an embedded default (127.0.0.1:8000). It listens at
//! once; until the default crates are baked, /healthz says so and runs answer 503.

use anyhow::Context;
use clap::Args;
use corral_rust::bake::{self, BakeMode};
use corral_rust::config::StepLimits;
use corral_rust::pipeline::Pipeline;
use corral_sandbox::Sandbox;
use corral_server::memo::Memo;
use corral_server::ratelimit::RateLimiter;
use corral_server::state::App;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8000", env = "CORRAL_LISTEN")]
    listen: SocketAddr,
    /// Where the memo store and shared snippets live (default: ~/.local/share/corral).
    #[arg(long = "data-dir", env = "CORRAL_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Configuration file (TOML): [limits.compile], [limits.run], [server].
    #[arg(long, env = "CORRAL_CONFIG")]
    config: Option<PathBuf>,
}

/// The `[server]` table of the configuration file.
#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct ServerSettings {
    /// Runs at once (default: one per core).
    workers: usize,
    /// Runs that may wait for a worker before the server answers 503.
    queue: usize,
    /// Requests per minute per client (0: no limit), and the burst allowed.
    rate_per_minute: u32,
    rate_burst: u32,
    /// Bytes of cached results kept (least recently used go first).
    memo_bytes: u64,
    /// Bearer token that /metrics requires, if any.
    metrics_token: Option<String>,
}

impl Default for ServerSettings {
    fn default() -> Self {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        ServerSettings {
            workers: cores,
            queue: cores * 16,
            rate_per_minute: 120,
            rate_burst: 30,
            memo_bytes: 256 << 20,
            metrics_token: None,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct FileWithServer {
    #[serde(default)]
    server: Option<toml::Value>,
}

fn default_data_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("XDG_DATA_HOME") {
        return PathBuf::from(d).join("corral");
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/lib"));
    home.join(".local/share/corral")
}

pub fn run(args: ServeArgs) -> anyhow::Result<u8> {
    let limits =
        StepLimits::load(args.config.as_deref(), std::env::vars()).map_err(anyhow::Error::msg)?;
    let mut settings = ServerSettings::default();
    if let Some(path) = &args.config {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let file: FileWithServer =
            toml::from_str(&text).with_context(|| format!("{}", path.display()))?;
        if let Some(table) = file.server {
            settings = table
                .try_into()
                .with_context(|| format!("{}: [server]", path.display()))?;
        }
    }
    if let Ok(token) = std::env::var("CORRAL_METRICS_TOKEN") {
        settings.metrics_token = Some(token);
    }
    let data_dir = args.data_dir.unwrap_or_else(default_data_dir);
    std::fs::create_dir_all(&data_dir)
        .with_context(|| format!("creating {}", data_dir.display()))?;
    let memo = Memo::open(&data_dir.join("corral.sqlite"), settings.memo_bytes)
        .context("opening the memo store")?;
    let sandbox = Sandbox::new(crate::helper())?;
    let toolchains = corral_rust::toolchain::discover(&corral_rust::toolchain::rustup_home());
    let store = bake::default_store();
    let pipeline = Pipeline::new(
        sandbox,
        toolchains,
        limits,
        store.clone(),
        data_dir.join("work"),
    );
    let mut app = App::new(
        pipeline,
        memo,
        settings.workers.max(1),
        settings.queue,
        RateLimiter::new(settings.rate_per_minute, settings.rate_burst),
    );
    app.metrics_token = settings.metrics_token;

    let figment = rocket::Config::figment()
        .merge(("address", args.listen.ip()))
        .merge(("port", args.listen.port()))
        .merge((
            "log_level",
            if std::env::var_os("CORRAL_LOG").is_some() {
                "normal"
            } else {
                "critical"
            },
        ))
        .merge(("limits.json", "1 MiB"))
        .merge(("limits.string", "1 MiB"))
        .merge(("cli_colors", false))
        .merge(("ident", "corral"));
    // Bake in the background: the server answers at once, /healthz tells the progress.
    let pipeline = app.pipeline.clone();
    let readiness = app.readiness.clone();
    readiness.set(
        false,
        "baking the default crates (stable, debug and release)",
    );
    std::thread::spawn(move || {
        let progress =
            |line: &str| readiness.set(false, format!("baking the default crates: {line}"));
        match bake_defaults(&pipeline, &progress) {
            Ok(()) => readiness.set(true, "ready"),
            Err(e) => readiness.set(
                false,
                format!("baking the default crates failed: {e}; run `corral bake` to see why"),
            ),
        }
    });
    eprintln!("corral: listening on http://{}", args.listen);
    let rocket = corral_server::rocket(app, figment);
    rocket::execute(rocket.launch()).context("the server stopped")?;
    Ok(0)
}

fn bake_defaults(pipeline: &Pipeline, progress: &dyn Fn(&str)) -> Result<(), String> {
    let Ok(stable) = corral_rust::toolchain::resolve(pipeline.toolchains(), "stable") else {
        return Err("no stable toolchain".into());
    };
    for mode in BakeMode::ALL {
        if bake::load(pipeline.bake_store(), stable, mode)
            .ok()
            .flatten()
            .is_none()
        {
            bake::bake(
                pipeline.sandbox(),
                pipeline.bake_store(),
                stable,
                mode,
                &mut |line| {
                    eprintln!("corral: bake: {line}");
                    progress(line)
                },
            )
            .map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}
