//! Shared helpers of the attack programs: report lines, errno and syscall names, raw syscalls, forked probes.
//!
//! Every probe prints exactly one line:
//! `ESCAPED: <what>` when it broke out or leaked, `CONTAINED: <what> (<why>)` when it was
//! stopped, `INFO: <what>` for evidence that is neither (the host test may check it).

use std::ffi::CString;
use std::io::Write;
use std::time::Duration;

mod names;
pub use names::{SYSCALL_NAMES, errno_name, syscall_name, syscall_number};

/// Writes one line to stdout and flushes it; errors (a closed pipe) are ignored.
pub fn line(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}

/// The probe broke out or leaked something.
pub fn escaped(what: impl std::fmt::Display) {
    line(&format!("ESCAPED: {what}"));
}

/// The probe was stopped; `why` is usually an errno name.
pub fn contained(what: impl std::fmt::Display, why: impl std::fmt::Display) {
    line(&format!("CONTAINED: {what} ({why})"));
}

/// Evidence for the host test that is neither an escape nor a containment.
pub fn info(what: impl std::fmt::Display) {
    line(&format!("INFO: {what}"));
}

/// The current `errno`.
pub fn errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

/// `EPERM`, `ENOENT`, … or `errno N`.
pub fn err_str(e: i32) -> String {
    match errno_name(e) {
        Some(n) => n.to_string(),
        None => format!("errno {e}"),
    }
}

/// The name of the current errno.
pub fn last_err() -> String {
    err_str(errno())
}

/// A NUL-terminated copy of `s` (panics on an interior NUL: all callers pass literals or paths).
pub fn cstr(s: &str) -> CString {
    CString::new(s).expect("no NUL in path")
}

/// Reports a libc-style result (`-1` + errno on failure) of a call that must fail.
/// Any failure is contained; success is an escape.
pub fn must_fail(what: &str, ret: i64) -> bool {
    if ret < 0 {
        contained(what, last_err());
        true
    } else {
        escaped(format!("{what} succeeded (returned {ret})"));
        false
    }
}

/// Reports a libc-style result of a call the seccomp policy must refuse:
/// EPERM or ENOSYS is contained; success, or any other errno (the call reached the
/// kernel's own checks), is an escape of the seccomp layer.
pub fn must_be_denied(what: &str, ret: i64) -> bool {
    if ret >= 0 {
        escaped(format!("{what} succeeded (returned {ret})"));
        return false;
    }
    let e = errno();
    if e == libc::EPERM || e == libc::ENOSYS {
        contained(what, err_str(e));
        true
    } else {
        escaped(format!(
            "{what} was not refused by seccomp: reached the kernel ({})",
            err_str(e)
        ));
        false
    }
}

/// The process-wide argument list without the program name.
pub fn args() -> Vec<String> {
    std::env::args().skip(1).collect()
}

/// Prints a usage line and exits with code 2.
pub fn usage(text: &str) -> ! {
    eprintln!("usage: {text}");
    std::process::exit(2)
}

/// How a forked probe ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Forked {
    /// The child ran the probe and sent back its value.
    Value(i64),
    /// The child exited without sending a value.
    Exited(i32),
    /// The child died of this signal.
    Signaled(i32),
    /// The child did not answer in time and was killed.
    TimedOut,
    /// fork itself failed with this errno.
    ForkFailed(i32),
}

/// Runs `probe` in a forked child and returns the value it produced, with a time limit.
/// The child sends the value through a pipe and exits at once (`_exit`), so a probe that
/// forks or clones again cannot make the grandchild report in its place.
pub fn in_child(timeout: Duration, probe: impl FnOnce() -> i64) -> Forked {
    let mut fds = [0i32; 2];
    // SAFETY: pipe2 writes two fds into the array we own.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Forked::ForkFailed(errno());
    }
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    // SAFETY: the attack programs fork only while single-threaded; the child runs the
    // probe and leaves with _exit, never returning into the parent's code.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        let e = errno();
        // SAFETY: closing the fds we just created.
        unsafe {
            libc::close(fds[0]);
            libc::close(fds[1]);
        }
        return Forked::ForkFailed(e);
    }
    if pid == 0 {
        // SAFETY: getpid has no preconditions.
        let me = unsafe { libc::getpid() };
        let value = probe();
        // SAFETY: getpid has no preconditions.
        if unsafe { libc::getpid() } == me {
            let bytes = value.to_ne_bytes();
            // SAFETY: writes 8 bytes from a local array to our pipe, then leaves without
            // running destructors or atexit handlers of the parent's state.
            unsafe {
                libc::write(fds[1], bytes.as_ptr().cast(), 8);
                libc::_exit(0);
            }
        }
        // A grandchild created by the probe (fork-like syscall): leave silently.
        // SAFETY: _exit has no preconditions.
        unsafe { libc::_exit(0) }
    }
    // SAFETY: closing our copy of the write end.
    unsafe { libc::close(fds[1]) };
    let mut pfd = libc::pollfd {
        fd: fds[0],
        events: libc::POLLIN,
        revents: 0,
    };
    let ms = timeout.as_millis().min(i32::MAX as u128) as i32;
    // SAFETY: one valid pollfd.
    let ready = unsafe { libc::poll(&mut pfd, 1, ms) };
    let mut value = None;
    if ready > 0 {
        let mut buf = [0u8; 8];
        // SAFETY: reads at most 8 bytes into a local buffer.
        let n = unsafe { libc::read(fds[0], buf.as_mut_ptr().cast(), 8) };
        if n == 8 {
            value = Some(i64::from_ne_bytes(buf));
        }
    }
    let timed_out = ready == 0;
    if timed_out {
        // SAFETY: killing our own child.
        unsafe { libc::kill(pid, libc::SIGKILL) };
    }
    let mut status = 0;
    // SAFETY: waiting for our own child; status is a local.
    unsafe {
        libc::waitpid(pid, &mut status, 0);
        libc::close(fds[0]);
    }
    if timed_out {
        return Forked::TimedOut;
    }
    if let Some(v) = value {
        return Forked::Value(v);
    }
    if libc::WIFSIGNALED(status) {
        Forked::Signaled(libc::WTERMSIG(status))
    } else {
        Forked::Exited(libc::WEXITSTATUS(status))
    }
}

/// Raw syscall returning the kernel's value (`-errno` on failure), without libc's errno.
///
/// # Safety
/// The caller must pass arguments that are valid for syscall `nr` (or harmless, like zeros).
pub unsafe fn raw_syscall6(nr: i64, a: [u64; 6]) -> i64 {
    let ret: i64;
    // SAFETY: the caller vouches for the arguments; the syscall instruction clobbers only
    // rcx and r11 besides rax.
    unsafe {
        core::arch::asm!(
            "syscall",
            inlateout("rax") nr => ret,
            in("rdi") a[0], in("rsi") a[1], in("rdx") a[2],
            in("r10") a[3], in("r8") a[4], in("r9") a[5],
            lateout("rcx") _, lateout("r11") _,
            options(nostack),
        );
    }
    ret
}

/// Reads a file to a string (lossy), or returns the errno name.
pub fn read_text(path: &str) -> Result<String, String> {
    match std::fs::read(path) {
        Ok(b) => Ok(String::from_utf8_lossy(&b).into_owned()),
        Err(e) => Err(err_str(e.raw_os_error().unwrap_or(0))),
    }
}

/// The errno name of an `io::Error`.
pub fn io_err(e: &std::io::Error) -> String {
    match e.raw_os_error() {
        Some(n) => err_str(n),
        None => e.to_string(),
    }
}

/// Ignores a signal (so that e.g. SIGXFSZ or SIGPIPE turn into errors the probe can report).
pub fn ignore_signal(sig: i32) {
    // SAFETY: setting a signal's disposition to SIG_IGN has no memory-safety preconditions.
    unsafe { libc::signal(sig, libc::SIG_IGN) };
}
