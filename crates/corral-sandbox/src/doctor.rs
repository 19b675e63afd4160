//! `corral doctor`: which layers are active on this host, and whether the default
//! policy can be enforced. The last check runs a real command in a real sandbox.

use crate::cgroup::Cgroups;
use crate::landlock_rules;
use crate::outcome::Status;
use crate::policy::Policy;
use crate::supervisor::{Mode, Sandbox};
use std::path::Path;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Active,
    Degraded,
    Missing,
}

#[derive(Clone, Debug)]
pub struct Check {
    pub layer: &'static str,
    pub state: State,
    pub detail: String,
    /// A missing required layer means the default policy cannot be enforced.
    pub required: bool,
}

impl Check {
    fn new(layer: &'static str, state: State, detail: impl Into<String>, required: bool) -> Check {
        Check {
            layer,
            state,
            detail: detail.into(),
            required,
        }
    }
}

/// True when every required layer is active or degraded.
pub fn enforceable(checks: &[Check]) -> bool {
    checks
        .iter()
        .all(|c| !(c.required && c.state == State::Missing))
}

fn ns_check(layer: &'static str, file: &str, required: bool) -> Check {
    if Path::new("/proc/self/ns").join(file).exists() {
        Check::new(layer, State::Active, "supported by the kernel", required)
    } else {
        Check::new(
            layer,
            State::Missing,
            format!("/proc/self/ns/{file} does not exist"),
            required,
        )
    }
}

pub fn run(helper: &Path) -> Vec<Check> {
    let root = nix::unistd::geteuid().is_root();
    let mut checks = vec![Check::new(
        "mode",
        State::Active,
        if root {
            "root: ids mapped to an unprivileged host id, cgroups enforce limits"
        } else {
            "unprivileged: user namespaces, rlimits enforce limits"
        },
        false,
    )];
    let max_userns = std::fs::read_to_string("/proc/sys/user/max_user_namespaces")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok());
    checks.push(match max_userns {
        Some(0) => Check::new(
            "user namespace",
            State::Missing,
            "user.max_user_namespaces is 0",
            true,
        ),
        _ => ns_check("user namespace", "user", true),
    });
    for (layer, file) in [
        ("pid namespace", "pid"),
        ("mount namespace", "mnt"),
        ("network namespace", "net"),
        ("ipc namespace", "ipc"),
        ("uts namespace", "uts"),
    ] {
        checks.push(ns_check(layer, file, true));
    }
    checks.push(ns_check("cgroup namespace", "cgroup", false));
    checks.push(ns_check("time namespace", "time", false));
    let seccomp =
        std::fs::read_to_string("/proc/self/status").is_ok_and(|s| s.contains("Seccomp:"));
    checks.push(
        match (seccomp, crate::seccomp::program().len() < u16::MAX as usize) {
            (true, true) => Check::new(
                "seccomp",
                State::Active,
                format!(
                    "allow-list of {} syscalls ({} with argument checks), {} denied with \
                     EPERM, {} answered 0 without running",
                    crate::seccomp::ALLOW.len() + crate::seccomp::ARG_RULES.len(),
                    crate::seccomp::ARG_RULES.len(),
                    crate::seccomp::DENY.len(),
                    crate::seccomp::NO_OP.len()
                ),
                true,
            ),
            (false, _) => Check::new(
                "seccomp",
                State::Missing,
                "the kernel has no seccomp filter support",
                true,
            ),
            (_, false) => Check::new("seccomp", State::Missing, "filter is too long", true),
        },
    );
    let abi = landlock_rules::abi_version();
    checks.push(match abi {
        n if n >= 6 => Check::new(
            "landlock",
            State::Active,
            format!("ABI v{n}: files, TCP, abstract sockets and signals"),
            false,
        ),
        n if n >= 1 => Check::new(
            "landlock",
            State::Degraded,
            format!("ABI v{n} (v6 wanted): some rules are not enforced"),
            false,
        ),
        _ => Check::new(
            "landlock",
            State::Missing,
            "not available in this kernel (tried, not required)",
            false,
        ),
    });
    if root {
        checks.push(match Cgroups::detect() {
            Ok(cg) => Check::new(
                "cgroups",
                State::Active,
                format!("{}: memory (no swap), pids, cpu", cg.version()),
                true,
            ),
            Err(e) => Check::new(
                "cgroups",
                State::Missing,
                format!("root mode needs them: {e}"),
                true,
            ),
        });
    } else {
        checks.push(Check::new(
            "cgroups",
            State::Degraded,
            "not root: memory bounded by RLIMIT_AS, processes by RLIMIT_NPROC",
            false,
        ));
    }
    checks.push(Check::new(
        "rlimits",
        State::Active,
        "all set: core 1 (fixed), fsize, nofile, nproc, stack, as, cpu, memlock, sigpending, \
         msgqueue, rtprio 0, nice 0",
        true,
    ));
    checks.push(end_to_end(helper));
    checks
}

/// Runs `/bin/sh -c true`-like work for real under the default policy.
fn end_to_end(helper: &Path) -> Check {
    let sandbox = match Sandbox::new(helper) {
        Ok(s) => s,
        Err(e) => return Check::new("end-to-end", State::Missing, e.to_string(), true),
    };
    let mode = match sandbox.mode() {
        Mode::Root(cg) => format!("root, cgroup {}", cg.version()),
        Mode::Unprivileged { .. } => "unprivileged".into(),
    };
    let argv = ["/usr/bin/id".to_string(), "-u".to_string()];
    match sandbox.run(&Policy::default(), &argv, b"") {
        Ok(o) if o.status == Status::Success && o.stdout.trim() == "1000" => Check::new(
            "end-to-end",
            State::Active,
            format!("ran `id -u` in the sandbox ({mode}) in {} ms", o.wall_ms),
            true,
        ),
        Ok(o) => Check::new(
            "end-to-end",
            State::Missing,
            format!(
                "{:?}: {}{}",
                o.status,
                o.error.unwrap_or_default(),
                o.stderr
            ),
            true,
        ),
        Err(e) => Check::new("end-to-end", State::Missing, e.to_string(), true),
    }
}
