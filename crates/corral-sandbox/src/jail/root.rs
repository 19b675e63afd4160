//! The sandbox's root filesystem: the bind sources and devices opened before ids change,
//! and the fresh tmpfs root that init builds from them (scratch, /dev, a masked /proc).

use super::{Result, Step};
use crate::policy::{Mount, Policy};
use crate::sys;
use nix::mount::{MntFlags, MsFlags, mount, umount2};
use std::fs;
use std::os::fd::OwnedFd;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

const DEVICES: [&str; 5] = ["null", "zero", "full", "random", "urandom"];
/// /proc files that describe the host rather than the sandbox (kernel command line,
/// loaded modules, kernel symbols, timers and keys of other processes).
const PROC_MASKED: [&str; 21] = [
    "cmdline",
    "modules",
    "kallsyms",
    "timer_list",
    "keys",
    "key-users",
    "kcore",
    "config.gz",
    "iomem",
    "ioports",
    // Names the host's boot: the same in every sandbox on one host.
    "sys/kernel/random/boot_id",
    // Host-wide counts that move with every process on the host, other runs included:
    // a channel between runs and a view of the host's activity.
    "sys/fs/file-nr",
    "sys/fs/inode-nr",
    "sys/fs/inode-state",
    "sys/fs/dentry-state",
    "diskstats",
    "pressure/cpu",
    "pressure/memory",
    "pressure/io",
    "pressure/irq",
    "vmstat",
];

/// Detached copies of every bind source and device, restricted (read-only unless
/// writable, nosuid, nodev or noexec) and private, ready for init to attach.
pub(crate) type Sources = (Vec<(OwnedFd, PathBuf, bool)>, Vec<(OwnedFd, &'static str)>);
pub(crate) fn open_sources(policy: &Policy) -> Result<Sources> {
    let mut sources = Vec::new();
    for m in &policy.mounts {
        if let Mount::Bind {
            src,
            dest,
            writable,
        } = m
        {
            let fd =
                sys::open_tree_clone(src).step(&format!("open bind source {}", src.display()))?;
            let is_dir = nix::sys::stat::fstat(&fd).step("stat bind source")?.st_mode
                & libc::S_IFMT
                == libc::S_IFDIR;
            let mut attrs = sys::MOUNT_ATTR_NOSUID | sys::MOUNT_ATTR_NODEV;
            if !writable {
                attrs |= sys::MOUNT_ATTR_RDONLY;
            }
            sys::mount_setattr_fd(&fd, attrs).step(&format!("restrict bind {}", src.display()))?;
            sources.push((fd, dest.clone(), is_dir));
        }
    }
    let mut devices = Vec::new();
    for d in DEVICES {
        let fd =
            sys::open_tree_clone(&Path::new("/dev").join(d)).step(&format!("open /dev/{d}"))?;
        sys::mount_setattr_fd(&fd, sys::MOUNT_ATTR_NOSUID | sys::MOUNT_ATTR_NOEXEC)
            .step("restrict device")?;
        devices.push((fd, d));
    }
    Ok((sources, devices))
}

/// The descriptors of `sources`, in order, to pass to the helper.
pub(crate) fn source_fds(sources: &Sources) -> Vec<std::os::fd::RawFd> {
    use std::os::fd::AsRawFd;
    let (binds, devices) = sources;
    binds
        .iter()
        .map(|(fd, _, _)| fd.as_raw_fd())
        .chain(devices.iter().map(|(fd, _)| fd.as_raw_fd()))
        .collect()
}

/// [`open_sources`]'s result from the descriptors the supervisor sent (root mode: it
/// opened them as host root), matched against `policy` in the same order.
pub(super) fn sources_from_fds(policy: &Policy, fds: Vec<OwnedFd>) -> Result<Sources> {
    let dests: Vec<&PathBuf> = policy
        .mounts
        .iter()
        .filter_map(|m| match m {
            Mount::Bind { dest, .. } => Some(dest),
            _ => None,
        })
        .collect();
    if fds.len() != dests.len() + DEVICES.len() {
        return Err(format!(
            "expected {} bind sources and devices, got {}",
            dests.len() + DEVICES.len(),
            fds.len()
        ));
    }
    let mut fds = fds.into_iter();
    let mut binds = Vec::new();
    for dest in dests {
        let fd = fds.next().ok_or("missing bind source")?;
        let is_dir = nix::sys::stat::fstat(&fd).step("stat bind source")?.st_mode & libc::S_IFMT
            == libc::S_IFDIR;
        binds.push((fd, dest.clone(), is_dir));
    }
    let devices = DEVICES
        .iter()
        .copied()
        .zip(fds)
        .map(|(d, fd)| (fd, d))
        .collect();
    Ok((binds, devices))
}

fn mkdir_p(path: &Path, mode: u32) -> Result<()> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(mode)
        .create(path)
        .step(&format!("mkdir {}", path.display()))
}

/// Makes `root` a fresh tmpfs holding every mount of the policy.
pub(super) fn build_root(
    root: &Path,
    policy: &Policy,
    sources: Vec<(OwnedFd, PathBuf, bool)>,
    devices: Vec<(OwnedFd, &'static str)>,
) -> Result<()> {
    let flags = MsFlags::MS_NOSUID | MsFlags::MS_NODEV;
    mount(
        Some("corral"),
        root,
        Some("tmpfs"),
        flags,
        Some("size=4m,nr_inodes=4096,mode=0755"),
    )
    .step("mount root tmpfs")?;
    let inside = |p: &Path| root.join(p.strip_prefix("/").unwrap_or(p));

    for m in &policy.mounts {
        match m {
            Mount::Symlink { dest, target } => {
                let d = inside(dest);
                mkdir_p(d.parent().unwrap_or(root), 0o755)?;
                std::os::unix::fs::symlink(target, &d)
                    .step(&format!("symlink {}", dest.display()))?;
            }
            Mount::File { dest, contents } => {
                let d = inside(dest);
                mkdir_p(d.parent().unwrap_or(root), 0o755)?;
                fs::write(&d, contents).step(&format!("write {}", dest.display()))?;
                fs::set_permissions(&d, fs::Permissions::from_mode(0o644)).step("chmod")?;
            }
            Mount::Bind { .. } => {}
        }
    }
    for (fd, dest, is_dir) in &sources {
        let d = inside(dest);
        if *is_dir {
            mkdir_p(&d, 0o755)?;
        } else {
            mkdir_p(d.parent().unwrap_or(root), 0o755)?;
            fs::write(&d, b"").step(&format!("create mount point {}", dest.display()))?;
        }
        sys::move_mount(fd, &d).step(&format!("bind {}", dest.display()))?;
    }

    // /dev: a small tmpfs with the host's harmless devices bound in.
    let dev = root.join("dev");
    mkdir_p(&dev, 0o755)?;
    mount(
        Some("corral-dev"),
        &dev,
        Some("tmpfs"),
        flags | MsFlags::MS_NOEXEC,
        Some("size=64k,nr_inodes=64,mode=0755"),
    )
    .step("mount /dev")?;
    for (fd, name) in &devices {
        let d = dev.join(name);
        fs::write(&d, b"").step("create device mount point")?;
        sys::move_mount(fd, &d).step(&format!("bind /dev/{name}"))?;
    }
    for (link, target) in [
        ("fd", "/proc/self/fd"),
        ("stdin", "/proc/self/fd/0"),
        ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"),
    ] {
        std::os::unix::fs::symlink(target, dev.join(link)).step("symlink in /dev")?;
    }

    // One capped tmpfs holds /tmp, /work and /dev/shm, so their sizes and inodes add up
    // under one limit (and its pages count toward the memory cgroup).
    let scratch = root.join(".scratch");
    mkdir_p(&scratch, 0o700)?;
    let opts = format!(
        "size={},nr_inodes={},mode=0755",
        policy.limits.tmpfs.max(4096),
        policy.limits.inodes.max(16)
    );
    mount(
        Some("corral-scratch"),
        &scratch,
        Some("tmpfs"),
        flags,
        Some(opts.as_str()),
    )
    .step("mount scratch tmpfs")?;
    for (name, dest, mode) in [
        ("tmp", root.join("tmp"), 0o1777),
        ("work", root.join("work"), 0o755),
        ("shm", dev.join("shm"), 0o1777),
    ] {
        let src = scratch.join(name);
        mkdir_p(&src, 0o755)?;
        fs::set_permissions(&src, fs::Permissions::from_mode(mode)).step("chmod scratch")?;
        mkdir_p(&dest, 0o755)?;
        mount(
            Some(&src),
            &dest,
            None::<&str>,
            MsFlags::MS_BIND,
            None::<&str>,
        )
        .step(&format!("bind {}", dest.display()))?;
    }
    umount2(&scratch, MntFlags::MNT_DETACH).step("detach scratch")?;
    fs::remove_dir(&scratch).step("remove scratch dir")?;

    let proc = root.join("proc");
    mkdir_p(&proc, 0o555)?;
    mount(
        Some("proc"),
        &proc,
        Some("proc"),
        flags | MsFlags::MS_NOEXEC,
        None::<&str>,
    )
    .step("mount /proc")?;
    // Host information that /proc shows to anyone: hide it behind /dev/null.
    for masked in PROC_MASKED {
        let target = proc.join(masked);
        if target.exists() {
            mount(
                Some(&dev.join("null")),
                &target,
                None::<&str>,
                MsFlags::MS_BIND,
                None::<&str>,
            )
            .step(&format!("mask /proc/{masked}"))?;
        }
    }
    // /proc/stat's counters run since the host booted (CPU jiffies summed over the CPUs
    // are the host's uptime): show a copy with them at zero. Its `btime` is already the
    // time namespace's. /proc/loadavg counts every thread on the host: show an idle one.
    // Each copy is bound over the original and unlinked.
    if let Ok(real) = fs::read_to_string(proc.join("stat")) {
        replace_proc_file(root, &proc, "stat", &without_host_counters(&real))?;
    }
    replace_proc_file(root, &proc, "loadavg", "0.00 0.00 0.00 1/1 1\n")?;
    mkdir_p(&inside(&policy.cwd), 0o755)?;
    Ok(())
}

/// Binds a file with `contents` over `/proc/<name>` (built in the new root, then unlinked).
fn replace_proc_file(root: &Path, proc: &Path, name: &str, contents: &str) -> Result<()> {
    let copy = root.join(format!(".{name}"));
    fs::write(&copy, contents).step(&format!("write /proc/{name}"))?;
    mount(
        Some(&copy),
        &proc.join(name),
        None::<&str>,
        MsFlags::MS_BIND,
        None::<&str>,
    )
    .step(&format!("mask /proc/{name}"))?;
    fs::remove_file(&copy).step(&format!("remove /proc/{name} copy"))
}

/// /proc/stat with every counter at zero but `btime`, one process running.
fn without_host_counters(stat: &str) -> String {
    let mut out = String::with_capacity(stat.len());
    for line in stat.lines() {
        let mut fields = line.split_whitespace();
        let Some(key) = fields.next() else { continue };
        out.push_str(key);
        for f in fields {
            out.push(' ');
            out.push_str(match key {
                "btime" => f,
                "procs_running" => "1",
                _ => "0",
            });
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn proc_stat_keeps_its_shape_and_loses_the_hosts_counters() {
        let real = "cpu  1 2 3 4\ncpu0 5 6 7 8\nintr 99 1 2\nctxt 77\nbtime 1700000000\n\
                    processes 12\nprocs_running 3\nprocs_blocked 1\nsoftirq 9 8\n";
        assert_eq!(
            super::without_host_counters(real),
            "cpu 0 0 0 0\ncpu0 0 0 0 0\nintr 0 0 0\nctxt 0\nbtime 1700000000\n\
             processes 0\nprocs_running 1\nprocs_blocked 0\nsoftirq 0 0\n"
        );
    }
}
