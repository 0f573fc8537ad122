//! Personal data on PostgreSQL: the audit log's reads, shredding a finished job's rows, and the
//! jobs whose retention ran out. A shred overwrites the rows in one transaction; the old row
//! versions are reclaimed by (auto)vacuum, which the shred asks for at once on the rows' table.

use rollcall_core::api::{AuditEntry, AuditQuery};

use super::PgStore;
use crate::jobs::store::Result;

pub(super) fn audit_entries(s: &PgStore, q: &AuditQuery) -> Result<Vec<AuditEntry>> {
    s.run(async {
        let c = s.client().await?;
        let rows = c
            .query(
                "SELECT EXTRACT(EPOCH FROM ts)::bigint, username, action, target, rows, outcome
                 FROM audit_log
                 WHERE ($1::text IS NULL OR username = $1)
                   AND ($2::text IS NULL OR starts_with(action, $2))
                   AND ($3::text IS NULL OR target = $3)
                   AND ($4::bigint IS NULL OR ts >= to_timestamp($4))
                   AND ($5::bigint IS NULL OR ts < to_timestamp($5))
                 ORDER BY ts DESC, ctid DESC LIMIT $6",
                &[
                    &q.user,
                    &q.action,
                    &q.target,
                    &q.since,
                    &q.until,
                    &i64::from(q.limit()),
                ],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| AuditEntry {
                ts: r.get(0),
                user: r.get(1),
                action: r.get(2),
                target: r.get(3),
                rows: r.get::<_, i64>(4).max(0) as u64,
                outcome: r.get(5),
            })
            .collect())
    })
}

pub(super) fn shred(s: &PgStore, id: &str, now: i64) -> Result<u64> {
    let n = s.run(async {
        let mut c = s.client().await?;
        let tx = c.transaction().await?;
        let marked = tx
            .execute(
                "UPDATE jobs SET shredded_at = $2 WHERE id = $1 AND state <> 'running' AND shredded_at IS NULL",
                &[&id, &now],
            )
            .await?;
        if marked == 0 {
            return Ok(0);
        }
        let n = tx
            .execute(
                "UPDATE job_rows SET cells = '[]', attendee = 'null' WHERE job_id = $1",
                &[&id],
            )
            .await?;
        tx.execute("DELETE FROM dest_memos WHERE job_id = $1", &[&id])
            .await?;
        tx.commit().await?;
        Ok(n)
    })?;
    if n > 0 {
        // The old row versions become reusable space now rather than at autovacuum's next turn.
        let vacuum = s.run(async {
            let c = s.client().await?;
            c.batch_execute("VACUUM job_rows, dest_memos").await?;
            Ok(())
        });
        if let Err(e) = vacuum {
            tracing::warn!(error = %e, "vacuum after a shred failed; autovacuum will reclaim the rows");
        }
    }
    Ok(n)
}

pub(super) fn expired_jobs(s: &PgStore, before: i64) -> Result<Vec<String>> {
    s.run(async {
        let c = s.client().await?;
        Ok(c.query(
            "SELECT id FROM jobs WHERE state <> 'running' AND shredded_at IS NULL
             AND COALESCE(finished_at, created_at) < $1 ORDER BY created_at",
            &[&before],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect())
    })
}

pub(super) fn running_jobs_of(s: &PgStore, user: &str) -> Result<u64> {
    s.run(async {
        let c = s.client().await?;
        let n: i64 = c
            .query_one(
                "SELECT COUNT(*) FROM jobs WHERE state = 'running' AND created_by = $1",
                &[&user],
            )
            .await?
            .get(0);
        Ok(n.max(0) as u64)
    })
}
