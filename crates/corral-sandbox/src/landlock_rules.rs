//! Landlock: the file rules of the policy again, enforced by a second mechanism.
//! Read and execute everywhere in the (read-only) root, write only in /tmp, /work,
//! /dev/shm and writable binds; abstract unix sockets and signals scoped to the
//! sandbox; no TCP at all when the policy's network is off.

use crate::policy::{Mount, Network, Policy};
use landlock::{
    ABI, Access, AccessFs, AccessNet, CompatLevel, Compatible, PathBeneath, PathFd, Ruleset,
    RulesetAttr, RulesetCreatedAttr, RulesetStatus, Scope,
};

pub struct Status {
    pub fully_enforced: bool,
    pub description: String,
}

const ABI_WANTED: ABI = ABI::V6;

pub fn restrict(policy: &Policy) -> Result<Status, String> {
    restrict_inner(policy).map_err(|e| e.to_string())
}

fn restrict_inner(policy: &Policy) -> Result<Status, Box<dyn std::error::Error>> {
    let all = AccessFs::from_all(ABI_WANTED);
    let read = AccessFs::from_read(ABI_WANTED);
    let mut writable = vec![
        "/tmp".to_string(),
        "/work".to_string(),
        "/dev/shm".to_string(),
    ];
    for m in &policy.mounts {
        if let Mount::Bind {
            dest,
            writable: true,
            ..
        } = m
        {
            writable.push(dest.to_string_lossy().into_owned());
        }
    }
    let devices = [
        "/dev/null",
        "/dev/zero",
        "/dev/full",
        "/dev/random",
        "/dev/urandom",
    ];
    let mut ruleset = Ruleset::default()
        .set_compatibility(CompatLevel::BestEffort)
        .handle_access(all)?;
    if policy.network == Network::Off {
        ruleset = ruleset.handle_access(AccessNet::from_all(ABI_WANTED))?;
    }
    let mut created = ruleset
        .scope(Scope::AbstractUnixSocket | Scope::Signal)?
        .create()?;
    created = created.add_rule(PathBeneath::new(PathFd::new("/")?, read))?;
    // Rules on files may only name file rights (directory rights would make the
    // ruleset "partially enforced").
    let file_rights = AccessFs::from_file(ABI_WANTED);
    for w in &writable {
        if let Ok(fd) = PathFd::new(w) {
            let is_dir = std::fs::metadata(w).is_ok_and(|m| m.is_dir());
            created =
                created.add_rule(PathBeneath::new(fd, if is_dir { all } else { file_rights }))?;
        }
    }
    for d in devices {
        let fd = PathFd::new(d)?;
        created = created.add_rule(PathBeneath::new(
            fd,
            AccessFs::ReadFile | AccessFs::WriteFile,
        ))?;
    }
    let status = created.restrict_self()?;
    Ok(Status {
        fully_enforced: status.ruleset == RulesetStatus::FullyEnforced,
        description: format!("{:?}", status.ruleset),
    })
}

/// The Landlock ABI version of this kernel (0 when unavailable).
pub fn abi_version() -> i64 {
    const LANDLOCK_CREATE_RULESET_VERSION: u32 = 1;
    // SAFETY: a NULL attribute with size 0 and the VERSION flag only queries the ABI.
    let v = unsafe {
        libc::syscall(
            libc::SYS_landlock_create_ruleset,
            std::ptr::null::<u8>(),
            0usize,
            LANDLOCK_CREATE_RULESET_VERSION,
        )
    };
    v.max(0)
}
