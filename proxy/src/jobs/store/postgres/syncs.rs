//! Syncs on PostgreSQL: each sync's record with a version every write names (two replicas never
//! both act on one poll), written in the same transaction as the jobs its poll made, and a
//! lease per sync on the database's clock (the replica holding it polls; another takes over
//! when it lapses).

use std::time::Duration;

use super::{journal::insert_job, PgStore};
use crate::jobs::store::{NewJob, Result, SyncDoc};

fn doc_of(r: &tokio_postgres::Row) -> SyncDoc {
    SyncDoc {
        id: r.get(0),
        version: r.get(1),
        doc: r.get(2),
    }
}

pub(super) fn sync_docs(s: &PgStore) -> Result<Vec<SyncDoc>> {
    s.run(async {
        let c = s.client().await?;
        let rows = c
            .query("SELECT id, version, doc FROM syncs ORDER BY created", &[])
            .await?;
        Ok(rows.iter().map(doc_of).collect())
    })
}

pub(super) fn sync_doc(s: &PgStore, id: &str) -> Result<Option<SyncDoc>> {
    s.run(async {
        let c = s.client().await?;
        Ok(
            c.query_opt("SELECT id, version, doc FROM syncs WHERE id = $1", &[&id])
                .await?
                .as_ref()
                .map(doc_of),
        )
    })
}

pub(super) fn save_sync(
    s: &PgStore,
    id: &str,
    expected: Option<i64>,
    doc: &str,
    jobs: &[NewJob],
) -> Result<bool> {
    s.run(async {
        let mut c = s.client().await?;
        let tx = c.transaction().await?;
        let written = match expected {
            None => {
                tx.execute(
                    "INSERT INTO syncs (id, version, doc) VALUES ($1, 1, $2) ON CONFLICT (id) DO NOTHING",
                    &[&id, &doc],
                )
                .await?
            }
            Some(v) => {
                tx.execute(
                    "UPDATE syncs SET version = version + 1, doc = $3 WHERE id = $1 AND version = $2",
                    &[&id, &v, &doc],
                )
                .await?
            }
        };
        if written == 0 {
            return Ok(false);
        }
        for job in jobs {
            insert_job(&tx, job).await?;
        }
        tx.commit().await?;
        Ok(true)
    })
}

pub(super) fn lease_sync(s: &PgStore, id: &str, owner: &str, ttl: Duration) -> Result<bool> {
    s.run(async {
        let c = s.client().await?;
        let n = c
            .execute(
                "UPDATE syncs SET lease_owner = $2, lease_until = now() + make_interval(secs => $3)
                 WHERE id = $1 AND (lease_owner IS NULL OR lease_owner = $2 OR lease_until < now())",
                &[&id, &owner, &ttl.as_secs_f64()],
            )
            .await?;
        Ok(n == 1)
    })
}
