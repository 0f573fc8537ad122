//! The PostgreSQL journal's schema: numbered migrations, each applied once, by one replica at a
//! time (a session advisory lock serialises replicas starting together).

use tokio_postgres::Client;

use crate::jobs::store::Result;

/// Arbitrary, fixed: the advisory lock every replica takes while migrating ("rollcall").
const MIGRATION_LOCK: i64 = 0x726f_6c6c_6361_6c6c;

/// Migrations in order; the index + 1 is the version. Never edit one that has shipped: append.
const MIGRATIONS: &[&str] = &[
    // 1: the journal (the same tables as SQLite's), leases and cancel requests, shared pacing.
    "CREATE TABLE jobs (
        id TEXT PRIMARY KEY, state TEXT NOT NULL, created_by TEXT NOT NULL, created_at BIGINT NOT NULL,
        file_name TEXT, headers TEXT NOT NULL, reason TEXT,
        lease_owner TEXT, lease_until TIMESTAMPTZ, cancel_requested BOOLEAN NOT NULL DEFAULT FALSE);
     CREATE INDEX jobs_running ON jobs (state, created_at);
     CREATE TABLE job_destinations (
        job_id TEXT NOT NULL REFERENCES jobs(id), idx INTEGER NOT NULL, destination TEXT NOT NULL,
        PRIMARY KEY (job_id, idx));
     CREATE TABLE job_rows (
        job_id TEXT NOT NULL REFERENCES jobs(id), idx INTEGER NOT NULL, row_no INTEGER NOT NULL,
        cells TEXT NOT NULL, attendee TEXT NOT NULL, PRIMARY KEY (job_id, idx));
     CREATE TABLE batches (
        id BIGSERIAL PRIMARY KEY, job_id TEXT NOT NULL, dest INTEGER NOT NULL, created_at TIMESTAMPTZ NOT NULL DEFAULT now());
     CREATE TABLE outcomes (
        job_id TEXT NOT NULL, dest INTEGER NOT NULL, row_idx INTEGER NOT NULL,
        state TEXT NOT NULL, code TEXT, message TEXT, reference TEXT, attendee_code TEXT,
        batch_id BIGINT REFERENCES batches(id),
        PRIMARY KEY (job_id, dest, row_idx));
     CREATE INDEX outcomes_pending ON outcomes (job_id, dest, state, batch_id);
     CREATE INDEX outcomes_batch ON outcomes (batch_id) WHERE batch_id IS NOT NULL;
     CREATE TABLE audit_log (
        ts TIMESTAMPTZ NOT NULL DEFAULT now(), username TEXT NOT NULL, action TEXT NOT NULL,
        target TEXT NOT NULL, rows BIGINT NOT NULL, outcome TEXT NOT NULL);
     CREATE TABLE pacing (key TEXT PRIMARY KEY, tat_us BIGINT NOT NULL);",
    // 2: destinations seen (webinars created, groups and events used), offered by name.
    "CREATE TABLE destinations (
        destination TEXT PRIMARY KEY, label TEXT, last_used BIGINT NOT NULL);",
    // 3: what a destination keeps between rounds (the memo of `JobStore::save_memo`).
    "CREATE TABLE dest_memos (
        job_id TEXT NOT NULL, dest INTEGER NOT NULL, memo TEXT NOT NULL,
        PRIMARY KEY (job_id, dest));",
    // 4: personal data — who else may read a job's rows, when it ended (retention runs from
    // there), when its rows were shredded; the audit log read by time; spreadsheet row numbers
    // of any size.
    "ALTER TABLE jobs ADD COLUMN share_with TEXT NOT NULL DEFAULT '[]',
        ADD COLUMN finished_at BIGINT, ADD COLUMN shredded_at BIGINT;
     ALTER TABLE job_rows ALTER COLUMN row_no TYPE BIGINT;
     CREATE INDEX audit_log_ts ON audit_log (ts);",
    // 5: continuous sync — each sync's record, the version every write names, and its lease.
    "CREATE TABLE syncs (
        id TEXT PRIMARY KEY, version BIGINT NOT NULL, doc TEXT NOT NULL,
        created TIMESTAMPTZ NOT NULL DEFAULT now(), lease_owner TEXT, lease_until TIMESTAMPTZ);",
    // 6: spreadsheets — which cells were changed in the preview before sending; the column
    // mappings users keep.
    "ALTER TABLE jobs ADD COLUMN edited TEXT NOT NULL DEFAULT '[]';
     CREATE TABLE mappings (
        owner TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL,
        saved_at BIGINT NOT NULL, PRIMARY KEY (owner, name));",
];

/// Brings the schema to the latest version.
pub async fn migrate(client: &mut Client) -> Result<()> {
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    let result = apply(client).await;
    // Released even when a migration failed (the session ends with the connection anyway).
    client
        .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])
        .await?;
    result
}

async fn apply(client: &mut Client) -> Result<()> {
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
        )
        .await?;
    let current: i32 = client
        .query_one(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            &[],
        )
        .await?
        .get(0);
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let version = i as i32 + 1;
        let tx = client.transaction().await?;
        tx.batch_execute(sql).await?;
        tx.execute(
            "INSERT INTO schema_migrations (version) VALUES ($1)",
            &[&version],
        )
        .await?;
        tx.commit().await?;
        tracing::info!(version, "journal schema migrated");
    }
    Ok(())
}
