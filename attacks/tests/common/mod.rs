//! Shared pieces of the attack tests (`suite.rs` through `corral exec`, `through_run.rs` through
//! `corral run`): the host's canary, listeners and watchers, the exact outcome one attack must
//! have ([`Case`]), and the checks of one run against it ([`check_with`]).

// Each test crate uses its own part of this module.
#![allow(dead_code)]

use serde_json::Value;
use std::io::Read;
use std::net::{IpAddr, TcpListener, UdpSocket};
use std::os::linux::net::SocketAddrExt;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{SocketAddr as UnixAddr, UnixListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

/// The environment variable holding the secret in every process the test starts.
pub const CANARY_ENV: &str = "CORRAL_ATTACK_CANARY";
/// How long the host waits for one corral run before it calls it hung.
pub const HOST_TIMEOUT: Duration = Duration::from_secs(120);

/// Everything the host sets up once and watches during the whole suite.
pub struct Host {
    pub base: PathBuf,
    pub corral: PathBuf,
    pub secret: String,
    pub canary: PathBuf,
    pub canary_dir: PathBuf,
    pub data_dir: PathBuf,
    pub tcp_targets: Vec<String>,
    pub tcp_hits: Arc<AtomicUsize>,
    pub abstract_name: String,
    pub unix_path: PathBuf,
    pub unix_hits: Arc<AtomicUsize>,
    pub hostname: String,
    pub next_run: AtomicUsize,
}

pub static HOST: OnceLock<Host> = OnceLock::new();

/// Sandboxed runs happen one at a time (except where a test runs two at once on purpose),
/// so that the host-side accounting (cgroups left behind, shared memory) is exact.
pub static SERIAL: Mutex<()> = Mutex::new(());

pub fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

extern "C" fn cleanup() {
    if let Some(h) = HOST.get() {
        let _ = std::fs::remove_dir_all(&h.base);
    }
}

pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .expect("read /dev/urandom");
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// A directory everyone may traverse and read (the unprivileged run must be able to reach
/// everything the sandbox is supposed to hide, or a leak would be masked by permissions).
pub fn world_dir(path: &Path) {
    std::fs::create_dir_all(path).expect("create dir");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod dir");
}

/// `CORRAL_BIN`, else `<target>/debug/corral`, built once with cargo when missing.
pub fn find_corral() -> PathBuf {
    if let Some(p) = std::env::var_os("CORRAL_BIN") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().expect("current_exe");
    // <target>/debug/deps/suite-<hash>
    let debug = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/debug")
        .to_path_buf();
    let corral = debug.join("corral");
    if !corral.exists() {
        let status = Command::new(env!("CARGO"))
            .args(["build", "-p", "corral"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("run cargo build -p corral");
        assert!(status.success(), "cargo build -p corral failed");
    }
    assert!(corral.exists(), "corral not found at {}", corral.display());
    corral
}

/// The syscall numbers the sandbox allows (outright or with argument checks), from
/// corral-sandbox's policy; EPERM- and ENOSYS-listed ones are left out because the sweep must
/// see them refused.
pub fn allow_list() -> String {
    let nrs = corral_sandbox::seccomp::allowed_numbers();
    assert!(nrs.len() > 100, "the allow-list looks empty");
    nrs.iter().map(|n| format!("{n}\n")).collect()
}

pub fn spawn_counter<T: Send + 'static>(
    hits: Arc<AtomicUsize>,
    mut accept: impl FnMut() -> std::io::Result<T> + Send + 'static,
) {
    std::thread::spawn(move || {
        loop {
            match accept() {
                Ok(conn) => {
                    hits.fetch_add(1, Ordering::SeqCst);
                    drop(conn);
                }
                Err(_) => std::thread::sleep(Duration::from_millis(10)),
            }
        }
    });
}

pub fn host_ip() -> Option<IpAddr> {
    // connect() on UDP only chooses a route and source address; nothing is sent.
    let s = UdpSocket::bind("0.0.0.0:0").ok()?;
    s.connect("10.255.255.254:9").ok()?;
    let ip = s.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

pub fn host() -> &'static Host {
    HOST.get_or_init(|| {
        let base = std::env::temp_dir().join(format!(
            "corral-attacks-{}-{}",
            std::process::id(),
            random_hex(4)
        ));
        world_dir(&base);
        // SAFETY: registers a plain extern "C" function that only removes our temp dir.
        unsafe { libc::atexit(cleanup) };
        let secret = format!("corral-secret-{}", random_hex(16));
        let canary_dir = base.join("canary");
        world_dir(&canary_dir);
        let canary = canary_dir.join("canary.txt");
        std::fs::write(&canary, format!("{secret}\n")).expect("write canary");
        std::fs::set_permissions(&canary, std::fs::Permissions::from_mode(0o644))
            .expect("chmod canary");

        // An fd without CLOEXEC: every corral we start inherits it, and must not pass it on.
        let f = std::fs::File::open(&canary).expect("open canary");
        // SAFETY: dup of an fd we own; the copy (no CLOEXEC) stays open for the whole run.
        let leaked = unsafe { libc::dup(std::os::fd::AsRawFd::as_raw_fd(&f)) };
        assert!(leaked > 2, "dup canary fd");

        let data_dir = base.join("data");
        world_dir(&data_dir);
        std::fs::write(data_dir.join("allow.txt"), allow_list()).expect("write allow-list");
        std::fs::set_permissions(
            data_dir.join("allow.txt"),
            std::fs::Permissions::from_mode(0o644),
        )
        .expect("chmod");

        let tcp_hits = Arc::new(AtomicUsize::new(0));
        let mut tcp_targets = Vec::new();
        let lo = TcpListener::bind("127.0.0.1:0").expect("bind loopback listener");
        tcp_targets.push(lo.local_addr().expect("addr").to_string());
        spawn_counter(tcp_hits.clone(), move || lo.accept());
        if let Some(ip) = host_ip()
            && let Ok(l) = TcpListener::bind((ip, 0))
        {
            tcp_targets.push(l.local_addr().expect("addr").to_string());
            spawn_counter(tcp_hits.clone(), move || l.accept());
        }

        let unix_hits = Arc::new(AtomicUsize::new(0));
        let abstract_name = format!("corral-attack-host-{}", random_hex(6));
        let addr = UnixAddr::from_abstract_name(abstract_name.as_bytes()).expect("abstract addr");
        let al = UnixListener::bind_addr(&addr).expect("bind abstract socket");
        spawn_counter(unix_hits.clone(), move || al.accept());
        let unix_path = canary_dir.join("host.sock");
        let pl = UnixListener::bind(&unix_path).expect("bind path socket");
        std::fs::set_permissions(&unix_path, std::fs::Permissions::from_mode(0o777))
            .expect("chmod socket");
        spawn_counter(unix_hits.clone(), move || pl.accept());

        let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .unwrap_or_default()
            .trim()
            .to_string();
        let corral = find_corral();
        Host {
            base,
            corral,
            secret,
            canary,
            canary_dir,
            data_dir,
            tcp_targets,
            tcp_hits,
            abstract_name,
            unix_path,
            unix_hits,
            hostname,
            next_run: AtomicUsize::new(0),
        }
    })
}

/// One corral run's result as the host saw it.
pub struct Run {
    /// The program's result: `status`, `limit`, `exit_code`, `signal`, `wall_ms`, … at the top.
    pub json: Value,
    pub stdout: String,
    pub stderr: String,
    /// Everything corral printed on stdout (the JSON), searched for the host secret too.
    pub corral_stdout: String,
    pub corral_stderr: String,
    /// The pid of the corral process (its cgroups are named after it).
    pub corral_pid: u32,
    pub leftovers: Vec<String>,
}

impl Run {
    pub fn s(&self, key: &str) -> Option<&str> {
        self.json.get(key).and_then(Value::as_str)
    }
    pub fn lines(&self) -> impl Iterator<Item = &str> {
        self.stdout.lines().chain(self.stderr.lines())
    }
}

/// Processes whose environment carries `tag` (the sandbox passes `--env` on to everything).
pub fn processes_with(tag: &str) -> Vec<String> {
    let mut found = Vec::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return found;
    };
    for e in dir.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.parse::<u32>().is_err() {
            continue;
        }
        let env = std::fs::read(e.path().join("environ")).unwrap_or_default();
        let cmd = std::fs::read(e.path().join("cmdline")).unwrap_or_default();
        let hay = [env, cmd.clone()].concat();
        if hay.windows(tag.len()).any(|w| w == tag.as_bytes()) {
            found.push(format!(
                "pid {name}: {}",
                String::from_utf8_lossy(&cmd).replace('\0', " ")
            ));
        }
    }
    found
}

/// Directories under the caller's own cgroups, where corral nests its per-run groups.
pub fn cgroup_dirs() -> Vec<PathBuf> {
    let own = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
    let mut roots = Vec::new();
    for l in own.lines() {
        let mut f = l.splitn(3, ':');
        let (_, controllers, path) = (f.next(), f.next().unwrap_or(""), f.next().unwrap_or(""));
        let mount = if controllers.is_empty() {
            ["unified", ""]
                .iter()
                .map(|m| Path::new("/sys/fs/cgroup").join(m))
                .find(|p| p.join("cgroup.procs").exists())
        } else {
            Some(Path::new("/sys/fs/cgroup").join(controllers))
        };
        if let Some(m) = mount {
            roots.push(m.join(path.trim_start_matches('/')));
        }
    }
    let mut out = Vec::new();
    let mut stack = roots;
    while let Some(d) = stack.pop() {
        if let Ok(rd) = std::fs::read_dir(&d) {
            for e in rd.flatten() {
                if e.file_type().is_ok_and(|t| t.is_dir()) {
                    // Only corral's groups: other software may come and go meanwhile.
                    if e.path().components().any(|c| c.as_os_str() == "corral") {
                        out.push(e.path());
                    }
                    stack.push(e.path());
                }
            }
        }
    }
    out.sort();
    out
}

/// Shared memory in use on the host (tmpfs pages), in KiB.
pub fn shmem_kib() -> u64 {
    let m = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    m.lines()
        .find_map(|l| l.strip_prefix("Shmem:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// A host process that must survive the attacks (kill(-1) and friends); killed when dropped,
/// also when a test panics, and with its stdio detached so it holds no pipe of the test's.
pub struct Sentinel(Child);

impl Sentinel {
    pub fn spawn() -> Sentinel {
        Sentinel(
            Command::new("sleep")
                .arg("600")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawn sentinel"),
        )
    }
    pub fn pid(&self) -> String {
        self.0.id().to_string()
    }
    pub fn alive(&mut self) -> bool {
        self.0.try_wait().expect("try_wait").is_none()
    }
}

impl Drop for Sentinel {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// What one corral process printed, and how it ended.
pub struct Finished {
    pub status: ExitStatus,
    pub pid: u32,
    pub stdout: String,
    pub stderr: String,
}

/// Starts `cmd` (stdout and stderr piped) and waits for it, killing it after [`HOST_TIMEOUT`].
pub fn wait_corral(mut cmd: Command) -> Result<Finished, String> {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child: Child = cmd.spawn().map_err(|e| format!("spawn corral: {e}"))?;
    let pid = child.id();
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let t_out = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().map_err(|e| e.to_string())? {
            break st;
        }
        if start.elapsed() > HOST_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "corral did not finish within {HOST_TIMEOUT:?} (hung)"
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Ok(Finished {
        status,
        pid,
        stdout: String::from_utf8_lossy(&t_out.join().unwrap_or_default()).into_owned(),
        stderr: String::from_utf8_lossy(&t_err.join().unwrap_or_default()).into_owned(),
    })
}

/// The exact outcome one attack must have.
#[derive(Clone)]
pub struct Case {
    pub prog: &'static str,
    pub args: Vec<String>,
    pub flags: Vec<String>,
    pub status: &'static str,
    /// The limit the run must report (one of these: where two limits are equally near).
    pub limit: Vec<Option<&'static str>>,
    pub exit_code: Option<i64>,
    pub signal: Option<i64>,
    /// (text a `CONTAINED:` line must include, accepted reasons; empty means any reason)
    pub contained: Vec<(String, Vec<&'static str>)>,
    /// Lines that must appear verbatim.
    pub lines: Vec<String>,
    /// Extra JSON booleans that must be true.
    pub truthy: Vec<&'static str>,
    /// The run's wall_ms must lie in this range.
    pub wall_ms: Option<(u64, u64)>,
    /// The run's cpu_ms must not exceed this.
    pub cpu_max: Option<u64>,
    /// stdout and stderr kept in the JSON must not exceed this many bytes each.
    pub output_max: Option<usize>,
    /// Runs alongside others: skip the host accounting of cgroups and shared memory.
    pub concurrent: bool,
    /// (text of a `CONTAINED:` line, bound): the first number after the text is at most the bound.
    pub at_most: Vec<(&'static str, u64)>,
    /// Any exit code or signal is accepted (the status and limit decide).
    pub any_exit: bool,
}

pub fn case(prog: &'static str, args: &[&str]) -> Case {
    Case {
        prog,
        args: args.iter().map(|s| s.to_string()).collect(),
        flags: Vec::new(),
        status: "success",
        limit: vec![None],
        exit_code: Some(0),
        signal: None,
        contained: Vec::new(),
        lines: Vec::new(),
        truthy: Vec::new(),
        wall_ms: None,
        cpu_max: None,
        output_max: None,
        concurrent: false,
        at_most: Vec::new(),
        any_exit: false,
    }
}

impl Case {
    pub fn flags(mut self, f: &[&str]) -> Self {
        self.flags.extend(f.iter().map(|s| s.to_string()));
        self
    }
    pub fn ends(mut self, status: &'static str, limit: Option<&'static str>) -> Self {
        self.status = status;
        self.limit = vec![limit];
        self
    }
    /// Ends with `status` and one of `limits` (limits that are equally near: whichever the
    /// supervisor notices first).
    pub fn ends_by_either(mut self, status: &'static str, limits: &[&'static str]) -> Self {
        self.status = status;
        self.limit = limits.iter().map(|l| Some(*l)).collect();
        self
    }
    pub fn signal(mut self, sig: i64) -> Self {
        self.exit_code = None;
        self.signal = Some(sig);
        self
    }
    pub fn contains(mut self, what: &[&str]) -> Self {
        self.contained
            .extend(what.iter().map(|w| (w.to_string(), Vec::new())));
        self
    }
    pub fn because(mut self, what: &str, reasons: &[&'static str]) -> Self {
        self.contained.push((what.to_string(), reasons.to_vec()));
        self
    }
    pub fn line(mut self, l: &str) -> Self {
        self.lines.push(l.to_string());
        self
    }
    pub fn truthy(mut self, key: &'static str) -> Self {
        self.truthy.push(key);
        self
    }
    pub fn at_most(mut self, what: &'static str, bound: u64) -> Self {
        self.at_most.push((what, bound));
        self
    }
    /// Exits with this code (no signal).
    pub fn exit(mut self, code: i64) -> Self {
        self.exit_code = Some(code);
        self.signal = None;
        self
    }
    /// Accepts any exit code or signal.
    pub fn any_exit(mut self) -> Self {
        self.any_exit = true;
        self
    }
    pub fn concurrent(mut self) -> Self {
        self.concurrent = true;
        self
    }
    pub fn output_max(mut self, bytes: usize) -> Self {
        self.output_max = Some(bytes);
        self
    }
    pub fn cpu_max(mut self, ms: u64) -> Self {
        self.cpu_max = Some(ms);
        self
    }
    pub fn wall(mut self, min: u64, max: u64) -> Self {
        self.wall_ms = Some((min, max));
        self
    }
}

/// Runs one case with `run` (which starts corral and collects its result) and returns every way
/// it deviated from the case (empty: as expected), each message starting with `label`.
pub fn check_with(
    label: &str,
    c: &Case,
    run: impl FnOnce() -> Result<Run, String>,
) -> (Vec<String>, Option<Run>) {
    let h = host();
    let hits_before = (
        h.tcp_hits.load(Ordering::SeqCst),
        h.unix_hits.load(Ordering::SeqCst),
    );
    let (cgroups_before, shmem_before) = (cgroup_dirs(), shmem_kib());
    let run = match run() {
        Ok(r) => r,
        Err(e) => return (vec![format!("{label}: {e}")], None),
    };
    let mut bad = Vec::new();
    let mut fail = |m: String| bad.push(format!("{label}: {m}"));
    // The run's cgroups and its tmpfs must be gone (a short grace for the kernel). corral names
    // its cgroups `<its pid>-<n>`: other corral processes on the host are not this run's.
    let prefix = format!("{}-", run.corral_pid);
    let ours = |dirs: Vec<PathBuf>| -> Vec<PathBuf> {
        dirs.into_iter()
            .filter(|d| {
                !cgroups_before.contains(d)
                    && d.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with(&prefix))
            })
            .collect()
    };
    let grace = Instant::now() + Duration::from_secs(1);
    let (mut left, mut shmem_after) = (ours(cgroup_dirs()), shmem_kib());
    while !c.concurrent
        && (!left.is_empty() || shmem_after > shmem_before + (8 << 10))
        && Instant::now() < grace
    {
        std::thread::sleep(Duration::from_millis(50));
        (left, shmem_after) = (ours(cgroup_dirs()), shmem_kib());
    }
    if !left.is_empty() && !c.concurrent {
        fail(format!("cgroups left behind: {left:?}"));
    }
    if shmem_after > shmem_before + (8 << 10) && !c.concurrent {
        fail(format!(
            "host shared memory grew by {} KiB and stayed",
            shmem_after - shmem_before
        ));
    }
    let int = |k: &str| run.json.get(k).and_then(Value::as_i64);
    if run.s("status") != Some(c.status) {
        fail(format!(
            "status {:?}, expected {:?}",
            run.s("status"),
            c.status
        ));
    }
    if !c.limit.contains(&run.s("limit")) {
        fail(format!(
            "limit {:?}, expected {}",
            run.s("limit"),
            c.limit
                .iter()
                .map(|l| format!("{l:?}"))
                .collect::<Vec<_>>()
                .join(" or ")
        ));
    }
    if !c.any_exit && int("exit_code") != c.exit_code {
        fail(format!(
            "exit_code {:?}, expected {:?}",
            int("exit_code"),
            c.exit_code
        ));
    }
    if !c.any_exit && int("signal") != c.signal {
        fail(format!(
            "signal {:?}, expected {:?}",
            int("signal"),
            c.signal
        ));
    }
    for key in &c.truthy {
        if run.json.get(*key).and_then(Value::as_bool) != Some(true) {
            fail(format!("{key} is not true"));
        }
    }
    if let Some((lo, hi)) = c.wall_ms {
        let w = int("wall_ms").unwrap_or(-1);
        if w < lo as i64 || w > hi as i64 {
            fail(format!("wall_ms {w} outside {lo}..={hi}"));
        }
    }
    if let Some(max) = c.output_max {
        for (name, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
            if text.len() > max {
                fail(format!(
                    "{name} kept {} bytes, more than the {max}-byte cap",
                    text.len()
                ));
            }
        }
    }
    if let Some(max) = c.cpu_max {
        let cpu = int("cpu_ms").unwrap_or(-1);
        if cpu > max as i64 {
            fail(format!("cpu_ms {cpu} above {max}"));
        }
    }
    for l in run.lines() {
        if l.starts_with("ESCAPED") || l.starts_with("BROKEN") {
            fail(format!("attack reports: {l}"));
        }
    }
    for (what, reasons) in &c.contained {
        let ok = run.lines().any(|l| {
            l.starts_with("CONTAINED: ")
                && l.contains(what.as_str())
                && (reasons.is_empty() || reasons.iter().any(|r| l.ends_with(&format!("({r})"))))
        });
        if !ok {
            fail(format!(
                "no `CONTAINED: ...{what}... ({})` line",
                reasons.join("|")
            ));
        }
    }
    for (what, bound) in &c.at_most {
        let n = run
            .lines()
            .filter(|l| l.starts_with("CONTAINED: "))
            .find_map(|l| l.split_once(what))
            .and_then(|(_, rest)| {
                let digits: String = rest
                    .chars()
                    .skip_while(|ch| !ch.is_ascii_digit())
                    .take_while(char::is_ascii_digit)
                    .collect();
                digits.parse::<u64>().ok()
            });
        match n {
            Some(n) if n <= *bound => {}
            other => fail(format!(
                "`{what}` reached {other:?}, more than the limit {bound}"
            )),
        }
    }
    for l in &c.lines {
        if !run.lines().any(|x| x == l) {
            fail(format!("missing line `{l}`"));
        }
    }
    for (name, text) in [
        ("stdout", &run.stdout),
        ("stderr", &run.stderr),
        ("corral's stdout", &run.corral_stdout),
        ("corral's stderr", &run.corral_stderr),
    ] {
        if text.contains(&h.secret) {
            fail(format!("the host secret shows in {name}"));
        }
    }
    let hits_after = (
        h.tcp_hits.load(Ordering::SeqCst),
        h.unix_hits.load(Ordering::SeqCst),
    );
    if hits_after.0 != hits_before.0 {
        fail(format!(
            "the host TCP listener accepted {} connection(s)",
            hits_after.0 - hits_before.0
        ));
    }
    if hits_after.1 != hits_before.1 {
        fail(format!(
            "a host unix socket accepted {} connection(s)",
            hits_after.1 - hits_before.1
        ));
    }
    if !run.leftovers.is_empty() {
        fail(format!("processes left behind: {:?}", run.leftovers));
    }
    if !bad.is_empty() {
        bad.push(format!(
            "{label}: stdout:\n{}\nstderr:\n{}\ncorral stderr:\n{}",
            run.stdout, run.stderr, run.corral_stderr
        ));
    }
    (bad, Some(run))
}

/// `atk_kernel table`: every call on it must be refused with EPERM (both suites use it).
pub fn kernel_table() -> Case {
    let mut table = case("atk_kernel", &["table"]);
    for name in [
        "keyctl(GET_KEYRING_ID, session)",
        "add_key(user)",
        "request_key(user)",
        "bpf(BPF_MAP_CREATE)",
        "bpf(BPF_PROG_LOAD)",
        "perf_event_open",
        "io_uring_setup",
        "io_uring_enter",
        "io_uring_register",
        "userfaultfd",
        "mount(tmpfs on /tmp)",
        "mount(MS_REMOUNT|MS_BIND on /)",
        "umount2(/tmp, MNT_DETACH)",
        "fsopen(tmpfs)",
        "fsconfig",
        "fsmount",
        "fspick(/)",
        "open_tree(/)",
        "open_tree(/, OPEN_TREE_CLONE)",
        "move_mount",
        "mount_setattr(/)",
        "pivot_root(/tmp, /tmp)",
        "chroot(/tmp)",
        "unshare(CLONE_NEWUSER)",
        "unshare(CLONE_NEWNS)",
        "setns(-1, 0)",
        "clone(CLONE_NEWUSER)",
        "clone(CLONE_NEWNET)",
        "open_by_handle_at",
        "name_to_handle_at(/)",
        "kexec_load",
        "kexec_file_load",
        "init_module",
        "finit_module",
        "delete_module",
        "syslog(SIZE_BUFFER)",
        "syslog(READ_ALL)",
        "personality(ADDR_NO_RANDOMIZE)",
        "personality(READ_IMPLIES_EXEC)",
        "reboot(bad magic)",
        "swapon",
        "swapoff",
        "acct(NULL)",
        "sethostname",
        "setdomainname",
        "settimeofday(now)",
        "clock_settime(REALTIME, now)",
        "iopl(3)",
        "ioperm(0x80)",
        "fanotify_init",
        "quotactl",
        "ptrace(PTRACE_ATTACH, 1)",
        "process_vm_readv(1)",
        "process_vm_writev(1)",
        "socket(AF_NETLINK)",
        "socket(AF_PACKET)",
        "socket(AF_VSOCK)",
    ] {
        table = table.because(&format!("CONTAINED: {name} ("), &["EPERM"]);
    }
    table
}
