//! Job dispatch behind one small interface, so a distributed queue can replace the
//! in-process one without touching the routes. The in-process queue runs at most
//! `workers` jobs at once and lets at most `waiting` more wait; beyond that it is full.

use futures::future::BoxFuture;
use rocket::tokio::sync::Semaphore;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A job: blocking work (the sandboxed steps) that yields a value.
pub type Job<T> = Box<dyn FnOnce() -> T + Send + 'static>;

#[derive(Debug, PartialEq, Eq)]
pub enum QueueError {
    /// Too many jobs are waiting: try again later.
    Full { waiting: usize },
    /// The worker failed (panicked or was cancelled).
    Lost(String),
}

pub trait Jobs<T: Send + 'static>: Send + Sync {
    fn submit(&self, job: Job<T>) -> BoxFuture<'static, Result<T, QueueError>>;
    /// Jobs running and waiting now.
    fn load(&self) -> (usize, usize);
}

pub struct InProcess {
    slots: Arc<Semaphore>,
    workers: usize,
    waiting: Arc<AtomicUsize>,
    max_waiting: usize,
}

impl InProcess {
    pub fn new(workers: usize, max_waiting: usize) -> InProcess {
        InProcess {
            slots: Arc::new(Semaphore::new(workers)),
            workers,
            waiting: Arc::new(AtomicUsize::new(0)),
            max_waiting,
        }
    }
}

/// One place in the waiting room, given back on drop.
struct Waiting(Arc<AtomicUsize>);

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl<T: Send + 'static> Jobs<T> for InProcess {
    fn submit(&self, job: Job<T>) -> BoxFuture<'static, Result<T, QueueError>> {
        let waiting = self.waiting.fetch_add(1, Ordering::SeqCst);
        if waiting >= self.max_waiting {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Box::pin(async move { Err(QueueError::Full { waiting }) });
        }
        let slots = self.slots.clone();
        // Leaves the waiting room when the permit comes, or when the caller gives up
        // (its future dropped: the client went away, or shutdown answered it).
        let waiting = Waiting(self.waiting.clone());
        Box::pin(async move {
            let permit = slots.acquire_owned().await;
            drop(waiting);
            let _permit = permit.map_err(|e| QueueError::Lost(e.to_string()))?;
            rocket::tokio::task::spawn_blocking(job)
                .await
                .map_err(|e| QueueError::Lost(e.to_string()))
        })
    }

    fn load(&self) -> (usize, usize) {
        (
            self.workers - self.slots.available_permits(),
            self.waiting.load(Ordering::SeqCst),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[rocket::async_test]
    async fn a_full_queue_refuses_and_then_recovers() {
        let q = InProcess::new(1, 1);
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let running = Jobs::<u32>::submit(
            &q,
            Box::new(move || {
                rx.recv().unwrap();
                1
            }),
        );
        let running = rocket::tokio::spawn(running);
        rocket::tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let waiting = rocket::tokio::spawn(Jobs::<u32>::submit(&q, Box::new(|| 2)));
        rocket::tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert_eq!(
            Jobs::<u32>::submit(&q, Box::new(|| 3)).await,
            Err(QueueError::Full { waiting: 1 })
        );
        tx.send(()).unwrap();
        assert_eq!(running.await.unwrap(), Ok(1));
        assert_eq!(waiting.await.unwrap(), Ok(2));
        assert_eq!(Jobs::<u32>::submit(&q, Box::new(|| 4)).await, Ok(4));
    }

    #[rocket::async_test]
    async fn a_waiting_job_given_up_leaves_the_waiting_room() {
        let q = InProcess::new(1, 1);
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let running = rocket::tokio::spawn(Jobs::<u32>::submit(
            &q,
            Box::new(move || {
                rx.recv().unwrap();
                1
            }),
        ));
        rocket::tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let waiting = rocket::tokio::spawn(Jobs::<u32>::submit(&q, Box::new(|| 2)));
        rocket::tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert_eq!(Jobs::<u32>::load(&q), (1, 1));
        waiting.abort();
        let _ = waiting.await;
        assert_eq!(Jobs::<u32>::load(&q), (1, 0));
        tx.send(()).unwrap();
        assert_eq!(running.await.unwrap(), Ok(1));
    }
}
