//! The command's last steps before exec: new session, persona and umask, rlimits,
//! no_new_privs, Landlock, capabilities, fds, seccomp, exec.

use super::{Result, SIGPENDING, Step};
use crate::landlock_rules;
use crate::policy::Policy;
use crate::seccomp;
use crate::sys;
use crate::wire::Setup;
use nix::sys::resource::{Resource, setrlimit};
use nix::unistd::chdir;
use std::ffi::CString;
use std::io::Write;
use std::os::fd::RawFd;
use std::path::{Path, PathBuf};

/// The command's last steps. Returns only on failure, with the reason.
pub(super) fn command_main(setup: &Setup, argv: &[String], err_fd: RawFd) -> String {
    match prepare_command(setup, err_fd) {
        Ok(program) => exec(program, argv, &setup.policy),
        Err(e) => e,
    }
}

fn prepare_command(setup: &Setup, err_fd: RawFd) -> Result<CString> {
    let policy = &setup.policy;
    sys::unblock_all_signals();
    // Every disposition the caller may have set, real-time signals included (glibc's
    // sigaction refuses the two it reserves; those calls fail harmlessly).
    for sig in 1..=libc::SIGRTMAX() {
        if sig != libc::SIGKILL && sig != libc::SIGSTOP {
            sys::set_signal_handler(sig, libc::SIG_DFL);
        }
    }
    nix::unistd::setsid().step("setsid")?;
    chdir(&policy.cwd).step(&format!("chdir {}", policy.cwd.display()))?;
    let program = resolve_program(&setup.argv[0], policy)?;
    set_persona(policy.aslr)?;
    // Not the caller's umask: files the command creates get the same modes everywhere.
    nix::sys::stat::umask(nix::sys::stat::Mode::from_bits_truncate(0o022));
    set_rlimits(policy, setup.memory_by_rlimit)?;
    nix::sys::prctl::set_no_new_privs().step("PR_SET_NO_NEW_PRIVS")?;
    if !setup.ablate_landlock {
        let status = landlock_rules::restrict(policy).step("Landlock")?;
        if setup.require_landlock && !status.fully_enforced {
            return Err(format!(
                "Landlock is required but only {}",
                status.description
            ));
        }
    }
    sys::drop_all_capabilities().step("drop capabilities")?;
    sys::close_range(3, err_fd as u32 - 1).step("close fds")?;
    sys::close_range(err_fd as u32 + 1, u32::MAX).step("close fds")?;
    if !setup.ablate_seccomp {
        seccomp::install(&seccomp::program()).step("install seccomp filter")?;
    }
    Ok(program)
}

/// The command's persona, replacing whatever the caller's was: Linux with layout
/// randomisation, or without it. Both are set before seccomp, which afterwards lets the
/// command only query its persona or return to plain `PER_LINUX`.
fn set_persona(aslr: bool) -> Result<()> {
    let persona = if aslr {
        0 // PER_LINUX
    } else {
        libc::ADDR_NO_RANDOMIZE as libc::c_ulong
    };
    // SAFETY: personality only changes flags of this process that take effect at exec.
    if unsafe { libc::personality(persona) } == -1 {
        return Err(format!("personality: {}", std::io::Error::last_os_error()));
    }
    Ok(())
}

fn exec(program: CString, argv: &[String], policy: &Policy) -> String {
    let args: Vec<CString> = argv
        .iter()
        .map(|a| CString::new(a.as_bytes()).unwrap_or_default())
        .collect();
    let env: Vec<CString> = policy
        .env
        .iter()
        .map(|(k, v)| CString::new(format!("{k}={v}")).unwrap_or_default())
        .collect();
    let err = nix::unistd::execve(&program, &args, &env).unwrap_err();
    // Not a setup failure: the command itself cannot run. Say so on its stderr and
    // exit like a shell would (127 not found, 126 not executable).
    let code = if err == nix::errno::Errno::ENOENT {
        127
    } else {
        126
    };
    let _ = writeln!(
        std::io::stderr(),
        "corral: cannot execute {}: {}",
        argv[0],
        err.desc()
    );
    // SAFETY: _exit in a forked child.
    unsafe { libc::_exit(code) }
}

/// Finds the program in the sandbox's PATH, as a shell would.
fn resolve_program(name: &str, policy: &Policy) -> Result<CString> {
    let found = if name.contains('/') {
        Some(PathBuf::from(name))
    } else {
        let path = policy
            .env
            .iter()
            .find(|(k, _)| k == "PATH")
            .map(|(_, v)| v.as_str())
            .unwrap_or("/usr/bin:/bin");
        path.split(':')
            .map(|dir| Path::new(dir).join(name))
            .find(|p| p.is_file())
    };
    match found {
        Some(p) => CString::new(p.into_os_string().into_encoded_bytes()).step("program name"),
        None => {
            let _ = writeln!(
                std::io::stderr(),
                "corral: {name}: command not found in the sandbox's PATH"
            );
            // SAFETY: _exit in a forked child.
            unsafe { libc::_exit(127) }
        }
    }
}

fn set_rlimits(policy: &Policy, memory_by_rlimit: bool) -> Result<()> {
    let l = &policy.limits;
    // RLIMIT_CPU counts whole seconds per process: without cgroups it is the CPU limit
    // (SIGXCPU at the limit rounded up, SIGKILL a second later for programs that ignore
    // it); with cgroups the supervisor's poll of the group's total decides, and this is
    // a backstop one second further.
    let mut cpu = l.cpu.as_millis().div_ceil(1000).max(1) as u64;
    if !memory_by_rlimit {
        cpu += 1;
    }
    // With a memory cgroup, RLIMIT_AS is a loose backstop; without one, it is the limit.
    let address_space = if memory_by_rlimit {
        l.memory
    } else {
        l.memory.saturating_mul(4).max(1 << 30)
    };
    let cpu_us = cpu.saturating_mul(1_000_000);
    // RLIMIT_NPROC counts the step's own uid, helper and init included, and fork checks
    // it before the pids cgroup: with a cgroup it is a backstop above the cgroup's limit,
    // so the cgroup decides and reports `pids`.
    let nproc = if memory_by_rlimit { l.pids } else { l.pids + 2 };
    let limits = [
        // 1, not 0: with a piped core_pattern the kernel still runs the host's crash
        // handler (as root) at 0; only 1 stops it (and is below any core file's size).
        // seccomp keeps the command from changing it.
        (Resource::RLIMIT_CORE, 1, 1),
        (
            Resource::RLIMIT_DATA,
            libc::RLIM_INFINITY,
            libc::RLIM_INFINITY,
        ),
        (
            Resource::RLIMIT_RSS,
            libc::RLIM_INFINITY,
            libc::RLIM_INFINITY,
        ),
        (Resource::RLIMIT_LOCKS, l.open_files, l.open_files),
        (Resource::RLIMIT_SIGPENDING, SIGPENDING, SIGPENDING),
        (Resource::RLIMIT_NICE, 0, 0),
        (Resource::RLIMIT_RTPRIO, 0, 0),
        (Resource::RLIMIT_RTTIME, cpu_us, cpu_us),
        (Resource::RLIMIT_FSIZE, l.file_size, l.file_size),
        (Resource::RLIMIT_NOFILE, l.open_files, l.open_files),
        (Resource::RLIMIT_NPROC, nproc, nproc),
        (Resource::RLIMIT_STACK, l.stack, l.stack),
        (Resource::RLIMIT_AS, address_space, address_space),
        (Resource::RLIMIT_CPU, cpu, cpu + 1),
        (Resource::RLIMIT_MEMLOCK, 64 << 10, 64 << 10),
        (Resource::RLIMIT_MSGQUEUE, 64 << 10, 64 << 10),
    ];
    for (res, soft, hard) in limits {
        setrlimit(res, soft, hard).step(&format!("setrlimit {res:?}"))?;
    }
    Ok(())
}
