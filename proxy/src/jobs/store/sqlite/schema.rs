//! The SQLite journal's tables, and the changes after its first version, each applied once
//! (`PRAGMA user_version`); the PostgreSQL journal has the same tables (`postgres/schema.rs`).

use rusqlite::Connection;

use crate::jobs::store::Result;

/// The first version's tables (idempotent: `IF NOT EXISTS`).
pub(super) fn create(conn: &Connection) -> Result<()> {
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
    Ok(())
}

/// Schema changes after the first version, applied once each (`PRAGMA user_version`).
pub(super) fn migrate(conn: &Connection) -> Result<()> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version < 1 {
        // Leases and cancel requests (the same columns as the PostgreSQL journal).
        conn.execute_batch(
            "BEGIN;
             ALTER TABLE jobs ADD COLUMN lease_owner TEXT;
             ALTER TABLE jobs ADD COLUMN lease_until INTEGER;
             ALTER TABLE jobs ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0;
             PRAGMA user_version = 1;
             COMMIT;",
        )?;
    }
    if version < 2 {
        // Destinations seen (webinars created, groups and events used), offered by name.
        conn.execute_batch(
            "BEGIN;
             CREATE TABLE IF NOT EXISTS destinations (
                destination TEXT PRIMARY KEY, label TEXT, last_used INTEGER NOT NULL);
             PRAGMA user_version = 2;
             COMMIT;",
        )?;
    }
    if version < 3 {
        // What a destination keeps between rounds (the memo of `JobStore::save_memo`).
        conn.execute_batch(
            "BEGIN;
             CREATE TABLE IF NOT EXISTS dest_memos (
                job_id TEXT NOT NULL, dest INTEGER NOT NULL, memo TEXT NOT NULL,
                PRIMARY KEY (job_id, dest));
             PRAGMA user_version = 3;
             COMMIT;",
        )?;
    }
    if version < 4 {
        // Personal data: who else may read a job's rows, when it ended (retention runs from
        // there), when its rows were shredded; the audit log read by time.
        conn.execute_batch(
            "BEGIN;
             ALTER TABLE jobs ADD COLUMN share_with TEXT NOT NULL DEFAULT '[]';
             ALTER TABLE jobs ADD COLUMN finished_at INTEGER;
             ALTER TABLE jobs ADD COLUMN shredded_at INTEGER;
             CREATE INDEX IF NOT EXISTS audit_log_ts ON audit_log(ts);
             PRAGMA user_version = 4;
             COMMIT;",
        )?;
    }
    if version < 5 {
        // Continuous sync: each sync's record and the version every write names.
        conn.execute_batch(
            "BEGIN;
             CREATE TABLE IF NOT EXISTS syncs (
                id TEXT PRIMARY KEY, version INTEGER NOT NULL, doc TEXT NOT NULL);
             PRAGMA user_version = 5;
             COMMIT;",
        )?;
    }
    if version < 6 {
        // Spreadsheets: which cells were changed in the preview before sending; the column
        // mappings users keep.
        conn.execute_batch(
            "BEGIN;
             ALTER TABLE jobs ADD COLUMN edited TEXT NOT NULL DEFAULT '[]';
             CREATE TABLE IF NOT EXISTS mappings (
                owner TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL,
                saved_at INTEGER NOT NULL, PRIMARY KEY (owner, name));
             PRAGMA user_version = 6;
             COMMIT;",
        )?;
    }
    Ok(())
}
