//! The job journal. [`JobStore`] is the whole persistence interface (a PostgreSQL backend
//! implements the same trait for multi-replica deployments); [`SqliteStore`] in `sqlite.rs` is
//! the embedded default (WAL mode, under data_dir).
//!
//! Invariants: every (row, destination) has exactly one outcome row; a batch is written as in
//! flight (its rows carry the batch id) *before* it is sent; finishing a batch writes the row
//! states and clears the batch in one transaction.

mod sqlite;

pub use sqlite::SqliteStore;

use rollcall_core::api::{Destination, JobResults, JobState, JobSummary, RowState};
use rollcall_core::roster::Attendee;
use rollcall_core::Text;

/// Why the journal could not do what was asked. Typed at the seam: callers decide (a job stops,
/// an API answers 500) without string matching.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the journal at {path}: {source}")]
    Open {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("journal database error: {0}")]
    Db(#[from] rusqlite::Error),
    /// What is stored cannot be read back (a value this version does not know).
    #[error("journal data cannot be read: {0}")]
    Corrupt(String),
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A row's outcome as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    pub code: Option<String>,
    pub message: Option<Text>,
    pub reference: Option<String>,
    pub attendee_code: Option<String>,
}

impl Outcome {
    /// A state's reason: a stable code and a message.
    pub fn note(code: &str, message: Text) -> Self {
        Outcome {
            code: Some(code.to_string()),
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
}

/// What the runner needs to execute a job.
pub struct JobInput {
    pub destinations: Vec<Destination>,
    /// Indexed by row index.
    pub attendees: Vec<Attendee>,
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
    /// Jobs in state `running` (to resume after a restart).
    fn running_jobs(&self) -> Result<Vec<String>>;
    fn set_job_state(&self, id: &str, state: JobState, reason: Option<&str>) -> Result<()>;
    /// Rows of a destination still pending and not in a batch.
    fn pending_rows(&self, id: &str, dest: DestIdx) -> Result<Vec<RowIdx>>;
    /// Batches recorded as in flight (sent, outcome not journaled).
    fn inflight_batches(&self, id: &str, dest: DestIdx) -> Result<Vec<(i64, Vec<RowIdx>)>>;
    /// Records a batch as in flight before it is sent.
    fn begin_batch(&self, id: &str, dest: DestIdx, rows: &[RowIdx]) -> Result<i64>;
    /// Writes final states for some rows of a batch, returns the rest to pending, and clears the batch.
    fn finish_batch(&self, batch: i64, outcomes: &[Settled]) -> Result<()>;
    /// Sets final states for rows outside any batch (e.g. already present, over the cap, skipped).
    fn set_outcomes(&self, id: &str, dest: DestIdx, outcomes: &[Settled]) -> Result<()>;
    fn results(&self, id: &str) -> Result<Option<JobResults>>;
    /// `limit` rows of the results from row index `offset` (exports stream a page at a time);
    /// `None` for an unknown job.
    fn results_page(&self, id: &str, offset: usize, limit: usize) -> Result<Option<JobResults>>;
    fn audit(&self, user: &str, action: &str, target: &str, rows: u64, outcome: &str)
        -> Result<()>;
}
