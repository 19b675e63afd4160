//! Host ids for root mode: every running step gets its own unprivileged host uid and
//! gid, so the kernel's per-user counts (queued signals, inotify instances, pipe buffer
//! pages, fds in flight over unix sockets, user namespaces, processes) are charged to
//! that step alone and no two steps share a quota.
//!
//! A lease is an exclusive `flock` on a file named after the id in a root-only
//! directory. The kernel drops the lock when its holder dies, so a crashed server leaks
//! no id, and any number of corral processes on one host share the range safely.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// The range of host ids that sandbox uid 1000 maps to in root mode. Its first id is
/// the owner of files handed to the sandbox outside a step (the bake store).
pub const FIRST: u32 = 990_000;
pub const LAST: u32 = 999_999;

/// Where the lease files live (root only).
const LEASE_DIR: &str = "/run/corral/ids";

/// One host id, held until dropped.
#[derive(Debug)]
pub struct Lease {
    id: u32,
    _lock: File,
}

impl Lease {
    pub fn id(&self) -> u32 {
        self.id
    }
}

fn lease_dir() -> io::Result<PathBuf> {
    let dir = PathBuf::from(LEASE_DIR);
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)?;
    Ok(dir)
}

/// Takes the lock on `dir/<id>` without waiting; `None` when someone holds it.
fn try_lock(dir: &Path, id: u32) -> io::Result<Option<File>> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(dir.join(id.to_string()))?;
    Ok(crate::sys::try_lock_exclusive(&file)?.then_some(file))
}

/// Leases a free id of the range (not [`FIRST`], which owns shared files).
pub fn lease() -> io::Result<Lease> {
    let dir = lease_dir()?;
    // Start where the last lease of this process stopped, spread by pid across processes,
    // so a lease usually takes one try.
    static NEXT: AtomicU32 = AtomicU32::new(u32::MAX);
    let span = LAST - FIRST;
    let _ = NEXT.compare_exchange(
        u32::MAX,
        std::process::id().wrapping_mul(2_654_435_761) % span,
        Ordering::Relaxed,
        Ordering::Relaxed,
    );
    for _ in 0..span {
        let slot = NEXT.fetch_add(1, Ordering::Relaxed) % span;
        let id = FIRST + 1 + slot;
        if let Some(lock) = try_lock(&dir, id)? {
            return Ok(Lease { id, _lock: lock });
        }
    }
    Err(io::Error::other(format!(
        "all {span} sandbox host ids ({}..={LAST}) are in use",
        FIRST + 1
    )))
}

/// Kills every process that runs as an id of the range that nobody holds a lease on:
/// what a crashed corral left behind. Returns how many processes were killed.
pub fn kill_orphans() -> io::Result<usize> {
    let dir = lease_dir()?;
    let mut by_id: std::collections::BTreeMap<u32, Vec<i32>> = Default::default();
    for entry in fs::read_dir("/proc")?.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<i32>().ok())
        else {
            continue;
        };
        let Ok(status) = fs::read_to_string(entry.path().join("status")) else {
            continue;
        };
        // "Uid:\treal\teffective\tsaved\tfs": any of them in the range counts.
        let in_range = status
            .lines()
            .filter(|l| l.starts_with("Uid:") || l.starts_with("Gid:"))
            .flat_map(|l| l.split_whitespace().skip(1))
            .filter_map(|v| v.parse::<u32>().ok())
            .find(|v| (FIRST..=LAST).contains(v));
        if let Some(id) = in_range {
            by_id.entry(id).or_default().push(pid);
        }
    }
    let mut killed = 0;
    for (id, pids) in by_id {
        // Holding the lock while killing: no new step can take this id meanwhile.
        let Some(_lock) = try_lock(&dir, id)? else {
            continue;
        };
        for pid in pids {
            if let Ok(fd) = crate::sys::pidfd_open(pid)
                && crate::sys::pidfd_kill(&fd, libc::SIGKILL).is_ok()
            {
                killed += 1;
            }
        }
    }
    Ok(killed)
}

/// Makes `id` the owner of `root` and everything below it, walking by descriptors and
/// never following a symbolic link, so a tree a sandbox wrote before cannot redirect
/// the walk outside itself.
pub fn hand_over(root: &Path, id: u32) -> io::Result<()> {
    use nix::dir::{Dir, Type};
    use nix::fcntl::{AtFlags, OFlag};
    use nix::sys::stat::Mode;
    use nix::unistd::{Gid, Uid, fchown, fchownat};
    let (uid, gid) = (Some(Uid::from_raw(id)), Some(Gid::from_raw(id)));
    let flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
    let top = Dir::open(root, flags, Mode::empty())?;
    fchown(&top, uid, gid)?;
    let mut stack = vec![top];
    while let Some(mut dir) = stack.pop() {
        let mut entries = vec![];
        for e in dir.iter() {
            let e = e?;
            let name = e.file_name().to_owned();
            if name.as_bytes() != b"." && name.as_bytes() != b".." {
                entries.push((name, e.file_type()));
            }
        }
        for (name, kind) in entries {
            fchownat(
                &dir,
                name.as_c_str(),
                uid,
                gid,
                AtFlags::AT_SYMLINK_NOFOLLOW,
            )?;
            if matches!(kind, Some(Type::Directory) | None) {
                match Dir::openat(&dir, name.as_c_str(), flags, Mode::empty()) {
                    Ok(sub) => stack.push(sub),
                    // Not a directory after all (unknown type), or a link: nothing below.
                    Err(nix::errno::Errno::ENOTDIR | nix::errno::Errno::ELOOP) => {}
                    Err(e) => return Err(e.into()),
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    #[test]
    fn hand_over_changes_the_tree_and_never_follows_links() {
        if !nix::unistd::geteuid().is_root() {
            eprintln!("SKIP: changing owners needs root");
            return;
        }
        let base = std::env::temp_dir().join(format!("corral-handover-{}", std::process::id()));
        let _ = fs::remove_dir_all(&base);
        let outside = base.join("outside");
        let tree = base.join("tree");
        fs::create_dir_all(tree.join("a/b")).unwrap();
        fs::create_dir_all(&outside).unwrap();
        fs::write(outside.join("secret"), "x").unwrap();
        fs::write(tree.join("a/b/file"), "y").unwrap();
        std::os::unix::fs::symlink(&outside, tree.join("a/link")).unwrap();
        hand_over(&tree, FIRST + 7).unwrap();
        for p in ["a", "a/b", "a/b/file"] {
            assert_eq!(fs::metadata(tree.join(p)).unwrap().uid(), FIRST + 7, "{p}");
        }
        assert_eq!(
            fs::symlink_metadata(tree.join("a/link")).unwrap().uid(),
            FIRST + 7
        );
        assert_eq!(
            fs::metadata(&outside).unwrap().uid(),
            0,
            "the link was followed"
        );
        assert_eq!(fs::metadata(outside.join("secret")).unwrap().uid(), 0);
        assert!(
            hand_over(&tree.join("a/link"), FIRST + 7).is_err(),
            "a link as root"
        );
        fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn leases_are_distinct_and_released() {
        if !nix::unistd::geteuid().is_root() {
            eprintln!("SKIP: the lease directory is root's");
            return;
        }
        let a = lease().unwrap();
        let b = lease().unwrap();
        assert_ne!(a.id(), b.id());
        assert!((FIRST + 1..=LAST).contains(&a.id()));
        let dir = lease_dir().unwrap();
        assert!(try_lock(&dir, a.id()).unwrap().is_none(), "held");
        let id = a.id();
        drop(a);
        assert!(try_lock(&dir, id).unwrap().is_some(), "released on drop");
    }
}
