//! Work dirs: `<work root>/<pid>-<n>`, one per compile step (or tool), holding the
//! sources and the compiler's `target/`.
//!
//! In root mode each is a tmpfs capped by the compile step's `tmpfs` and `inodes`
//! limits, so that no build can fill the host's disk; its pages count against the
//! memory cgroup of the step that wrote them. Unprivileged (no mount on the host) it is
//! a plain directory, bounded only by RLIMIT_FSIZE per file (the compile step's
//! `file_size`) and the step's wall clock.
//!
//! A crashed server leaves its work dirs (and, in root mode, their tmpfs mounts)
//! behind. Each process holding work dirs under a root holds `flock` on
//! `<root>/<pid>.lock` for its whole life; the first pipeline of a process on a root
//! removes every `<pid>-<n>` whose lock nobody holds (its owner is dead, whatever
//! process now has its pid), its own pid's included: it has made none yet. A
//! `<pid>-<n>` without a lock file (an older corral's) goes only when no process has
//! that pid. Mounts on or under a leftover are detached first (`/proc/self/mountinfo`),
//! and removal never follows a link.

use nix::fcntl::{Flock, FlockArg};
use std::fs::File;
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A request's work dir on the host: unmounted (if a tmpfs) and removed on drop, without
/// following links.
pub(crate) struct WorkDir {
    path: PathBuf,
    mounted: bool,
}

impl WorkDir {
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the compile step may have stopped on this dir's caps (root mode): the
    /// tmpfs is full now, or `stderr` (the compiler's) says a write found no space.
    pub(crate) fn full(&self, stderr: &str) -> Option<corral_sandbox::LimitKind> {
        use corral_sandbox::LimitKind;
        if !self.mounted {
            return None;
        }
        // The host only asks the kernel about its own mount point: nothing the step
        // wrote is read or followed.
        if let Ok(s) = nix::sys::statvfs::statvfs(&self.path) {
            if s.files_available() == 0 {
                return Some(LimitKind::Inodes);
            }
            if s.blocks_available() == 0 {
                return Some(LimitKind::Disk);
            }
        }
        // rustc removes its partial outputs on failure, so the tmpfs may have room
        // again: then the messages tell. A failed write says ENOSPC; the linker (lld
        // maps its output) dies of SIGBUS when a page of the full tmpfs cannot be had.
        // (The user's `compile_error!` could fake them: the label only, never a status.)
        const FULL: [&str; 3] = [
            "No space left on device",
            "terminated with signal 7 [Bus error]",
            "signal: 7, SIGBUS",
        ];
        FULL.iter()
            .any(|m| stderr.contains(m))
            .then_some(LimitKind::Disk)
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        if self.mounted {
            let _ = nix::mount::umount2(&self.path, nix::mount::MntFlags::MNT_DETACH);
        }
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// The tmpfs cap of a work dir (root mode).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Cap {
    pub(crate) size: u64,
    pub(crate) inodes: u64,
}

/// Creates `dir` (which must not exist) and, with `cap`, mounts a tmpfs on it with the
/// owner and mode the directory had. The caller then fills it.
pub(crate) fn create(dir: PathBuf, cap: Option<Cap>) -> io::Result<WorkDir> {
    use std::os::unix::fs::MetadataExt;
    std::fs::create_dir(&dir)?;
    let mut work = WorkDir {
        path: dir,
        mounted: false,
    };
    if let Some(cap) = cap {
        let meta = std::fs::symlink_metadata(&work.path)?;
        let options = format!(
            "size={},nr_inodes={},mode={:o},uid={},gid={}",
            cap.size.max(4096),
            cap.inodes.max(16),
            meta.mode() & 0o7777,
            meta.uid(),
            meta.gid()
        );
        nix::mount::mount(
            Some("corral-work"),
            &work.path,
            Some("tmpfs"),
            nix::mount::MsFlags::MS_NOSUID | nix::mount::MsFlags::MS_NODEV,
            Some(options.as_str()),
        )
        .map_err(|e| {
            io::Error::other(format!(
                "cannot mount a tmpfs on {}: {e}",
                work.path.display()
            ))
        })?;
        work.mounted = true;
    }
    Ok(work)
}

/// Roots this process has claimed (canonical path), with its lock on each.
static CLAIMED: Mutex<Vec<(PathBuf, Flock<File>)>> = Mutex::new(Vec::new());

/// Makes this process the owner of its `<pid>-<n>` names under `root` (a private
/// directory that exists): on the first call for `root`, takes the lock and removes
/// the leftovers of dead processes. Later calls return at once.
pub(crate) fn claim(root: &Path) -> io::Result<()> {
    let root = root.canonicalize()?;
    let mut claimed = CLAIMED.lock().unwrap_or_else(|p| p.into_inner());
    if claimed.iter().any(|(r, _)| *r == root) {
        return Ok(());
    }
    let me = std::process::id();
    let lock = lock_own(&root.join(format!("{me}.lock")))?;
    // Nobody else may remove our names now; we have made none under this root yet, so
    // any with our pid are a predecessor's.
    sweep(&root, me);
    claimed.push((root, lock));
    Ok(())
}

/// Opens and locks (blocking) our lock file; retries when a sweeper unlinked it between
/// our open and our lock.
fn lock_own(path: &Path) -> io::Result<Flock<File>> {
    use std::os::unix::fs::MetadataExt;
    loop {
        let Some(file) = flock(open_lock(path)?, false)? else {
            continue;
        };
        let held = file.metadata()?;
        match std::fs::symlink_metadata(path) {
            Ok(now) if now.ino() == held.ino() && now.dev() == held.dev() => return Ok(file),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
}

fn open_lock(path: &Path) -> io::Result<File> {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .custom_flags(nix::libc::O_NOFOLLOW | nix::libc::O_CLOEXEC)
        .open(path)
}

/// `flock(LOCK_EX)`, non-blocking when `try_only`: `None` when another holds it. The
/// lock lasts as long as the returned value.
fn flock(file: File, try_only: bool) -> io::Result<Option<Flock<File>>> {
    let arg = if try_only {
        FlockArg::LockExclusiveNonblock
    } else {
        FlockArg::LockExclusive
    };
    match Flock::lock(file, arg) {
        Ok(held) => Ok(Some(held)),
        Err((_, nix::errno::Errno::EWOULDBLOCK)) => Ok(None),
        Err((_, e)) => Err(e.into()),
    }
}

/// `<pid>-<n>` → pid; `<pid>.lock` → pid.
fn parse_name(name: &str) -> Option<(u32, bool)> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if let Some(pid) = name.strip_suffix(".lock") {
        return digits(pid).then(|| pid.parse().ok().map(|p| (p, true)))?;
    }
    let (pid, n) = name.split_once('-')?;
    (digits(pid) && digits(n)).then(|| pid.parse().ok().map(|p| (p, false)))?
}

/// Removes the work dirs of `me` (our own lock is held) and of every pid whose lock is
/// free (its owner is gone), and those free lock files. Failures are logged: a
/// leftover must not stop the server.
fn sweep(root: &Path, me: u32) {
    let entries = match std::fs::read_dir(root) {
        Ok(e) => e,
        Err(e) => {
            tracing::warn!("cannot list {}: {e}", root.display());
            return;
        }
    };
    let mut by_pid: std::collections::BTreeMap<u32, Vec<PathBuf>> = Default::default();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some((pid, is_lock)) = name.to_str().and_then(parse_name) else {
            continue;
        };
        let dirs = by_pid.entry(pid).or_default();
        if !is_lock {
            dirs.push(entry.path());
        }
    }
    let mounts = mount_points();
    for (pid, dirs) in by_pid {
        if pid == me {
            remove_all(&dirs, &mounts);
            continue;
        }
        let lock_path = root.join(format!("{pid}.lock"));
        // No lock file: an owner of an older corral that never takes one, or one whose
        // lock a sweeper removed (while its dirs could not be).
        let had_lock = std::fs::symlink_metadata(&lock_path).is_ok();
        let lock = match open_lock(&lock_path) {
            Ok(f) => f,
            Err(e) => {
                tracing::warn!("cannot open {}: {e}", lock_path.display());
                continue;
            }
        };
        match flock(lock, true) {
            Ok(Some(_held)) => {
                // A free lock: its owner is gone, whoever has its pid now (a new
                // process with this pid waits for this lock before making dirs).
                // Without a lock file, only a dead pid proves the owner gone.
                if had_lock || !alive(pid) {
                    remove_all(&dirs, &mounts);
                }
                let _ = std::fs::remove_file(&lock_path);
            }
            Ok(None) => {}
            Err(e) => tracing::warn!("cannot lock {}: {e}", lock_path.display()),
        }
    }
}

/// Whether a process `pid` exists (any owner).
fn alive(pid: u32) -> bool {
    let Ok(raw) = i32::try_from(pid) else {
        return false;
    };
    !matches!(
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(raw), None),
        Err(nix::errno::Errno::ESRCH)
    )
}

/// Unmounts (lazily) whatever is mounted on or under each dir, then removes it.
fn remove_all(dirs: &[PathBuf], mounts: &[PathBuf]) {
    for dir in dirs {
        let mut under: Vec<&PathBuf> = mounts.iter().filter(|m| m.starts_with(dir)).collect();
        // Deepest first; a mount seen twice (stacked) is unmounted twice.
        under.sort_by_key(|m| std::cmp::Reverse(m.components().count()));
        for m in under {
            if let Err(e) = nix::mount::umount2(m, nix::mount::MntFlags::MNT_DETACH) {
                tracing::warn!("cannot unmount {}: {e}", m.display());
            }
        }
        // A link is removed, never followed.
        let result = match std::fs::symlink_metadata(dir) {
            Ok(m) if m.is_dir() => std::fs::remove_dir_all(dir),
            Ok(_) => std::fs::remove_file(dir),
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => tracing::info!("removed the leftover work dir {}", dir.display()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => tracing::warn!("cannot remove {}: {e}", dir.display()),
        }
    }
}

/// Mount points of this mount namespace (field 5 of `/proc/self/mountinfo`).
fn mount_points() -> Vec<PathBuf> {
    std::fs::read_to_string("/proc/self/mountinfo")
        .map(|text| parse_mountinfo(&text))
        .unwrap_or_default()
}

pub(crate) fn parse_mountinfo(text: &str) -> Vec<PathBuf> {
    text.lines()
        .filter_map(|line| line.split(' ').nth(4))
        .map(|p| PathBuf::from(unescape(p)))
        .collect()
}

/// mountinfo escapes space, tab, newline and backslash as `\ooo`.
fn unescape(field: &str) -> std::ffi::OsString {
    use std::os::unix::ffi::OsStringExt;
    let b = field.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && i + 3 < b.len()
            && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c))
        {
            out.push((b[i + 1] - b'0') * 64 + (b[i + 2] - b'0') * 8 + (b[i + 3] - b'0'));
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    std::ffi::OsString::from_vec(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_mountinfo_parse() {
        assert_eq!(parse_name("123-4"), Some((123, false)));
        assert_eq!(parse_name("123.lock"), Some((123, true)));
        for other in ["vtime", "123", "-4", "12-", "a-1", "1-2-3", ".lock", "1-x"] {
            assert_eq!(parse_name(other), None, "{other}");
        }
        let text = "36 35 98:0 / /mnt/a\\040b rw,noatime master:1 - tmpfs corral-work rw,size=1024k\n\
                    37 35 98:0 / /x\\134y rw - ext4 /dev/root rw\n";
        assert_eq!(
            parse_mountinfo(text),
            [PathBuf::from("/mnt/a b"), PathBuf::from("/x\\y")]
        );
    }

    #[test]
    fn leftovers_of_dead_owners_go_live_ones_and_link_targets_stay() {
        let base = std::env::temp_dir().join(format!("corral-workdir-unit-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let root = base.join("work");
        let outside = base.join("outside");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("keep.txt"), "keep").unwrap();
        let me = std::process::id();
        // A dead owner (no lock held), with a link out and a link as an entry.
        let dead = root.join("999999-3");
        std::fs::create_dir_all(dead.join("target/deep")).unwrap();
        std::fs::write(dead.join("target/deep/f"), "x").unwrap();
        std::os::unix::fs::symlink(outside.join("keep.txt"), dead.join("link")).unwrap();
        std::os::unix::fs::symlink(&outside, dead.join("dirlink")).unwrap();
        std::fs::write(root.join("999999.lock"), "").unwrap();
        std::os::unix::fs::symlink(&outside, root.join("999998-0")).unwrap();
        // A live owner: its lock is held (by another open file here).
        let live = root.join("999997-1");
        std::fs::create_dir(&live).unwrap();
        let held = flock(open_lock(&root.join("999997.lock")).unwrap(), true)
            .unwrap()
            .expect("free lock");
        // Lockless owners (an older corral): a live pid keeps its dir, a dead one not.
        std::fs::create_dir(root.join("1-0")).unwrap();
        std::fs::create_dir(root.join("999996-0")).unwrap();
        // A predecessor with our own pid, and what is not a work dir.
        std::fs::create_dir(root.join(format!("{me}-5"))).unwrap();
        std::fs::create_dir(root.join("vtime")).unwrap();

        claim(&root).unwrap();
        assert!(!dead.exists() && !root.join("999999.lock").exists());
        assert!(std::fs::symlink_metadata(root.join("999998-0")).is_err());
        assert!(!root.join(format!("{me}-5")).exists());
        assert!(live.is_dir() && root.join("vtime").is_dir());
        assert!(root.join("1-0").is_dir() && !root.join("999996-0").exists());
        assert!(!root.join("1.lock").exists());
        assert_eq!(
            std::fs::read_to_string(outside.join("keep.txt")).unwrap(),
            "keep"
        );
        assert!(root.join(format!("{me}.lock")).exists());

        // Our own dirs survive a second claim (another pipeline of this process).
        std::fs::create_dir(root.join(format!("{me}-6"))).unwrap();
        claim(&root).unwrap();
        assert!(root.join(format!("{me}-6")).is_dir());
        // Once the live owner is gone, the next sweep takes its dir.
        drop(held);
        sweep(&root.canonicalize().unwrap(), me.wrapping_add(1));
        assert!(!live.exists());
        let _ = std::fs::remove_dir_all(&base);
    }
}
