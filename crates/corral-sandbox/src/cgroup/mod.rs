//! cgroups behind one small interface: v1 (one hierarchy per controller) or v2
//! (a delegated subtree), chosen at run time. The cgroup root is a parameter, so
//! tests can point it at a temporary directory.

mod v1;
mod v2;

pub use v1::V1;
pub use v2::V2;

use crate::limits::Limits;
use std::io;
use std::path::{Path, PathBuf};

/// What a finished step used, read from its cgroup.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    pub cpu_ns: u64,
    pub memory_peak: u64,
    pub oom_killed: bool,
    pub pids_hit: bool,
}

/// One step's cgroup, in whatever version the host has.
pub trait Group: Send {
    /// Files to which a single-threaded process writes "0" to move itself into the group.
    /// (Moving oneself skips the global threadgroup lock and its RCU wait, which makes
    /// v1's cgroup.procs writes cost milliseconds.)
    fn self_attach_files(&self) -> Vec<PathBuf>;
    /// CPU time used so far, in nanoseconds (polled for the CPU limit).
    fn cpu_ns(&self) -> io::Result<u64>;
    /// Usage figures at the end of the step.
    fn usage(&self) -> Usage;
    /// Removes the group; every process in it must be dead.
    fn remove(&self) -> io::Result<()>;
}

/// A cgroup setup the supervisor can create groups in.
#[derive(Clone, Debug)]
pub enum Cgroups {
    V1(V1),
    V2(V2),
}

impl Cgroups {
    /// Finds a usable setup on this host: a delegated v2 subtree with memory and
    /// pids, else v1 memory and pids hierarchies. `None` when neither exists or
    /// when we may not write there (not root).
    pub fn detect() -> Result<Cgroups, String> {
        let mountinfo =
            std::fs::read_to_string("/proc/self/mountinfo").map_err(|e| e.to_string())?;
        let own = std::fs::read_to_string("/proc/self/cgroup").map_err(|e| e.to_string())?;
        let v2_err = match V2::detect(&mountinfo, &own) {
            Ok(v2) => return Ok(Cgroups::V2(v2)),
            Err(e) => e,
        };
        match V1::detect(&mountinfo, &own) {
            Ok(v1) => Ok(Cgroups::V1(v1)),
            Err(v1_err) => Err(format!("cgroup v2: {v2_err}; cgroup v1: {v1_err}")),
        }
    }

    pub fn version(&self) -> &'static str {
        match self {
            Cgroups::V1(_) => "v1",
            Cgroups::V2(_) => "v2",
        }
    }

    /// Creates the group `name` with the memory, pids and CPU limits applied.
    pub fn create(&self, name: &str, limits: &Limits) -> io::Result<Box<dyn Group>> {
        match self {
            Cgroups::V1(v) => Ok(Box::new(v.create(name, limits)?)),
            Cgroups::V2(v) => Ok(Box::new(v.create(name, limits)?)),
        }
    }

    /// Removes the groups of corral processes that died (e.g. SIGKILL), killing
    /// whatever still runs in them first (v2: `cgroup.kill`; v1: every listed pid).
    pub fn sweep_stale(&self) {
        let parents: Vec<PathBuf> = match self {
            Cgroups::V1(v) => v.parents(),
            Cgroups::V2(v) => vec![v.parent().to_path_buf()],
        };
        for parent in parents {
            let Ok(entries) = std::fs::read_dir(&parent) else {
                continue;
            };
            for e in entries.flatten() {
                let name = e.file_name();
                let name = name.to_string_lossy();
                // Our groups are named "<pid>-<n>"; skip our own live ones.
                let Some((pid, _)) = name.split_once('-') else {
                    continue;
                };
                let alive = pid
                    .parse::<i32>()
                    .is_ok_and(|p| Path::new(&format!("/proc/{p}")).exists());
                if !alive {
                    let dir = e.path();
                    if write(&dir.join("cgroup.kill"), "1").is_err() {
                        // v1: kill what is listed until nothing is (a process may fork
                        // between a read and the kills), a bounded number of times.
                        for _ in 0..50 {
                            let procs = std::fs::read_to_string(dir.join("cgroup.procs"))
                                .unwrap_or_default();
                            let pids: Vec<i32> = procs
                                .lines()
                                .filter_map(|l| l.trim().parse().ok())
                                .collect();
                            if pids.is_empty() {
                                break;
                            }
                            for pid in pids {
                                if let Ok(fd) = crate::sys::pidfd_open(pid) {
                                    let _ = crate::sys::pidfd_kill(&fd, libc::SIGKILL);
                                }
                            }
                            std::thread::sleep(std::time::Duration::from_millis(5));
                        }
                    }
                    let _ = remove_dir_patiently(&dir);
                }
            }
        }
    }
}

/// Writes a control file, saying which one failed.
pub(crate) fn write(path: &Path, value: &str) -> io::Result<()> {
    std::fs::write(path, value).map_err(|e| {
        io::Error::new(
            e.kind(),
            format!("writing {value:?} to {}: {e}", path.display()),
        )
    })
}

/// Reads `key value` lines (memory.events, pids.events, cpu.stat, memory.oom_control).
pub(crate) fn read_key(path: &Path, key: &str) -> Option<u64> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines().find_map(|l| {
        let (k, v) = l.split_once(' ')?;
        (k == key).then(|| v.trim().parse().ok())?
    })
}

pub(crate) fn read_u64(path: &Path) -> Option<u64> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

/// Removes a group directory, waiting briefly for exiting tasks to leave it.
pub(crate) fn remove_dir_patiently(path: &Path) -> io::Result<()> {
    let mut delay = std::time::Duration::from_millis(1);
    for _ in 0..12 {
        match std::fs::remove_dir(path) {
            Ok(()) => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) if e.raw_os_error() == Some(libc::EBUSY) => {
                std::thread::sleep(delay);
                delay *= 2;
            }
            Err(e) => return Err(e),
        }
    }
    std::fs::remove_dir(path)
}

/// Mount points from /proc/self/mountinfo as (mount point, fs type, super options).
pub(crate) fn mounts(mountinfo: &str) -> impl Iterator<Item = (PathBuf, &str, &str)> {
    mountinfo.lines().filter_map(|line| {
        let (left, right) = line.split_once(" - ")?;
        let mount_point = left.split(' ').nth(4)?;
        let mut r = right.split(' ');
        let fstype = r.next()?;
        let _source = r.next()?;
        let super_opts = r.next().unwrap_or("");
        Some((PathBuf::from(unescape(mount_point)), fstype, super_opts))
    })
}

fn unescape(s: &str) -> String {
    s.replace("\\040", " ")
        .replace("\\011", "\t")
        .replace("\\012", "\n")
        .replace("\\134", "\\")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mountinfo_lines_parse() {
        let mi = "35 25 0:30 / /sys/fs/cgroup/memory rw,relatime shared:11 - cgroup cgroup rw,memory\n\
                  36 25 0:31 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n";
        let all: Vec<_> = mounts(mi).collect();
        assert_eq!(
            all[0],
            (
                PathBuf::from("/sys/fs/cgroup/memory"),
                "cgroup",
                "rw,memory"
            )
        );
        assert_eq!(all[1].1, "cgroup2");
    }

    #[test]
    fn key_files_parse() {
        let dir = std::env::temp_dir().join(format!("corral-cg-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("memory.oom_control");
        std::fs::write(&f, "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n").unwrap();
        assert_eq!(read_key(&f, "oom_kill"), Some(2));
        assert_eq!(read_key(&f, "missing"), None);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
