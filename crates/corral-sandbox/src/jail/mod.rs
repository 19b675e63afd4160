//! The inside of the sandbox: the helper (re-executed from the supervisor's binary),
//! init (process 1 of the new pid namespace) and the command's last steps before exec.
//!
//! Order matters and reads top to bottom:
//! reaper:  the supervisor's child; a subreaper whose parent-death signal (SIGTERM)
//!          kills the inner helper; forks it, then collects it and init, so that no
//!          process of the step outlives the server, not even as a zombie
//! helper:  join cgroups -> reset scheduling, I/O priority and OOM score -> (root mode)
//!          become the step's own host uid/gid -> unshare user+pid+mount+net+ipc+uts
//!          (the user namespace is owned by, and its per-user counts charged to, that
//!          uid) -> supervisor maps ids -> [a pre-started jail waits here] -> the job:
//!          policy and command, with the bind sources the supervisor opened as host
//!          root (root mode; unprivileged, the helper opens them now) -> unshare
//!          cgroup and time -> fork init -> wait for it
//! init:    private mounts -> become uid/gid 1000 -> arm the parent-death signal (any
//!          uid change clears it) -> build the new root -> pivot_root -> fork the command
//!          -> reap everything, killing it all at wall + grace if nobody else did -> report
//! command: new session -> persona (ASLR) and umask -> rlimits -> no_new_privs -> Landlock
//!          -> drop capabilities -> close fds -> seccomp -> exec
//!
//! Files, in that order: `helper.rs` (reaper and inner helper), `root.rs` (bind sources
//! and the new root's mounts), `init.rs` (process 1), `command.rs` (the command's last
//! steps).

mod command;
mod helper;
mod init;
mod root;

pub(crate) use helper::helper_main;
pub(crate) use root::{Sources, open_sources, source_fds};
use std::os::fd::RawFd;

/// The first argument that turns the corral binary into the sandbox helper.
pub const HELPER_ARG: &str = "__corral-jail";
/// The control socket's descriptor number in the helper.
pub(crate) const CONTROL_FD: RawFd = 3;
/// Signals the command may have queued at once (RLIMIT_SIGPENDING).
pub(crate) const SIGPENDING: u64 = 1024;

type Result<T> = std::result::Result<T, String>;

/// Adds context to an error: which step failed.
trait Step<T> {
    fn step(self, what: &str) -> Result<T>;
}
impl<T, E: std::fmt::Display> Step<T> for std::result::Result<T, E> {
    fn step(self, what: &str) -> Result<T> {
        self.map_err(|e| format!("{what}: {e}"))
    }
}
