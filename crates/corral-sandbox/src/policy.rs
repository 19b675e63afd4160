//! What a step may see and use: mounts, limits, network, environment.

use crate::limits::Limits;
use serde::{Deserialize, Serialize};
use std::path::{Component, Path, PathBuf};

/// One entry of the sandbox's file tree, besides the fixed ones
/// (`/proc`, `/dev`, `/tmp`, `/work`, `/dev/shm`, which every sandbox has).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mount {
    /// A host file or directory bound at `dest`; read-only unless `writable`.
    Bind {
        src: PathBuf,
        dest: PathBuf,
        writable: bool,
    },
    /// A symbolic link created in the sandbox's root.
    Symlink { dest: PathBuf, target: PathBuf },
    /// A read-only file with fixed contents.
    File { dest: PathBuf, contents: String },
}

/// Network reach of a step. Both keep a private network namespace with only `lo`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Network {
    /// `lo` is up: the program may talk to itself.
    Loopback,
    /// Not even loopback TCP (Landlock's TCP rules, where the kernel has them).
    Off,
}

/// The whole policy of one step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    pub mounts: Vec<Mount>,
    pub limits: Limits,
    pub network: Network,
    /// The complete environment of the command.
    pub env: Vec<(String, String)>,
    /// Working directory inside the sandbox.
    pub cwd: PathBuf,
    pub hostname: String,
    /// Refuse to run when Landlock is unavailable (otherwise it is tried).
    pub require_landlock: bool,
    /// Address-space layout randomisation of the command. When false, the command
    /// starts with `personality(ADDR_NO_RANDOMIZE)`: the stack, heap, mmap, vDSO and
    /// PIE bases (and so printed addresses) are the same on every run. The command
    /// may turn randomisation back on for what it executes (`personality(PER_LINUX)`)
    /// but cannot set any other persona flag (seccomp).
    #[serde(default = "yes")]
    pub aslr: bool,
    /// Root mode: before the step starts, its own host id becomes the owner of every
    /// writable bind source and everything below it (never following links), so a
    /// directory that earlier steps wrote stays writable. For directories the caller
    /// made for the sandbox (work dirs, the bake), not for a user's own `--rw` paths.
    #[serde(default)]
    pub hand_over_writable: bool,
}

fn yes() -> bool {
    true
}

/// The uid and gid the command runs as inside the sandbox.
pub const SANDBOX_ID: u32 = 1000;

impl Default for Policy {
    /// The default root of `corral exec` (docs/cli.md): read-only `/usr` with the host's
    /// `/bin`, `/lib*` links, a synthetic `/etc`, private `/tmp` and `/work` (the cwd).
    fn default() -> Self {
        let mut mounts = vec![Mount::Bind {
            src: "/usr".into(),
            dest: "/usr".into(),
            writable: false,
        }];
        for top in ["bin", "sbin", "lib", "lib32", "lib64", "libx32"] {
            let host = Path::new("/").join(top);
            match std::fs::symlink_metadata(&host) {
                Ok(m) if m.file_type().is_symlink() => {
                    if let Ok(target) = std::fs::read_link(&host) {
                        mounts.push(Mount::Symlink { dest: host, target });
                    }
                }
                Ok(m) if m.is_dir() => mounts.push(Mount::Bind {
                    src: host.clone(),
                    dest: host,
                    writable: false,
                }),
                _ => {}
            }
        }
        // The dynamic loader's cache and Debian's alternatives (/usr/bin/cc -> /etc/alternatives/cc).
        for etc in ["/etc/ld.so.cache", "/etc/alternatives"] {
            if Path::new(etc).exists() {
                mounts.push(Mount::Bind {
                    src: etc.into(),
                    dest: etc.into(),
                    writable: false,
                });
            }
        }
        mounts.extend(synthetic_etc());
        Policy {
            mounts,
            limits: Limits::default(),
            network: Network::Loopback,
            env: vec![
                ("PATH".into(), "/usr/local/bin:/usr/bin:/bin".into()),
                ("HOME".into(), "/work".into()),
                ("LANG".into(), "C.UTF-8".into()),
            ],
            cwd: "/work".into(),
            hostname: "corral".into(),
            require_landlock: false,
            aslr: true,
            hand_over_writable: false,
        }
    }
}

fn synthetic_etc() -> Vec<Mount> {
    let id = SANDBOX_ID;
    let file = |dest: &str, contents: String| Mount::File {
        dest: dest.into(),
        contents,
    };
    vec![
        file(
            "/etc/passwd",
            format!(
                "root:x:0:0:root:/root:/bin/sh\nsandbox:x:{id}:{id}:sandbox:/work:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
            ),
        ),
        file(
            "/etc/group",
            format!("root:x:0:\nsandbox:x:{id}:\nnogroup:x:65534:\n"),
        ),
        file(
            "/etc/hosts",
            "127.0.0.1\tlocalhost corral\n::1\tlocalhost ip6-localhost\n".into(),
        ),
        file("/etc/hostname", "corral\n".into()),
        file(
            "/etc/nsswitch.conf",
            "passwd: files\ngroup: files\nhosts: files\n".into(),
        ),
    ]
}

/// Why a policy was refused before anything ran.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PolicyError {
    #[error("mount destination {0:?} must be an absolute path without `..`")]
    BadDestination(PathBuf),
    #[error(
        "mount destination {0:?} is reserved by the sandbox (/, /proc, /dev, /tmp, /work, /dev/shm)"
    )]
    Reserved(PathBuf),
    #[error("cannot bind {path:?}: {reason}")]
    BadSource { path: PathBuf, reason: String },
    #[error("working directory {0:?} must be an absolute path without `..`")]
    BadCwd(PathBuf),
    #[error("environment variable name {0:?} is empty or contains '=' or NUL")]
    BadEnv(String),
}

/// True when `p` is relative, non-empty and made only of normal components (no `..`).
pub fn is_relative_clean(p: &Path) -> bool {
    !p.as_os_str().is_empty() && p.components().all(|c| matches!(c, Component::Normal(_)))
}

/// True when `p` is absolute and made only of normal components.
pub(crate) fn is_clean_absolute(p: &Path) -> bool {
    p.is_absolute()
        && p.components()
            .skip(1)
            .all(|c| matches!(c, Component::Normal(_)))
}

impl Policy {
    /// Adds a host path, read-only (`writable == false`) or writable.
    pub fn bind(
        &mut self,
        src: impl Into<PathBuf>,
        dest: impl Into<PathBuf>,
        writable: bool,
    ) -> &mut Self {
        self.mounts.push(Mount::Bind {
            src: src.into(),
            dest: dest.into(),
            writable,
        });
        self
    }

    /// Sets (or replaces) one environment variable.
    pub fn set_env(&mut self, key: &str, value: &str) -> &mut Self {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.into(), value.into()));
        self
    }

    /// Checks destinations and resolves bind sources on the host to canonical paths,
    /// so that the helper binds exactly what was checked.
    pub fn validate(&mut self) -> Result<(), PolicyError> {
        if !is_clean_absolute(&self.cwd) {
            return Err(PolicyError::BadCwd(self.cwd.clone()));
        }
        for (k, v) in &self.env {
            if k.is_empty() || k.contains(['=', '\0']) || v.contains('\0') {
                return Err(PolicyError::BadEnv(k.clone()));
            }
        }
        for m in &mut self.mounts {
            let dest = match m {
                Mount::Bind { dest, .. }
                | Mount::Symlink { dest, .. }
                | Mount::File { dest, .. } => dest.clone(),
            };
            if !is_clean_absolute(&dest) {
                return Err(PolicyError::BadDestination(dest));
            }
            let reserved = ["/", "/proc", "/dev", "/tmp", "/work", "/dev/shm"];
            if reserved.iter().any(|r| dest == Path::new(r))
                || dest.starts_with("/proc")
                || dest.starts_with("/dev")
            {
                return Err(PolicyError::Reserved(dest));
            }
            if let Mount::Bind { src, .. } = m {
                let canonical =
                    std::fs::canonicalize(&*src).map_err(|e| PolicyError::BadSource {
                        path: src.clone(),
                        reason: e.to_string(),
                    })?;
                *src = canonical;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_policy_is_valid_and_minimal() {
        let mut p = Policy::default();
        p.validate().unwrap();
        assert_eq!(p.cwd, Path::new("/work"));
        let names: Vec<_> = p.env.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["PATH", "HOME", "LANG"]);
    }

    #[test]
    fn aslr_is_on_unless_asked_off() {
        assert!(Policy::default().aslr);
        // A policy serialised before the field existed keeps randomisation on.
        let mut json = serde_json::to_value(Policy::default()).unwrap();
        json.as_object_mut().unwrap().remove("aslr");
        let p: Policy = serde_json::from_value(json).unwrap();
        assert!(p.aslr);
    }

    #[test]
    fn destinations_must_be_clean_and_not_reserved() {
        let mut p = Policy::default();
        p.bind("/usr", "usr", false);
        assert!(matches!(p.validate(), Err(PolicyError::BadDestination(_))));
        let mut p = Policy::default();
        p.bind("/usr", "/a/../etc", false);
        assert!(matches!(p.validate(), Err(PolicyError::BadDestination(_))));
        let mut p = Policy::default();
        p.bind("/usr", "/proc/sys", false);
        assert!(matches!(p.validate(), Err(PolicyError::Reserved(_))));
        let mut p = Policy::default();
        p.bind("/definitely/not/here", "/x", false);
        assert!(matches!(p.validate(), Err(PolicyError::BadSource { .. })));
    }

    #[test]
    fn env_names_are_checked() {
        let mut p = Policy::default();
        p.set_env("A=B", "c");
        assert!(matches!(p.validate(), Err(PolicyError::BadEnv(_))));
    }
}
