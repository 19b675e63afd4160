//! The seccomp allow-list, compiled with `seccompiler` into two stacked filters:
//!
//! 1. the allow-list: listed syscalls (with argument checks for a few) are allowed,
//!    everything else answers ENOSYS; a prologue kills foreign architectures
//!    (which is how `int 0x80` arrives) and the x32 ABI;
//! 2. the deny-list: listed dangerous syscalls answer EPERM. The kernel runs the
//!    newest filter first and keeps its errno on ties, so EPERM wins over ENOSYS.

mod x86_64;

pub use x86_64::{ALLOW, ARG_RULES, DENY, ENOSYS_ON_PURPOSE};

use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen as Len, SeccompCmpOp as Op, SeccompCondition as Cond,
    SeccompFilter, SeccompRule, TargetArch, sock_filter,
};
use std::collections::BTreeMap;

/// The ioctl commands a program may use (compared on their low 32 bits, as the kernel does).
const ALLOWED_IOCTLS: &[u64] = &[
    libc::TCGETS as u64,     // isatty(), Rust's IsTerminal
    libc::TIOCGWINSZ as u64, // terminal size queries
    libc::TIOCGPGRP as u64,  // shells
    libc::FIONREAD as u64,   // bytes available
    libc::FIONBIO as u64,    // non-blocking mode
    libc::FIOCLEX as u64,    // close-on-exec
    libc::FIONCLEX as u64,
];
/// ioctl commands that answer EPERM rather than ENOSYS: terminal injection.
const DENIED_IOCTLS: &[u64] = &[libc::TIOCSTI as u64, libc::TIOCLINUX as u64];
const NAMESPACE_FLAGS: &[u64] = &[
    libc::CLONE_NEWNS as u64,
    libc::CLONE_NEWCGROUP as u64,
    libc::CLONE_NEWUTS as u64,
    libc::CLONE_NEWIPC as u64,
    libc::CLONE_NEWUSER as u64,
    libc::CLONE_NEWPID as u64,
    libc::CLONE_NEWNET as u64,
];
const ALLOWED_SOCKET_DOMAINS: &[u64] = &[libc::AF_UNIX as u64, libc::AF_INET as u64, libc::AF_INET6 as u64];
/// personality(0xffffffff) queries; PER_LINUX is the default persona.
const ALLOWED_PERSONAS: &[u64] = &[0xffff_ffff, 0];

fn cond(index: u8, len: Len, op: Op, value: u64) -> Cond {
    Cond::new(index, len, op, value).expect("static seccomp condition")
}

fn rule(conds: Vec<Cond>) -> SeccompRule {
    SeccompRule::new(conds).expect("static seccomp rule")
}

/// One rule per value: "argument `index` equals one of `values`".
fn any_of(index: u8, len: Len, values: &[u64]) -> Vec<SeccompRule> {
    values.iter().map(|&v| rule(vec![cond(index, len.clone(), Op::Eq, v)])).collect()
}

fn allow_list() -> BTreeMap<i64, Vec<SeccompRule>> {
    let mut rules: BTreeMap<i64, Vec<SeccompRule>> = ALLOW.iter().map(|&(nr, _)| (nr, vec![])).collect();
    let ns_mask: u64 = NAMESPACE_FLAGS.iter().fold(0, |a, b| a | b);
    rules.insert(libc::SYS_clone, vec![rule(vec![cond(0, Len::Qword, Op::MaskedEq(ns_mask), 0)])]);
    rules.insert(libc::SYS_socket, any_of(0, Len::Dword, ALLOWED_SOCKET_DOMAINS));
    rules.insert(libc::SYS_ioctl, any_of(1, Len::Dword, ALLOWED_IOCTLS));
    rules.insert(libc::SYS_personality, any_of(0, Len::Dword, ALLOWED_PERSONAS));
    rules
}

fn deny_list() -> BTreeMap<i64, Vec<SeccompRule>> {
    let mut rules: BTreeMap<i64, Vec<SeccompRule>> = DENY.iter().map(|&(nr, _)| (nr, vec![])).collect();
    // clone with any namespace flag: one rule per flag ("flag bit set").
    let clone_ns = NAMESPACE_FLAGS.iter().map(|&f| rule(vec![cond(0, Len::Qword, Op::MaskedEq(f), f)])).collect();
    rules.insert(libc::SYS_clone, clone_ns);
    // socket with a domain outside the allowed set: all "not equal" conditions at once.
    let other_domain = ALLOWED_SOCKET_DOMAINS.iter().map(|&d| cond(0, Len::Dword, Op::Ne, d)).collect();
    rules.insert(libc::SYS_socket, vec![rule(other_domain)]);
    rules.insert(libc::SYS_ioctl, any_of(1, Len::Dword, DENIED_IOCTLS));
    let other_persona = ALLOWED_PERSONAS.iter().map(|&p| cond(0, Len::Dword, Op::Ne, p)).collect();
    rules.insert(libc::SYS_personality, vec![rule(other_persona)]);
    rules
}

const fn stmt(code: u16, k: u32) -> sock_filter {
    sock_filter { code, jt: 0, jf: 0, k }
}
const fn jump(code: u16, k: u32, jt: u8, jf: u8) -> sock_filter {
    sock_filter { code, jt, jf, k }
}

/// Kills the process for a foreign architecture (int 0x80 reports AUDIT_ARCH_I386)
/// or an x32 syscall number. seccompiler checks the architecture too, but not x32.
fn prologue() -> Vec<sock_filter> {
    const LD_W_ABS: u16 = (libc::BPF_LD | libc::BPF_W | libc::BPF_ABS) as u16;
    const JEQ_K: u16 = (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16;
    const JGE_K: u16 = (libc::BPF_JMP | libc::BPF_JGE | libc::BPF_K) as u16;
    const RET_K: u16 = (libc::BPF_RET | libc::BPF_K) as u16;
    const AUDIT_ARCH_X86_64: u32 = 0xc000_003e;
    // struct seccomp_data { int nr; __u32 arch; ... }
    vec![
        stmt(LD_W_ABS, 4),                               // A = arch
        jump(JEQ_K, AUDIT_ARCH_X86_64, 1, 0),            // x86_64? skip the kill
        stmt(RET_K, libc::SECCOMP_RET_KILL_PROCESS),     // foreign arch, int 0x80
        stmt(LD_W_ABS, 0),                               // A = nr
        jump(JGE_K, x86_64::X32_SYSCALL_BIT, 0, 1),      // x32 bit set?
        stmt(RET_K, libc::SECCOMP_RET_KILL_PROCESS),     // x32 ABI
    ]
}

/// The two BPF programs, in the order they must be installed.
pub fn programs() -> Result<[BpfProgram; 2], seccompiler::BackendError> {
    let arch = TargetArch::x86_64;
    let allow = SeccompFilter::new(allow_list(), SeccompAction::Errno(libc::ENOSYS as u32), SeccompAction::Allow, arch)?;
    let deny = SeccompFilter::new(deny_list(), SeccompAction::Allow, SeccompAction::Errno(libc::EPERM as u32), arch)?;
    let mut first = prologue();
    first.extend(BpfProgram::try_from(allow)?);
    Ok([first, BpfProgram::try_from(deny)?])
}

/// Installs both filters on the calling thread. no_new_privs must be set already.
pub fn install(programs: &[BpfProgram; 2]) -> Result<(), seccompiler::Error> {
    for p in programs {
        seccompiler::apply_filter(p)?;
    }
    Ok(())
}

/// Numbers of the syscalls that may succeed (allowed outright or with argument checks);
/// used by the syscall-sweep attack to know which numbers must fail.
pub fn allowed_numbers() -> Vec<i64> {
    let mut v: Vec<i64> = ALLOW.iter().chain(ARG_RULES).map(|&(nr, _)| nr).collect();
    v.sort_unstable();
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn policy_tables_do_not_overlap() {
        let allow: HashSet<_> = ALLOW.iter().map(|e| e.0).collect();
        assert_eq!(allow.len(), ALLOW.len(), "duplicate in ALLOW");
        for (nr, why) in DENY.iter().chain(ARG_RULES).chain(ENOSYS_ON_PURPOSE) {
            assert!(!allow.contains(nr), "syscall {nr} ({why}) is both allowed and restricted");
        }
    }

    #[test]
    fn filters_compile() {
        let [a, d] = programs().unwrap();
        assert!(a.len() > ALLOW.len());
        assert!(d.len() > DENY.len());
    }
}
