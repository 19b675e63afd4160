//! Looks for information leaks: environment, host processes and command lines, mountinfo, cgroup paths, hostname, kallsyms, /sys.
//!
//! Modes (each prints its evidence; the host test also searches it for its secret):
//! - `env [ALLOWED_KEY...]`: any variable besides PATH, HOME, LANG and the given keys leaks.
//! - `procs [MAX_VISIBLE]`: more than MAX_VISIBLE (default 4) processes visible leaks.
//! - `mounts [EXTRA_MOUNTPOINT...]`: mount points outside the sandbox's own tree leak.
//! - `cgroup`: cgroup paths (evidence only).
//! - `uname HOST_NODENAME`: the host's hostname leaks.
//! - `kallsyms`: kernel addresses leak (and other /proc files about the host, boot_id included).
//! - `sys`: /sys content leaks.

use corral_attacks::{contained, escaped, info, io_err, read_text, usage};

fn main() {
    let a = corral_attacks::args();
    match a.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["env", extra @ ..] => env(extra),
        ["procs", rest @ ..] => procs(rest.first().and_then(|s| s.parse().ok()).unwrap_or(4)),
        ["mounts", extra @ ..] => mounts(extra),
        ["cgroup"] => cgroup(),
        ["uname", host] => uname(host),
        ["kallsyms"] => kallsyms(),
        ["sys"] => sys(),
        _ => usage(
            "atk_leak env [KEY...] | procs [MAX] | mounts [MOUNTPOINT...] | cgroup | uname HOST_NODENAME | kallsyms | sys",
        ),
    }
}

fn env(extra: &[&str]) {
    let mut leaks = 0;
    for (k, v) in std::env::vars_os() {
        let (k, v) = (
            k.to_string_lossy().into_owned(),
            v.to_string_lossy().into_owned(),
        );
        info(format!("env {k}={v}"));
        if !["PATH", "HOME", "LANG"].contains(&k.as_str()) && !extra.contains(&k.as_str()) {
            leaks += 1;
            escaped(format!(
                "environment variable {k}={v} leaked into the sandbox"
            ));
        }
    }
    if leaks == 0 {
        contained(
            "environment",
            "only PATH, HOME, LANG and the requested variables",
        );
    }
}

fn procs(max_visible: usize) {
    let mut pids: Vec<u32> = std::fs::read_dir("/proc")
        .map(|d| {
            d.flatten()
                .filter_map(|e| e.file_name().to_string_lossy().parse().ok())
                .collect()
        })
        .unwrap_or_default();
    pids.sort_unstable();
    for pid in &pids {
        let cmd = read_text(&format!("/proc/{pid}/cmdline"))
            .unwrap_or_else(|e| format!("<{e}>"))
            .replace('\0', " ");
        info(format!("pid {pid}: {}", cmd.trim()));
    }
    let env1 = read_text("/proc/1/environ")
        .map(|t| t.replace('\0', " "))
        .unwrap_or_else(|e| format!("<{e}>"));
    info(format!("environ of pid 1: {env1}"));
    // SAFETY: getpid has no preconditions.
    let me = unsafe { libc::getpid() };
    info(format!(
        "own pid {me}; {} pids visible; max pid {}",
        pids.len(),
        pids.last().copied().unwrap_or(0)
    ));
    if pids.len() > max_visible {
        escaped(format!(
            "{} processes visible (more than {max_visible}): host processes leak",
            pids.len()
        ));
    } else {
        contained("process list", format!("{} processes visible", pids.len()));
    }
}

fn mounts(extra: &[&str]) {
    let text = match read_text("/proc/self/mountinfo") {
        Ok(t) => t,
        Err(e) => {
            contained("read /proc/self/mountinfo", e);
            return;
        }
    };
    let ours = [
        "/", "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/tmp",
        "/work", "/dev", "/proc", "/attacks",
    ];
    let mut foreign = 0;
    for l in text.lines() {
        info(format!("mountinfo {l}"));
        let mp = l.split(' ').nth(4).unwrap_or("");
        let top = format!(
            "/{}",
            mp.trim_start_matches('/').split('/').next().unwrap_or("")
        );
        if !ours.contains(&top.as_str())
            && !extra
                .iter()
                .any(|e| mp == *e || mp.starts_with(&format!("{e}/")))
        {
            foreign += 1;
            escaped(format!(
                "mount point {mp} outside the sandbox's tree is visible"
            ));
        }
    }
    if foreign == 0 {
        contained(
            "mountinfo",
            format!(
                "{} mounts, all inside the sandbox's tree",
                text.lines().count()
            ),
        );
    }
}

fn cgroup() {
    match read_text("/proc/self/cgroup") {
        Ok(t) => {
            for l in t.lines() {
                info(format!("cgroup {l}"));
            }
        }
        Err(e) => info(format!("/proc/self/cgroup: {e}")),
    }
    match std::fs::read_dir("/sys/fs/cgroup") {
        Ok(d) => escaped(format!("/sys/fs/cgroup is visible ({} entries)", d.count())),
        Err(e) => contained("/sys/fs/cgroup", io_err(&e)),
    }
}

fn uname(host: &str) {
    // SAFETY: utsname is plain data; uname fills it.
    let mut u: libc::utsname = unsafe { std::mem::zeroed() };
    // SAFETY: uname writes into a local struct.
    unsafe { libc::uname(&mut u) };
    // SAFETY: the kernel NUL-terminates nodename.
    let node = unsafe { std::ffi::CStr::from_ptr(u.nodename.as_ptr()) }
        .to_string_lossy()
        .into_owned();
    // SAFETY: as above for domainname.
    let domain = unsafe { std::ffi::CStr::from_ptr(u.domainname.as_ptr()) }
        .to_string_lossy()
        .into_owned();
    info(format!("nodename {node}, domainname {domain}"));
    if node == host {
        escaped(format!("hostname is the host's ({node})"));
    } else {
        contained("hostname", format!("{node}, not the host's"));
    }
}

fn kallsyms() {
    match read_text("/proc/kallsyms") {
        Ok(t) => {
            let mut nonzero = 0;
            for l in t.lines().take(5) {
                info(format!("kallsyms {l}"));
            }
            for l in t.lines().take(2000) {
                if u64::from_str_radix(l.split(' ').next().unwrap_or("0"), 16).unwrap_or(0) != 0 {
                    nonzero += 1;
                }
            }
            if nonzero > 0 {
                escaped(format!(
                    "/proc/kallsyms shows {nonzero} non-zero kernel addresses"
                ));
            } else {
                contained("/proc/kallsyms", "addresses are zeroed");
            }
        }
        Err(e) => contained("read /proc/kallsyms", e),
    }
    for f in [
        "/proc/kcore",
        "/proc/keys",
        "/proc/timer_list",
        "/proc/sched_debug",
        "/proc/sysrq-trigger",
        "/proc/kmsg",
        // Identifies the host's boot: the same value in every sandbox on one host.
        "/proc/sys/kernel/random/boot_id",
    ] {
        // A masked file (e.g. /dev/null bound over it) opens but reads nothing.
        let mut buf = [0u8; 256];
        match std::fs::File::open(f).and_then(|mut file| std::io::Read::read(&mut file, &mut buf)) {
            Ok(0) => contained(format!("read {f}"), "empty: masked"),
            Ok(_) if f == "/proc/keys" => info(format!(
                "{f} is readable (keys of the sandbox's own user only)"
            )),
            Ok(n) => escaped(format!("read {n} bytes of {f}")),
            Err(e) => contained(format!("read {f}"), io_err(&e)),
        }
    }
}

fn sys() {
    match std::fs::read_dir("/sys") {
        Ok(d) => {
            let names: Vec<String> = d
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect();
            if names.is_empty() {
                contained("/sys", "empty");
            } else {
                escaped(format!("/sys has content: {}", names.join(" ")));
            }
        }
        Err(e) => contained("/sys", io_err(&e)),
    }
    for f in [
        "/sys/kernel/notes",
        "/sys/class/net",
        "/sys/fs/cgroup",
        "/sys/kernel/debug",
    ] {
        if std::fs::metadata(f).is_ok() {
            escaped(format!("{f} exists"));
        }
    }
}
