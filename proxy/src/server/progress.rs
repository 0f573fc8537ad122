//! Live progress for every watcher of a job from one reading of the journal per change: a task
//! follows the runner's change notices, reads the job's summary once (off the async threads) and
//! publishes it on the job's watch channel; each SSE stream only waits on that channel. The
//! number of open streams is capped.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rollcall_core::api::JobSummary;
use tokio::sync::{broadcast, watch, OwnedSemaphorePermit, Semaphore};

use crate::jobs::store::JobStore;

/// Live progress for every watcher of every job, and the stream slots (per user and in total).
pub struct Progress {
    store: Arc<dyn JobStore>,
    jobs: Mutex<HashMap<String, watch::Sender<Option<JobSummary>>>>,
    streams: Arc<Semaphore>,
    /// Open streams per user (one user cannot take every slot).
    per_user: Arc<Mutex<HashMap<String, usize>>>,
}

/// One open stream: released (in the total and the user's count) when dropped.
pub struct StreamSlot {
    _total: OwnedSemaphorePermit,
    user: String,
    per_user: Arc<Mutex<HashMap<String, usize>>>,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut m = self.per_user.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = m.get_mut(&self.user) {
            *n -= 1;
            if *n == 0 {
                m.remove(&self.user);
            }
        }
    }
}

/// Why no stream slot was given.
pub enum Full {
    /// Every slot of the process is taken.
    Total,
    /// This user holds their share.
    User,
}

impl Progress {
    /// Starts following `events` (job ids whose state changed); at most `max_streams` streams
    /// open at once (`limits.max_streams_total`).
    pub fn start(
        store: Arc<dyn JobStore>,
        mut events: broadcast::Receiver<String>,
        max_streams: usize,
    ) -> Arc<Self> {
        let me = Arc::new(Progress {
            store,
            jobs: Mutex::new(HashMap::new()),
            streams: Arc::new(Semaphore::new(max_streams)),
            per_user: Default::default(),
        });
        let p = me.clone();
        tokio::spawn(async move {
            // The watched jobs are read again now and then (once each, whoever watches), so a
            // change made without a notice here still reaches them: a cancel settled by the API,
            // and — with a shared store — a job another replica runs (every second then; a
            // single process's own runner notifies every change).
            let every = if p.store.is_shared() { 1 } else { 5 };
            let mut tick = tokio::time::interval(Duration::from_secs(every));
            loop {
                let first = tokio::select! {
                    e = events.recv() => match e {
                        Ok(id) => id,
                        Err(broadcast::error::RecvError::Lagged(_)) => continue,
                        Err(broadcast::error::RecvError::Closed) => return,
                    },
                    _ = tick.tick() => {
                        for id in p.watched() {
                            p.publish(&id).await;
                        }
                        continue;
                    }
                };
                // Changes come in bursts (a batch settles many rows): read once per 200 ms.
                tokio::time::sleep(Duration::from_millis(200)).await;
                let mut changed = vec![first];
                while let Ok(id) = events.try_recv() {
                    if !changed.contains(&id) {
                        changed.push(id);
                    }
                }
                for id in changed {
                    p.publish(&id).await;
                }
            }
        });
        me
    }

    fn watched(&self) -> Vec<String> {
        let mut jobs = self.jobs.lock().unwrap_or_else(|p| p.into_inner());
        jobs.retain(|_, tx| tx.receiver_count() > 0);
        jobs.keys().cloned().collect()
    }

    /// Reads the job once and hands the summary to everyone watching it.
    async fn publish(&self, id: &str) {
        let watched = {
            let mut jobs = self.jobs.lock().unwrap_or_else(|p| p.into_inner());
            jobs.retain(|_, tx| tx.receiver_count() > 0);
            jobs.get(id).cloned()
        };
        let Some(tx) = watched else { return };
        let id = id.to_string();
        if let Ok(Some(job)) =
            crate::jobs::store::blocking(&self.store, move |s| s.get_job(&id)).await
        {
            let _ = tx.send(Some(job));
        }
    }

    /// A slot for one more stream of `user`, unless the process's cap or the user's
    /// (`per_user_max`) is reached.
    pub fn slot(&self, user: &str, per_user_max: usize) -> Result<StreamSlot, Full> {
        let mut m = self.per_user.lock().unwrap_or_else(|p| p.into_inner());
        let n = m.entry(user.to_string()).or_default();
        if *n >= per_user_max {
            return Err(Full::User);
        }
        let Ok(total) = self.streams.clone().try_acquire_owned() else {
            if *n == 0 {
                m.remove(user);
            }
            return Err(Full::Total);
        };
        *n += 1;
        Ok(StreamSlot {
            _total: total,
            user: user.to_string(),
            per_user: self.per_user.clone(),
        })
    }

    /// The job's channel, starting at `current`.
    pub fn watch(&self, id: &str, current: JobSummary) -> watch::Receiver<Option<JobSummary>> {
        let mut jobs = self.jobs.lock().unwrap_or_else(|p| p.into_inner());
        let tx = jobs
            .entry(id.to_string())
            .or_insert_with(|| watch::channel(None).0);
        tx.send_replace(Some(current));
        tx.subscribe()
    }
}
