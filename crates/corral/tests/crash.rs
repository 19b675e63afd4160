//! `corral serve` killed with SIGKILL in the middle of two runs (one sleeping forever, one
//! spinning): no process of either run may outlive it, and a new server on the same data
//! dir starts clean (no cgroup or work dir of the dead one) with the memo and the shares
//! intact. Root only (cgroups, and the sandbox uids are other users' processes).

mod common;

use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Host uids the sandbox maps its user to.
const SANDBOX_UIDS: std::ops::RangeInclusive<u32> = 990_000..=999_999;

struct Serve {
    child: Child,
    base: String,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `corral serve` on `data_dir` and waits until it is ready; `None` (with a SKIP
/// line) when the default crates are not baked within the wait.
fn serve(data_dir: &Path, config: &Path) -> Option<Serve> {
    let port = common::server::free_port();
    let child = Command::new(common::CORRAL)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--config")
        .arg(config)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start corral serve");
    let s = Serve {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match ureq::get(&format!("{}/healthz", s.base)).call() {
            Ok(_) => return Some(s),
            Err(ureq::Error::Status(503, r)) if Instant::now() > deadline => {
                let body = r.into_string().unwrap_or_default();
                println!("SKIP: corral serve is not ready (baking?): {body}");
                return None;
            }
            Err(_) if Instant::now() > deadline => {
                println!("SKIP: corral serve did not start");
                return None;
            }
            _ => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

fn post(base: &str, path: &str, body: &Value) -> (u16, Value) {
    let res = ureq::post(&format!("{base}{path}"))
        .timeout(Duration::from_secs(120))
        .set("Content-Type", "application/json")
        .send_string(&body.to_string());
    read(res)
}

fn get(base: &str, path: &str) -> (u16, Value) {
    read(ureq::get(&format!("{base}{path}")).call())
}

fn read(res: Result<ureq::Response, ureq::Error>) -> (u16, Value) {
    let r = match res {
        Ok(r) | Err(ureq::Error::Status(_, r)) => r,
        Err(e) => return (0, Value::String(e.to_string())),
    };
    let status = r.status();
    let text = r.into_string().unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// One process: pid, its start time (so a reused pid is not taken for it), real uid,
/// parent and name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Proc {
    pid: i32,
    start: u64,
    uid: u32,
    ppid: i32,
    comm: String,
}

fn proc_info(pid: i32) -> Option<Proc> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.split_whitespace().next().unwrap_or("").to_string())
    };
    // Fields after the `(comm)` part, which may hold spaces: state is field 3, start 22.
    let after = &stat[stat.rfind(')')? + 2..];
    let start = after.split_whitespace().nth(19)?.parse().ok()?;
    if field("State:")? == "Z" {
        return None; // a zombie has exited
    }
    Some(Proc {
        pid,
        start,
        uid: field("Uid:")?.parse().ok()?,
        ppid: field("PPid:")?.parse().ok()?,
        comm: field("Name:")?,
    })
}

fn all_procs() -> Vec<Proc> {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .filter_map(proc_info)
        .collect()
}

/// Every live process below `root`.
fn descendants(root: i32) -> Vec<Proc> {
    let procs = all_procs();
    let mut found: BTreeSet<i32> = [root].into();
    loop {
        let before = found.len();
        for p in &procs {
            if found.contains(&p.ppid) {
                found.insert(p.pid);
            }
        }
        if found.len() == before {
            break;
        }
    }
    procs
        .into_iter()
        .filter(|p| p.pid != root && found.contains(&p.pid))
        .collect()
}

fn alive(p: &Proc) -> bool {
    proc_info(p.pid).is_some_and(|now| now.start == p.start)
}

/// The `corral` directories of every cgroup hierarchy (v1: one per controller; v2: one).
fn corral_cgroup_dirs() -> Vec<PathBuf> {
    fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if !e.file_type().is_ok_and(|t| t.is_dir()) {
                continue;
            }
            if e.file_name() == "corral" {
                out.push(p);
            } else if depth > 0 {
                walk(&p, depth - 1, out);
            }
        }
    }
    let mut out = vec![];
    walk(Path::new("/sys/fs/cgroup"), 5, &mut out);
    out
}

/// cgroups made by the server with `pid` (named `<pid>-<n>`).
fn cgroups_of(pid: i32) -> Vec<PathBuf> {
    let prefix = format!("{pid}-");
    corral_cgroup_dirs()
        .iter()
        .filter_map(|d| std::fs::read_dir(d).ok())
        .flat_map(|rd| rd.flatten())
        .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
        .map(|e| e.path())
        .collect()
}

/// Work dirs made by the server with `pid` (`DATA_DIR/work/<pid>-<n>`).
fn work_dirs_of(data_dir: &Path, pid: i32) -> Vec<PathBuf> {
    let prefix = format!("{pid}-");
    std::fs::read_dir(data_dir.join("work"))
        .map(|rd| {
            rd.flatten()
                .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
                .map(|e| e.path())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_killed_server_leaves_no_run_behind_and_its_successor_starts_clean() {
    if !common::is_root() {
        println!("SKIP: not root (needs cgroups and the sandbox uids' processes)");
        return;
    }
    if !common::sandbox_available() {
        println!("SKIP: no sandbox here");
        return;
    }
    let data_dir = std::env::temp_dir().join(format!("corral-crash-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    std::fs::create_dir_all(&data_dir).unwrap();
    let config = data_dir.join("corral.toml");
    // Room for the two long runs; no rate limit.
    std::fs::write(
        &config,
        "[server]\nworkers = 2\nrate_per_minute = 0\n[limits.run]\nwall = \"120s\"\ncpu = \"120s\"\n",
    )
    .unwrap();

    let Some(mut first) = serve(&data_dir, &config) else {
        return;
    };
    let server_pid = first.child.id() as i32;

    // One memo result and one share.
    let memo_req = json!({"code": "fn main() { println!(\"survives a crash\"); }"});
    let (status, r) = post(&first.base, "/api/v1/run", &memo_req);
    assert_eq!(
        (status, r["status"].as_str()),
        (200, Some("success")),
        "{r}"
    );
    let key = r["key"].as_str().unwrap().to_string();
    let shared = "fn main() { println!(\"shared before the crash\"); }";
    let (status, g) = post(&first.base, "/meta/gist", &json!({"code": shared}));
    assert_eq!(status, 200, "{g}");
    let gist = g["id"].as_str().unwrap().to_string();

    // Two runs in flight on real time: asleep forever, spinning forever.
    let runs = [
        "fn main() { loop { std::thread::sleep(std::time::Duration::from_secs(3600)); } }",
        "fn main() { let mut n = 0u64; loop { n = std::hint::black_box(n.wrapping_add(1)); } }",
    ];
    let clients: Vec<_> = runs
        .iter()
        .map(|code| {
            let base = first.base.clone();
            let body = json!({"code": code, "time": "real"});
            std::thread::spawn(move || post(&base, "/api/v1/run", &body))
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(120);
    let programs = loop {
        let found: Vec<Proc> = descendants(server_pid)
            .into_iter()
            .filter(|p| SANDBOX_UIDS.contains(&p.uid) && p.comm == "playground")
            .collect();
        if found.len() >= 2 {
            break found;
        }
        assert!(
            Instant::now() < deadline,
            "the two runs did not start within 120 s: {found:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    // Every process of the two runs: helpers, inits, the programs.
    let tree: Vec<Proc> = descendants(server_pid);
    eprintln!("runs in flight: {programs:?}\nthe server's tree: {tree:?}");

    first.child.kill().unwrap(); // SIGKILL
    first.child.wait().unwrap();
    for c in clients {
        let (status, _) = c.join().unwrap();
        assert_eq!(status, 0, "a run answered although the server was killed");
    }
    std::thread::sleep(Duration::from_secs(1));
    let survivors: Vec<&Proc> = tree.iter().filter(|p| alive(p)).collect();
    // Whatever the verdict, leave nothing spinning on the machine.
    for p in &survivors {
        // SAFETY: kill has no memory effects; the pid was checked to be the same process.
        unsafe { libc::kill(p.pid, libc::SIGKILL) };
    }
    let leftover_cgroups = cgroups_of(server_pid);
    let leftover_work = work_dirs_of(&data_dir, server_pid);
    eprintln!(
        "1 s after SIGKILL: survivors {survivors:?}; cgroups {leftover_cgroups:?}; work dirs {leftover_work:?}"
    );

    // A new server on the same data dir.
    let Some(second) = serve(&data_dir, &config) else {
        panic!("corral serve did not start again on the same data dir");
    };
    std::thread::sleep(Duration::from_millis(500));
    let cgroups_after = cgroups_of(server_pid);
    let work_after = work_dirs_of(&data_dir, server_pid);
    let (status, again) = post(&second.base, "/api/v1/run", &memo_req);
    let (gist_status, g) = get(&second.base, &format!("/meta/gist/{gist}"));
    drop(second);
    // Clean up what the dead server left, whatever the verdict.
    for cg in &cgroups_after {
        let _ = std::fs::remove_dir(cg);
    }
    let _ = std::fs::remove_dir_all(&data_dir);

    // Every verdict at once, so one failure does not hide the others.
    let mut failed = vec![];
    if !survivors.is_empty() {
        failed.push(format!(
            "processes of the killed server's runs still alive 1 s after SIGKILL: {survivors:?}"
        ));
    }
    if !cgroups_after.is_empty() {
        failed.push(format!(
            "cgroups of the dead server remain after a new server started: {cgroups_after:?}"
        ));
    }
    if !work_after.is_empty() {
        failed.push(format!(
            "work dirs of the dead server remain after a new server started: {work_after:?}"
        ));
    }
    let memo_ok = status == 200
        && again["cached"].as_bool() == Some(true)
        && again["key"].as_str() == Some(key.as_str())
        && again["run"]["stdout"] == "survives a crash\n";
    if !memo_ok {
        failed.push(format!("the memo result did not survive: {status} {again}"));
    }
    if (gist_status, g["code"].as_str()) != (200, Some(shared)) {
        failed.push(format!("the share did not survive: {gist_status} {g}"));
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
