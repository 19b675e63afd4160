//! cgroup v1: one hierarchy per controller; our groups nest under the supervisor's
//! own cgroup in each (`<mount><own path>/corral/<name>`).

use super::{Group, Usage, mounts, read_key, read_u64, remove_dir_patiently, write};
use crate::limits::Limits;
use std::io;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug)]
pub struct V1 {
    /// `.../corral` directory in the memory, pids, cpu and cpuacct hierarchies.
    memory: PathBuf,
    pids: PathBuf,
    cpu: Option<PathBuf>,
    cpuacct: Option<PathBuf>,
}

impl V1 {
    pub(crate) fn detect(mountinfo: &str, own: &str) -> Result<V1, String> {
        let parent_for = |controller: &str| -> Option<PathBuf> {
            let (mount, _, _) = mounts(mountinfo)
                .find(|(_, t, opts)| *t == "cgroup" && opts.split(',').any(|o| o == controller))?;
            // /proc/self/cgroup: "4:memory:/path" (controllers may be co-mounted "cpu,cpuacct")
            let path = own.lines().find_map(|l| {
                let mut parts = l.splitn(3, ':');
                let (_, ctrls, path) = (parts.next()?, parts.next()?, parts.next()?);
                ctrls
                    .split(',')
                    .any(|c| c == controller)
                    .then(|| path.to_string())
            })?;
            Some(mount.join(path.trim_start_matches('/')).join("corral"))
        };
        let memory = parent_for("memory").ok_or("no memory hierarchy mounted")?;
        let pids = parent_for("pids").ok_or("no pids hierarchy mounted")?;
        let v1 = V1 {
            memory,
            pids,
            cpu: parent_for("cpu"),
            cpuacct: parent_for("cpuacct"),
        };
        for p in v1.parents() {
            std::fs::create_dir_all(&p)
                .map_err(|e| format!("cannot create {}: {e}", p.display()))?;
        }
        Ok(v1)
    }

    pub(crate) fn parents(&self) -> Vec<PathBuf> {
        let mut v = vec![self.memory.clone(), self.pids.clone()];
        v.extend(self.cpu.iter().cloned());
        v.extend(
            self.cpuacct
                .iter()
                .filter(|p| Some(*p) != self.cpu.as_ref())
                .cloned(),
        );
        v
    }

    pub(crate) fn create(&self, name: &str, limits: &Limits) -> io::Result<V1Group> {
        let dirs: Vec<PathBuf> = self.parents().iter().map(|p| p.join(name)).collect();
        let group = V1Group {
            memory: self.memory.join(name),
            pids: self.pids.join(name),
            cpu: self.cpu.as_ref().map(|p| p.join(name)),
            cpuacct: self.cpuacct.as_ref().map(|p| p.join(name)),
            dirs,
        };
        for d in &group.dirs {
            std::fs::create_dir(d)
                .map_err(|e| io::Error::new(e.kind(), format!("creating {}: {e}", d.display())))?;
        }
        let apply = || -> io::Result<()> {
            let mem = limits.memory.to_string();
            write(&group.memory.join("memory.limit_in_bytes"), &mem)?;
            // memory+swap: present only with swap accounting; without it, forbid swapping.
            let memsw = group.memory.join("memory.memsw.limit_in_bytes");
            if memsw.exists() {
                write(&memsw, &mem)?;
            } else {
                let _ = write(&group.memory.join("memory.swappiness"), "0");
            }
            // Socket buffers (TCP, and UDP with it) are charged to the group only once
            // this limit is set; past it the run's sockets are under memory pressure
            // (UDP receives drop, TCP falls back to minimal buffers).
            let tcp = group.memory.join("memory.kmem.tcp.limit_in_bytes");
            if tcp.exists() {
                write(&tcp, &socket_memory(limits.memory).to_string())?;
            }
            write(&group.pids.join("pids.max"), &limits.pids.to_string())?;
            if let Some(cpu) = &group.cpu {
                write(&cpu.join("cpu.cfs_period_us"), "100000")?;
                write(
                    &cpu.join("cpu.cfs_quota_us"),
                    &(limits.cpu_millis * 100).to_string(),
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

/// The socket buffer budget of a run: a quarter of its memory limit, at least 16 MiB.
pub fn socket_memory(memory: u64) -> u64 {
    (memory / 4).max(16 << 20)
}

pub struct V1Group {
    memory: PathBuf,
    pids: PathBuf,
    cpu: Option<PathBuf>,
    cpuacct: Option<PathBuf>,
    dirs: Vec<PathBuf>,
}

impl Group for V1Group {
    fn self_attach_files(&self) -> Vec<PathBuf> {
        // v1's per-thread file: the helper is single-threaded, so its only thread is the process.
        self.dirs.iter().map(|d| d.join("tasks")).collect()
    }

    fn cpu_ns(&self) -> io::Result<u64> {
        let acct = self
            .cpuacct
            .as_ref()
            .ok_or_else(|| io::Error::other("no cpuacct hierarchy"))?;
        read_u64(&acct.join("cpuacct.usage"))
            .ok_or_else(|| io::Error::other("cannot read cpuacct.usage"))
    }

    fn usage(&self) -> Usage {
        let mem = |f: &str| Path::new(&self.memory).join(f);
        Usage {
            cpu_ns: self.cpu_ns().unwrap_or(0),
            memory_peak: read_u64(&mem("memory.max_usage_in_bytes")).unwrap_or(0),
            oom_killed: read_key(&mem("memory.oom_control"), "oom_kill").is_some_and(|n| n > 0),
            pids_hit: read_key(&self.pids.join("pids.events"), "max").is_some_and(|n| n > 0),
        }
    }

    fn remove(&self) -> io::Result<()> {
        let mut first_err = None;
        for d in &self.dirs {
            if let Err(e) = remove_dir_patiently(d) {
                first_err.get_or_insert(io::Error::new(
                    e.kind(),
                    format!("removing {}: {e}", d.display()),
                ));
            }
        }
        first_err.map_or(Ok(()), Err)
    }
}
