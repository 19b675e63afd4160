//! `corral cluster …` (operating a cluster) and `corral doctor --cluster`.

use crate::serve::ClusterArgs;
use anyhow::Context;
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Subcommand, Debug)]
pub enum ClusterCommand {
    /// Remove from the cluster's memo every result one worker produced (e.g. a
    /// volunteer no longer trusted).
    DropWorker {
        /// The worker's id, as /healthz lists it.
        id: String,
        #[command(flatten)]
        cluster: ClusterArgs,
    },
    /// Make an nkey user for a worker: writes its seed to FILE (mode 0600) and prints
    /// the public key and the lines for the servers' configuration.
    Nkey(NkeyArgs),
}

#[derive(Args, Debug)]
pub struct NkeyArgs {
    /// Where to write the seed (the worker's secret).
    #[arg(long)]
    out: PathBuf,
}

pub fn run(command: ClusterCommand) -> anyhow::Result<u8> {
    match command {
        ClusterCommand::DropWorker { id, cluster } => {
            let connect = cluster
                .connect("corral-admin".into())
                .context("--cluster nats://HOST:PORT[,…] is needed")?;
            rocket::execute(async move {
                let cluster = connect.cluster(Duration::from_secs(20)).await?;
                let n = corral_cluster::admin::drop_worker(&cluster, &id).await?;
                println!("removed {n} results made by {id}");
                Ok(0)
            })
        }
        ClusterCommand::Nkey(args) => {
            use std::io::Write;
            use std::os::unix::fs::OpenOptionsExt;
            let (seed, public) = corral_cluster::admin::new_user_nkey()?;
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&args.out)
                .with_context(|| format!("creating {}", args.out.display()))?;
            writeln!(f, "{seed}")?;
            println!("seed written to {} (keep it secret)", args.out.display());
            println!("public key: {public}");
            println!(
                "add to the servers' authorization users (see docs/cluster.md):\n  {{ nkey: \"{public}\", permissions: $CORRAL_WORKER }}"
            );
            Ok(0)
        }
    }
}

/// `corral doctor --cluster URLS`: the cluster's connection, stream and workers.
pub fn doctor(cluster: &ClusterArgs) -> anyhow::Result<u8> {
    let connect = cluster
        .connect("corral-doctor".into())
        .context("--cluster nats://HOST:PORT[,…] is needed")?;
    rocket::execute(async move {
        let cluster = match connect.cluster(Duration::from_secs(10)).await {
            Ok(c) => c,
            Err(e) => {
                println!("{:<12} {:<8} {e}", "connection", "FAILED");
                return Ok(1);
            }
        };
        let checks = corral_cluster::admin::doctor(&cluster).await;
        let mut ok = true;
        for c in &checks {
            ok &= c.ok;
            let state = if c.ok { "ok" } else { "FAILED" };
            println!("{:<12} {:<8} {}", c.what, state, c.detail);
        }
        Ok(if ok { 0 } else { 1 })
    })
}
