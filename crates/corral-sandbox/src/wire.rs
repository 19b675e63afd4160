//! Messages between the supervisor and the processes it starts (helper, init),
//! one JSON record per SOCK_SEQPACKET message so that writers never interleave.

use crate::policy::Policy;
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use std::io;
use std::os::fd::{AsFd, OwnedFd};

/// Supervisor -> helper, in this order: `Start`, `Go`, `Job` (with the bind sources'
/// descriptors in root mode), `Ack`. A pre-started jail (see `Sandbox::keep_warm`)
/// waits between `Go` and `Job`.
#[derive(Debug, Serialize, Deserialize)]
pub enum ToHelper {
    Start(Box<Start>),
    /// ids are mapped and the helper is in its cgroups: go on.
    Go,
    /// The step: its policy and command. Everything the step sees is made after this.
    Job(Box<Setup>),
    /// the supervisor holds a pidfd of init: the helper may now reap it.
    Ack,
}

/// What a jail needs before its step is known: its cgroups, its host id, and the
/// memory limit that bounds its IPC namespace.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Start {
    /// The supervisor's pid: the helper checks that it is still its parent.
    pub parent_pid: i32,
    pub root_mode: bool,
    /// Root mode: the host uid and gid of this step, which the helper becomes before it
    /// creates the user namespace (sandbox uid 1000 maps to it).
    pub host_id: Option<u32>,
    /// cgroup files the helper writes "0" to before anything else, joining its cgroups.
    pub cgroup_attach: Vec<std::path::PathBuf>,
    /// The memory limit, for the System V IPC limits of the jail's IPC namespace.
    pub ipc_memory: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Setup {
    pub policy: Policy,
    pub argv: Vec<String>,
    /// Root mode: drop supplementary groups (unprivileged mode cannot: setgroups is denied).
    pub root_mode: bool,
    /// No cgroup bounds memory: RLIMIT_AS is the memory limit (unprivileged mode, ablation).
    pub memory_by_rlimit: bool,
    /// Landlock must be enforced, not just tried.
    pub require_landlock: bool,
    /// Skip seccomp (layer ablation in tests only).
    pub ablate_seccomp: bool,
    /// Skip Landlock (layer ablation in tests only).
    pub ablate_landlock: bool,
}

/// Helper or init -> supervisor.
#[derive(Debug, Serialize, Deserialize)]
pub enum FromJail {
    /// The (inner) helper, host pid given, left the host's user namespace: map its ids.
    Unshared(i32),
    /// Host pid of init (process 1 of the sandbox).
    InitPid(i32),
    /// Init's report after the command and everything it started have ended.
    Report(Report),
    /// Setup failed before the command ran.
    Failed(String),
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Report {
    /// Raw wait status of the command.
    pub wait_status: i32,
    pub cpu_us: u64,
    pub maxrss_kb: u64,
    pub disk_full: bool,
    pub inodes_full: bool,
    /// Which optional layers were active ("landlock: fully enforced" ...).
    pub layers: Vec<String>,
}

pub fn send<T: Serialize>(fd: &impl AsFd, msg: &T) -> io::Result<()> {
    let bytes = serde_json::to_vec(msg).map_err(io::Error::other)?;
    let n = nix::sys::socket::send(
        fd.as_fd().as_raw_fd_compat(),
        &bytes,
        nix::sys::socket::MsgFlags::MSG_NOSIGNAL,
    )
    .map_err(io::Error::from)?;
    if n != bytes.len() {
        return Err(io::Error::other("short write on control socket"));
    }
    Ok(())
}

/// Sends one message with descriptors attached (SCM_RIGHTS).
pub fn send_with_fds<T: Serialize>(
    fd: &impl AsFd,
    msg: &T,
    fds: &[std::os::fd::RawFd],
) -> io::Result<()> {
    use nix::sys::socket::{ControlMessage, MsgFlags, sendmsg};
    let bytes = serde_json::to_vec(msg).map_err(io::Error::other)?;
    let iov = [io::IoSlice::new(&bytes)];
    let cmsgs = [ControlMessage::ScmRights(fds)];
    let cmsgs: &[ControlMessage] = if fds.is_empty() { &[] } else { &cmsgs };
    let n = sendmsg::<()>(
        fd.as_fd().as_raw_fd_compat(),
        &iov,
        cmsgs,
        MsgFlags::MSG_NOSIGNAL,
        None,
    )
    .map_err(io::Error::from)?;
    if n != bytes.len() {
        return Err(io::Error::other("short write on control socket"));
    }
    Ok(())
}

/// Receives one message and the descriptors sent with it (at most `MAX_FDS`, each
/// close-on-exec); `Ok(None)` on end of stream.
pub fn recv_with_fds<T: DeserializeOwned>(fd: &impl AsFd) -> io::Result<Option<(T, Vec<OwnedFd>)>> {
    use nix::sys::socket::{ControlMessageOwned, MsgFlags, recv, recvmsg};
    use std::os::fd::FromRawFd;
    const MAX_FDS: usize = 64;
    let raw = fd.as_fd().as_raw_fd_compat();
    // The size of the next record first: with MSG_TRUNC, recv returns its real length.
    let len = loop {
        match recv(raw, &mut [0u8; 1], MsgFlags::MSG_PEEK | MsgFlags::MSG_TRUNC) {
            Ok(n) => break n,
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => return Err(e.into()),
        }
    };
    if len == 0 {
        return Ok(None);
    }
    let mut buf = vec![0u8; len];
    let mut space = nix::cmsg_space!([std::os::fd::RawFd; MAX_FDS]);
    let (n, fds, truncated) = loop {
        let mut iov = [io::IoSliceMut::new(&mut buf)];
        match recvmsg::<()>(raw, &mut iov, Some(&mut space), MsgFlags::MSG_CMSG_CLOEXEC) {
            Ok(m) => {
                let mut fds = vec![];
                for c in m.cmsgs().map_err(io::Error::from)? {
                    if let ControlMessageOwned::ScmRights(rights) = c {
                        // SAFETY: descriptors the kernel just installed for us, owned once.
                        fds.extend(
                            rights
                                .into_iter()
                                .map(|f| unsafe { OwnedFd::from_raw_fd(f) }),
                        );
                    }
                }
                break (m.bytes, fds, m.flags.contains(MsgFlags::MSG_CTRUNC));
            }
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => return Err(e.into()),
        }
    };
    if truncated {
        return Err(io::Error::other(
            "too many descriptors on the control socket",
        ));
    }
    if n == 0 {
        return Ok(None);
    }
    serde_json::from_slice(&buf[..n])
        .map(|m| Some((m, fds)))
        .map_err(io::Error::other)
}

/// Receives one message; `Ok(None)` on end of stream. (Descriptors sent with it, which
/// none of these messages carries, are closed.)
pub fn recv<T: DeserializeOwned>(fd: &impl AsFd) -> io::Result<Option<T>> {
    recv_with_fds(fd).map(|m| m.map(|(msg, _)| msg))
}

/// A connected SOCK_SEQPACKET pair, both ends close-on-exec.
pub fn pair() -> io::Result<(OwnedFd, OwnedFd)> {
    use nix::sys::socket::{AddressFamily, SockFlag, SockType, socketpair};
    socketpair(
        AddressFamily::Unix,
        SockType::SeqPacket,
        None,
        SockFlag::SOCK_CLOEXEC,
    )
    .map_err(io::Error::from)
}

trait RawCompat {
    fn as_raw_fd_compat(&self) -> std::os::fd::RawFd;
}
impl RawCompat for std::os::fd::BorrowedFd<'_> {
    fn as_raw_fd_compat(&self) -> std::os::fd::RawFd {
        use std::os::fd::AsRawFd;
        self.as_raw_fd()
    }
}
