//! corral-sandbox: runs one untrusted command so that nothing it does reaches the
//! host and every resource it can use is limited.
//!
//! Layers (see ARCHITECTURE.md): user, pid, mount, net, ipc, uts, cgroup and time
//! namespaces; a fresh read-only root with a capped tmpfs; pivot_root; loopback only;
//! rlimits; no_new_privs and no capabilities; Landlock; a seccomp allow-list; cgroup
//! v1 or v2 limits (or rlimits when unprivileged).
//!
//! **Architecture invariant:** this crate knows nothing about Rust, HTTP or harnesses.

pub mod cgroup;
pub mod doctor;
pub mod hostid;
mod jail;
mod landlock_rules;
pub mod limits;
pub mod outcome;
pub mod policy;
pub mod seccomp;
mod supervisor;
mod sys;
mod wire;

pub use jail::HELPER_ARG;
pub use limits::{Limits, parse_duration, parse_size};
pub use outcome::{LimitKind, Outcome, Status};
pub use policy::{Mount, Network, Policy, PolicyError};
pub use supervisor::{Ablation, Child, Chunk, Error, Killer, Mode, Sandbox, Stream};

/// Call first thing in `main` of any binary used as the sandbox helper: when the
/// process was started as the helper, this runs the inside of the sandbox and never returns.
pub fn run_helper_if_requested() {
    if std::env::args_os().nth(1).is_some_and(|a| a == HELPER_ARG) {
        jail::helper_main();
    }
}
