//! Jail start in the server (bench/all.sh, row 2): times RUNS sequential `/bin/true`
//! steps in pre-started (pooled) jails and RUNS in fresh ones, interleaved, each from
//! spawn to outcome, and prints the medians in milliseconds as JSON (and every step's
//! time, in the order they ran, for callers that pool several runs).
//!
//!   jail_start HELPER RUNS    (HELPER: a binary that runs the sandbox helper, e.g.
//!                              target/release/corral)
//!
//! Before every step the pool has refilled (nothing starts in the background while a
//! step is timed), so each pooled step gets a ready jail; the fresh steps use a second
//! `Sandbox` that keeps no jails.

use corral_sandbox::{Policy, Sandbox, Status};
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(helper), Some(runs)) = (args.get(1), args.get(2).and_then(|n| n.parse().ok())) else {
        eprintln!("usage: jail_start HELPER RUNS");
        std::process::exit(2);
    };
    if let Err(e) = measure(helper, runs) {
        eprintln!("jail_start: {e}");
        std::process::exit(1);
    }
}

fn measure(helper: &str, runs: usize) -> Result<(), String> {
    let policy = Policy::default();
    let argv = vec!["/bin/true".to_string()];
    let pooled = Sandbox::new(helper).map_err(|e| e.to_string())?;
    let fresh = Sandbox::new(helper).map_err(|e| e.to_string())?;
    pooled.keep_warm(&policy.limits, 1);
    let refilled = || {
        let until = Instant::now() + Duration::from_secs(10);
        while pooled.warm(&policy.limits) < 1 {
            if Instant::now() > until {
                return Err("the pool did not refill within 10 s".to_string());
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        Ok(())
    };
    let step = |sandbox: &Sandbox| -> Result<f64, String> {
        let t = Instant::now();
        let out = sandbox
            .run(&policy, &argv, b"")
            .map_err(|e| e.to_string())?;
        let took = t.elapsed().as_secs_f64() * 1e3;
        match out.status {
            Status::Success => Ok(took),
            _ => Err(format!("/bin/true did not succeed: {out:?}")),
        }
    };
    let (mut p, mut f) = (Vec::with_capacity(runs), Vec::with_capacity(runs));
    let result = (|| {
        for _ in 0..runs {
            refilled()?;
            p.push(step(&pooled)?);
            refilled()?;
            f.push(step(&fresh)?);
        }
        Ok::<(), String>(())
    })();
    pooled.close_pool();
    result?;
    let list = |v: &[f64]| {
        v.iter()
            .map(|ms| format!("{ms:.3}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (pooled_all, fresh_all) = (list(&p), list(&f));
    println!(
        "{{\"runs\": {runs}, \"pooled_ms\": {:.3}, \"fresh_ms\": {:.3}, \"pooled_all_ms\": [{pooled_all}], \"fresh_all_ms\": [{fresh_all}]}}",
        median(&mut p),
        median(&mut f)
    );
    Ok(())
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}
