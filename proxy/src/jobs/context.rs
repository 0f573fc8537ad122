//! What a destination's execution needs from the runner: the journal (errors become the
//! destination's `Fatal`; an unreachable journal pauses the job until it is back), progress
//! notifications, cancellation and lease loss, paced retried calls, and the bounded batch loop.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rollcall_core::api::RowState;
use rollcall_core::Text;
use tokio::sync::{broadcast, Semaphore};
use tracing::{info, warn};

use super::retry::{self, Idempotence, Pacer, Verdict};
use super::store::{self, DestIdx, JobInput, JobStore, Outcome, RowIdx, Settled};
use crate::app::Metrics;
use crate::config::JobsConfig;
use crate::providers::ProviderError;
use rollcall_core::codes::JobNote;

/// Why a destination cannot go on at all (the job ends `failed` with this reason).
#[derive(Debug)]
pub struct Fatal(pub Text);

impl From<store::StoreError> for Fatal {
    fn from(e: store::StoreError) -> Self {
        Fatal(Text::new(
            format!("任务日志错误：{e}"),
            format!("journal error: {e}"),
        ))
    }
}

/// What every job of the runner shares.
pub struct Shared {
    pub store: Arc<dyn JobStore>,
    pub cfg: JobsConfig,
    pub metrics: Arc<Metrics>,
    /// This replica's name in leases and logs.
    pub replica: String,
    /// Job ids whose state changed.
    pub events: broadcast::Sender<String>,
    pub cancelled: Mutex<HashSet<String>>,
    /// Jobs another replica took over (this one stops without writing a final state), and by whom.
    pub lost: Mutex<HashMap<String, String>>,
    /// Until when this replica's lease on each job it runs is certainly valid (taken or renewed
    /// at some instant before; the store's clock counts from later). Only kept when the store is
    /// shared: a SQLite journal belongs to one process.
    pub leases: Mutex<HashMap<String, tokio::time::Instant>>,
}

impl Shared {
    pub fn notify(&self, job: &str) {
        let _ = self.events.send(job.to_string());
    }

    /// Whether the job should start no more batches: cancelled, or taken over elsewhere.
    pub fn is_cancelled(&self, job: &str) -> bool {
        self.cancelled
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(job)
            || self.lost_to(job).is_some()
    }

    pub fn cancel(&self, job: &str) {
        self.cancelled
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(job.to_string());
    }

    /// Records that `by` holds the job now.
    pub fn lose(&self, job: &str, by: &str) {
        warn!(
            job,
            replica = by,
            "another replica took this job over; stopping here"
        );
        self.lost
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(job.to_string(), by.to_string());
    }

    pub fn lost_to(&self, job: &str) -> Option<String> {
        self.lost
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(job)
            .cloned()
    }

    /// Runs journal work off the async threads. While the journal cannot be reached the caller
    /// waits and tries again: the job pauses (nothing is sent before its journal entry, no
    /// outcome is dropped) and goes on when the journal is back. Other errors are returned.
    pub async fn journal<T>(
        &self,
        f: impl Fn(&dyn JobStore) -> store::Result<T>,
    ) -> store::Result<T> {
        let mut wait = Duration::from_millis(200);
        let mut paused = false;
        loop {
            match tokio::task::block_in_place(|| f(&*self.store)) {
                Err(e) if e.is_unavailable() => {
                    if !paused {
                        warn!(error = %e, "the journal is unavailable; jobs pause until it is back");
                        paused = true;
                    }
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(Duration::from_secs(5));
                }
                r => {
                    if paused {
                        info!("the journal is reachable again; jobs go on");
                    }
                    return r;
                }
            }
        }
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

impl Ctx {
    async fn journal<T>(&self, f: impl Fn(&dyn JobStore) -> store::Result<T>) -> Result<T, Fatal> {
        match self.shared.journal(f).await {
            Err(store::StoreError::LeaseLost(by)) => {
                self.shared.lose(&self.job, &by);
                Err(Fatal(Text::new(
                    format!("任务已由副本 {by} 接管"),
                    format!("job taken over by replica {by}"),
                )))
            }
            r => Ok(r?),
        }
    }

    pub fn notify(&self) {
        self.shared.notify(&self.job);
    }

    pub fn is_cancelled(&self) -> bool {
        self.shared.is_cancelled(&self.job)
    }

    /// Rows waiting to be sent (not in a batch).
    pub async fn pending(&self) -> Result<Vec<RowIdx>, Fatal> {
        self.journal(|s| s.pending_rows(&self.job, self.dest)).await
    }

    /// Batches whose outcome is unknown (sent, no verdict yet).
    pub async fn in_flight(&self) -> Result<Vec<(i64, Vec<RowIdx>)>, Fatal> {
        self.journal(|s| s.inflight_batches(&self.job, self.dest))
            .await
    }

    /// Journals rows as in flight *before* they are sent; refused once another replica holds the
    /// job (the batch is then not sent).
    pub async fn begin(&self, rows: &[RowIdx]) -> Result<i64, Fatal> {
        let replica = &self.shared.replica;
        self.journal(|s| s.begin_batch(&self.job, self.dest, rows, replica))
            .await
    }

    /// Final states for some of a batch's rows; the rest go back to pending.
    pub async fn finish(&self, batch: i64, settled: &[Settled]) -> Result<(), Fatal> {
        let replica = &self.shared.replica;
        self.journal(|s| s.finish_batch(batch, settled, replica))
            .await
    }

    /// Stores what the destination keeps between rounds (see [`JobStore::save_memo`]).
    pub async fn save_memo(&self, memo: &str) -> Result<(), Fatal> {
        let replica = &self.shared.replica;
        self.journal(|s| s.save_memo(&self.job, self.dest, memo, replica))
            .await
    }

    /// What the destination stored last (this process, an earlier one, or another replica).
    pub async fn load_memo(&self) -> Result<Option<String>, Fatal> {
        self.journal(|s| s.load_memo(&self.job, self.dest)).await
    }

    /// Final states for rows (outside any batch, or leaving theirs while the rest stays in flight).
    pub async fn settle(&self, settled: &[Settled]) -> Result<(), Fatal> {
        let replica = &self.shared.replica;
        self.journal(|s| s.set_outcomes(&self.job, self.dest, settled, Some(replica)))
            .await
    }

    /// A paced, retried provider call (see [`retry::call`]).
    pub async fn call<T, F, Fut>(
        &self,
        pacer: &Pacer,
        idempotence: Idempotence,
        f: F,
    ) -> Result<T, ProviderError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, ProviderError>>,
    {
        let provider = self.input.destinations[self.dest.0].kind().provider();
        let may_send = || async move {
            self.shared.may_send(&self.job).await.map_err(|why| {
                warn!(job = %self.job, reason = %why, "a provider call is not sent");
                ProviderError::not_sent(provider, why)
            })
        };
        retry::call(
            &self.shared.cfg,
            &self.shared.metrics,
            pacer,
            idempotence,
            may_send,
            f,
        )
        .await
    }

    /// Settles a batch the provider answered with an error that was certainly not applied.
    pub async fn settle_error(
        &self,
        batch: i64,
        rows: &[RowIdx],
        e: &ProviderError,
    ) -> Result<(), Fatal> {
        match Verdict::of(e) {
            Verdict::Fatal(reason) => {
                self.finish(batch, &[]).await?;
                Err(Fatal(reason))
            }
            Verdict::NotApplied => self.finish(batch, &[]).await,
            Verdict::Refused => {
                let settled: Vec<_> = rows
                    .iter()
                    .map(|&r| Settled::new(r, RowState::Rejected, retry::refused(e)))
                    .collect();
                self.finish(batch, &settled).await
            }
        }
    }

    /// Rows still pending after every round: the provider never said no, so they end `unknown`
    /// (never `rejected` without the provider's word) with a clear reason.
    pub async fn exhaust(&self) -> Result<(), Fatal> {
        let settled: Vec<_> = self
            .pending()
            .await?
            .into_iter()
            .map(|r| {
                Settled::new(
                    r,
                    RowState::Unknown,
                    Outcome::note(
                        JobNote::RetriesExhausted,
                        Text::new(
                            "多轮发送后提供方仍未确认此行；重新导入前请在提供方后台核对",
                            "not confirmed by the provider after repeated rounds; check the provider's console before importing again",
                        ),
                    ),
                )
            })
            .collect();
        self.settle(&settled).await
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
            if let Err(f) = r.unwrap_or_else(|e| {
                Err(Fatal(Text::new(
                    format!("任务失败：{e}"),
                    format!("task failed: {e}"),
                )))
            }) {
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
