//! Syncs on SQLite: each sync's record with a version every write names, written in the same
//! transaction as the jobs its poll made; a lease (always this process's: one process a file).

use rusqlite::{params, OptionalExtension};

use super::{insert_job, SqliteStore};
use crate::jobs::store::{NewJob, Result, SyncDoc};

pub(super) fn sync_docs(s: &SqliteStore) -> Result<Vec<SyncDoc>> {
    let conn = s.conn();
    let mut stmt = conn.prepare("SELECT id, version, doc FROM syncs ORDER BY rowid")?;
    let rows = stmt.query_map([], |r| {
        Ok(SyncDoc {
            id: r.get(0)?,
            version: r.get(1)?,
            doc: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(super) fn sync_doc(s: &SqliteStore, id: &str) -> Result<Option<SyncDoc>> {
    Ok(s.conn()
        .query_row(
            "SELECT id, version, doc FROM syncs WHERE id = ?1",
            [id],
            |r| {
                Ok(SyncDoc {
                    id: r.get(0)?,
                    version: r.get(1)?,
                    doc: r.get(2)?,
                })
            },
        )
        .optional()?)
}

pub(super) fn save_sync(
    s: &SqliteStore,
    id: &str,
    expected: Option<i64>,
    doc: &str,
    jobs: &[NewJob],
) -> Result<bool> {
    let mut conn = s.conn();
    let tx = conn.transaction()?;
    let written = match expected {
        None => tx.execute(
            "INSERT INTO syncs (id, version, doc) VALUES (?1, 1, ?2) ON CONFLICT (id) DO NOTHING",
            params![id, doc],
        )?,
        Some(v) => tx.execute(
            "UPDATE syncs SET version = version + 1, doc = ?3 WHERE id = ?1 AND version = ?2",
            params![id, v, doc],
        )?,
    };
    if written == 0 {
        return Ok(false);
    }
    for job in jobs {
        insert_job(&tx, job)?;
    }
    tx.commit()?;
    Ok(true)
}
