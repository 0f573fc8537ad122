//! Personal data on SQLite: the audit log's reads, shredding a finished job's rows, and the
//! jobs whose retention ran out. Deleted content is overwritten in the file itself
//! (`secure_delete`) and the write-ahead log truncated after a shred, so a shredded cell cannot
//! be read back from the disk.

use rollcall_core::api::{AuditEntry, AuditQuery};
use rusqlite::params;

use super::SqliteStore;
use crate::jobs::store::Result;

pub(super) fn audit_entries(s: &SqliteStore, q: &AuditQuery) -> Result<Vec<AuditEntry>> {
    let conn = s.reader()?;
    let mut stmt = conn.prepare(
        "SELECT ts, user, action, target, rows, outcome FROM audit_log
         WHERE (?1 IS NULL OR user = ?1) AND (?2 IS NULL OR substr(action, 1, length(?2)) = ?2)
           AND (?3 IS NULL OR target = ?3) AND (?4 IS NULL OR ts >= ?4) AND (?5 IS NULL OR ts < ?5)
         ORDER BY rowid DESC LIMIT ?6",
    )?;
    let rows = stmt.query_map(
        params![q.user, q.action, q.target, q.since, q.until, q.limit()],
        |r| {
            Ok(AuditEntry {
                ts: r.get(0)?,
                user: r.get(1)?,
                action: r.get(2)?,
                target: r.get(3)?,
                rows: r.get::<_, i64>(4)?.max(0) as u64,
                outcome: r.get(5)?,
            })
        },
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(super) fn shred(s: &SqliteStore, id: &str, now: i64) -> Result<u64> {
    let n = {
        let mut conn = s.conn();
        let tx = conn.transaction()?;
        let marked = tx.execute(
            "UPDATE jobs SET shredded_at = ?2 WHERE id = ?1 AND state <> 'running' AND shredded_at IS NULL",
            params![id, now],
        )?;
        if marked == 0 {
            return Ok(0);
        }
        let n = tx.execute(
            "UPDATE job_rows SET cells = '[]', attendee = 'null' WHERE job_id = ?1",
            [id],
        )?;
        tx.execute("DELETE FROM dest_memos WHERE job_id = ?1", [id])?;
        tx.commit()?;
        // The old pages' copies live on in the write-ahead log until it is checkpointed.
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        n as u64
    };
    Ok(n)
}

pub(super) fn expired_jobs(s: &SqliteStore, before: i64) -> Result<Vec<String>> {
    Ok(s.conn()
        .prepare(
            "SELECT id FROM jobs WHERE state <> 'running' AND shredded_at IS NULL
             AND COALESCE(finished_at, created_at) < ?1 ORDER BY created_at",
        )?
        .query_map([before], |r| r.get(0))?
        .collect::<Result<_, _>>()?)
}

pub(super) fn running_jobs_of(s: &SqliteStore, user: &str) -> Result<u64> {
    Ok(s.conn().query_row(
        "SELECT COUNT(*) FROM jobs WHERE state = 'running' AND created_by = ?1",
        [user],
        |r| r.get(0),
    )?)
}
