//! What a destination's execution needs from the runner: the journal (errors become the
//! destination's `Fatal`), progress notifications, cancellation, paced retried calls, and the
//! bounded batch loop.

use std::collections::HashSet;
use std::future::Future;
use std::sync::{Arc, Mutex};

use rollcall_core::api::RowState;
use rollcall_core::Text;
use tokio::sync::{broadcast, Semaphore};

use super::retry::{self, Pacer, Verdict};
use super::store::{self, DestIdx, JobInput, JobStore, Outcome, RowIdx, Settled};
use crate::app::Metrics;
use crate::config::JobsConfig;
use crate::providers::ProviderError;

/// Why a destination cannot go on at all (the job ends `failed` with this reason).
#[derive(Debug)]
pub struct Fatal(pub String);

impl From<store::StoreError> for Fatal {
    fn from(e: store::StoreError) -> Self {
        Fatal(format!("journal error: {e}"))
    }
}

/// What every job of the runner shares.
pub struct Shared {
    pub store: Arc<dyn JobStore>,
    pub cfg: JobsConfig,
    pub metrics: Arc<Metrics>,
    /// Job ids whose state changed.
    pub events: broadcast::Sender<String>,
    pub cancelled: Mutex<HashSet<String>>,
}

impl Shared {
    pub fn notify(&self, job: &str) {
        let _ = self.events.send(job.to_string());
    }

    pub fn is_cancelled(&self, job: &str) -> bool {
        self.cancelled
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(job)
    }
}

/// One destination of one running job. Cheap to clone (batch tasks each hold one).
#[derive(Clone)]
pub struct Ctx {
    pub job: Arc<str>,
    pub dest: DestIdx,
    pub input: Arc<JobInput>,
    pub shared: Arc<Shared>,
}

/// Runs journal work (synchronous SQLite) without holding up the async threads: the runtime moves
/// its other tasks elsewhere meanwhile.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    tokio::task::block_in_place(f)
}

impl Ctx {
    fn store(&self) -> &dyn JobStore {
        &*self.shared.store
    }

    pub fn notify(&self) {
        self.shared.notify(&self.job);
    }

    pub fn is_cancelled(&self) -> bool {
        self.shared.is_cancelled(&self.job)
    }

    /// Rows waiting to be sent (not in a batch).
    pub fn pending(&self) -> Result<Vec<RowIdx>, Fatal> {
        Ok(blocking(|| {
            self.store().pending_rows(&self.job, self.dest)
        })?)
    }

    /// Batches whose outcome is unknown (sent, no verdict yet).
    pub fn in_flight(&self) -> Result<Vec<(i64, Vec<RowIdx>)>, Fatal> {
        Ok(blocking(|| {
            self.store().inflight_batches(&self.job, self.dest)
        })?)
    }

    /// Journals rows as in flight *before* they are sent.
    pub fn begin(&self, rows: &[RowIdx]) -> Result<i64, Fatal> {
        Ok(blocking(|| {
            self.store().begin_batch(&self.job, self.dest, rows)
        })?)
    }

    /// Final states for some of a batch's rows; the rest go back to pending.
    pub fn finish(&self, batch: i64, settled: &[Settled]) -> Result<(), Fatal> {
        Ok(blocking(|| self.store().finish_batch(batch, settled))?)
    }

    /// Final states for rows (outside any batch, or leaving theirs while the rest stays in flight).
    pub fn settle(&self, settled: &[Settled]) -> Result<(), Fatal> {
        Ok(blocking(|| {
            self.store().set_outcomes(&self.job, self.dest, settled)
        })?)
    }

    /// A paced, retried provider call (see [`retry::call`]).
    pub async fn call<T, F, Fut>(
        &self,
        pacer: &Pacer,
        idempotent: bool,
        f: F,
    ) -> Result<T, ProviderError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, ProviderError>>,
    {
        retry::call(&self.shared.cfg, &self.shared.metrics, pacer, idempotent, f).await
    }

    /// Settles a batch the provider answered with an error that was certainly not applied.
    pub fn settle_error(
        &self,
        batch: i64,
        rows: &[RowIdx],
        e: &ProviderError,
    ) -> Result<(), Fatal> {
        match Verdict::of(e) {
            Verdict::Fatal(reason) => {
                self.finish(batch, &[])?;
                Err(Fatal(reason))
            }
            Verdict::NotApplied => self.finish(batch, &[]),
            Verdict::Refused => {
                let settled: Vec<_> = rows
                    .iter()
                    .map(|&r| Settled::new(r, RowState::Rejected, retry::refused(e)))
                    .collect();
                self.finish(batch, &settled)
            }
        }
    }

    /// Rows still pending after every round: the provider never said no, so they end `unknown`
    /// (never `rejected` without the provider's word) with a clear reason.
    pub fn exhaust(&self) -> Result<(), Fatal> {
        let settled: Vec<_> = self
            .pending()?
            .into_iter()
            .map(|r| {
                Settled::new(
                    r,
                    RowState::Unknown,
                    Outcome::note(
                        "retries_exhausted",
                        Text::new(
                            "多轮发送后提供方仍未确认此行；重新导入前请在提供方后台核对",
                            "not confirmed by the provider after repeated rounds; check the provider's console before importing again",
                        ),
                    ),
                )
            })
            .collect();
        self.settle(&settled)
    }

    /// Runs `task` once per item, at most `max_in_flight` at a time, starting none after a
    /// cancel or a fatal answer. Every task under way finishes (an aborted provider call's outcome
    /// would be lost); the first fatal answer is returned.
    pub async fn bounded<I, F, Fut>(&self, items: Vec<I>, task: F) -> Result<(), Fatal>
    where
        F: Fn(I) -> Fut,
        Fut: Future<Output = Result<(), Fatal>> + Send + 'static,
    {
        let sem = Arc::new(Semaphore::new(self.shared.cfg.max_in_flight.max(1)));
        let mut set = tokio::task::JoinSet::new();
        let mut first_fatal: Option<Fatal> = None;
        fn record(first: &mut Option<Fatal>, r: Result<Result<(), Fatal>, tokio::task::JoinError>) {
            if let Err(f) = r.unwrap_or_else(|e| Err(Fatal(format!("task failed: {e}")))) {
                first.get_or_insert(f);
            }
        }
        for item in items {
            let permit = sem.clone().acquire_owned().await.expect("semaphore open");
            // Checked after the wait for a slot: a cancel or fatal answer may have come meanwhile.
            while let Some(done) = set.try_join_next() {
                record(&mut first_fatal, done);
            }
            if self.is_cancelled() || first_fatal.is_some() {
                break;
            }
            let fut = task(item);
            set.spawn(async move {
                let _permit = permit;
                fut.await
            });
        }
        while let Some(done) = set.join_next().await {
            record(&mut first_fatal, done);
        }
        first_fatal.map_or(Ok(()), Err)
    }
}
