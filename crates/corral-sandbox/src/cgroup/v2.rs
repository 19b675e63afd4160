//! cgroup v2: a delegated subtree. Our groups live in `<own cgroup>/corral/<name>`;
//! memory, pids and cpu must be available to the supervisor's own cgroup.

use super::{Group, Usage, mounts, read_key, read_u64, remove_dir_patiently, write};
use crate::limits::Limits;
use std::io;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug)]
pub struct V2 {
    parent: PathBuf,
}

impl V2 {
    pub(crate) fn detect(mountinfo: &str, own: &str) -> Result<V2, String> {
        let (mount, _, _) = mounts(mountinfo)
            .find(|(_, t, _)| *t == "cgroup2")
            .ok_or("no cgroup2 mount")?;
        let path = own
            .lines()
            .find_map(|l| l.strip_prefix("0::"))
            .ok_or("no v2 entry in /proc/self/cgroup")?;
        let own_dir = mount.join(path.trim_start_matches('/'));
        Self::at(&own_dir)
    }

    /// Uses `own_dir` (the supervisor's cgroup) as the delegated root.
    pub fn at(own_dir: &Path) -> Result<V2, String> {
        let controllers = std::fs::read_to_string(own_dir.join("cgroup.controllers"))
            .map_err(|e| e.to_string())?;
        for needed in ["memory", "pids"] {
            if !controllers.split_whitespace().any(|c| c == needed) {
                return Err(format!(
                    "controller {needed} is not delegated to {}",
                    own_dir.display()
                ));
            }
        }
        let enable: String = ["memory", "pids", "cpu"]
            .iter()
            .filter(|c| controllers.contains(*c))
            .map(|c| format!("+{c} "))
            .collect();
        // Enabling controllers for children requires our own cgroup to hold no processes
        // (unless it is the root): run corral in a leaf of a delegated subtree.
        write(&own_dir.join("cgroup.subtree_control"), enable.trim()).map_err(|e| e.to_string())?;
        let parent = own_dir.join("corral");
        std::fs::create_dir_all(&parent).map_err(|e| e.to_string())?;
        write(&parent.join("cgroup.subtree_control"), enable.trim()).map_err(|e| e.to_string())?;
        Ok(V2 { parent })
    }

    pub(crate) fn parent(&self) -> &Path {
        &self.parent
    }

    pub(crate) fn create(&self, name: &str, limits: &Limits) -> io::Result<V2Group> {
        let dir = self.parent.join(name);
        std::fs::create_dir(&dir)?;
        let group = V2Group { dir };
        let apply = || -> io::Result<()> {
            write(&group.dir.join("memory.max"), &limits.memory.to_string())?;
            let _ = write(&group.dir.join("memory.swap.max"), "0");
            write(&group.dir.join("pids.max"), &limits.pids.to_string())?;
            if group.dir.join("cpu.max").exists() {
                write(
                    &group.dir.join("cpu.max"),
                    &format!("{} 100000", limits.cpu_millis * 100),
                )?;
            }
            Ok(())
        };
        if let Err(e) = apply() {
            let _ = group.remove();
            return Err(e);
        }
        Ok(group)
    }
}

pub struct V2Group {
    dir: PathBuf,
}

impl Group for V2Group {
    fn self_attach_files(&self) -> Vec<PathBuf> {
        vec![self.dir.join("cgroup.procs")]
    }

    fn cpu_ns(&self) -> io::Result<u64> {
        read_key(&self.dir.join("cpu.stat"), "usage_usec")
            .map(|us| us * 1000)
            .ok_or_else(|| io::Error::other("cannot read cpu.stat"))
    }

    fn usage(&self) -> Usage {
        Usage {
            cpu_ns: self.cpu_ns().unwrap_or(0),
            memory_peak: read_u64(&self.dir.join("memory.peak")).unwrap_or(0),
            oom_killed: read_key(&self.dir.join("memory.events"), "oom_kill")
                .is_some_and(|n| n > 0),
            pids_hit: read_key(&self.dir.join("pids.events"), "max").is_some_and(|n| n > 0),
        }
    }

    fn remove(&self) -> io::Result<()> {
        let _ = write(&self.dir.join("cgroup.kill"), "1");
        remove_dir_patiently(&self.dir)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn v2_needs_a_delegated_subtree() {
        // This host (cgroup v1 + an empty v2 hierarchy) cannot exercise v2 for real.
        let mi = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
        let own = std::fs::read_to_string("/proc/self/cgroup").unwrap();
        match super::V2::detect(&mi, &own) {
            Ok(v) => eprintln!("cgroup v2 is delegated here: {}", v.parent.display()),
            Err(e) => eprintln!("SKIP: cgroup v2 path not exercisable on this host: {e}"),
        }
    }
}
