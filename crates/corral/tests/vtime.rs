//! Virtual time and determinism, end to end: real programs through `corral run` (and
//! `corral serve` for the memo), with the preloaded clock library in the real sandbox.

mod common;

use common::*;
use serde_json::{Value, json};

/// Whether the sandbox and (when `crates` is set) stable's bake are here; prints why
/// the test skips otherwise.
fn ready(crates: bool) -> bool {
    if crates {
        stable_baked()
    } else {
        sandbox_available()
    }
}

/// `corral run --json ARGS` on `code`, which must succeed.
fn run(args: &[&str], code: &str) -> Value {
    let v = run_code(args, code);
    assert_eq!(v["status"], "success", "{v:#}");
    v
}

fn stdout(v: &Value) -> &str {
    v["run"]["stdout"].as_str().unwrap()
}

#[test]
fn an_hour_of_sleep_takes_no_time() {
    if !ready(false) {
        return;
    }
    let v = run(
        &[],
        r#"use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
fn main() {
    let unix = || SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    let (t0, s0) = (Instant::now(), unix());
    std::thread::sleep(Duration::from_secs(3600));
    println!("{s0} {} {}", t0.elapsed().as_secs(), unix() - s0);
}
"#,
    );
    // Starts at the documented instant, and an hour passes on both clocks.
    assert_eq!(stdout(&v), "1431648000 3600 3600\n");
    let wall = v["run"]["wall_ms"].as_u64().unwrap();
    assert!(wall < 3000, "far inside the 10 s limit: {wall} ms");
}

#[test]
fn three_tickers_interleave_by_their_virtual_deadlines() {
    if !ready(false) {
        return;
    }
    let v = run(
        &[],
        r#"use std::time::{Duration, Instant};
fn main() {
    let start = Instant::now();
    let tickers: Vec<_> = [3u64, 7, 11]
        .into_iter()
        .map(|period| {
            std::thread::spawn(move || loop {
                std::thread::sleep(Duration::from_secs(period));
                let t = start.elapsed().as_secs();
                if t > 40 {
                    break;
                }
                println!("{period}@{t}");
            })
        })
        .collect();
    for t in tickers {
        t.join().unwrap();
    }
}
"#,
    );
    let lines: Vec<&str> = stdout(&v).lines().collect();
    // Every multiple of each period up to 40 s, in time order; at 21 s (3 and 7) and
    // 33 s (3 and 11) the older thread goes first.
    let expected = [
        "3@3", "3@6", "7@7", "3@9", "11@11", "3@12", "7@14", "3@15", "3@18", "3@21", "7@21",
        "11@22", "3@24", "3@27", "7@28", "3@30", "3@33", "11@33", "7@35", "3@36", "3@39",
    ];
    assert_eq!(lines, expected);
    // The events carry the virtual gaps: 3 s, 3 s, 1 s, 2 s, …
    let delays: Vec<u64> = v["run"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["delay_ns"].as_u64().unwrap() / 1_000_000_000)
        .collect();
    assert_eq!(&delays[..5], [3, 3, 1, 2, 2]);
}

#[test]
fn tokio_sleep_and_interval_run_on_virtual_time() {
    if !ready(true) {
        return;
    }
    let code = r#"use std::time::Duration;
use tokio::time::{Instant, interval, sleep};

#[tokio::main]
async fn main() {
    let start = Instant::now();
    let ticks = tokio::spawn(async move {
        let mut every = interval(Duration::from_millis(300));
        for _ in 0..5 {
            every.tick().await;
            println!("tick at {:?}", start.elapsed());
        }
    });
    let sleeps = tokio::spawn(async move {
        for i in 0..3 {
            sleep(Duration::from_millis(500)).await;
            println!("sleep {i} at {:?}", start.elapsed());
        }
    });
    ticks.await.unwrap();
    sleeps.await.unwrap();
    sleep(Duration::from_secs(3600)).await;
    println!("done at {:?}", start.elapsed());
}
"#;
    let expected = "tick at 0ns\ntick at 300ms\nsleep 0 at 500ms\ntick at 600ms\ntick at 900ms\n\
                    sleep 1 at 1s\ntick at 1.2s\nsleep 2 at 1.5s\ndone at 3601.5s\n";
    // The multi-threaded runtime (one worker: the visible CPU count, plus the main
    // thread) and the current-thread one.
    for code in [
        code.to_string(),
        code.replace(
            "#[tokio::main]",
            "#[tokio::main(flavor = \"current_thread\")]",
        ),
    ] {
        for _ in 0..3 {
            let v = run(&[], &code);
            assert_eq!(stdout(&v), expected);
            assert!(v["run"]["wall_ms"].as_u64().unwrap() < 3000);
        }
    }
}

/// Threads, channels, a lock, randomness from every source, a HashMap, addresses and
/// identity: all of it the same bytes on every run.
const NOISY: &str = r#"use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant, SystemTime};

fn main() {
    // Heap addresses repeat while one thread allocates (after threads ran, malloc's
    // arenas depend on who freed what first).
    let boxed = Box::new(5u8);
    let start = Instant::now();
    let (tx, rx) = mpsc::channel();
    let total = Arc::new(Mutex::new(0u64));
    let workers: Vec<_> = (0..4u64)
        .map(|i| {
            let (tx, total) = (tx.clone(), total.clone());
            std::thread::spawn(move || {
                for round in 0..3 {
                    std::thread::sleep(Duration::from_millis(10 * (i + 1)));
                    *total.lock().unwrap() += i * round;
                    tx.send((i, round, start.elapsed())).unwrap();
                }
            })
        })
        .collect();
    drop(tx);
    for (i, round, at) in rx {
        println!("worker {i} round {round} at {at:?}");
    }
    for w in workers {
        w.join().unwrap();
    }
    let map: HashMap<String, usize> = (0..12).map(|i| (format!("k{i}"), i)).collect();
    let set: HashSet<u32> = (0..12).collect();
    let mut urandom = [0u8; 16];
    std::fs::File::open("/dev/urandom").unwrap().read_exact(&mut urandom).unwrap();
    println!("{map:?}\n{set:?}");
    println!("rand {} {:?} urandom {urandom:?}", rand::random::<u64>(), rand::random::<[u8; 4]>());
    println!("heap {:p} stack {:p}", boxed, &urandom);
    println!("pid {} cpus {:?} now {:?}", std::process::id(),
        std::thread::available_parallelism().map(|n| n.get()),
        SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap());
    println!("host {:?} env {:?}", std::fs::read_to_string("/etc/hostname").unwrap(),
        std::env::vars().map(|(k, _)| k).collect::<Vec<_>>());
    eprintln!("total {} elapsed {:?}", total.lock().unwrap(), start.elapsed());
}
"#;

#[test]
fn the_same_program_gives_the_same_bytes_ten_times() {
    if !ready(true) {
        return;
    }
    let first = run(&[], NOISY);
    let out = stdout(&first);
    assert!(
        out.contains("cpus Ok(1)") && out.contains("pid 2 "),
        "{out}"
    );
    assert!(out.contains("now 1431648000.12s"), "{out}");
    for _ in 1..10 {
        let again = run(&[], NOISY);
        assert_eq!(again["run"]["stdout"], first["run"]["stdout"]);
        assert_eq!(again["run"]["stderr"], first["run"]["stderr"]);
        assert_eq!(again["run"]["events"], first["run"]["events"]);
    }
    // Another seed, other random numbers (and HashMap order), again the same each run.
    let seeded = run(&["--seed", "7"], NOISY);
    assert_ne!(stdout(&seeded), out);
    assert_eq!(stdout(&run(&["--seed", "7"], NOISY)), stdout(&seeded));
}

#[test]
fn events_carry_stream_and_virtual_delay() {
    if !ready(false) {
        return;
    }
    let v = run(
        &[],
        r#"use std::time::Duration;
fn main() {
    println!("A");
    eprintln!("B");
    std::thread::sleep(Duration::from_secs(1));
    println!("C");
    std::thread::sleep(Duration::from_millis(1));
    eprintln!("D");
    print!("\x0cE");
}
"#,
    );
    let events: Vec<(&str, &str, u64)> = v["run"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["message"].as_str().unwrap(),
                e["stream"].as_str().unwrap(),
                e["delay_ns"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        events,
        [
            ("A\n", "stdout", 0),
            ("B\n", "stderr", 0),
            ("C\n", "stdout", 1_000_000_000),
            ("D\n", "stderr", 1_000_000),
            ("\x0cE", "stdout", 0),
        ]
    );
    // The plain streams hold the same bytes, without frames.
    assert_eq!(stdout(&v), "A\nC\n\x0cE");
    assert_eq!(v["run"]["stderr"], "B\nD\n");
}

#[test]
fn the_output_cap_applies_to_the_program_bytes_not_the_frames() {
    if !ready(false) {
        return;
    }
    // 4,000 writes of 3 bytes: 12,000 bytes of output, 92,000 with frames.
    let code = "use std::io::Write;\nfn main() {\n    let mut out = std::io::stdout().lock();\n    for _ in 0..4000 {\n        out.write_all(b\"ab\\n\").unwrap();\n        out.flush().unwrap();\n    }\n}\n";
    let v = run(&["--output", "16K"], code);
    assert_eq!(stdout(&v).len(), 12_000);
    assert_eq!(v["run"]["stdout_truncated"], false);
    let capped = run_code(&["--output", "8K"], code);
    assert_eq!(
        (capped["status"].as_str(), capped["limit"].as_str()),
        (Some("output_limit"), Some("output"))
    );
    assert_eq!(capped["run"]["stdout"].as_str().unwrap().len(), 8192);
    assert_eq!(capped["run"]["stdout_truncated"], true);
}

#[test]
fn real_time_mode_uses_the_real_clock() {
    if !ready(false) {
        return;
    }
    let v = run(
        &["--real-time"],
        r#"use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
fn main() {
    let t0 = Instant::now();
    println!("before");
    std::thread::sleep(Duration::from_millis(300));
    let unix = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    println!("{} {}", t0.elapsed().as_millis() >= 300, unix > 1_700_000_000);
}
"#,
    );
    assert_eq!(stdout(&v), "before\ntrue true\n");
    assert!(v["run"]["wall_ms"].as_u64().unwrap() >= 300);
    let events = v["run"]["events"].as_array().unwrap();
    let gap: u64 = events[1..]
        .iter()
        .map(|e| e["delay_ns"].as_u64().unwrap())
        .sum();
    assert!(
        gap >= 250_000_000,
        "the real gap is in the events: {events:?}"
    );
}

#[test]
fn the_memo_keys_the_time_mode_and_replays_virtual_results_identically() {
    if !ready(false) {
        return;
    }
    let Some(s) = common::server::Server::start("", &[]) else {
        return;
    };
    let code = "use std::time::Duration;\nfn main() {\n    for i in 0..3 {\n        std::thread::sleep(Duration::from_millis(400));\n        println!(\"frame {i}\");\n    }\n}\n";
    let (status, first, _) = s.post("/api/v1/run", &json!({ "code": code }));
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["cached"], false);
    let (_, again, _) = s.post("/api/v1/run", &json!({ "code": code, "time": "virtual" }));
    assert_eq!(again["cached"], true);
    assert_eq!(again["key"], first["key"]);
    assert_eq!(again["run"], first["run"], "replayed byte for byte");
    let delays: Vec<u64> = first["run"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["delay_ns"].as_u64().unwrap())
        .collect();
    assert_eq!(delays, [400_000_000; 3]);
    // Real time and another seed are other keys; real time is never cached.
    let (_, real, _) = s.post("/api/v1/run", &json!({ "code": code, "time": "real" }));
    assert_ne!(real["key"], first["key"]);
    assert_eq!(real["cached"], false);
    let (_, seeded, _) = s.post("/api/v1/run", &json!({ "code": code, "seed": 3 }));
    assert_ne!(seeded["key"], first["key"]);
    let (code_400, err, _) = s.post("/api/v1/run", &json!({ "code": code, "time": "slow" }));
    assert_eq!(code_400, 400);
    assert!(err["error"].as_str().unwrap().contains("virtual or real"));
}

#[test]
fn timed_waits_of_every_kind_last_exactly_their_timeout() {
    if !ready(false) {
        return;
    }
    let code = r#"use std::sync::{Arc, Condvar, Mutex, mpsc};
use std::time::{Duration, Instant};

fn main() {
    let start = Instant::now();
    // Timed waits of every kind, several on one condvar, none ever notified: each must
    // last exactly its timeout (the end of one must not wake another).
    let shared = Arc::new((Mutex::new(()), Condvar::new()));
    let threads: Vec<_> = (0..8u64)
        .map(|i| {
            let shared = shared.clone();
            std::thread::spawn(move || {
                let (_tx, rx) = mpsc::channel::<()>();
                let mut wrong = vec![];
                for k in 0..4u64 {
                    let d = Duration::from_millis((i * 37 + k * 101) % 97 + 1);
                    let t0 = Instant::now();
                    match (i + k) % 4 {
                        0 => std::thread::sleep(d),
                        1 => std::thread::park_timeout(d),
                        2 => {
                            let (m, c) = &*shared;
                            drop(c.wait_timeout(m.lock().unwrap(), d).unwrap());
                        }
                        _ => assert!(rx.recv_timeout(d).is_err()),
                    }
                    if t0.elapsed() != d {
                        wrong.push(format!("{i}/{k}: {:?} for {d:?}", t0.elapsed()));
                    }
                }
                wrong
            })
        })
        .collect();
    let wrong: Vec<String> = threads.into_iter().flat_map(|t| t.join().unwrap()).collect();
    println!("wrong: {wrong:?} at {:?}", start.elapsed());
    // Waits again until its time is up: at the deadline, for 0 s (which takes 1 ns).
    let (m, c) = &*shared;
    let t0 = Instant::now();
    let (_g, r) = c.wait_timeout_while(m.lock().unwrap(), Duration::from_millis(250), |_| true).unwrap();
    println!("timed out {} after {:?}", r.timed_out(), t0.elapsed());
}
"#;
    for _ in 0..3 {
        let v = run(&[], code);
        assert_eq!(
            stdout(&v),
            "wrong: [] at 324ms\ntimed out true after 250.000001ms\n"
        );
    }
}

#[test]
fn a_hundred_sleeping_threads_wake_in_deadline_order_quickly() {
    if !ready(false) {
        return;
    }
    let code = r#"use std::time::{Duration, Instant};
fn main() {
    let start = Instant::now();
    let threads: Vec<_> = (0..100u64)
        .map(|i| {
            std::thread::spawn(move || {
                for k in 0..3u64 {
                    std::thread::sleep(Duration::from_millis(((i * 7919) % 97 + 1) * (k + 1)));
                    println!("{i} {k} {}", start.elapsed().as_millis());
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}
"#;
    // In time order; at the same instant the older thread (lower i) first.
    let mut expected = vec![];
    for i in 0..100u64 {
        let mut at = 0;
        for k in 0..3u64 {
            at += ((i * 7919) % 97 + 1) * (k + 1);
            expected.push((at, i, k));
        }
    }
    expected.sort();
    let expected: String = expected
        .iter()
        .map(|(at, i, k)| format!("{i} {k} {at}\n"))
        .collect();
    let v = run(&[], code);
    assert_eq!(stdout(&v), expected);
    let wall = v["run"]["wall_ms"].as_u64().unwrap();
    assert!(wall < 5000, "300 clock jumps over 100 threads: {wall} ms");
}

#[test]
fn stdin_is_all_there_at_time_zero() {
    if !ready(false) {
        return;
    }
    // More than a pipe holds: the reader waits for corral to write the rest, and
    // that wait must not let the clock move.
    let dir = std::env::temp_dir().join(format!("corral-vtime-stdin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("in.txt");
    let text: String = (0..4000)
        .map(|i| format!("{i:05} {}\n", "x".repeat(44)))
        .collect();
    std::fs::write(&input, text).unwrap();
    let code = r#"use std::io::BufRead;
use std::time::{Duration, Instant};
fn main() {
    let start = Instant::now();
    let ticker = std::thread::spawn(move || {
        for i in 0..3 {
            std::thread::sleep(Duration::from_millis(1));
            println!("tick {i} at {:?}", start.elapsed());
        }
    });
    let lines = std::io::stdin().lock().lines().count();
    println!("{lines} lines at {:?}", start.elapsed());
    ticker.join().unwrap();
}
"#;
    let v = run(&["--stdin", input.to_str().unwrap()], code);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(
        stdout(&v),
        "4000 lines at 0ns\ntick 0 at 1ms\ntick 1 at 2ms\ntick 2 at 3ms\n"
    );
}

#[test]
fn child_processes_write_plain_bytes_in_order() {
    if !ready(false) {
        return;
    }
    // A child with the program's stdout writes after what the program wrote before;
    // a child's captured output holds no frames.
    let v = run(
        &[],
        r#"use std::process::Command;
fn main() {
    println!("p1");
    println!("p2");
    println!("p3");
    Command::new("/bin/sh").args(["-c", "sleep 5; echo c1; echo c2"]).status().unwrap();
    println!("p4");
    let o = Command::new("/bin/sh").args(["-c", "echo piped; echo err >&2"]).output().unwrap();
    println!("{:?} {:?}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
}
"#,
    );
    assert_eq!(
        stdout(&v),
        "p1\np2\np3\nc1\nc2\np4\n\"piped\\n\" \"err\\n\"\n"
    );
}

#[test]
fn a_stack_overflow_still_reports_itself() {
    if !ready(false) {
        return;
    }
    // Rust reports it from a signal handler on a small stack, through write(2).
    let v = run_code(
        &[],
        r#"fn deep(n: u64) -> u64 {
    let a = [n; 64];
    if n == 0 { 0 } else { deep(n - 1) + a[(n % 64) as usize] }
}
fn main() {
    let t = std::thread::Builder::new().stack_size(256 << 10).spawn(|| deep(u64::MAX >> 1));
    println!("{:?}", t.unwrap().join().is_err());
}
"#,
    );
    assert_eq!(v["run"]["signal"], 6, "{v:#}");
    let stderr = v["run"]["stderr"].as_str().unwrap();
    assert!(stderr.contains("has overflowed its stack"), "{stderr}");
}

#[test]
fn a_deadlock_or_a_sleep_forever_ends_by_the_wall_clock() {
    if !ready(false) {
        return;
    }
    for code in [
        // Each thread holds one lock and waits for the other's.
        r#"use std::sync::{Arc, Mutex};
fn main() {
    let (a, b) = (Arc::new(Mutex::new(())), Arc::new(Mutex::new(())));
    let (a2, b2) = (a.clone(), b.clone());
    let t = std::thread::spawn(move || {
        let _b = b2.lock().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(10));
        let _a = a2.lock().unwrap();
    });
    let _a = a.lock().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(10));
    println!("waiting");
    let _b = b.lock().unwrap();
    t.join().unwrap();
}
"#,
        // Past the end of virtual time (~126 years) a sleep never ends.
        r#"fn main() {
    println!("waiting");
    std::thread::sleep(std::time::Duration::MAX);
    println!("woke");
}
"#,
    ] {
        let v = run_code(&["--time", "1s"], code);
        assert_eq!(
            (v["status"].as_str(), v["limit"].as_str()),
            (Some("timeout"), Some("wall")),
            "{v:#}"
        );
        assert_eq!(stdout(&v), "waiting\n");
    }
}

#[test]
fn tokio_timeouts_select_and_blocking_tasks_run_on_virtual_time() {
    if !ready(true) {
        return;
    }
    let code = r#"use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::{Instant, sleep, timeout};

#[tokio::main]
async fn main() {
    let start = Instant::now();
    for ms in [50u64, 250] {
        let r = timeout(Duration::from_millis(200), sleep(Duration::from_millis(ms))).await;
        println!("sleep {ms} ms within 200 ms: {} at {:?}", r.is_ok(), start.elapsed());
    }
    let blocking = tokio::task::spawn_blocking(|| {
        std::thread::sleep(Duration::from_secs(2));
        7
    });
    println!("blocking: {:?} at {:?}", blocking.await.unwrap(), start.elapsed());
    let (tx, mut rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        for i in 1..4u64 {
            sleep(Duration::from_millis(100 * i * i + 10)).await;
            tx.send(i).unwrap();
        }
    });
    loop {
        tokio::select! {
            m = rx.recv() => match m {
                Some(i) => println!("message {i} at {:?}", start.elapsed()),
                None => break,
            },
            _ = sleep(Duration::from_millis(300)) => println!("idle at {:?}", start.elapsed()),
        }
    }
    println!("done at {:?}", start.elapsed());
}
"#;
    let expected = "sleep 50 ms within 200 ms: true at 50ms\n\
                    sleep 250 ms within 200 ms: false at 250ms\n\
                    blocking: 7 at 2.25s\nmessage 1 at 2.36s\nidle at 2.66s\n\
                    message 2 at 2.77s\nidle at 3.07s\nidle at 3.37s\nidle at 3.67s\n\
                    message 3 at 3.68s\ndone at 3.68s\n";
    for code in [
        code.to_string(),
        code.replace(
            "#[tokio::main]",
            "#[tokio::main(flavor = \"current_thread\")]",
        ),
    ] {
        for _ in 0..3 {
            assert_eq!(stdout(&run(&[], &code)), expected);
        }
    }
}

#[test]
fn fifty_tokio_tasks_with_blocking_work_repeat_exactly() {
    if !ready(true) {
        return;
    }
    // Many tasks waking at nearby instants, blocking-pool work, and a channel: the
    // order of the lines is the order the one worker ran the tasks in.
    let code = r#"use std::time::Duration;
use tokio::time::{Instant, sleep};

#[tokio::main]
async fn main() {
    let start = Instant::now();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    for i in 0..50u64 {
        let tx = tx.clone();
        tokio::spawn(async move {
            for k in 0..4u64 {
                sleep(Duration::from_millis((i * 53 + k * 211) % 997 + 1)).await;
                let v = if (i + k) % 5 == 0 {
                    tokio::task::spawn_blocking(move || {
                        std::thread::sleep(Duration::from_millis(3));
                        i * k
                    })
                    .await
                    .unwrap()
                } else {
                    i + k
                };
                tx.send(format!("{:?} {i} {k} {v}", start.elapsed())).unwrap();
            }
        });
    }
    drop(tx);
    while let Some(line) = rx.recv().await {
        println!("{line}");
    }
    println!("end {:?}", start.elapsed());
}
"#;
    let first = run(&[], code);
    assert_eq!(stdout(&first).lines().count(), 201);
    for _ in 0..4 {
        let again = run(&[], code);
        assert_eq!(again["run"]["stdout"], first["run"]["stdout"]);
        assert_eq!(again["run"]["events"], first["run"]["events"]);
    }
}

#[test]
fn random_device_reads_follow_dup_and_dup2() {
    if !ready(false) {
        return;
    }
    let code = r#"use std::io::Read;
use std::os::fd::{AsRawFd, FromRawFd};
unsafe extern "C" {
    fn dup(fd: i32) -> i32;
    fn dup2(fd: i32, to: i32) -> i32;
}
fn main() {
    let urandom = std::fs::File::open("/dev/urandom").unwrap();
    std::fs::write("/tmp/plain", b"plain text").unwrap();
    let plain = std::fs::File::open("/tmp/plain").unwrap();
    // SAFETY: a valid fd; the copy is owned by `copy` below.
    let mut copy = unsafe { std::fs::File::from_raw_fd(dup(urandom.as_raw_fd())) };
    let mut bytes = [0u8; 8];
    copy.read_exact(&mut bytes).unwrap();
    println!("{bytes:?}");
    // SAFETY: both fds are valid; the copy now reads the plain file.
    unsafe { dup2(plain.as_raw_fd(), copy.as_raw_fd()) };
    let mut text = String::new();
    copy.read_to_string(&mut text).unwrap();
    println!("{text}");
}
"#;
    let first = run(&[], code);
    let lines: Vec<&str> = stdout(&first).lines().collect();
    assert_eq!(lines[1], "plain text", "dup2 replaced the random device");
    assert_eq!(
        stdout(&run(&[], code)),
        stdout(&first),
        "a dup of it is seeded"
    );
}
