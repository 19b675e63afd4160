//! Cluster mode on real processes: NATS servers (`nats-server` with JetStream) on
//! loopback ports, `corral serve --cluster` API nodes and `corral worker`s. Each test
//! starts its own cluster in a temporary directory and tears everything down (every
//! process is killed on drop, the directory removed). A test prints `SKIP: <reason>`
//! and returns when nats-server is not installed or the sandbox cannot run here.

mod common;

use common::server::free_port;
use common::ws::{Client, KILLED, end, text};
use serde_json::{Value, json};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a cluster may take to form: JetStream elects its leaders in a few seconds;
/// corral itself retries for 60 s.
const FORMING: Duration = Duration::from_secs(75);
/// Time the longest single request may take (a worker lost mid-job is only noticed
/// after the stream's ack wait, 10 s, and the job then runs again).
const REQUEST: Duration = Duration::from_secs(120);

// ---------------------------------------------------------------------------------
// Processes and directories that clean up after themselves
// ---------------------------------------------------------------------------------

/// A temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(what: &str) -> TempDir {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "corral-cluster-test-{what}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        // A worker killed with SIGKILL leaves the tmpfs of its work dir mounted (the
        // next corral on that data dir would sweep it; there is none): detach every
        // mount under the directory first, deepest first.
        let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
        let mut mounts: Vec<PathBuf> = mountinfo
            .lines()
            .filter_map(|l| l.split(' ').nth(4))
            .map(PathBuf::from)
            .filter(|m| m.starts_with(&self.0))
            .collect();
        mounts.sort_by_key(|m| std::cmp::Reverse(m.components().count()));
        for m in mounts {
            if let Ok(c) = std::ffi::CString::new(m.as_os_str().as_encoded_bytes()) {
                // SAFETY: umount2 reads one NUL-terminated path.
                unsafe { libc::umount2(c.as_ptr(), libc::MNT_DETACH) };
            }
        }
        if let Err(e) = std::fs::remove_dir_all(&self.0) {
            eprintln!("cannot remove {}: {e}", self.0.display());
        }
    }
}

/// A child process whose output goes to a log file; killed (SIGKILL) and reaped on drop.
struct Proc {
    name: String,
    child: Child,
    log: PathBuf,
}

impl Proc {
    fn spawn(name: &str, cmd: &mut Command, log: PathBuf) -> Proc {
        let out = std::fs::File::create(&log).unwrap();
        let child = cmd
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .unwrap_or_else(|e| panic!("starting {name}: {e}"));
        Proc {
            name: name.into(),
            child,
            log,
        }
    }

    fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// SIGKILL: the process gets no chance to tidy up (or to say goodbye to the cluster).
    fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Panics, with its log, if the process has exited.
    fn assert_alive(&mut self) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!("{} exited ({status}):\n{}", self.name, self.log());
        }
    }

    /// The end of the process's log (for failure messages).
    fn log(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let tail = lines[lines.len().saturating_sub(30)..].join("\n");
        format!("--- {} ({}) ---\n{tail}", self.name, self.log.display())
    }

    /// Whether the process has children (a sandbox compiling or running a job).
    fn has_children(&self) -> bool {
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{}/task", self.pid())) else {
            return false;
        };
        tasks.flatten().any(|t| {
            std::fs::read_to_string(t.path().join("children")).is_ok_and(|c| !c.trim().is_empty())
        })
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill9();
    }
}

// ---------------------------------------------------------------------------------
// The cluster: NATS servers, API nodes, workers
// ---------------------------------------------------------------------------------

/// Whether these tests can run here; prints `SKIP: …` when not.
fn can_run() -> bool {
    let nats = Command::new("nats-server")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !nats.is_ok_and(|s| s.success()) {
        eprintln!("SKIP: nats-server is not installed (Debian package nats-server)");
        return false;
    }
    common::sandbox_available()
}

/// `n` NATS servers with JetStream; with more than one, a JetStream cluster whose
/// servers all route to each other.
struct Nats {
    nodes: Vec<Proc>,
    /// The client URLs, as `--cluster` takes them.
    urls: String,
}

impl Nats {
    fn start(dir: &TempDir, n: usize) -> Nats {
        let ports: Vec<(u16, u16)> = (0..n).map(|_| (free_port(), free_port())).collect();
        let routes = ports
            .iter()
            .map(|(_, route)| format!("nats-route://127.0.0.1:{route}"))
            .collect::<Vec<_>>()
            .join(",");
        let mut nodes = vec![];
        for (i, (client, route)) in ports.iter().enumerate() {
            let name = format!("n{i}");
            let store = dir.join(&name);
            std::fs::create_dir_all(&store).unwrap();
            let mut cmd = Command::new("nats-server");
            cmd.args(["-a", "127.0.0.1", "-p", &client.to_string(), "-js", "-sd"])
                .arg(&store)
                .args(["-n", &name]);
            if n > 1 {
                cmd.args(["--cluster_name", "corral"])
                    .args(["--cluster", &format!("nats://127.0.0.1:{route}")])
                    .args(["--routes", &routes]);
            }
            nodes.push(Proc::spawn(
                &format!("nats {name}"),
                &mut cmd,
                dir.join(&format!("{name}.log")),
            ));
        }
        // Each server takes clients within a second; JetStream's leaders come later
        // (corral waits for them).
        let deadline = Instant::now() + Duration::from_secs(10);
        for (node, (client, _)) in nodes.iter_mut().zip(&ports) {
            while TcpStream::connect(("127.0.0.1", *client)).is_err() {
                node.assert_alive();
                assert!(Instant::now() < deadline, "NATS is not up:\n{}", node.log());
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        let urls = ports
            .iter()
            .map(|(client, _)| format!("nats://127.0.0.1:{client}"))
            .collect::<Vec<_>>()
            .join(",");
        Nats { nodes, urls }
    }
}

/// `corral serve --cluster` without local workers.
struct ApiNode {
    proc: Proc,
    base: String,
}

impl ApiNode {
    fn start(dir: &TempDir, nats: &Nats, name: &str) -> ApiNode {
        let port = free_port();
        let mut cmd = Command::new(common::CORRAL);
        cmd.args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .arg("--data-dir")
            .arg(dir.join(name))
            .args(["--cluster", &nats.urls]);
        ApiNode {
            proc: Proc::spawn(name, &mut cmd, dir.join(&format!("{name}.log"))),
            base: format!("http://127.0.0.1:{port}"),
        }
    }

    /// GET `path`: status and body (JSON when it parses, else a string); status 0 when
    /// the node did not answer.
    fn get(&self, path: &str) -> (u16, Value) {
        read(
            ureq::get(&format!("{}{path}", self.base))
                .timeout(Duration::from_secs(10))
                .call(),
        )
    }

    /// POST /api/v1/run.
    fn run(&self, body: &Value) -> (u16, Value) {
        read(
            ureq::post(&format!("{}/api/v1/run", self.base))
                .timeout(REQUEST)
                .set("Content-Type", "application/json")
                .send_string(&body.to_string()),
        )
    }

    /// Waits until /healthz answers; returns that first answer.
    fn wait_answering(&mut self) -> (u16, Value) {
        let deadline = Instant::now() + FORMING;
        loop {
            self.proc.assert_alive();
            let (status, body) = self.get("/healthz");
            if status != 0 {
                return (status, body);
            }
            assert!(
                Instant::now() < deadline,
                "the API node never answered:\n{}",
                self.proc.log()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Waits until /healthz is 200 with `workers` workers in the cluster; returns it.
    fn wait_workers(&mut self, workers: u64, logs: &[&Proc]) -> Value {
        let deadline = Instant::now() + FORMING;
        loop {
            self.proc.assert_alive();
            let (status, body) = self.get("/healthz");
            if status == 200 && body["cluster"]["workers"] == workers {
                return body;
            }
            if Instant::now() > deadline {
                let logs: Vec<String> = logs.iter().map(|p| p.log()).collect();
                panic!(
                    "no {workers} workers at {}: {status} {body}\n{}\n{}",
                    self.base,
                    self.proc.log(),
                    logs.join("\n")
                );
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

/// Status and JSON body of a ureq result; status 0 (and the error) when there was no
/// HTTP answer.
fn read(res: Result<ureq::Response, ureq::Error>) -> (u16, Value) {
    let r = match res {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => return (0, Value::String(e.to_string())),
    };
    let status = r.status();
    let text = r.into_string().unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// `corral worker --id NAME --workers SLOTS` with extra environment variables.
fn worker(dir: &TempDir, nats: &Nats, name: &str, slots: usize, envs: &[(&str, &Path)]) -> Proc {
    let mut cmd = Command::new(common::CORRAL);
    cmd.arg("worker")
        .arg("--data-dir")
        .arg(dir.join(name))
        .args(["--cluster", &nats.urls])
        .args(["--workers", &slots.to_string(), "--id", name]);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    Proc::spawn(name, &mut cmd, dir.join(&format!("{name}.log")))
}

/// A tag unique to this test run, so that no two runs share a memoized result.
fn tag() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

/// The program's stdout of a /api/v1/run answer.
fn stdout(body: &Value) -> Option<&str> {
    body["run"]["stdout"].as_str()
}

// ---------------------------------------------------------------------------------
// 1 and 2: two API nodes, two workers, three NATS servers; a worker and a NATS server die
// ---------------------------------------------------------------------------------

/// Jobs posted through both API nodes while a worker is killed (SIGKILL) in the middle
/// of its jobs are all answered, and correctly; a result computed through one API node
/// is a memo hit through the other; after a NATS server is killed the cluster still
/// runs new jobs.
#[test]
fn jobs_survive_a_killed_worker_and_a_killed_nats_server() {
    if !can_run() {
        return;
    }
    let dir = TempDir::new("ha");
    let nats = Nats::start(&dir, 3);
    let mut api = [
        ApiNode::start(&dir, &nats, "api0"),
        ApiNode::start(&dir, &nats, "api1"),
    ];

    // Without a worker an API node answers, and is not ready.
    for a in &mut api {
        let deadline = Instant::now() + FORMING;
        loop {
            let (status, body) = a.wait_answering();
            assert_eq!(status, 503, "{body}");
            if body
                .to_string()
                .contains("no worker has joined the cluster")
            {
                break;
            }
            // Still baking (a no-op when the bake store is current).
            assert!(Instant::now() < deadline, "{body}");
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    let mut workers = [
        worker(&dir, &nats, "w0", 2, &[]),
        worker(&dir, &nats, "w1", 2, &[]),
    ];
    for a in &mut api {
        let health = a.wait_workers(2, &[&workers[0], &workers[1]]);
        assert_eq!(health["cluster"]["slots"], 4, "{health}");
        let (status, metrics) = a.get("/metrics");
        assert_eq!(status, 200);
        assert!(
            metrics
                .as_str()
                .is_some_and(|m| m.contains("\ncorral_cluster_workers 2\n")),
            "{metrics}"
        );
    }

    // Eight real-time jobs that sleep 2 s (so they are running when the worker dies),
    // four through each API node, each with its own output.
    let tag = tag();
    let jobs: Vec<Value> = (0..8)
        .map(|i| {
            json!({
                "code": format!("fn main() {{ std::thread::sleep(std::time::Duration::from_millis(2000)); println!(\"job-{tag}-{i}\"); }}"),
                "time": "real",
            })
        })
        .collect();
    let started = Instant::now();
    let answers: Vec<(u16, Value)> = std::thread::scope(|s| {
        let posted: Vec<_> = jobs
            .iter()
            .enumerate()
            .map(|(i, job)| {
                let node = &api[i % 2];
                s.spawn(move || node.run(job))
            })
            .collect();
        // Worker 0 dies once it has work in hand (a sandbox compiling or running a job).
        let deadline = Instant::now() + Duration::from_secs(60);
        while !workers[0].has_children() {
            workers[0].assert_alive();
            assert!(
                Instant::now() < deadline,
                "worker 0 never took a job:\n{}",
                workers[0].log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_millis(500));
        workers[0].kill9();
        posted.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let took = started.elapsed();
    for (i, (status, body)) in answers.iter().enumerate() {
        let expected = format!("job-{tag}-{i}\n");
        assert!(
            *status == 200 && stdout(body) == Some(expected.as_str()),
            "job {i} (through api{}) after worker 0 was killed: {status} {body}\n{}\n{}",
            i % 2,
            workers[1].log(),
            api[i % 2].proc.log()
        );
    }
    eprintln!("8 jobs answered in {took:.1?} with a worker killed mid-job");

    // Job 0 went through api0; through api1 it is a memo hit with the same output.
    let (status, body) = api[1].run(&jobs[0]);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["cached"], true, "{body}");
    assert_eq!(stdout(&body), Some(format!("job-{tag}-0\n").as_str()));

    // A NATS server dies; the other two keep JetStream's quorum and the service runs
    // new jobs through both API nodes.
    //
    // While JetStream recovers an API node may answer 503, which a client retries.
    // (Known: corral-cluster's `read_workers` treats a failed read of the workers'
    // bucket as "no workers", so for a while after a NATS server dies API nodes flap
    // to 503 "no worker has joined the cluster yet".) Any other failure fails the test
    // at once, and the service must be back within FAILOVER.
    const FAILOVER: Duration = Duration::from_secs(45);
    let mut nats = nats;
    nats.nodes[2].kill9();
    let killed = Instant::now();
    for (i, a) in api.iter().enumerate() {
        let body = json!({"code": format!("fn main() {{ println!(\"after-{tag}-{i}\"); }}")});
        let mut unavailable = 0;
        let (status, body) = loop {
            let (status, body) = a.run(&body);
            if status != 503 || killed.elapsed() > FAILOVER {
                break (status, body);
            }
            unavailable += 1;
            std::thread::sleep(Duration::from_millis(500));
        };
        assert!(
            status == 200 && stdout(&body) == Some(format!("after-{tag}-{i}\n").as_str()),
            "api{i} after a NATS server was killed: {status} {body}\n{}\n{}",
            a.proc.log(),
            workers[1].log()
        );
        assert_eq!(body["cached"], false, "{body}");
        eprintln!(
            "api{i}: a new run {:.1?} after a NATS server was killed ({unavailable} answers 503 before)",
            killed.elapsed()
        );
    }
    // Processes first, then their directory.
    drop((workers, api, nats));
    drop(dir);
}

// ---------------------------------------------------------------------------------
// 3: streaming through a remote worker
// ---------------------------------------------------------------------------------

/// A WebSocket run through an API node that runs nothing itself: the program's output
/// streams back before it has its input, a line sent to its stdin reaches it on the
/// remote worker, and a kill ends an endless loop there as killed.
#[test]
fn streaming_runs_through_a_remote_worker() {
    if !can_run() {
        return;
    }
    let dir = TempDir::new("live");
    let nats = Nats::start(&dir, 1);
    let mut api = ApiNode::start(&dir, &nats, "api");
    let w = worker(&dir, &nats, "w", 2, &[]);
    api.wait_workers(1, &[&w]);
    let mut c = Client::connect(&api.base);

    // A line read from stdin and echoed.
    let tag = tag();
    let code = format!(
        r#"use std::io::{{BufRead, Write}};
fn main() {{
    println!("ready-{tag}");
    std::io::stdout().flush().unwrap();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).unwrap();
    println!("echo: {{}}", line.trim());
}}
"#
    );
    c.execute(1, &code);
    // The program's first line arrives while it waits for its input.
    c.until_stdout(&format!("ready-{tag}\n"));
    c.control("wsExecuteStdin", Some("through the cluster\n"), 1);
    let rest = c.until_end();
    assert_eq!(
        text(&rest, "wsExecuteStdout"),
        "echo: through the cluster\n",
        "{rest:?}\n{}",
        w.log()
    );
    assert_eq!(
        end(&rest),
        &json!({"success": true, "exitDetail": "Exited with status 0"})
    );

    // An endless loop, killed.
    c.execute(
        2,
        &format!("fn main() {{\n    println!(\"spinning-{tag}\");\n    let mut n = 0u64;\n    loop {{\n        n = std::hint::black_box(n.wrapping_add(1));\n    }}\n}}\n"),
    );
    c.until_stdout(&format!("spinning-{tag}"));
    let killed_at = Instant::now();
    c.control("wsExecuteKill", None, 2);
    let rest = c.until_end();
    assert!(
        killed_at.elapsed() < Duration::from_secs(10),
        "the kill took {:?}",
        killed_at.elapsed()
    );
    assert_eq!(end(&rest), &json!({"success": false, "exitDetail": KILLED}));
    drop(c);
    drop((w, api, nats));
    drop(dir);
}

// ---------------------------------------------------------------------------------
// 4: a plan no worker can run
// ---------------------------------------------------------------------------------

/// The real rustup home (where the toolchains are).
fn rustup_home() -> PathBuf {
    std::env::var_os("RUSTUP_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap()).join(".rustup"))
}

/// With the only worker having nothing but stable, a nightly request is refused at
/// once with an error that says no worker can run it and what the workers have; a
/// stable request still runs on that worker.
#[test]
fn a_plan_no_worker_can_run_is_refused_clearly() {
    if !can_run() {
        return;
    }
    const STABLE: &str = "stable-x86_64-unknown-linux-gnu";
    let real = rustup_home().join("toolchains");
    if !real.join(STABLE).join("bin/rustc").exists()
        || !real.join("nightly-x86_64-unknown-linux-gnu").exists()
    {
        eprintln!(
            "SKIP: needs the stable and nightly toolchains in {}",
            real.display()
        );
        return;
    }
    let dir = TempDir::new("caps");
    // A rustup home with stable only.
    let stable_only = dir.join("rustup");
    std::fs::create_dir_all(stable_only.join("toolchains")).unwrap();
    std::os::unix::fs::symlink(
        real.join(STABLE),
        stable_only.join("toolchains").join(STABLE),
    )
    .unwrap();

    let nats = Nats::start(&dir, 1);
    // The API node has every toolchain (it resolves "nightly" into a plan); the only
    // worker has stable.
    let mut api = ApiNode::start(&dir, &nats, "api");
    let w = worker(&dir, &nats, "w", 1, &[("RUSTUP_HOME", &stable_only)]);
    let health = api.wait_workers(1, &[&w]);
    let toolchains = &health["cluster"]["capabilities"][0]["toolchains"];
    assert!(
        toolchains
            .as_array()
            .is_some_and(|t| t.len() == 1 && t[0].as_str().unwrap().starts_with("stable ")),
        "the worker should have stable only: {health}"
    );

    let tag = tag();
    let started = Instant::now();
    let (status, body) = api.run(&json!({
        "code": format!("fn main() {{ println!(\"nightly-{tag}\"); }}"),
        "channel": "nightly",
    }));
    assert_eq!(status, 400, "{body}");
    let error = body["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("no worker in the cluster can run this request: it needs nightly")
            && error.contains("the workers have: stable "),
        "{body}"
    );
    // Refused at once, not after the job's deliveries time out.
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );

    // The same worker runs stable.
    let (status, body) = api.run(&json!({
        "code": format!("fn main() {{ println!(\"stable-{tag}\"); }}"),
    }));
    assert!(
        status == 200 && stdout(&body) == Some(format!("stable-{tag}\n").as_str()),
        "{status} {body}\n{}",
        w.log()
    );
    drop((w, api, nats));
    drop(dir);
}
