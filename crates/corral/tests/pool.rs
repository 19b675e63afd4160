//! Jails started ahead that die while they wait (the OOM killer takes idle helpers
//! first): the step that would have used one gets a fresh jail instead of an error.
//! Alone in its test binary, so that the helpers it kills are its own.

mod common;

use common::*;
use corral_sandbox::{Policy, Sandbox, Status};
use std::time::{Duration, Instant};

/// Our direct children that are sandbox helpers (the outer halves of the jails).
fn helpers() -> Vec<i32> {
    let me = std::process::id() as i32;
    let mut found = vec![];
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // pid (comm) state ppid …: comm may hold spaces, so split after its ')'.
        let Some((head, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let ppid: i32 = rest
            .split_whitespace()
            .nth(1)
            .unwrap_or("0")
            .parse()
            .unwrap_or(0);
        if ppid == me && head.contains("(corral") {
            found.push(pid);
        }
    }
    found
}

#[test]
fn a_jail_that_died_while_it_waited_is_replaced_by_a_fresh_one() {
    if !sandbox_available() {
        return;
    }
    let sb = Sandbox::new(CORRAL).expect("sandbox");
    let policy = Policy::default();
    sb.keep_warm(&policy.limits, 1);
    let t = Instant::now();
    while sb.warm(&policy.limits) < 1 || helpers().is_empty() {
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "the pool did not fill"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // Let it reach the point where it waits for a job, then kill it there.
    std::thread::sleep(Duration::from_millis(300));
    let killed = helpers();
    assert!(!killed.is_empty());
    for pid in &killed {
        // SAFETY: a plain kill of our own child.
        unsafe { libc::kill(*pid, libc::SIGKILL) };
    }
    // (Its inner half follows through its parent-death signal.)
    std::thread::sleep(Duration::from_millis(200));
    let o = sb
        .run(
            &policy,
            &["echo".to_string(), "still served".to_string()],
            b"",
        )
        .expect("a fresh jail");
    assert_eq!(o.status, Status::Success, "{o:?}");
    assert_eq!(o.stdout, "still served\n");
    // The one taken was replaced.
    let t = Instant::now();
    while sb.warm(&policy.limits) < 1 {
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "the pool did not refill"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    sb.close_pool();
    assert_eq!(sb.warm(&policy.limits), 0);
}
