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
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

use nix::unistd::{Gid, Uid};

/// The range of host ids that sandbox uid 1000 maps to in root mode, one per step.
pub const FIRST: u32 = 990_001;
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

/// The lease directory, created by the first lease of this process.
fn lease_dir() -> io::Result<&'static Path> {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    if let Some(dir) = DIR.get() {
        return Ok(dir);
    }
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(LEASE_DIR)?;
    Ok(DIR.get_or_init(|| PathBuf::from(LEASE_DIR)))
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

/// Leases a free id of the range.
pub fn lease() -> io::Result<Lease> {
    let dir = lease_dir()?;
    // Start where the last lease of this process stopped, spread by pid across processes,
    // so a lease usually takes one try.
    static NEXT: AtomicU32 = AtomicU32::new(u32::MAX);
    let span = LAST - FIRST + 1;
    let _ = NEXT.compare_exchange(
        u32::MAX,
        std::process::id().wrapping_mul(2_654_435_761) % span,
        Ordering::Relaxed,
        Ordering::Relaxed,
    );
    for _ in 0..span {
        let slot = NEXT.fetch_add(1, Ordering::Relaxed) % span;
        let id = FIRST + slot;
        if let Some(lock) = try_lock(dir, id)? {
            return Ok(Lease { id, _lock: lock });
        }
    }
    Err(io::Error::other(format!(
        "all {span} sandbox host ids ({FIRST}..={LAST}) are in use"
    )))
}

/// Makes `id` the owner of `root` and everything below it: [`chown_tree`].
pub fn hand_over(root: &Path, id: u32) -> io::Result<()> {
    chown_tree(root, id, id)
}

/// Makes `uid`/`gid` the owner of `root` and everything below it, walking by descriptors
/// and never following a symbolic link, so a tree a sandbox wrote before cannot redirect
/// the walk outside itself. Descriptors are held only along the current path (at most
/// [`MAX_DEPTH`]), and entries that vanish meanwhile are skipped.
pub fn chown_tree(root: &Path, uid: u32, gid: u32) -> io::Result<()> {
    use nix::sys::stat::Mode;
    let top = nix::dir::Dir::open(root, DIR_FLAGS, Mode::empty())?;
    let owner = (Uid::from_raw(uid), Gid::from_raw(gid));
    nix::unistd::fchown(&top, Some(owner.0), Some(owner.1))?;
    chown_below(top, owner, 0)
}

/// How deep [`chown_tree`] descends before it gives up.
pub const MAX_DEPTH: usize = 256;
const DIR_FLAGS: nix::fcntl::OFlag = nix::fcntl::OFlag::O_RDONLY
    .union(nix::fcntl::OFlag::O_DIRECTORY)
    .union(nix::fcntl::OFlag::O_NOFOLLOW)
    .union(nix::fcntl::OFlag::O_CLOEXEC);

fn chown_below(mut dir: nix::dir::Dir, owner: (Uid, Gid), depth: usize) -> io::Result<()> {
    use nix::dir::Type;
    use nix::errno::Errno;
    use nix::fcntl::AtFlags;
    use nix::sys::stat::Mode;
    if depth >= MAX_DEPTH {
        return Err(io::Error::other(format!(
            "more than {MAX_DEPTH} directories deep"
        )));
    }
    let mut entries = vec![];
    for e in dir.iter() {
        let e = e?;
        let name = e.file_name().to_owned();
        if name.as_bytes() != b"." && name.as_bytes() != b".." {
            entries.push((name, e.file_type()));
        }
    }
    let (uid, gid) = (Some(owner.0), Some(owner.1));
    for (name, kind) in entries {
        match nix::unistd::fchownat(
            &dir,
            name.as_c_str(),
            uid,
            gid,
            AtFlags::AT_SYMLINK_NOFOLLOW,
        ) {
            Ok(()) => {}
            Err(Errno::ENOENT) => continue,
            Err(e) => return Err(e.into()),
        }
        if matches!(kind, Some(Type::Directory) | None) {
            match nix::dir::Dir::openat(&dir, name.as_c_str(), DIR_FLAGS, Mode::empty()) {
                Ok(sub) => chown_below(sub, owner, depth + 1)?,
                // Not a directory after all (unknown type), a link, or gone: nothing below.
                Err(Errno::ENOTDIR | Errno::ELOOP | Errno::ENOENT) => {}
                Err(e) => return Err(e.into()),
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
        // Sibling directories cost no descriptors: more of them than the descriptor limit.
        let mut lim: libc::rlimit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit with a valid out-pointer.
        unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) };
        let many = lim.rlim_cur.min(8192) as usize + 64;
        for i in 0..many {
            fs::create_dir(tree.join(format!("a/b/d{i}"))).unwrap();
        }
        hand_over(&tree, FIRST + 8).unwrap();
        let last = tree.join(format!("a/b/d{}", many - 1));
        assert_eq!(fs::metadata(&last).unwrap().uid(), FIRST + 8);
        // Taken back by another owner (as the bake does after a build).
        chown_tree(&tree, 0, FIRST + 9).unwrap();
        let meta = fs::metadata(&last).unwrap();
        assert_eq!((meta.uid(), meta.gid()), (0, FIRST + 9));
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
        assert!((FIRST..=LAST).contains(&a.id()));
        let dir = lease_dir().unwrap();
        assert!(try_lock(dir, a.id()).unwrap().is_none(), "held");
        let id = a.id();
        drop(a);
        assert!(try_lock(dir, id).unwrap().is_some(), "released on drop");
    }
}
