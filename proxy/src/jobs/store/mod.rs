//! The job journal. [`JobStore`] is the whole persistence interface, with two backends:
//! [`SqliteStore`] (`sqlite/`, the embedded default under `data_dir`, one process) and
//! [`PgStore`] (`postgres/`, shared by several replicas).
//!
//! Invariants: every (row, destination) has exactly one outcome row; a batch is written as in
//! flight (its rows carry the batch id) *before* it is sent, and only by the replica holding the
//! job's lease; finishing a batch writes the row states and clears the batch in one transaction.
//!
//! The methods block: call them from `spawn_blocking` or `block_in_place` (the runner's
//! `Shared::journal` does), never on a current-thread runtime.

mod error;
pub mod postgres;
mod sqlite;

use std::sync::Arc;
use std::time::Duration;

pub use error::StoreError;
pub use postgres::PgStore;
pub use sqlite::SqliteStore;

use rollcall_core::api::{
    AuditEntry, AuditQuery, Destination, JobResults, JobState, JobSummary, KnownDestination,
    RowState, SavedMapping,
};
use rollcall_core::roster::{Attendee, EditedCell};
use rollcall_core::{OutcomeCode, Text};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The one way async code reaches the journal: `f` runs on the blocking pool (a journal call
/// may wait on disk or on PostgreSQL; the async threads never do). A task that could not finish
/// reads as an unavailable journal.
pub async fn blocking<T: Send + 'static>(
    store: &Arc<dyn JobStore>,
    f: impl FnOnce(&dyn JobStore) -> Result<T> + Send + 'static,
) -> Result<T> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || f(store.as_ref()))
        .await
        .unwrap_or_else(|e| Err(StoreError::Unavailable(e.to_string())))
}

/// The answer to taking or renewing a job's lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lease {
    /// This replica holds it now. `previous`: the replica that held it before (this one, renewing
    /// or restarted; another, whose lease had expired), `None` for a job nobody ran yet;
    /// `cancel`: a cancel was requested (from any replica).
    Held {
        previous: Option<String>,
        cancel: bool,
    },
    /// Another replica holds a live lease.
    Elsewhere(String),
    /// The job is not running (finished, cancelled, or unknown).
    NotRunning,
}

/// A row's outcome as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    pub code: Option<OutcomeCode>,
    pub message: Option<Text>,
    pub reference: Option<String>,
    pub attendee_code: Option<String>,
}

impl Outcome {
    /// A state's reason: a stable code and a message.
    pub fn note(code: impl Into<OutcomeCode>, message: Text) -> Self {
        Outcome {
            code: Some(code.into()),
            message: Some(message),
            ..Default::default()
        }
    }

    /// What the provider holds for the row: its reference (enroll id, order id) and code.
    pub fn found(
        message: Option<Text>,
        reference: Option<String>,
        attendee_code: Option<String>,
    ) -> Self {
        Outcome {
            code: None,
            message,
            reference,
            attendee_code,
        }
    }
}

/// A state and its outcome: a destination's answer for one row, or a new row's initial state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateOutcome {
    pub state: RowState,
    pub outcome: Outcome,
}

impl StateOutcome {
    pub fn new(state: RowState, outcome: Outcome) -> Self {
        StateOutcome { state, outcome }
    }

    /// The same for row `row`.
    pub fn of(self, row: RowIdx) -> Settled {
        Settled {
            row,
            state: self.state,
            outcome: self.outcome,
        }
    }
}

/// A row's position in its job (0-based, the order of the submitted rows) — not the row number a
/// spreadsheet shows (`NewRow::row_no`, header = 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct RowIdx(pub u32);

impl RowIdx {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A destination's position in its job (0-based, the order of `destinations`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DestIdx(pub usize);

/// A row's state and outcome at one destination, as the journal records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    pub row: RowIdx,
    pub state: RowState,
    pub outcome: Outcome,
}

impl Settled {
    pub fn new(row: RowIdx, state: RowState, outcome: Outcome) -> Self {
        Settled {
            row,
            state,
            outcome,
        }
    }
}

/// One row of a new job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRow {
    /// The row number as the spreadsheet shows it (header = 1).
    pub row_no: u32,
    pub cells: Vec<String>,
    pub attendee: Attendee,
    /// Per destination, in the job's order: `pending`, or `invalid` with the reason.
    pub initial: Vec<StateOutcome>,
}

/// A job as created.
pub struct NewJob {
    pub id: String,
    pub created_by: String,
    pub created_at: i64,
    pub file_name: Option<String>,
    pub headers: Vec<String>,
    pub destinations: Vec<Destination>,
    pub rows: Vec<NewRow>,
    /// Groups that may read the rows besides the creator and admins.
    pub share_with: Vec<String>,
    /// Cells changed in the preview before sending (row and header; the rows hold the values).
    pub edited: Vec<EditedCell>,
}

/// What the runner needs to execute a job.
pub struct JobInput {
    pub destinations: Vec<Destination>,
    /// Indexed by row index.
    pub attendees: Vec<Attendee>,
}

impl From<NewJob> for JobInput {
    /// A job just journaled, as the runner needs it (what `job_input` would read back).
    fn from(job: NewJob) -> Self {
        JobInput {
            destinations: job.destinations,
            attendees: job.rows.into_iter().map(|r| r.attendee).collect(),
        }
    }
}

impl From<&NewJob> for JobInput {
    /// The same, for a job the caller still has to journal (the cells are not copied).
    fn from(job: &NewJob) -> Self {
        JobInput {
            destinations: job.destinations.clone(),
            attendees: job.rows.iter().map(|r| r.attendee.clone()).collect(),
        }
    }
}

impl JobInput {
    pub fn attendee(&self, row: RowIdx) -> &Attendee {
        &self.attendees[row.index()]
    }
}

pub trait JobStore: Send + Sync + 'static {
    fn create_job(&self, job: &NewJob) -> Result<()>;
    fn list_jobs(&self) -> Result<Vec<JobSummary>>;
    fn get_job(&self, id: &str) -> Result<Option<JobSummary>>;
    fn job_input(&self, id: &str) -> Result<JobInput>;
    /// Running jobs no replica holds a live lease on (to resume: after a restart, or a replica's
    /// death).
    fn orphaned_jobs(&self) -> Result<Vec<String>>;
    /// Takes or renews the lease of a running job for `owner`, valid `ttl` from now.
    fn lease(&self, id: &str, owner: &str, ttl: Duration) -> Result<Lease>;
    /// The replica holding a live lease on the job, if any.
    fn lease_holder(&self, id: &str) -> Result<Option<String>>;
    /// Records that the job should stop; returns the replica holding a live lease on it, if any
    /// (it sees the request at its next renewal).
    fn request_cancel(&self, id: &str) -> Result<Option<String>>;
    /// Sets the job's state. `running` clears a cancel request; any other state also releases
    /// the lease. `cancelled` is written only over `running`: a cancel never overwrites a job
    /// that finished meanwhile.
    fn set_job_state(&self, id: &str, state: JobState, reason: Option<&Text>) -> Result<()>;
    /// Rows of a destination still pending and not in a batch.
    fn pending_rows(&self, id: &str, dest: DestIdx) -> Result<Vec<RowIdx>>;
    /// Batches recorded as in flight (sent, outcome not journaled).
    fn inflight_batches(&self, id: &str, dest: DestIdx) -> Result<Vec<(i64, Vec<RowIdx>)>>;
    /// Records a batch as in flight before it is sent, only while `owner` holds the job's lease
    /// ([`StoreError::LeaseLost`] otherwise: the batch must not be sent) and only when every row
    /// is pending and in no other batch ([`StoreError::AlreadyBegun`] otherwise).
    fn begin_batch(&self, id: &str, dest: DestIdx, rows: &[RowIdx], owner: &str) -> Result<i64>;
    /// Writes final states for some rows of a batch, returns the rest to pending, and clears the
    /// batch — only while `owner` holds the job's lease ([`StoreError::LeaseLost`] otherwise).
    fn finish_batch(&self, batch: i64, outcomes: &[Settled], owner: &str) -> Result<()>;
    /// Sets final states for rows outside any batch (e.g. already present, over the cap,
    /// skipped): by the lease holder `Some(owner)` ([`StoreError::LeaseLost`] for anyone else),
    /// or `None` for an administrative write on a job nobody runs (resume).
    fn set_outcomes(
        &self,
        id: &str,
        dest: DestIdx,
        outcomes: &[Settled],
        owner: Option<&str>,
    ) -> Result<()>;
    /// Replaces what a destination's code keeps between rounds for a job (Tencent Meeting: the
    /// list a round started from and the ids its answers named), so a restart or another replica
    /// can settle the batches left in flight. Only by the lease holder (as `set_outcomes`).
    fn save_memo(&self, id: &str, dest: DestIdx, memo: &str, owner: &str) -> Result<()>;
    /// The memo [`JobStore::save_memo`] last stored, if any.
    fn load_memo(&self, id: &str, dest: DestIdx) -> Result<Option<String>>;
    fn results(&self, id: &str) -> Result<Option<JobResults>>;
    /// `limit` rows of the results from row index `offset` (exports stream a page at a time);
    /// `None` for an unknown job.
    fn results_page(&self, id: &str, offset: usize, limit: usize) -> Result<Option<JobResults>>;
    fn audit(&self, user: &str, action: &str, target: &str, rows: u64, outcome: &str)
        -> Result<()>;
    /// The audit log, newest first, filtered.
    fn audit_entries(&self, q: &AuditQuery) -> Result<Vec<AuditEntry>>;
    /// Removes a finished job's personal data from the journal itself: every row's cells and
    /// attendee, and the destinations' memos (lists of people). Counts, outcome codes, messages,
    /// provider ids and the audit log stay. Returns the rows shredded; 0 (nothing done) for a
    /// running, unknown or already shredded job.
    fn shred(&self, id: &str, now: i64) -> Result<u64>;
    /// Finished jobs not yet shredded that ended before `before` (unix seconds).
    fn expired_jobs(&self, before: i64) -> Result<Vec<String>>;
    /// How many jobs `user` created are running (on any replica).
    fn running_jobs_of(&self, user: &str) -> Result<u64>;
    /// Remembers a destination (a label replaces the known one; `None` keeps it).
    fn remember_destination(&self, destination: &str, label: Option<&str>, now: i64) -> Result<()>;
    /// The destinations seen, most recently used first.
    fn known_destinations(&self) -> Result<Vec<KnownDestination>>;
    /// Keeps a column mapping under its owner and name (replacing one of the same name).
    fn save_mapping(&self, m: &SavedMapping) -> Result<()>;
    /// Every user's kept mappings, most recently saved first.
    fn mappings(&self) -> Result<Vec<SavedMapping>>;
    /// Whether several replicas share this store: leases then exclude each other, and provider
    /// pacing goes through [`JobStore::reserve_slot`] so the replicas together keep the rate.
    fn is_shared(&self) -> bool {
        false
    }
    /// Reserves the next call slot of the pacing key `key` (calls at least `interval` apart across
    /// every replica) and returns how long to wait for it.
    fn reserve_slot(&self, _key: &str, _interval: Duration) -> Result<Duration> {
        Ok(Duration::ZERO)
    }
    /// Reads something cheap, to tell whether the store is reachable (`/readyz`).
    fn ping(&self) -> Result<()>;
    /// Every sync's record (`crate::sync`), oldest first.
    fn sync_docs(&self) -> Result<Vec<SyncDoc>>;
    fn sync_doc(&self, id: &str) -> Result<Option<SyncDoc>>;
    /// Writes a sync's record if its version is still `expected` (`None`: creates it), and
    /// creates `jobs` in the same transaction. `false`: another writer was first; nothing written.
    fn save_sync(
        &self,
        id: &str,
        expected: Option<i64>,
        doc: &str,
        jobs: &[NewJob],
    ) -> Result<bool>;
    /// Takes or renews this replica's lease on a sync (only the holder polls it).
    fn lease_sync(&self, _id: &str, _owner: &str, _ttl: Duration) -> Result<bool> {
        Ok(true)
    }
}

/// A sync's record as the journal holds it, with the version every write names.
#[derive(Debug, Clone)]
pub struct SyncDoc {
    pub id: String,
    pub version: i64,
    pub doc: String,
}

/// Opens the configured store: PostgreSQL for `postgres://…`, else SQLite (`sqlite://DIR`, or
/// `data_dir` by default).
pub fn open(
    cfg: &crate::config::StoreConfig,
    data_dir: &std::path::Path,
) -> anyhow::Result<Arc<dyn JobStore>> {
    use anyhow::Context;
    match cfg.url.as_deref() {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            let password = cfg.password()?;
            Ok(Arc::new(
                PgStore::connect(url, password, cfg.pool_size)
                    .context("cannot open the PostgreSQL journal")?,
            ))
        }
        Some(url) => {
            let dir = url
                .strip_prefix("sqlite://")
                .context("store.url: use postgres://… or sqlite://DIR")?;
            Ok(Arc::new(SqliteStore::open(std::path::Path::new(dir))?))
        }
        None => Ok(Arc::new(SqliteStore::open(data_dir)?)),
    }
}
