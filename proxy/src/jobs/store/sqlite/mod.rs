//! The embedded journal: SQLite in WAL mode under `data_dir`, used by one process. Leases are
//! recorded (so a job shows who runs it) but always granted: no other replica shares the file.

use std::path::Path;
use std::sync::Mutex;

use rollcall_core::api::{
    AuditEntry, AuditQuery, Destination, JobResults, JobState, JobSummary, KnownDestination,
    SavedMapping,
};
use rusqlite::{params, Connection, OptionalExtension};

mod privacy;
mod read;
mod schema;
mod shared;
mod syncs;
mod write;

use write::{insert_job, write_outcomes};

use super::{
    DestIdx, JobInput, JobStore, Lease, NewJob, Result, RowIdx, Settled, StoreError, SyncDoc,
};
use rollcall_core::Text;

fn corrupt(e: String) -> StoreError {
    StoreError::Corrupt(e)
}

pub struct SqliteStore {
    conn: Mutex<Connection>,
    path: std::path::PathBuf,
    /// Held (an exclusive OS lock on `rollcall.lock`) for as long as the store is open.
    _lock: std::fs::File,
}

impl SqliteStore {
    pub fn open(dir: &Path) -> Result<Self> {
        let lock = shared::prepare_dir(dir)?;
        let path = dir.join("rollcall.db");
        let conn = Connection::open(&path)?;
        shared::private_files(dir)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Deleted or shrunk content is overwritten with zeros, not left in free space.
        conn.pragma_update(None, "secure_delete", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        schema::create(&conn)?;
        schema::migrate(&conn)?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
            path,
            _lock: lock,
        })
    }

    /// A read-only connection of its own for an export (WAL: readers never wait for the
    /// journal's writer, and the writer never waits for a large export).
    fn reader(&self) -> Result<Connection> {
        let reader = Connection::open_with_flags(
            &self.path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        reader.busy_timeout(std::time::Duration::from_secs(5))?;
        Ok(reader)
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl JobStore for SqliteStore {
    fn results(&self, id: &str) -> Result<Option<JobResults>> {
        read::results(&self.reader()?, id)
    }

    fn results_page(&self, id: &str, offset: usize, limit: usize) -> Result<Option<JobResults>> {
        read::results_range(&self.reader()?, id, offset, limit)
    }

    fn create_job(&self, job: &NewJob) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        insert_job(&tx, job)?;
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
            .filter_map(|id| read::summary(&conn, id).transpose())
            .collect()
    }

    fn get_job(&self, id: &str) -> Result<Option<JobSummary>> {
        read::summary(&self.conn(), id)
    }

    fn job_input(&self, id: &str) -> Result<JobInput> {
        let conn = self.conn();
        let destinations = conn
            .prepare("SELECT destination FROM job_destinations WHERE job_id = ?1 ORDER BY idx")?
            .query_map([id], |r| r.get::<_, String>(0))?
            .map(|d| d?.parse::<Destination>().map_err(corrupt))
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

    fn orphaned_jobs(&self) -> Result<Vec<String>> {
        shared::orphaned_jobs(self)
    }

    fn lease(&self, id: &str, owner: &str, ttl: std::time::Duration) -> Result<Lease> {
        shared::lease(self, id, owner, ttl)
    }

    fn lease_holder(&self, _id: &str) -> Result<Option<String>> {
        shared::lease_holder(self, _id)
    }

    fn request_cancel(&self, id: &str) -> Result<Option<String>> {
        shared::request_cancel(self, id)
    }

    fn set_job_state(&self, id: &str, state: JobState, reason: Option<&Text>) -> Result<()> {
        let sql = if state == JobState::Running {
            "UPDATE jobs SET state = ?2, reason = ?3, cancel_requested = 0, finished_at = NULL WHERE id = ?1"
        } else if state == JobState::Cancelled {
            "UPDATE jobs SET state = ?2, reason = ?3, lease_owner = NULL, lease_until = NULL, finished_at = strftime('%s','now') WHERE id = ?1 AND state = 'running'"
        } else {
            "UPDATE jobs SET state = ?2, reason = ?3, lease_owner = NULL, lease_until = NULL, finished_at = strftime('%s','now') WHERE id = ?1"
        };
        self.conn()
            .execute(sql, params![id, state.as_str(), reason.map(Text::to_json)])?;
        Ok(())
    }

    fn remember_destination(&self, destination: &str, label: Option<&str>, now: i64) -> Result<()> {
        shared::remember_destination(self, destination, label, now)
    }

    fn known_destinations(&self) -> Result<Vec<KnownDestination>> {
        shared::known_destinations(self)
    }

    fn save_mapping(&self, m: &SavedMapping) -> Result<()> {
        shared::save_mapping(self, m)
    }

    fn mappings(&self) -> Result<Vec<SavedMapping>> {
        shared::mappings(self)
    }

    fn sync_docs(&self) -> Result<Vec<SyncDoc>> {
        syncs::sync_docs(self)
    }

    fn sync_doc(&self, id: &str) -> Result<Option<SyncDoc>> {
        syncs::sync_doc(self, id)
    }

    fn save_sync(
        &self,
        id: &str,
        expected: Option<i64>,
        doc: &str,
        jobs: &[NewJob],
    ) -> Result<bool> {
        syncs::save_sync(self, id, expected, doc, jobs)
    }

    fn ping(&self) -> Result<()> {
        self.conn()
            .query_row("SELECT COUNT(*) FROM jobs", [], |r| r.get::<_, i64>(0))?;
        Ok(())
    }

    fn pending_rows(&self, id: &str, dest: DestIdx) -> Result<Vec<RowIdx>> {
        Ok(self
            .conn()
            .prepare_cached("SELECT row_idx FROM outcomes WHERE job_id = ?1 AND dest = ?2 AND state = 'pending' AND batch_id IS NULL ORDER BY row_idx")?
            .query_map(params![id, dest.0 as i64], |r| r.get(0).map(RowIdx))?
            .collect::<Result<_, _>>()?)
    }

    fn inflight_batches(&self, id: &str, dest: DestIdx) -> Result<Vec<(i64, Vec<RowIdx>)>> {
        let conn = self.conn();
        let mut out: Vec<(i64, Vec<RowIdx>)> = Vec::new();
        let mut stmt = conn.prepare_cached("SELECT batch_id, row_idx FROM outcomes WHERE job_id = ?1 AND dest = ?2 AND batch_id IS NOT NULL ORDER BY batch_id, row_idx")?;
        for r in stmt.query_map(params![id, dest.0 as i64], |r| {
            Ok((r.get::<_, i64>(0)?, RowIdx(r.get::<_, u32>(1)?)))
        })? {
            let (b, row) = r?;
            match out.last_mut() {
                Some((last, rows)) if *last == b => rows.push(row),
                _ => out.push((b, vec![row])),
            }
        }
        Ok(out)
    }

    fn begin_batch(&self, id: &str, dest: DestIdx, rows: &[RowIdx], _owner: &str) -> Result<i64> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO batches (job_id, dest, created_at) VALUES (?1, ?2, strftime('%s','now'))",
            params![id, dest.0 as i64],
        )?;
        let batch = tx.last_insert_rowid();
        // One statement for the whole batch (rows passed as a JSON array): a 500-row IM batch
        // was 500 UPDATEs under the journal lock.
        let begun = tx.prepare_cached("UPDATE outcomes SET batch_id = ?3 WHERE job_id = ?1 AND dest = ?2 AND state = 'pending' AND batch_id IS NULL AND row_idx IN (SELECT value FROM json_each(?4))")?
            .execute(params![id, dest.0 as i64, batch, serde_json::to_string(rows)?])?;
        if begun != rows.len() {
            // Dropping the transaction rolls the batch back.
            return Err(StoreError::AlreadyBegun(format!(
                "{} of {} rows are not pending",
                rows.len() - begun,
                rows.len()
            )));
        }
        tx.commit()?;
        Ok(batch)
    }

    /// One process runs a SQLite journal (the data directory's lock): the owner is this process.
    fn finish_batch(&self, batch: i64, outcomes: &[Settled], _owner: &str) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        // Already finished (a retry): nothing to do.
        let Some((id, dest)): Option<(String, i64)> = tx
            .query_row(
                "SELECT job_id, dest FROM batches WHERE id = ?1",
                [batch],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
        else {
            return Ok(());
        };
        write_outcomes(&tx, &id, DestIdx(dest as usize), outcomes)?;
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
        dest: DestIdx,
        outcomes: &[Settled],
        _owner: Option<&str>,
    ) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        write_outcomes(&tx, id, dest, outcomes)?;
        tx.commit()?;
        Ok(())
    }

    fn save_memo(&self, id: &str, dest: DestIdx, memo: &str, _owner: &str) -> Result<()> {
        shared::save_memo(self, id, dest, memo)
    }

    fn load_memo(&self, id: &str, dest: DestIdx) -> Result<Option<String>> {
        shared::load_memo(self, id, dest)
    }

    fn audit(
        &self,
        user: &str,
        action: &str,
        target: &str,
        rows: u64,
        outcome: &str,
    ) -> Result<()> {
        // Cached: the audit log takes one row per API call, on the request's path.
        self.conn()
            .prepare_cached(
                "INSERT INTO audit_log (ts, user, action, target, rows, outcome) VALUES (strftime('%s','now'), ?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![user, action, target, rows as i64, outcome])?;
        Ok(())
    }

    fn audit_entries(&self, q: &AuditQuery) -> Result<Vec<AuditEntry>> {
        privacy::audit_entries(self, q)
    }

    fn shred(&self, id: &str, now: i64) -> Result<u64> {
        privacy::shred(self, id, now)
    }

    fn expired_jobs(&self, before: i64) -> Result<Vec<String>> {
        privacy::expired_jobs(self, before)
    }

    fn running_jobs_of(&self, user: &str) -> Result<u64> {
        privacy::running_jobs_of(self, user)
    }
}
