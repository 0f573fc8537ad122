//! The journal's typed errors.

use super::postgres;

/// Why the journal could not do what was asked. Typed at the seam: callers decide (a job stops,
/// an API answers 500) without string matching.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the journal at {path}: {source}")]
    Open {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    /// Another process has this SQLite journal open (a second `rollcall serve` on the same
    /// data directory).
    #[error("another rollcall process is using the journal in {0} (one process per data directory; several replicas need PostgreSQL: store.url = \"postgres://…\")")]
    Locked(std::path::PathBuf),
    #[error("journal database error: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("journal database error: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    /// The journal cannot be reached (connection refused or lost, pool timed out): a job pauses
    /// and goes on when it is back.
    #[error("the journal is unavailable: {0}")]
    Unavailable(String),
    /// This replica no longer holds the job's lease (another replica took it over).
    #[error("the job's lease is held by replica {0}")]
    LeaseLost(String),
    /// A batch names rows that are not pending or already in another batch: nothing is begun
    /// (they must not be sent twice).
    #[error("rows already begun in another batch or settled: {0}")]
    AlreadyBegun(String),
    /// What is stored cannot be read back (a value this version does not know).
    #[error("journal data cannot be read: {0}")]
    Corrupt(String),
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

impl StoreError {
    /// Whether waiting may help: the store could not be reached, nothing was decided.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Unavailable(_) => true,
            StoreError::Postgres(e) => postgres::is_connection_error(e),
            _ => false,
        }
    }
}
