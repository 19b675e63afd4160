//! `corral worker`: a cluster's worker. It bakes the default crates if needed, then
//! announces what it can run and runs the jobs of the cluster's stream in its sandbox
//! (docs/cluster.md).

use crate::serve::{ClusterArgs, bake_defaults};
use anyhow::Context;
use clap::Args;
use corral_rust::config::StepLimits;
use corral_rust::pipeline::Pipeline;
use corral_sandbox::Sandbox;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

#[derive(Args, Debug)]
pub struct WorkerArgs {
    #[command(flatten)]
    cluster: ClusterArgs,
    /// Where this worker's work dirs live (default: ~/.local/share/corral).
    #[arg(long = "data-dir", env = "CORRAL_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Jobs run at once (default: one per core).
    #[arg(long)]
    workers: Option<usize>,
    /// Configuration file (TOML): [limits.compile], [limits.run].
    #[arg(long, env = "CORRAL_CONFIG")]
    config: Option<PathBuf>,
    /// This worker's name in the cluster (default: worker-<host>-<pid>).
    #[arg(long)]
    id: Option<String>,
}

pub fn run(args: WorkerArgs) -> anyhow::Result<u8> {
    let id = args.id.clone().unwrap_or_else(|| {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
        format!("worker-{}-{}", host.trim(), std::process::id())
    });
    if !id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c))
    {
        anyhow::bail!("--id {id:?}: use letters, digits, - and _ only");
    }
    let Some(connect) = args.cluster.connect(id.clone()) else {
        anyhow::bail!("corral worker needs --cluster nats://HOST:PORT[,…]");
    };
    let limits =
        StepLimits::load(args.config.as_deref(), std::env::vars()).map_err(anyhow::Error::msg)?;
    let data_dir = args.data_dir.unwrap_or_else(crate::serve::default_data_dir);
    std::fs::create_dir_all(&data_dir)
        .with_context(|| format!("creating {}", data_dir.display()))?;
    let pipeline = Pipeline::new(
        Sandbox::new(crate::helper())?,
        corral_rust::toolchain::discover(&corral_rust::toolchain::rustup_home()),
        limits,
        corral_rust::bake::default_store(),
        data_dir.join("work"),
    );
    bake_defaults(&pipeline, &|_| {}).map_err(anyhow::Error::msg)?;
    let slots = args.workers.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
    });
    pipeline.keep_jails_warm(slots);
    rocket::execute(async move {
        use rocket::tokio::signal::unix::{SignalKind, signal};
        let cluster = connect
            .cluster(Duration::from_secs(60))
            .await
            .context("joining the cluster")?;
        let pipeline = Arc::new(pipeline);
        let jails = pipeline.clone();
        let worker = corral_cluster::worker::Worker {
            cluster,
            pipeline,
            slots,
            id,
        };
        let (stop, stopped) = rocket::tokio::sync::watch::channel(false);
        let mut term = signal(SignalKind::terminate())?;
        let mut int = signal(SignalKind::interrupt())?;
        rocket::tokio::spawn(async move {
            rocket::tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
            eprintln!("corral worker: stopping: no new jobs; the running ones finish");
            let _ = stop.send(true);
        });
        worker.run(stopped).await?;
        let _ = rocket::tokio::task::spawn_blocking(move || jails.sandbox().close_pool()).await;
        eprintln!("corral worker: stopped");
        Ok(0)
    })
}
