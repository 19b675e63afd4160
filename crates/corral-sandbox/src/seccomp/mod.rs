//! The seccomp allow-list, compiled into one classic-BPF program:
//!
//! 1. a prologue kills foreign architectures (which is how `int 0x80` arrives) and
//!    the x32 ABI;
//! 2. a binary search over ranges of syscall numbers (about seven comparisons for
//!    any syscall, instead of a linear scan of three hundred) ends in the action:
//!    allow, EPERM for the listed dangerous ones, ENOSYS for anything unlisted, or a
//!    small block that checks arguments (clone flags, socket domains, ioctl commands,
//!    personality).
//!
//! Arguments are compared on their low 32 bits, which is what the kernel itself reads
//! for every argument checked here (clone's legacy flags, `int` domains, `unsigned int`
//! ioctl commands and personas), so high bits cannot smuggle a value past the check.
//!
//! Why not `seccompiler`: it emits a linear scan and one action per filter, so this
//! policy took two stacked filters of 1,850 instructions and about 1.4 ms of every
//! start-up (measured with `bench/startup.sh`); this generator is short and its output
//! is checked instruction by instruction by an interpreter in the tests below.

mod x86_64;

pub use x86_64::{ALLOW, ARG_RULES, DENY, ENOSYS_ON_PURPOSE, NO_OP, X32_SYSCALL_BIT};

/// One classic BPF instruction (`struct sock_filter`).
pub type Insn = libc::sock_filter;

/// The ioctl commands a program may use.
const ALLOWED_IOCTLS: &[u32] = &[
    libc::TCGETS as u32,     // isatty(), Rust's IsTerminal
    libc::TIOCGWINSZ as u32, // terminal size queries
    libc::TIOCGPGRP as u32,  // shells
    libc::FIONREAD as u32,   // bytes available
    libc::FIONBIO as u32,    // non-blocking mode
    libc::FIOCLEX as u32,    // close-on-exec
    libc::FIONCLEX as u32,
];
/// ioctl commands that answer EPERM rather than ENOSYS: terminal injection.
const DENIED_IOCTLS: &[u32] = &[libc::TIOCSTI as u32, libc::TIOCLINUX as u32];
/// Every CLONE_NEW* flag that clone(2) accepts.
const NAMESPACE_FLAGS: u32 = (libc::CLONE_NEWNS
    | libc::CLONE_NEWCGROUP
    | libc::CLONE_NEWUTS
    | libc::CLONE_NEWIPC
    | libc::CLONE_NEWUSER
    | libc::CLONE_NEWPID
    | libc::CLONE_NEWNET) as u32;
const ALLOWED_SOCKET_DOMAINS: &[u32] = &[
    libc::AF_UNIX as u32,
    libc::AF_INET as u32,
    libc::AF_INET6 as u32,
];
/// setsockopt(SOL_SOCKET, …) options that attach BPF programs to a socket.
const BPF_SOCKET_OPTIONS: &[u32] = &[
    libc::SO_ATTACH_FILTER as u32,
    libc::SO_ATTACH_BPF as u32,
    libc::SO_ATTACH_REUSEPORT_CBPF as u32,
    libc::SO_ATTACH_REUSEPORT_EBPF as u32,
];
const RLIMIT_CORE: u32 = libc::RLIMIT_CORE;
const PR_SET_SECCOMP: u32 = libc::PR_SET_SECCOMP as u32;
const SECCOMP_SET_MODE_FILTER: u32 = libc::SECCOMP_SET_MODE_FILTER;
const MAP_HUGETLB: u32 = libc::MAP_HUGETLB as u32;
const MFD_HUGETLB: u32 = libc::MFD_HUGETLB;
const SHM_HUGETLB: u32 = libc::SHM_HUGETLB as u32;
const DENIED_FCNTLS: &[u32] = &[libc::F_NOTIFY as u32, libc::F_SETLEASE as u32];
/// personality(0xffffffff) queries; PER_LINUX (0) is the default persona.
const ALLOWED_PERSONAS: &[u32] = &[0xffff_ffff, 0];

pub const RET_ALLOW: u32 = libc::SECCOMP_RET_ALLOW;
pub const RET_KILL: u32 = libc::SECCOMP_RET_KILL_PROCESS;
pub const RET_EPERM: u32 = libc::SECCOMP_RET_ERRNO | libc::EPERM as u32;
pub const RET_ENOSYS: u32 = libc::SECCOMP_RET_ERRNO | libc::ENOSYS as u32;
/// "Error" 0: the syscall returns 0 without running.
pub const RET_NO_OP: u32 = libc::SECCOMP_RET_ERRNO;

const AUDIT_ARCH_X86_64: u32 = 0xc000_003e;
// Offsets in struct seccomp_data { int nr; u32 arch; u64 ip; u64 args[6]; } (little-endian).
const OFF_NR: u32 = 0;
const OFF_ARCH: u32 = 4;
const fn arg_lo(i: u32) -> u32 {
    16 + 8 * i
}
const fn arg_hi(i: u32) -> u32 {
    20 + 8 * i
}

const LD_ABS: u16 = (libc::BPF_LD | libc::BPF_W | libc::BPF_ABS) as u16;
const JEQ: u16 = (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16;
const JGE: u16 = (libc::BPF_JMP | libc::BPF_JGE | libc::BPF_K) as u16;
const JSET: u16 = (libc::BPF_JMP | libc::BPF_JSET | libc::BPF_K) as u16;
const JA: u16 = (libc::BPF_JMP | libc::BPF_JA) as u16;
const RET: u16 = (libc::BPF_RET | libc::BPF_K) as u16;

const fn insn(code: u16, jt: u8, jf: u8, k: u32) -> Insn {
    Insn { code, jt, jf, k }
}
const fn ret(action: u32) -> Insn {
    insn(RET, 0, 0, action)
}

/// What a syscall number leads to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Action {
    Return(u32),
    /// An argument-checking block, by index into [`arg_blocks`].
    Check(usize),
}

/// The argument-checking blocks, each ending in returns (never falling through).
fn arg_blocks() -> Vec<(i64, Vec<Insn>)> {
    fn one_of(arg: u32, allowed: &[u32], denied: &[u32], otherwise: u32) -> Vec<Insn> {
        let mut b = vec![insn(LD_ABS, 0, 0, arg_lo(arg))];
        for &v in allowed {
            b.extend([insn(JEQ, 0, 1, v), ret(RET_ALLOW)]);
        }
        for &v in denied {
            b.extend([insn(JEQ, 0, 1, v), ret(RET_EPERM)]);
        }
        b.push(ret(otherwise));
        b
    }
    fn flag_denied(arg: u32, flag: u32) -> Vec<Insn> {
        vec![
            insn(LD_ABS, 0, 0, arg_lo(arg)),
            insn(JSET, 0, 1, flag),
            ret(RET_EPERM),
            ret(RET_ALLOW),
        ]
    }
    vec![
        // clone: any namespace flag -> EPERM, otherwise allowed (threads, fork).
        (
            libc::SYS_clone,
            vec![
                insn(LD_ABS, 0, 0, arg_lo(0)),
                insn(JSET, 0, 1, NAMESPACE_FLAGS),
                ret(RET_EPERM),
                ret(RET_ALLOW),
            ],
        ),
        (
            libc::SYS_socket,
            one_of(0, ALLOWED_SOCKET_DOMAINS, &[], RET_EPERM),
        ),
        (
            libc::SYS_ioctl,
            one_of(1, ALLOWED_IOCTLS, DENIED_IOCTLS, RET_ENOSYS),
        ),
        (
            libc::SYS_personality,
            one_of(0, ALLOWED_PERSONAS, &[], RET_EPERM),
        ),
        // prlimit64 on pid 0 (the caller) only: init runs as the same uid, and lowering
        // its limits could make it fail to report. RLIMIT_CORE may be read, not set
        // (new_limit, a 64-bit pointer, must be NULL).
        (
            libc::SYS_prlimit64,
            vec![
                insn(LD_ABS, 0, 0, arg_lo(0)),
                insn(JEQ, 1, 0, 0),
                ret(RET_EPERM),
                insn(LD_ABS, 0, 0, arg_lo(1)),
                insn(JEQ, 1, 0, RLIMIT_CORE),
                ret(RET_ALLOW),
                insn(LD_ABS, 0, 0, arg_lo(2)),
                insn(JEQ, 1, 0, 0),
                ret(RET_EPERM),
                insn(LD_ABS, 0, 0, arg_hi(2)),
                insn(JEQ, 1, 0, 0),
                ret(RET_EPERM),
                ret(RET_ALLOW),
            ],
        ),
        (
            libc::SYS_setrlimit,
            one_of(0, &[], &[RLIMIT_CORE], RET_ALLOW),
        ),
        // setsockopt(fd, level, optname, …): BPF attachments at SOL_SOCKET only.
        (
            libc::SYS_setsockopt,
            [
                vec![
                    insn(LD_ABS, 0, 0, arg_lo(1)),
                    insn(JEQ, 1, 0, libc::SOL_SOCKET as u32),
                    ret(RET_ALLOW),
                ],
                one_of(2, &[], BPF_SOCKET_OPTIONS, RET_ALLOW),
            ]
            .concat(),
        ),
        (
            libc::SYS_seccomp,
            one_of(0, &[], &[SECCOMP_SET_MODE_FILTER], RET_ALLOW),
        ),
        (
            libc::SYS_prctl,
            one_of(0, &[], &[PR_SET_SECCOMP], RET_ALLOW),
        ),
        (libc::SYS_mmap, flag_denied(3, MAP_HUGETLB)),
        (libc::SYS_memfd_create, flag_denied(1, MFD_HUGETLB)),
        (libc::SYS_shmget, flag_denied(2, SHM_HUGETLB)),
        (libc::SYS_fcntl, one_of(1, &[], DENIED_FCNTLS, RET_ALLOW)),
        (
            libc::SYS_socketpair,
            one_of(0, &[libc::AF_UNIX as u32], &[], RET_EPERM),
        ),
    ]
}

/// The syscall table as ranges: (first number, action), sorted; each range runs up to
/// the next one's first number. Numbers in no table get ENOSYS.
fn ranges(blocks: &[(i64, Vec<Insn>)]) -> Vec<(u32, Action)> {
    let mut by_nr = std::collections::BTreeMap::new();
    by_nr.extend(
        ALLOW
            .iter()
            .map(|&(nr, _)| (nr as u32, Action::Return(RET_ALLOW))),
    );
    by_nr.extend(
        DENY.iter()
            .map(|&(nr, _)| (nr as u32, Action::Return(RET_EPERM))),
    );
    by_nr.extend(
        NO_OP
            .iter()
            .map(|&(nr, _)| (nr as u32, Action::Return(RET_NO_OP))),
    );
    by_nr.extend(
        blocks
            .iter()
            .enumerate()
            .map(|(i, (nr, _))| (*nr as u32, Action::Check(i))),
    );
    let mut out: Vec<(u32, Action)> = vec![(0, Action::Return(RET_ENOSYS))];
    let mut push = |start: u32, action: Action| {
        if out.last().is_some_and(|l| l.1 == action) {
            return;
        }
        if out.last().is_some_and(|l| l.0 == start) {
            out.pop();
        }
        out.push((start, action));
    };
    for (&nr, &action) in &by_nr {
        push(nr, action);
        if !by_nr.contains_key(&(nr + 1)) {
            push(nr + 1, Action::Return(RET_ENOSYS));
        }
    }
    out
}

fn emit(action: Action, out: &mut Vec<Insn>, fixups: &mut Vec<(usize, usize)>) {
    match action {
        Action::Return(r) => out.push(ret(r)),
        Action::Check(b) => {
            fixups.push((out.len(), b));
            out.push(insn(JA, 0, 0, 0));
        }
    }
}

/// Emits a binary search over `ranges` (sorted, non-empty). Jumps to argument blocks
/// are recorded in `fixups` as (instruction index, block index), patched later.
fn search(ranges: &[(u32, Action)], out: &mut Vec<Insn>, fixups: &mut Vec<(usize, usize)>) {
    if let [(_, action)] = ranges {
        return emit(*action, out, fixups);
    }
    let (left, right) = ranges.split_at(ranges.len() / 2);
    // nr >= right's first number ? fall into the `ja` to the right half : skip it.
    // (`ja` has a 32-bit offset; conditional jumps only reach 255 instructions.)
    out.push(insn(JGE, 0, 1, right[0].0));
    let ja = out.len();
    out.push(insn(JA, 0, 0, 0));
    search(left, out, fixups);
    out[ja].k = (out.len() - ja - 1) as u32;
    search(right, out, fixups);
}

/// The whole filter program.
pub fn program() -> Vec<Insn> {
    let blocks = arg_blocks();
    let mut out = vec![
        insn(LD_ABS, 0, 0, OFF_ARCH),
        insn(JEQ, 1, 0, AUDIT_ARCH_X86_64),
        ret(RET_KILL), // foreign architecture, int 0x80
        insn(LD_ABS, 0, 0, OFF_NR),
        insn(JGE, 0, 1, X32_SYSCALL_BIT),
        ret(RET_KILL), // x32 ABI
    ];
    let mut fixups = vec![];
    search(&ranges(&blocks), &mut out, &mut fixups);
    let mut starts = vec![];
    for (_, b) in &blocks {
        starts.push(out.len());
        out.extend_from_slice(b);
    }
    for (at, b) in fixups {
        out[at].k = (starts[b] - at - 1) as u32;
    }
    out
}

/// Installs the filter on the calling thread. no_new_privs must be set already.
pub fn install(program: &[Insn]) -> std::io::Result<()> {
    let prog = libc::sock_fprog {
        len: program.len() as u16,
        filter: program.as_ptr() as *mut Insn,
    };
    // SAFETY: `prog` points at `program`, which outlives the call; the kernel copies it.
    let r = unsafe { libc::syscall(libc::SYS_seccomp, libc::SECCOMP_SET_MODE_FILTER, 0, &prog) };
    if r != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

/// Numbers of the syscalls that may succeed (allowed outright or with argument checks);
/// used by the syscall-sweep attack to know which numbers must fail.
pub fn allowed_numbers() -> Vec<i64> {
    let mut v: Vec<i64> = ALLOW
        .iter()
        .chain(ARG_RULES)
        .chain(NO_OP)
        .map(|&(nr, _)| nr)
        .collect();
    v.sort_unstable();
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// A classic-BPF interpreter for exactly the instructions `program` emits.
    fn run(prog: &[Insn], nr: u32, arch: u32, args: [u64; 6]) -> u32 {
        let mut data = [0u8; 64];
        data[0..4].copy_from_slice(&nr.to_le_bytes());
        data[4..8].copy_from_slice(&arch.to_le_bytes());
        for (i, a) in args.iter().enumerate() {
            data[16 + 8 * i..24 + 8 * i].copy_from_slice(&a.to_le_bytes());
        }
        let (mut pc, mut acc) = (0usize, 0u32);
        loop {
            let i = prog[pc];
            pc += 1;
            let jump = |cond: bool| if cond { i.jt as usize } else { i.jf as usize };
            match i.code {
                LD_ABS => {
                    acc =
                        u32::from_le_bytes(data[i.k as usize..i.k as usize + 4].try_into().unwrap())
                }
                JEQ => pc += jump(acc == i.k),
                JGE => pc += jump(acc >= i.k),
                JSET => pc += jump(acc & i.k != 0),
                JA => pc += i.k as usize,
                RET => return i.k,
                other => panic!("unexpected opcode {other:#x}"),
            }
        }
    }

    fn verdict(nr: i64, args: [u64; 6]) -> u32 {
        run(&program(), nr as u32, AUDIT_ARCH_X86_64, args)
    }

    #[test]
    fn policy_tables_do_not_overlap() {
        let allow: HashSet<_> = ALLOW.iter().map(|e| e.0).collect();
        assert_eq!(allow.len(), ALLOW.len(), "duplicate in ALLOW");
        let deny: HashSet<_> = DENY.iter().map(|e| e.0).collect();
        assert_eq!(deny.len(), DENY.len(), "duplicate in DENY");
        for (nr, why) in DENY
            .iter()
            .chain(ARG_RULES)
            .chain(ENOSYS_ON_PURPOSE)
            .chain(NO_OP)
        {
            assert!(
                !allow.contains(nr),
                "syscall {nr} ({why}) is both allowed and restricted"
            );
        }
        let arg: Vec<i64> = arg_blocks().iter().map(|b| b.0).collect();
        assert_eq!(arg, ARG_RULES.iter().map(|e| e.0).collect::<Vec<_>>());
    }

    #[test]
    fn every_syscall_number_gets_the_tables_verdict() {
        let allow: HashSet<_> = ALLOW.iter().map(|e| e.0).collect();
        let deny: HashSet<_> = DENY.iter().map(|e| e.0).collect();
        for nr in 0..1024i64 {
            let got = verdict(nr, [0; 6]);
            let want = if allow.contains(&nr) {
                RET_ALLOW
            } else if deny.contains(&nr) {
                RET_EPERM
            } else if NO_OP.iter().any(|e| e.0 == nr) {
                RET_NO_OP
            } else if nr == libc::SYS_ioctl {
                RET_ENOSYS // command 0 is not on the list
            } else if nr == libc::SYS_socket || nr == libc::SYS_socketpair {
                RET_EPERM // domain 0 (AF_UNSPEC)
            } else if ARG_RULES.iter().any(|e| e.0 == nr) {
                // clone(0), personality(PER_LINUX), prlimit64 on itself, setrlimit of
                // RLIMIT_CPU, fcntl(F_DUPFD), mmap without flags … are harmless
                RET_ALLOW
            } else {
                RET_ENOSYS
            };
            assert_eq!(got, want, "syscall {nr}");
        }
        assert_eq!(verdict(libc::SYS_clone3, [0; 6]), RET_ENOSYS);
    }

    #[test]
    fn foreign_architectures_and_x32_are_killed() {
        const AUDIT_ARCH_I386: u32 = 0x4000_0003;
        assert_eq!(
            run(&program(), libc::SYS_getpid as u32, AUDIT_ARCH_I386, [0; 6]),
            RET_KILL
        );
        assert_eq!(
            verdict(libc::SYS_getpid | X32_SYSCALL_BIT as i64, [0; 6]),
            RET_KILL
        );
        assert_eq!(verdict(0xffff_ffff, [0; 6]), RET_KILL);
    }

    #[test]
    fn clone_namespace_flags_are_denied_whatever_else_is_set() {
        let thread = (libc::CLONE_VM | libc::CLONE_THREAD | libc::CLONE_SIGHAND) as u64;
        assert_eq!(verdict(libc::SYS_clone, [thread, 0, 0, 0, 0, 0]), RET_ALLOW);
        assert_eq!(
            verdict(libc::SYS_clone, [libc::SIGCHLD as u64, 0, 0, 0, 0, 0]),
            RET_ALLOW
        );
        for flag in [
            libc::CLONE_NEWNS,
            libc::CLONE_NEWUSER,
            libc::CLONE_NEWPID,
            libc::CLONE_NEWNET,
            libc::CLONE_NEWCGROUP,
        ] {
            assert_eq!(
                verdict(libc::SYS_clone, [thread | flag as u64, 0, 0, 0, 0, 0]),
                RET_EPERM,
                "{flag:#x}"
            );
        }
    }

    #[test]
    fn sockets_ioctls_and_personality_check_their_low_32_bits() {
        let sock = |d: u64| verdict(libc::SYS_socket, [d, 1, 0, 0, 0, 0]);
        assert_eq!(sock(libc::AF_INET as u64), RET_ALLOW);
        assert_eq!(sock(libc::AF_UNIX as u64), RET_ALLOW);
        assert_eq!(sock(libc::AF_NETLINK as u64), RET_EPERM);
        assert_eq!(sock(libc::AF_PACKET as u64), RET_EPERM);
        assert_eq!(sock(libc::AF_VSOCK as u64), RET_EPERM);
        assert_eq!(sock((1u64 << 32) | libc::AF_NETLINK as u64), RET_EPERM);
        let ioctl = |cmd: u64| verdict(libc::SYS_ioctl, [0, cmd, 0, 0, 0, 0]);
        assert_eq!(ioctl(libc::TCGETS), RET_ALLOW);
        assert_eq!(ioctl(libc::TIOCSTI), RET_EPERM);
        assert_eq!(
            ioctl((1u64 << 32) | libc::TIOCSTI),
            RET_EPERM,
            "high bits must not hide TIOCSTI"
        );
        assert_eq!(ioctl(libc::TIOCLINUX), RET_EPERM);
        assert_eq!(ioctl(0x4004_5401), RET_ENOSYS);
        assert_eq!(
            verdict(libc::SYS_personality, [0xffff_ffff, 0, 0, 0, 0, 0]),
            RET_ALLOW
        );
        assert_eq!(
            verdict(libc::SYS_personality, [0x0040_0000, 0, 0, 0, 0, 0]),
            RET_EPERM
        );
        let prlimit = |pid: u64| verdict(libc::SYS_prlimit64, [pid, 0, 0, 0, 0, 0]);
        assert_eq!(prlimit(1), RET_EPERM, "another process's limits");
        assert_eq!(
            prlimit(1 << 32),
            RET_ALLOW,
            "pid_t is 32 bits: this is pid 0"
        );
    }

    #[test]
    fn resource_pools_outside_cgroups_are_closed() {
        let v = |nr: i64, args: [u64; 6]| verdict(nr, args);
        let sol = libc::SOL_SOCKET as u64;
        for opt in BPF_SOCKET_OPTIONS {
            assert_eq!(
                v(libc::SYS_setsockopt, [3, sol, *opt as u64, 0, 0, 0]),
                RET_EPERM
            );
        }
        let reuse = libc::SO_REUSEADDR as u64;
        assert_eq!(v(libc::SYS_setsockopt, [3, sol, reuse, 0, 0, 0]), RET_ALLOW);
        // TCP_NODELAY is 1 at IPPROTO_TCP; option 26 at another level is not a BPF attachment.
        assert_eq!(v(libc::SYS_setsockopt, [3, 6, 26, 0, 0, 0]), RET_ALLOW);
        let filter = libc::SECCOMP_SET_MODE_FILTER as u64;
        assert_eq!(v(libc::SYS_seccomp, [filter, 0, 0, 0, 0, 0]), RET_EPERM);
        assert_eq!(v(libc::SYS_seccomp, [0, 0, 0, 0, 0, 0]), RET_ALLOW);
        assert_eq!(v(libc::SYS_prctl, [22, 2, 0, 0, 0, 0]), RET_EPERM);
        assert_eq!(
            v(libc::SYS_prctl, [15, 0, 0, 0, 0, 0]),
            RET_ALLOW,
            "PR_SET_NAME"
        );
        let private = (libc::MAP_PRIVATE | libc::MAP_ANONYMOUS) as u64;
        let huge = private | libc::MAP_HUGETLB as u64;
        assert_eq!(v(libc::SYS_mmap, [0, 4096, 3, private, 0, 0]), RET_ALLOW);
        assert_eq!(v(libc::SYS_mmap, [0, 4096, 3, huge, 0, 0]), RET_EPERM);
        let mfd = libc::MFD_CLOEXEC as u64;
        assert_eq!(v(libc::SYS_memfd_create, [0, mfd, 0, 0, 0, 0]), RET_ALLOW);
        let mfd_huge = mfd | libc::MFD_HUGETLB as u64;
        assert_eq!(
            v(libc::SYS_memfd_create, [0, mfd_huge, 0, 0, 0, 0]),
            RET_EPERM
        );
        let shm = libc::SHM_HUGETLB as u64;
        assert_eq!(
            v(libc::SYS_shmget, [0, 4096, shm | 0o600, 0, 0, 0]),
            RET_EPERM
        );
        assert_eq!(
            v(libc::SYS_fcntl, [3, libc::F_NOTIFY as u64, 0, 0, 0, 0]),
            RET_EPERM
        );
        assert_eq!(
            v(libc::SYS_fcntl, [3, libc::F_GETFL as u64, 0, 0, 0, 0]),
            RET_ALLOW
        );
        assert_eq!(v(libc::SYS_inotify_init1, [0; 6]), RET_EPERM);
        let pair = |d: u64| v(libc::SYS_socketpair, [d, 1, 0, 0, 0, 0]);
        assert_eq!(pair(libc::AF_UNIX as u64), RET_ALLOW);
        assert_eq!(pair(libc::AF_TIPC as u64), RET_EPERM);
        assert_eq!(pair((1 << 32) | libc::AF_TIPC as u64), RET_EPERM);
        assert_eq!(v(libc::SYS_sync, [0; 6]), RET_NO_OP);
        assert_eq!(RET_NO_OP & 0xffff, 0, "sync returns 0");
        let core = libc::RLIMIT_CORE as u64;
        assert_eq!(
            v(libc::SYS_setrlimit, [core, 0x1000, 0, 0, 0, 0]),
            RET_EPERM
        );
        assert_eq!(v(libc::SYS_setrlimit, [0, 0x1000, 0, 0, 0, 0]), RET_ALLOW);
        assert_eq!(
            v(libc::SYS_prlimit64, [0, core, 0, 0x1000, 0, 0]),
            RET_ALLOW,
            "read"
        );
        assert_eq!(
            v(libc::SYS_prlimit64, [0, core, 0x1000, 0, 0, 0]),
            RET_EPERM
        );
        assert_eq!(
            v(libc::SYS_prlimit64, [0, core, 1 << 32, 0, 0, 0]),
            RET_EPERM
        );
        assert_eq!(v(libc::SYS_prlimit64, [0, 0, 0x1000, 0, 0, 0]), RET_ALLOW);
    }

    #[test]
    fn search_is_short() {
        let p = program();
        assert!(p.len() < 600, "program has {} instructions", p.len());
    }
}
