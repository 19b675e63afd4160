//! The sandbox library driven directly (the corral binary is the helper): streaming
//! output, interactive stdin, kill, and two runs side by side.

mod common;

use common::*;
use corral_sandbox::{Policy, Sandbox, Status, Stream};
use std::io::Write;
use std::time::{Duration, Instant};

fn sandbox() -> Option<Sandbox> {
    if !sandbox_available() {
        return None;
    }
    Some(Sandbox::new(CORRAL).expect("sandbox"))
}

fn argv(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

#[test]
fn output_streams_as_it_comes() {
    let Some(sb) = sandbox() else { return };
    let child = sb
        .spawn(
            &Policy::default(),
            &argv(&["sh", "-c", "echo first; sleep 1; echo second >&2"]),
            true,
        )
        .unwrap();
    let first = child
        .output()
        .recv_timeout(Duration::from_secs(5))
        .expect("first chunk");
    assert_eq!(
        (first.stream, first.data.as_slice()),
        (Stream::Stdout, b"first\n".as_slice())
    );
    assert!(
        first.at < Duration::from_millis(900),
        "first chunk came before the sleep ended: {:?}",
        first.at
    );
    let second = child
        .output()
        .recv_timeout(Duration::from_secs(5))
        .expect("second chunk");
    assert_eq!(
        (second.stream, second.data.as_slice()),
        (Stream::Stderr, b"second\n".as_slice())
    );
    assert!(second.at >= Duration::from_millis(900), "{:?}", second.at);
    let o = child.wait();
    assert_eq!(o.status, Status::Success);
    assert_eq!(
        (o.stdout.as_str(), o.stderr.as_str()),
        ("first\n", "second\n")
    );
}

#[test]
fn stdin_is_interactive() {
    let Some(sb) = sandbox() else { return };
    let mut child = sb
        .spawn(
            &Policy::default(),
            &argv(&["sh", "-c", "read a; echo got:$a; read b; echo got:$b"]),
            true,
        )
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"one\n").unwrap();
    let c = child.output().recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(
        c.data, b"got:one\n",
        "the answer to the first line arrives before the second is sent"
    );
    stdin.write_all(b"two\n").unwrap();
    drop(stdin);
    let o = child.wait();
    assert_eq!(o.stdout, "got:one\ngot:two\n");
}

#[test]
fn kill_ends_the_run_as_killed() {
    let Some(sb) = sandbox() else { return };
    let child = sb
        .spawn(&Policy::default(), &argv(&["sleep", "60"]), false)
        .unwrap();
    let killer = child.killer();
    let start = Instant::now();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        killer.kill();
    });
    let o = child.wait();
    assert_eq!(o.status, Status::Killed);
    assert_eq!(o.limit, None);
    assert_eq!(o.signal, Some(9));
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[test]
fn two_runs_at_once_do_not_see_each_other() {
    let Some(sb) = sandbox() else { return };
    // The first run leaves a file in /tmp, a POSIX shm object and an
    // abstract socket, then waits; the second looks for all of them at the same time.
    let writer = argv(&[
        "python3",
        "-c",
        "
import os, socket, sys, time
open('/tmp/corral-mark', 'w').write('x')
open('/dev/shm/corral-mark', 'w').write('x')
s = socket.socket(socket.AF_UNIX); s.bind('\\0corral-mark'); s.listen()
print('ready', flush=True)
time.sleep(3)
",
    ]);
    let reader = argv(&[
        "python3",
        "-c",
        "
import os, socket
seen = [p for p in ('/tmp/corral-mark', '/dev/shm/corral-mark') if os.path.exists(p)]
try:
    c = socket.socket(socket.AF_UNIX); c.connect('\\0corral-mark'); seen.append('abstract socket')
except OSError:
    pass
print('seen:', seen)
",
    ]);
    let w = sb.spawn(&Policy::default(), &writer, true).unwrap();
    let ready = w.output().recv_timeout(Duration::from_secs(10)).unwrap();
    assert_eq!(ready.data, b"ready\n");
    let r = sb.run(&Policy::default(), &reader, b"").unwrap();
    assert_eq!(r.stdout, "seen: []\n", "{r:?}");
    w.killer().kill();
    assert_eq!(w.wait().status, Status::Killed);
}

#[test]
fn a_required_layer_that_is_missing_refuses_to_run() {
    let Some(sb) = sandbox() else { return };
    // Landlock is present on the CI kernel: requiring it must work...
    let p = Policy {
        require_landlock: true,
        ..Policy::default()
    };
    let o = sb.run(&p, &argv(&["true"]), b"").unwrap();
    if corral_sandbox::doctor::run(std::path::Path::new(CORRAL))
        .iter()
        .any(|c| c.layer == "landlock" && c.state == corral_sandbox::doctor::State::Active)
    {
        assert_eq!(o.status, Status::Success, "{o:?}");
    } else {
        // ...and where it is missing, the run is refused with a reason that names it.
        assert_eq!(o.status, Status::InternalError);
        assert!(o.error.unwrap().contains("Landlock"));
    }
}

/// Jails started ahead (`keep_warm`) serve one step each: a step that leaves files in
/// every writable place, System V IPC objects, a process in the background and tries
/// to rename the host is followed, in the next pooled jail, by a step that finds none
/// of it, and the same identity, hostname and clocks as a fresh jail. Taken jails are
/// replaced, and closing the pool tears the rest down.
#[test]
fn a_pooled_jail_has_no_trace_of_the_previous_job() {
    let Some(sb) = sandbox() else { return };
    let policy = Policy::default();
    sb.keep_warm(&policy.limits, 2);
    let warm = |n: usize| {
        let t = Instant::now();
        while sb.warm(&policy.limits) < n {
            assert!(
                t.elapsed() < Duration::from_secs(10),
                "the pool did not fill"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    warm(2);
    let first = sb
        .run(
            &policy,
            &argv(&[
                "sh",
                "-c",
                "for d in /tmp /work /dev/shm; do echo left > $d/trace-of-first; done; \
                 ipcmk -M 4096 >/dev/null; ipcmk -Q >/dev/null; ipcmk -S 1 >/dev/null; \
                 (sleep 30 &); hostname first-job 2>/dev/null; \
                 ipcs -m | grep -c 0x; echo done",
            ]),
            b"",
        )
        .unwrap();
    assert_eq!(first.status, Status::Success, "{first:?}");
    assert_eq!(first.stdout, "1\ndone\n", "{first:?}");
    // The one taken is replaced in the background.
    warm(2);
    let second = sb
        .run(
            &policy,
            &argv(&[
                "sh",
                "-c",
                "ls -A /tmp /work /dev/shm | grep -c trace-of-first; \
                 ipcs -m -q -s | grep -c 0x; \
                 ls /proc | grep -c '^[0-9]'; \
                 hostname; id -u; cat /proc/uptime | cut -d. -f1",
            ]),
            b"",
        )
        .unwrap();
    assert_eq!(second.status, Status::Success, "{second:?}");
    let lines: Vec<&str> = second.stdout.lines().collect();
    // No file, no IPC object, and only this step's processes: init, sh, ls/grep (the
    // pipeline's own), nothing that slept on from the first job.
    assert_eq!(lines[0], "0", "files of the first job: {second:?}");
    assert_eq!(lines[1], "0", "IPC objects of the first job: {second:?}");
    let procs: u32 = lines[2].parse().unwrap();
    assert!(procs <= 4, "processes: {second:?}");
    assert_eq!(&lines[3..5], ["corral", "1000"], "{second:?}");
    // The clocks start with the job, not with the jail.
    let uptime: u32 = lines[5].parse().unwrap();
    assert!(uptime <= 2, "uptime {uptime} s: {second:?}");
    sb.close_pool();
    assert_eq!(sb.warm(&policy.limits), 0);
}
