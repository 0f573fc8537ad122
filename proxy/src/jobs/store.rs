//! The job journal. [`JobStore`] is the small interface a PostgreSQL backend would implement for
//! multi-replica deployments; [`SqliteStore`] is the embedded default (WAL mode, under data_dir).
//!
//! Invariants: every (row, destination) has exactly one outcome row; a batch is written as in
//! flight (its rows carry the batch id) *before* it is sent; finishing a batch writes the row
//! states and clears the batch in one transaction.

use std::path::Path;
use std::sync::Mutex;

use anyhow::{Context, Result};
use rollcall_core::api::{
    Counts, Destination, DestinationSummary, JobResults, JobState, JobSummary, RowOutcome,
    RowResult, RowState,
};
use rollcall_core::roster::Attendee;
use rusqlite::{params, Connection, OptionalExtension};

/// A row's outcome as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    pub code: Option<String>,
    pub message: Option<String>,
    pub reference: Option<String>,
    pub attendee_code: Option<String>,
}

/// One row of a new job: spreadsheet row number, cells, attendee, and per destination its
/// initial state and outcome.
pub type NewRow = (u32, Vec<String>, Attendee, Vec<(RowState, Outcome)>);

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

pub trait JobStore: Send + Sync + 'static {
    fn create_job(&self, job: &NewJob) -> Result<()>;
    fn list_jobs(&self) -> Result<Vec<JobSummary>>;
    fn get_job(&self, id: &str) -> Result<Option<JobSummary>>;
    fn job_input(&self, id: &str) -> Result<JobInput>;
    /// Jobs in state `running` (to resume after a restart).
    fn running_jobs(&self) -> Result<Vec<String>>;
    fn set_job_state(&self, id: &str, state: JobState, reason: Option<&str>) -> Result<()>;
    /// Rows of a destination still pending and not in a batch.
    fn pending_rows(&self, id: &str, dest: usize) -> Result<Vec<u32>>;
    /// Batches recorded as in flight (sent, outcome not journaled).
    fn inflight_batches(&self, id: &str, dest: usize) -> Result<Vec<(i64, Vec<u32>)>>;
    /// Records a batch as in flight before it is sent.
    fn begin_batch(&self, id: &str, dest: usize, rows: &[u32]) -> Result<i64>;
    /// Writes final states for some rows of a batch, returns the rest to pending, and clears the batch.
    fn finish_batch(&self, batch: i64, outcomes: &[(u32, RowState, Outcome)]) -> Result<()>;
    /// Sets final states for rows outside any batch (e.g. already present, over the cap, skipped).
    fn set_outcomes(
        &self,
        id: &str,
        dest: usize,
        outcomes: &[(u32, RowState, Outcome)],
    ) -> Result<()>;
    fn results(&self, id: &str) -> Result<Option<JobResults>>;
    fn audit(&self, user: &str, action: &str, target: &str, rows: u64, outcome: &str)
        -> Result<()>;
}

pub struct SqliteStore {
    conn: Mutex<Connection>,
}

impl SqliteStore {
    pub fn open(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating data_dir {}", dir.display()))?;
        let conn = Connection::open(dir.join("rollcall.db")).context("opening the journal")?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS jobs (
                id TEXT PRIMARY KEY, state TEXT NOT NULL, created_by TEXT NOT NULL, created_at INTEGER NOT NULL,
                file_name TEXT, headers TEXT NOT NULL, reason TEXT);
             CREATE TABLE IF NOT EXISTS job_destinations (
                job_id TEXT NOT NULL REFERENCES jobs(id), idx INTEGER NOT NULL, destination TEXT NOT NULL,
                PRIMARY KEY (job_id, idx));
             CREATE TABLE IF NOT EXISTS job_rows (
                job_id TEXT NOT NULL REFERENCES jobs(id), idx INTEGER NOT NULL, row_no INTEGER NOT NULL,
                cells TEXT NOT NULL, attendee TEXT NOT NULL, PRIMARY KEY (job_id, idx));
             CREATE TABLE IF NOT EXISTS batches (
                id INTEGER PRIMARY KEY AUTOINCREMENT, job_id TEXT NOT NULL, dest INTEGER NOT NULL, created_at INTEGER NOT NULL);
             CREATE TABLE IF NOT EXISTS outcomes (
                job_id TEXT NOT NULL, dest INTEGER NOT NULL, row_idx INTEGER NOT NULL,
                state TEXT NOT NULL, code TEXT, message TEXT, reference TEXT, attendee_code TEXT,
                batch_id INTEGER REFERENCES batches(id),
                PRIMARY KEY (job_id, dest, row_idx));
             CREATE INDEX IF NOT EXISTS outcomes_pending ON outcomes(job_id, dest, state, batch_id);
             CREATE TABLE IF NOT EXISTS audit_log (
                ts INTEGER NOT NULL, user TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL,
                rows INTEGER NOT NULL, outcome TEXT NOT NULL);",
        )?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn summary(conn: &Connection, id: &str) -> Result<Option<JobSummary>> {
        let head = conn
            .query_row(
                "SELECT state, created_by, created_at, file_name, reason FROM jobs WHERE id = ?1",
                [id],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, Option<String>>(4)?,
                    ))
                },
            )
            .optional()?;
        let Some((state, created_by, created_at, file_name, reason)) = head else {
            return Ok(None);
        };
        let rows: u64 = conn.query_row(
            "SELECT COUNT(*) FROM job_rows WHERE job_id = ?1",
            [id],
            |r| r.get(0),
        )?;
        let mut dests: Vec<DestinationSummary> = Vec::new();
        let mut stmt = conn.prepare_cached(
            "SELECT idx, destination FROM job_destinations WHERE job_id = ?1 ORDER BY idx",
        )?;
        for d in stmt.query_map([id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))? {
            let (_, dest) = d?;
            dests.push(DestinationSummary {
                destination: dest.parse().map_err(anyhow::Error::msg)?,
                counts: Counts::default(),
            });
        }
        let mut stmt = conn.prepare_cached(
            "SELECT dest, state, COUNT(*) FROM outcomes WHERE job_id = ?1 GROUP BY dest, state",
        )?;
        for c in stmt.query_map([id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, u64>(2)?,
            ))
        })? {
            let (dest, state, n) = c?;
            if let Some(d) = dests.get_mut(dest as usize) {
                d.counts.add(state.parse().map_err(anyhow::Error::msg)?, n);
            }
        }
        Ok(Some(JobSummary {
            id: id.to_string(),
            state: state.parse().map_err(anyhow::Error::msg)?,
            rows,
            destinations: dests,
            created_by,
            created_at,
            file_name,
            reason,
        }))
    }
}

/// Writes outcomes, one statement per distinct outcome (rows passed as a JSON array): an IM batch
/// of 500 `imported` rows is one UPDATE instead of 500.
fn write_outcomes(
    tx: &rusqlite::Transaction<'_>,
    id: &str,
    dest: usize,
    outcomes: &[(u32, RowState, Outcome)],
) -> Result<()> {
    let mut groups: Vec<(RowState, &Outcome, Vec<u32>)> = Vec::new();
    for (row, state, o) in outcomes {
        match groups.iter_mut().find(|(s, g, _)| s == state && *g == o) {
            Some((_, _, rows)) => rows.push(*row),
            None => groups.push((*state, o, vec![*row])),
        }
    }
    let mut stmt = tx.prepare_cached(
        "UPDATE outcomes SET state = ?3, code = ?4, message = ?5, reference = ?6, attendee_code = ?7, batch_id = NULL \
         WHERE job_id = ?1 AND dest = ?2 AND row_idx IN (SELECT value FROM json_each(?8))",
    )?;
    for (state, o, rows) in groups {
        stmt.execute(params![
            id,
            dest as i64,
            state.as_str(),
            o.code,
            o.message,
            o.reference,
            o.attendee_code,
            serde_json::to_string(&rows)?
        ])?;
    }
    Ok(())
}

impl JobStore for SqliteStore {
    fn create_job(&self, job: &NewJob) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO jobs (id, state, created_by, created_at, file_name, headers) VALUES (?1, 'running', ?2, ?3, ?4, ?5)",
            params![job.id, job.created_by, job.created_at, job.file_name, serde_json::to_string(&job.headers)?],
        )?;
        for (i, d) in job.destinations.iter().enumerate() {
            tx.execute(
                "INSERT INTO job_destinations (job_id, idx, destination) VALUES (?1, ?2, ?3)",
                params![job.id, i as i64, d.to_string()],
            )?;
        }
        {
            let mut row_stmt = tx.prepare("INSERT INTO job_rows (job_id, idx, row_no, cells, attendee) VALUES (?1, ?2, ?3, ?4, ?5)")?;
            let mut out_stmt = tx.prepare("INSERT INTO outcomes (job_id, dest, row_idx, state, code, message) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?;
            for (idx, (row_no, cells, attendee, states)) in job.rows.iter().enumerate() {
                row_stmt.execute(params![
                    job.id,
                    idx as i64,
                    row_no,
                    serde_json::to_string(cells)?,
                    serde_json::to_string(attendee)?
                ])?;
                for (d, (state, o)) in states.iter().enumerate() {
                    out_stmt.execute(params![
                        job.id,
                        d as i64,
                        idx as i64,
                        state.as_str(),
                        o.code,
                        o.message
                    ])?;
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn list_jobs(&self) -> Result<Vec<JobSummary>> {
        let conn = self.conn();
        let ids: Vec<String> = conn
            .prepare("SELECT id FROM jobs ORDER BY created_at DESC, id DESC LIMIT 500")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        ids.iter()
            .filter_map(|id| Self::summary(&conn, id).transpose())
            .collect()
    }

    fn get_job(&self, id: &str) -> Result<Option<JobSummary>> {
        Self::summary(&self.conn(), id)
    }

    fn job_input(&self, id: &str) -> Result<JobInput> {
        let conn = self.conn();
        let destinations = conn
            .prepare("SELECT destination FROM job_destinations WHERE job_id = ?1 ORDER BY idx")?
            .query_map([id], |r| r.get::<_, String>(0))?
            .map(|d| d?.parse::<Destination>().map_err(anyhow::Error::msg))
            .collect::<Result<Vec<_>>>()?;
        let attendees = conn
            .prepare("SELECT attendee FROM job_rows WHERE job_id = ?1 ORDER BY idx")?
            .query_map([id], |r| r.get::<_, String>(0))?
            .map(|a| Ok(serde_json::from_str(&a?)?))
            .collect::<Result<Vec<_>>>()?;
        Ok(JobInput {
            destinations,
            attendees,
        })
    }

    fn running_jobs(&self) -> Result<Vec<String>> {
        Ok(self
            .conn()
            .prepare("SELECT id FROM jobs WHERE state = 'running' ORDER BY created_at")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?)
    }

    fn set_job_state(&self, id: &str, state: JobState, reason: Option<&str>) -> Result<()> {
        self.conn().execute(
            "UPDATE jobs SET state = ?2, reason = ?3 WHERE id = ?1",
            params![id, state.as_str(), reason],
        )?;
        Ok(())
    }

    fn pending_rows(&self, id: &str, dest: usize) -> Result<Vec<u32>> {
        Ok(self
            .conn()
            .prepare_cached("SELECT row_idx FROM outcomes WHERE job_id = ?1 AND dest = ?2 AND state = 'pending' AND batch_id IS NULL ORDER BY row_idx")?
            .query_map(params![id, dest as i64], |r| r.get(0))?
            .collect::<Result<_, _>>()?)
    }

    fn inflight_batches(&self, id: &str, dest: usize) -> Result<Vec<(i64, Vec<u32>)>> {
        let conn = self.conn();
        let mut out: Vec<(i64, Vec<u32>)> = Vec::new();
        let mut stmt = conn.prepare_cached("SELECT batch_id, row_idx FROM outcomes WHERE job_id = ?1 AND dest = ?2 AND batch_id IS NOT NULL ORDER BY batch_id, row_idx")?;
        for r in stmt.query_map(params![id, dest as i64], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, u32>(1)?))
        })? {
            let (b, row) = r?;
            match out.last_mut() {
                Some((last, rows)) if *last == b => rows.push(row),
                _ => out.push((b, vec![row])),
            }
        }
        Ok(out)
    }

    fn begin_batch(&self, id: &str, dest: usize, rows: &[u32]) -> Result<i64> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO batches (job_id, dest, created_at) VALUES (?1, ?2, strftime('%s','now'))",
            params![id, dest as i64],
        )?;
        let batch = tx.last_insert_rowid();
        // One statement for the whole batch (rows passed as a JSON array): a 500-row IM batch
        // was 500 UPDATEs under the journal lock.
        tx.prepare_cached("UPDATE outcomes SET batch_id = ?3 WHERE job_id = ?1 AND dest = ?2 AND state = 'pending' AND row_idx IN (SELECT value FROM json_each(?4))")?
            .execute(params![id, dest as i64, batch, serde_json::to_string(rows)?])?;
        tx.commit()?;
        Ok(batch)
    }

    fn finish_batch(&self, batch: i64, outcomes: &[(u32, RowState, Outcome)]) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let (id, dest): (String, i64) = tx.query_row(
            "SELECT job_id, dest FROM batches WHERE id = ?1",
            [batch],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        write_outcomes(&tx, &id, dest as usize, outcomes)?;
        // Whatever the batch did not settle goes back to pending, to be reconciled or re-sent.
        tx.execute(
            "UPDATE outcomes SET batch_id = NULL WHERE batch_id = ?1",
            [batch],
        )?;
        tx.execute("DELETE FROM batches WHERE id = ?1", [batch])?;
        tx.commit()?;
        Ok(())
    }

    fn set_outcomes(
        &self,
        id: &str,
        dest: usize,
        outcomes: &[(u32, RowState, Outcome)],
    ) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        write_outcomes(&tx, id, dest, outcomes)?;
        tx.commit()?;
        Ok(())
    }

    fn results(&self, id: &str) -> Result<Option<JobResults>> {
        let conn = self.conn();
        let Some(headers) = conn
            .query_row("SELECT headers FROM jobs WHERE id = ?1", [id], |r| {
                r.get::<_, String>(0)
            })
            .optional()?
        else {
            return Ok(None);
        };
        let destinations: Vec<Destination> = conn
            .prepare("SELECT destination FROM job_destinations WHERE job_id = ?1 ORDER BY idx")?
            .query_map([id], |r| r.get::<_, String>(0))?
            .map(|d| {
                d.map_err(anyhow::Error::from)
                    .and_then(|d| d.parse().map_err(anyhow::Error::msg))
            })
            .collect::<Result<_>>()?;
        let mut rows: Vec<RowResult> = conn
            .prepare("SELECT row_no, cells FROM job_rows WHERE job_id = ?1 ORDER BY idx")?
            .query_map([id], |r| Ok((r.get::<_, u32>(0)?, r.get::<_, String>(1)?)))?
            .map(|r| {
                let (row, cells) = r?;
                Ok(RowResult {
                    row,
                    cells: serde_json::from_str(&cells)?,
                    outcomes: Vec::new(),
                })
            })
            .collect::<Result<_>>()?;
        let mut stmt = conn.prepare("SELECT row_idx, dest, state, code, message, reference, attendee_code FROM outcomes WHERE job_id = ?1 ORDER BY row_idx, dest")?;
        for o in stmt.query_map([id], |r| {
            Ok((
                r.get::<_, usize>(0)?,
                r.get::<_, usize>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, Option<String>>(6)?,
            ))
        })? {
            let (row, dest, state, code, message, reference, attendee_code) = o?;
            if let (Some(r), Some(d)) = (rows.get_mut(row), destinations.get(dest)) {
                r.outcomes.push(RowOutcome {
                    destination: d.clone(),
                    state: state.parse().map_err(anyhow::Error::msg)?,
                    code,
                    message,
                    reference,
                    attendee_code,
                });
            }
        }
        Ok(Some(JobResults {
            id: id.to_string(),
            headers: serde_json::from_str(&headers)?,
            rows,
        }))
    }

    fn audit(
        &self,
        user: &str,
        action: &str,
        target: &str,
        rows: u64,
        outcome: &str,
    ) -> Result<()> {
        self.conn().execute(
            "INSERT INTO audit_log (ts, user, action, target, rows, outcome) VALUES (strftime('%s','now'), ?1, ?2, ?3, ?4, ?5)",
            params![user, action, target, rows as i64, outcome],
        )?;
        Ok(())
    }
}
