//! Continuous sync (README, "Continuous sync"): a standing poll of a webinar's enrollees whose
//! new people go, as ordinary jobs, to the sync's destinations — each person once per
//! destination, with a trail.
//!
//! - `record.rs`: the record the journal keeps and the poll's decision (pure);
//! - `poll.rs`: one poll (read the source, settle earlier jobs, decide, write record + jobs in
//!   one transaction if nobody wrote first, start the jobs);
//! - `view.rs`: summaries and the per-person trail from the record and its jobs' outcomes;
//! - here: the service — the tick that polls what is due under a lease per sync, and the
//!   changes people make (create, pause, resume, stop).
//!
//! Exactly once: a poll's jobs are written in the same transaction as the record that says who
//! was handed to them, and only if the record's version is still the one read. A replica that
//! lost its lease, or a poll racing a pause, writes nothing. After that the jobs' own journal,
//! reconciliation and leases take over.

mod poll;
pub mod record;
mod view;

use std::sync::Arc;
use std::time::Duration;

use rollcall_core::sync::{CreateSyncRequest, SyncState, SyncSummary};
use rollcall_core::Text;

use self::record::Record;
use crate::app::Clients;
use crate::jobs::runner::Runner;
use crate::jobs::store::{JobStore, StoreError};

pub struct Syncs {
    runner: Arc<Runner>,
    clients: Arc<Clients>,
    replica: String,
    lease: Duration,
    tick: Duration,
}

/// Why a change to a sync was refused.
#[derive(Debug)]
pub enum SyncError {
    NotFound,
    /// Stopped syncs do not start again.
    Stopped,
    /// The record kept changing under us (many writers at once).
    Busy,
    Store(StoreError),
}

impl From<StoreError> for SyncError {
    fn from(e: StoreError) -> Self {
        SyncError::Store(e)
    }
}

fn now() -> i64 {
    crate::util::unix_now() as i64
}

impl Syncs {
    pub fn new(
        runner: Arc<Runner>,
        clients: Arc<Clients>,
        replica: String,
        lease: Duration,
        tick: Duration,
    ) -> Arc<Syncs> {
        Arc::new(Syncs {
            runner,
            clients,
            replica,
            lease,
            tick,
        })
    }

    fn store(&self) -> Arc<dyn JobStore> {
        self.runner.store().clone()
    }

    /// Runs `f` on the blocking pool with the journal.
    async fn journal<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn JobStore) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        crate::jobs::store::blocking(&self.store(), f).await
    }

    async fn audit(&self, user: &str, target: &str, rows: u64) {
        let (user, target) = (user.to_string(), target.to_string());
        let r = self
            .journal(move |s| s.audit(&user, "sync.poll", &target, rows, "created"))
            .await;
        if let Err(e) = r {
            tracing::warn!(error = %e, "cannot write the audit record of a sync's job");
        }
    }

    /// Polls every due sync this replica holds the lease of, every `tick`, for as long as the
    /// process runs.
    pub fn start(self: &Arc<Self>) {
        let me = self.clone();
        tokio::spawn(async move {
            loop {
                if let Err(e) = me.tick_once().await {
                    tracing::warn!(error = %e, "syncs: the journal cannot be read; trying again");
                }
                tokio::time::sleep(me.tick).await;
            }
        });
    }

    async fn tick_once(&self) -> Result<(), StoreError> {
        let now = now();
        let docs = self.journal(|s| s.sync_docs()).await?;
        for doc in docs {
            let Ok(rec) = serde_json::from_str::<Record>(&doc.doc) else {
                tracing::warn!(sync = %doc.id, "a sync's record cannot be read; skipped");
                continue;
            };
            if !rec.due(now) {
                continue;
            }
            let (id, owner, ttl) = (doc.id.clone(), self.replica.clone(), self.lease);
            if !self
                .journal(move |s| s.lease_sync(&id, &owner, ttl))
                .await?
            {
                continue;
            }
            match self.poll(doc, rec, now).await {
                Ok(Some(p)) if p.jobs > 0 => {
                    tracing::info!(jobs = p.jobs, people = p.people, "sync polled")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "a sync's poll failed; it runs again"),
            }
        }
        Ok(())
    }

    /// Creates a sync (the request already checked); its first poll is due at once.
    pub async fn create(
        &self,
        spec: CreateSyncRequest,
        user: &str,
    ) -> Result<SyncSummary, SyncError> {
        let id = format!("sync_{}", uuid::Uuid::new_v4().simple());
        let rec = Record::new(spec, user, now());
        let text = serde_json::to_string(&rec).map_err(StoreError::from)?;
        let sid = id.clone();
        self.journal(move |s| s.save_sync(&sid, None, &text, &[]))
            .await?;
        self.summary(&id).await
    }

    /// Pause, resume or stop: a read-modify-write of the record, retried when a poll wrote first.
    pub async fn set_state(&self, id: &str, to: SyncState) -> Result<SyncSummary, SyncError> {
        for _ in 0..20 {
            let sid = id.to_string();
            let doc = self
                .journal(move |s| s.sync_doc(&sid))
                .await?
                .ok_or(SyncError::NotFound)?;
            let mut rec: Record = serde_json::from_str(&doc.doc).map_err(StoreError::from)?;
            if rec.state == SyncState::Stopped && to != SyncState::Stopped {
                return Err(SyncError::Stopped);
            }
            rec.state = to;
            if to == SyncState::Stopped && rec.stopped_at.is_none() {
                rec.stopped_at = Some(now());
            }
            rec.next_poll_at = match to {
                SyncState::Active => Some(now()),
                SyncState::Paused => rec.next_poll_at,
                SyncState::Stopped => None,
            };
            let text = serde_json::to_string(&rec).map_err(StoreError::from)?;
            let (sid, version) = (id.to_string(), doc.version);
            if self
                .journal(move |s| s.save_sync(&sid, Some(version), &text, &[]))
                .await?
            {
                return self.summary(id).await;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(SyncError::Busy)
    }

    /// The record of a sync, for access checks (creator, shared groups).
    pub async fn record(&self, id: &str) -> Result<Record, SyncError> {
        let sid = id.to_string();
        let doc = self
            .journal(move |s| s.sync_doc(&sid))
            .await?
            .ok_or(SyncError::NotFound)?;
        Ok(serde_json::from_str(&doc.doc).map_err(StoreError::from)?)
    }
}

/// Retention for syncs: the people of syncs stopped before `before` lose their names and
/// identities (once; audited as the sweeper). Returns how many syncs were shredded.
pub fn shred_stopped(
    store: &dyn JobStore,
    before: i64,
    now: i64,
    sweeper: &str,
) -> Result<usize, StoreError> {
    let mut done = 0;
    for doc in store.sync_docs()? {
        let Ok(mut rec) = serde_json::from_str::<Record>(&doc.doc) else {
            continue;
        };
        if rec.stopped_at.is_none_or(|t| t > before) || !rec.shred(now) {
            continue;
        }
        let people = rec.people.len() as u64;
        if store.save_sync(
            &doc.id,
            Some(doc.version),
            &serde_json::to_string(&rec)?,
            &[],
        )? {
            store.audit(
                sweeper,
                "sync.shred",
                &doc.id,
                people,
                "retention period over",
            )?;
            done += 1;
        }
    }
    Ok(done)
}

/// The reason a poll could not read the source, for people.
pub fn describe(e: &SyncError) -> Text {
    match e {
        SyncError::NotFound => Text::new("没有这个同步", "no such sync"),
        SyncError::Stopped => Text::new(
            "同步已停止，不能再启动",
            "the sync is stopped; it does not start again",
        ),
        SyncError::Busy => Text::new(
            "同步正被修改，请稍后再试",
            "the sync is being changed; try again",
        ),
        SyncError::Store(e) => Text::new(
            format!("任务日志不可用：{e}"),
            format!("the journal is unavailable: {e}"),
        ),
    }
}
