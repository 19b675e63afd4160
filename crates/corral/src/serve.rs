//! `corral serve`: the HTTP API on an embedded default (127.0.0.1:8000). It listens at
//! once; until the default crates are baked, /healthz says so and runs answer 503.

use anyhow::Context;
use clap::Args;
use corral_rust::bake::{self, BakeMode};
use corral_rust::config::StepLimits;
use corral_rust::pipeline::Pipeline;
use corral_sandbox::Sandbox;
use corral_server::front::{Front, Limits};
use corral_server::memo::Memo;
use corral_server::ratelimit::RateLimiter;
use corral_server::routes::download::{Offer, Offered};
use corral_server::state::{App, Lifecycle};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

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
    #[command(flatten)]
    cluster: ClusterArgs,
    /// With --cluster: jobs this node also runs itself, as a worker (default: none).
    #[arg(long, default_value_t = 0)]
    workers: usize,
    /// Listen on this machine's LAN address (its first non-loopback IPv4 address that
    /// is up) at --listen's port, and print its URL and a QR code of it.
    #[arg(long)]
    lan: bool,
    /// Offer this bake archive (`corral bake --export`) on /download, with the corral
    /// binary; it must verify with --offer-key.
    #[arg(long, value_name = "ARCHIVE", requires = "offer_key")]
    offer: Option<PathBuf>,
    /// The public key that signed the offered archive, offered with it.
    #[arg(long = "offer-key", value_name = "PUBKEY", requires = "offer")]
    offer_key: Option<PathBuf>,
}

/// How a node joins a cluster (`corral serve --cluster`, `corral worker`).
#[derive(Args, Debug, Clone)]
pub struct ClusterArgs {
    /// NATS servers with JetStream: nats://HOST:PORT[,nats://…]. Without it, jobs run
    /// in this process.
    #[arg(long, env = "CORRAL_CLUSTER")]
    pub cluster: Option<String>,
    /// A file holding this node's NATS nkey seed (`SU…`).
    #[arg(long = "nkey-seed", env = "CORRAL_NKEY_SEED")]
    pub nkey_seed: Option<PathBuf>,
    /// A NATS credentials file (user JWT and seed).
    #[arg(long, env = "CORRAL_CREDS")]
    pub creds: Option<PathBuf>,
}

impl ClusterArgs {
    pub fn connect(&self, name: String) -> Option<corral_cluster::Connect> {
        Some(corral_cluster::Connect {
            urls: self.cluster.clone()?,
            nkey_seed_file: self.nkey_seed.clone(),
            creds_file: self.creds.clone(),
            name,
        })
    }
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
    /// Client addresses tracked by the rate limit at once (least recently seen go).
    rate_clients: usize,
    /// The header a trusted reverse proxy puts the client's address in (for example
    /// "X-Real-IP"); none by default: the connection's peer address is the client.
    ip_header: Option<String>,
    /// Client connections open at once (default: half of RLIMIT_NOFILE's soft limit).
    max_connections: Option<usize>,
    /// Seconds: an idle keep-alive connection is closed after `idle_timeout`; a request's
    /// headers must arrive within `header_timeout`, its body within `body_timeout`.
    idle_timeout: u64,
    header_timeout: u64,
    body_timeout: u64,
    /// Seconds in-flight runs get to finish after SIGTERM or SIGINT before they are
    /// killed (default: the compile step's wall limit plus the run step's).
    shutdown_grace: Option<u64>,
    /// Jails kept started ahead for each kind of step, compile and run (default: one
    /// per worker; 0 starts every jail when its step comes).
    jail_pool: Option<usize>,
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
            rate_clients: corral_server::ratelimit::MAX_CLIENTS,
            ip_header: None,
            max_connections: None,
            idle_timeout: 5,
            header_timeout: 10,
            body_timeout: 20,
            shutdown_grace: None,
            jail_pool: None,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct FileWithServer {
    #[serde(default)]
    server: Option<toml::Value>,
}

pub(crate) fn default_data_dir() -> PathBuf {
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
    let listen = if args.lan {
        SocketAddr::from((lan_address()?, args.listen.port()))
    } else {
        args.listen
    };
    // Checked and hashed once, before anything listens: a bad archive stops the start.
    let offer = match (&args.offer, &args.offer_key) {
        (Some(archive), Some(key)) => {
            let offer = offer(archive, key)?;
            eprintln!(
                "corral: offering corral, {} and {} on /download; the key's fingerprint: {}",
                offer.archive.name, offer.key.name, offer.fingerprint
            );
            Some(std::sync::Arc::new(offer))
        }
        _ => None,
    };
    let data_dir = args.data_dir.unwrap_or_else(default_data_dir);
    std::fs::create_dir_all(&data_dir)
        .with_context(|| format!("creating {}", data_dir.display()))?;
    // Sandbox::new sweeps the cgroups of dead corral processes, killing what still runs
    // in them: what a crashed predecessor left running.
    let sandbox = Sandbox::new(crate::helper())?;
    let toolchains = corral_rust::toolchain::discover(&corral_rust::toolchain::rustup_home());
    let store = bake::default_store();
    let grace = settings
        .shutdown_grace
        .map(Duration::from_secs)
        .unwrap_or(limits.compile.wall + limits.run.wall);
    let pipeline = Pipeline::new(
        sandbox,
        toolchains,
        limits,
        store.clone(),
        data_dir.join("work"),
    );
    let limiter = RateLimiter::with_capacity(
        settings.rate_per_minute,
        settings.rate_burst,
        settings.rate_clients,
    );
    let node = format!("api-{}-{}", std::process::id(), listen.port());
    let cluster = args.cluster.connect(node.clone());
    // In-process: the SQLite memo store and queue. In a cluster: NATS (see `cluster_app`).
    let local = match &cluster {
        None => Some(
            Memo::open(&data_dir.join("corral.sqlite"), settings.memo_bytes)
                .context("opening the memo store")?,
        ),
        Some(_) => None,
    };
    let (workers, queue, memo_bytes) =
        (settings.workers.max(1), settings.queue, settings.memo_bytes);
    let local_slots = args.workers;
    let mut front_limits = Limits::for_nofile(nofile_soft());
    if let Some(n) = settings.max_connections {
        front_limits.max_connections = n.max(1);
        front_limits.max_forwarded = (n / 3).max(4);
        front_limits.max_forwarded_per_client = (n / 12).max(4);
    }
    if settings.ip_header.is_some() {
        // Behind a reverse proxy every connection comes from the proxy.
        front_limits.max_forwarded_per_client = 0;
    }
    front_limits.idle = Duration::from_secs(settings.idle_timeout.max(1));
    front_limits.header = Duration::from_secs(settings.header_timeout.max(1));
    front_limits.body = Duration::from_secs(settings.body_timeout.max(1));

    // Rocket listens on an ephemeral loopback port that only the front layer
    // (corral_server::front) connects to; it trusts no forwarded-address header (the
    // `Client` guard reads `[server] ip_header` itself), and its own signal handling is
    // off: `drain` below does the shutdown.
    let figment = rocket::Config::figment()
        .merge(("address", std::net::Ipv4Addr::LOCALHOST))
        .merge(("port", 0))
        .merge(("ip_header", false))
        .merge(("shutdown.ctrlc", false))
        .merge(("shutdown.signals", Vec::<String>::new()))
        .merge(("shutdown.grace", 1))
        .merge(("shutdown.mercy", 1))
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
    // Bound now, so that connections wait in the backlog while Rocket starts.
    let listener =
        std::net::TcpListener::bind(listen).with_context(|| format!("listening on {listen}"))?;
    listener.set_nonblocking(true)?;
    eprintln!("corral: listening on http://{listen}");
    if args.lan {
        let page = if offer.is_some() { "download" } else { "" };
        print_url_and_qr(&format!("http://{listen}/{page}"));
    } else if offer.is_some() {
        eprintln!("corral: the room downloads from http://{listen}/download");
    }
    let metrics_token = settings.metrics_token;
    let ip_header = settings.ip_header.clone();
    rocket::execute(async move {
        use rocket::tokio::signal::unix::{SignalKind, signal};
        let in_process = cluster.is_none();
        let (mut app, worker) = match (local, cluster) {
            (Some(memo), _) => (App::new(pipeline, memo, workers, queue, limiter), None),
            (None, Some(connect)) => {
                cluster_app(connect, pipeline, limiter, memo_bytes, &node, local_slots).await?
            }
            (None, None) => unreachable!("a memo store or a cluster"),
        };
        app.metrics_token = metrics_token;
        app.ip_header = ip_header;
        app.offer = offer;
        // Bake in the background: the server answers at once, /healthz tells the progress.
        let pipeline = app.pipeline.clone();
        // Jobs run in this process unless it is a cluster's API node without a worker.
        let runs_here = in_process || worker.is_some();
        let jail_pool = settings.jail_pool.unwrap_or(workers);
        let readiness = app.readiness.clone();
        readiness.set(
            false,
            "baking the default crates (stable, debug and release)",
        );
        let runtime = rocket::tokio::runtime::Handle::current();
        let (stop_worker, worker_stop) = rocket::tokio::sync::watch::channel(false);
        std::thread::spawn(move || {
            let progress =
                |line: &str| readiness.set(false, format!("baking the default crates: {line}"));
            match bake_defaults(&pipeline, &progress) {
                Ok(()) => {
                    if runs_here {
                        pipeline.keep_jails_warm(jail_pool);
                    }
                    readiness.set(true, "ready");
                    if let Some(w) = worker {
                        runtime.spawn(async move {
                            if let Err(e) = w.run(worker_stop).await {
                                eprintln!("corral: the local worker stopped: {e}");
                            }
                        });
                    }
                }
                Err(e) => readiness.set(
                    false,
                    format!("baking the default crates failed: {e}; run `corral bake` to see why"),
                ),
            }
        });
        let lifecycle = app.lifecycle.clone();
        let jails = app.pipeline.clone();
        let peers = app.peers.clone();
        let stats = app.connections.clone();
        let rocket = corral_server::rocket(app, figment);

        let mut term = signal(SignalKind::terminate())?;
        let mut int = signal(SignalKind::interrupt())?;
        let (tx, rx) = rocket::tokio::sync::oneshot::channel();
        let tx = std::sync::Mutex::new(Some(tx));
        let rocket = rocket.attach(rocket::fairing::AdHoc::on_liftoff("front", move |r| {
            let sent = (r.config().port, r.shutdown());
            Box::pin(async move {
                if let Some(tx) = tx.lock().unwrap_or_else(|p| p.into_inner()).take() {
                    let _ = tx.send(sent);
                }
            })
        }));
        let mut launch = rocket::tokio::spawn(rocket.launch());
        let (port, shutdown) = rocket::tokio::select! {
            up = rx => up.context("the server did not start")?,
            ended = &mut launch => {
                ended?.context("the server stopped")?;
                anyhow::bail!("the server stopped");
            }
        };
        let front = Front::new(
            front_limits,
            SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, port)),
            peers,
            stats,
        );
        let listener = rocket::tokio::net::TcpListener::from_std(listener)?;
        rocket::tokio::spawn(front.clone().serve(listener));
        let signal = rocket::tokio::select! {
            _ = term.recv() => "SIGTERM",
            _ = int.recv() => "SIGINT",
            ended = &mut launch => {
                ended?.context("the server stopped")?;
                anyhow::bail!("the server stopped");
            }
        };
        eprintln!("corral: {signal}: draining (at most {} s)", grace.as_secs());
        let _ = stop_worker.send(true);
        drain(&front, &lifecycle, grace).await;
        // The jails started ahead are torn down, not left to the next start's sweep.
        let _ = rocket::tokio::task::spawn_blocking(move || jails.sandbox().close_pool()).await;
        shutdown.notify();
        let _ = rocket::tokio::time::timeout(Duration::from_secs(5), launch).await;
        eprintln!("corral: stopped");
        Ok(0)
    })
}

/// The first IPv4 address of an interface that is up and not loopback.
fn lan_address() -> anyhow::Result<std::net::Ipv4Addr> {
    use nix::net::if_::InterfaceFlags;
    let addrs = nix::ifaddrs::getifaddrs().context("listing the network interfaces")?;
    for a in addrs {
        let up = a.flags.contains(InterfaceFlags::IFF_UP)
            && !a.flags.contains(InterfaceFlags::IFF_LOOPBACK);
        let ip = a
            .address
            .as_ref()
            .and_then(|s| s.as_sockaddr_in())
            .map(|s| s.ip());
        if let (true, Some(ip)) = (up, ip)
            && !ip.is_loopback()
            && !ip.is_unspecified()
        {
            return Ok(ip);
        }
    }
    anyhow::bail!(
        "--lan: this machine has no LAN address (no interface that is up has an IPv4 address \
         other than loopback); pass --listen ADDRESS:PORT instead"
    )
}

/// The URL, and a QR code of it, for the room to scan from the projector.
fn print_url_and_qr(url: &str) {
    use qrcode::render::unicode::Dense1x2;
    let mut out = format!("\n  {url}\n\n");
    if let Ok(code) = qrcode::QrCode::new(url.as_bytes()) {
        // Light modules drawn light on a dark terminal background reads as the usual
        // dark-on-light code; the quiet zone keeps it scannable.
        out.push_str(
            &code
                .render::<Dense1x2>()
                .dark_color(Dense1x2::Light)
                .light_color(Dense1x2::Dark)
                .quiet_zone(true)
                .build(),
        );
        out.push('\n');
    }
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{out}");
    let _ = stdout.flush();
}

/// What `/download` offers: the archive (verified against `key` here, once), the key,
/// and this binary, each hashed once.
fn offer(archive: &std::path::Path, key: &std::path::Path) -> anyhow::Result<Offer> {
    use corral_bundle::{PublicKey, Trust};
    let public = PublicKey::read(key)?;
    eprintln!(
        "corral: verifying the offered {} with {}",
        archive.display(),
        key.display()
    );
    let trust = Trust {
        key: Some(public.clone()),
        allow_unsigned: false,
    };
    corral_bundle::verify(archive, &trust)
        .with_context(|| format!("--offer {}: refused", archive.display()))?;
    let offered = |path: PathBuf, name: Option<&str>| -> anyhow::Result<Offered> {
        let name = match name {
            Some(n) => n.to_string(),
            None => path
                .file_name()
                .and_then(|n| n.to_str())
                .context("an offered file needs a name")?
                .to_string(),
        };
        let (size, sha256) = corral_bundle::sha256_file(&path)?;
        Ok(Offered {
            name,
            path,
            size,
            sha256,
        })
    };
    let exe = std::env::current_exe().context("finding this corral binary")?;
    let key_text = std::fs::read_to_string(key)?;
    Offer::new(
        offered(exe, Some("corral"))?,
        offered(archive.to_path_buf(), None)?,
        offered(key.to_path_buf(), None)?,
        key_text,
        public.fingerprint(),
    )
    .map_err(anyhow::Error::msg)
}

/// Graceful shutdown: stop accepting, let the runs in flight finish within `grace`
/// (each still gets its answer), stop the rest (their clients get a 503), close.
async fn drain(front: &Front, lifecycle: &Lifecycle, grace: Duration) {
    use rocket::tokio::time::{Instant, sleep};
    lifecycle.begin_drain();
    front.drain();
    // Busy: a connection with a request in progress, or a run (a WebSocket's too).
    let busy = || front.busy() > 0 || lifecycle.running() > 0;
    let until = |deadline: Instant| async move {
        while busy() && Instant::now() < deadline {
            sleep(Duration::from_millis(50)).await;
        }
    };
    until(Instant::now() + grace).await;
    if busy() {
        let killed = lifecycle.kill_all();
        eprintln!("corral: grace period over: stopping {killed} runs");
        until(Instant::now() + Duration::from_secs(10)).await;
    }
    // Answers being written finish; connections close once idle (300 ms), upgraded
    // ones are closed after a second.
    let deadline = Instant::now() + Duration::from_secs(1);
    while front.open() > 0 && Instant::now() < deadline {
        sleep(Duration::from_millis(50)).await;
    }
    front.close_all();
}

/// The soft limit on open files of this process.
fn nofile_soft() -> u64 {
    let mut l = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes one rlimit through a valid pointer.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut l) } != 0 || l.rlim_cur == 0 {
        return 1024;
    }
    l.rlim_cur.min(1 << 24)
}

/// The application of an API node in a cluster: plans go on the cluster's stream,
/// results and shares live in its buckets; with `slots`, a worker runs here too (once
/// the default crates are baked, so that it offers them).
async fn cluster_app(
    connect: corral_cluster::Connect,
    pipeline: Pipeline,
    limiter: RateLimiter,
    memo_bytes: u64,
    node: &str,
    slots: usize,
) -> anyhow::Result<(App, Option<corral_cluster::worker::Worker>)> {
    let cluster = connect
        .cluster(Duration::from_secs(60))
        .await
        .context("joining the cluster")?;
    let store = corral_cluster::store::KvStore::open(&cluster, memo_bytes).await?;
    let jobs = corral_cluster::jobs::NatsJobs::start(cluster.clone(), node).await?;
    let app = App::for_cluster(
        pipeline,
        std::sync::Arc::new(store),
        limiter,
        Box::new(jobs),
    );
    let worker = (slots > 0).then(|| corral_cluster::worker::Worker {
        cluster,
        pipeline: app.pipeline.clone(),
        slots,
        id: format!("{node}-worker"),
    });
    eprintln!("corral: API node {node} in the cluster at {}", connect.urls);
    Ok((app, worker))
}

pub(crate) fn bake_defaults(pipeline: &Pipeline, progress: &dyn Fn(&str)) -> Result<(), String> {
    let Ok(stable) = corral_rust::toolchain::resolve(pipeline.toolchains(), "stable") else {
        return Err("no stable toolchain".into());
    };
    for mode in BakeMode::ALL {
        // (A bake without the shared library gets it: `bake` adds it.)
        if bake::load(pipeline.bake_store(), stable, mode)
            .ok()
            .flatten()
            .is_none_or(|b| b.shared.is_none())
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
