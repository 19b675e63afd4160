use super::*;
use corral_rust::pipeline::Pipeline;
use corral_rust::request::Request;
use corral_rust::toolchain::Toolchain;
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, Sender, channel};

/// A plan (its content does not matter to the queue).
fn plan() -> Plan {
    let tc = Toolchain {
        name: "stable-x86_64-unknown-linux-gnu".into(),
        channel: "stable".into(),
        version: "1.95.0".into(),
        commit_hash: "abc".into(),
        commit_date: "2026-01-01".into(),
        host: "x86_64-unknown-linux-gnu".into(),
        path: "/nonexistent".into(),
        components: vec![],
        targets: vec![],
    };
    let p = Pipeline::planner(vec![tc], "/nonexistent/bake".into()).unwrap();
    p.plan(&Request::default()).unwrap()
}

/// An executor whose jobs finish, in order, when the test says so; each answers the
/// Refused error naming its seed, so results can be told apart.
fn gated() -> (Executor, Sender<()>) {
    let (tx, rx) = channel::<()>();
    let rx: Mutex<Receiver<()>> = Mutex::new(rx);
    let exec: Executor = Arc::new(move |job: Job| {
        let corral_rust::plan::Job::Run(run) = &job.plan.job else {
            unreachable!()
        };
        if run.seed != 0 {
            rx.lock().unwrap().recv().unwrap();
        }
        Err(RunError::Refused(RequestError::Invalid(
            run.seed.to_string(),
        )))
    });
    (exec, tx)
}

fn job(seed: u64) -> Job {
    let mut plan = plan();
    if let corral_rust::plan::Job::Run(run) = &mut plan.job {
        run.seed = seed;
    }
    Job::new(plan, None)
}

fn seed_of(r: JobResult) -> String {
    match r {
        Err(RunError::Refused(RequestError::Invalid(s))) => s,
        other => format!("{other:?}"),
    }
}

#[rocket::async_test]
async fn a_full_queue_refuses_and_then_recovers() {
    let (exec, tx) = gated();
    let q = InProcess::new(1, 1, exec);
    let running = rocket::tokio::spawn(q.submit(job(1)));
    rocket::tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let waiting = rocket::tokio::spawn(q.submit(job(2)));
    rocket::tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert_eq!(q.submit(job(3)).await, Err(RunError::Busy { waiting: 1 }));
    tx.send(()).unwrap();
    tx.send(()).unwrap();
    assert_eq!(seed_of(running.await.unwrap()), "1");
    assert_eq!(seed_of(waiting.await.unwrap()), "2");
    assert_eq!(seed_of(q.submit(job(0)).await), "0");
}

#[rocket::async_test]
async fn a_waiting_job_given_up_leaves_the_waiting_room() {
    let (exec, tx) = gated();
    let q = InProcess::new(1, 1, exec);
    let running = rocket::tokio::spawn(q.submit(job(1)));
    rocket::tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let waiting = rocket::tokio::spawn(q.submit(job(2)));
    rocket::tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert_eq!(q.load(), (1, 1));
    waiting.abort();
    let _ = waiting.await;
    assert_eq!(q.load(), (1, 0));
    tx.send(()).unwrap();
    assert_eq!(seed_of(running.await.unwrap()), "1");
}

#[test]
fn run_errors_cross_a_process_boundary() {
    for e in [
        RunError::Busy { waiting: 3 },
        RunError::Refused(RequestError::Invalid("bad".into())),
        RunError::Lost("gone".into()),
    ] {
        let text = serde_json::to_string(&e).unwrap();
        assert_eq!(serde_json::from_str::<RunError>(&text).unwrap(), e);
    }
    assert_eq!(
        RunError::Refused(RequestError::NotBaked {
            toolchain: "t".into(),
            channel: "stable".into(),
            mode: "debug".into(),
            release: String::new(),
            uses: String::new(),
        })
        .http_status(),
        503
    );
}
