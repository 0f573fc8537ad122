//! Leases, cancel requests and remembered destinations on SQLite. One process uses the file, so
//! a lease is recorded (a job shows who runs it) but always granted.

use rollcall_core::api::{KnownDestination, SavedMapping};
use rusqlite::{params, OptionalExtension};

use super::{corrupt, SqliteStore};
use crate::jobs::store::{DestIdx, Lease, Result, StoreError};

pub(super) fn orphaned_jobs(s: &SqliteStore) -> Result<Vec<String>> {
    // One process per file: every running job is this process's to run.
    Ok(s.conn()
        .prepare("SELECT id FROM jobs WHERE state = 'running' ORDER BY created_at")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?)
}

pub(super) fn lease(
    s: &SqliteStore,
    id: &str,
    owner: &str,
    ttl: std::time::Duration,
) -> Result<Lease> {
    let conn = s.conn();
    let Some((previous, cancel)) = conn
        .query_row(
            "SELECT lease_owner, cancel_requested FROM jobs WHERE id = ?1 AND state = 'running'",
            [id],
            |r| Ok((r.get::<_, Option<String>>(0)?, r.get::<_, bool>(1)?)),
        )
        .optional()?
    else {
        return Ok(Lease::NotRunning);
    };
    conn.execute(
        "UPDATE jobs SET lease_owner = ?2, lease_until = strftime('%s','now') + ?3 WHERE id = ?1",
        params![id, owner, ttl.as_secs() as i64],
    )?;
    Ok(Lease::Held { previous, cancel })
}

pub(super) fn lease_holder(_s: &SqliteStore, _id: &str) -> Result<Option<String>> {
    // One process per file: the runner's own `is_active` answers this.
    Ok(None)
}

pub(super) fn request_cancel(s: &SqliteStore, id: &str) -> Result<Option<String>> {
    // Only this process runs jobs on this file: the caller's own runner sees the request.
    s.conn().execute(
        "UPDATE jobs SET cancel_requested = 1 WHERE id = ?1 AND state = 'running'",
        [id],
    )?;
    Ok(None)
}

pub(super) fn remember_destination(
    s: &SqliteStore,
    destination: &str,
    label: Option<&str>,
    now: i64,
) -> Result<()> {
    s.conn().execute(
        "INSERT INTO destinations (destination, label, last_used) VALUES (?1, ?2, ?3)
         ON CONFLICT (destination) DO UPDATE SET label = COALESCE(excluded.label, label), last_used = excluded.last_used",
        params![destination, label, now],
    )?;
    Ok(())
}

pub(super) fn save_mapping(s: &SqliteStore, m: &SavedMapping) -> Result<()> {
    s.conn().execute(
        "INSERT INTO mappings (owner, name, doc, saved_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (owner, name) DO UPDATE SET doc = excluded.doc, saved_at = excluded.saved_at",
        params![m.owner, m.name, serde_json::to_string(m)?, m.saved_at],
    )?;
    Ok(())
}

pub(super) fn mappings(s: &SqliteStore) -> Result<Vec<SavedMapping>> {
    let conn = s.conn();
    let mut stmt =
        conn.prepare("SELECT doc FROM mappings ORDER BY saved_at DESC, owner, name LIMIT 500")?;
    let docs = stmt.query_map([], |r| r.get::<_, String>(0))?;
    docs.map(|d| Ok(serde_json::from_str(&d?)?)).collect()
}

pub(super) fn known_destinations(s: &SqliteStore) -> Result<Vec<KnownDestination>> {
    let conn = s.conn();
    let mut stmt = conn.prepare(
        "SELECT destination, label, last_used FROM destinations ORDER BY last_used DESC LIMIT 200",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, Option<String>>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })?;
    rows.map(|r| {
        let (d, label, last_used) = r?;
        Ok(KnownDestination {
            destination: d.parse().map_err(corrupt)?,
            label,
            last_used,
        })
    })
    .collect()
}

fn open_err(dir: &std::path::Path) -> impl Fn(std::io::Error) -> StoreError + '_ {
    |source| StoreError::Open {
        path: dir.to_path_buf(),
        source,
    }
}

/// The data directory, made the service user's alone (personal data), and locked: one process
/// per journal — two runners on one file would each resume every job and send everything twice.
/// The lock is an exclusive OS lock on `rollcall.lock`, held while the store is open; a killed
/// process leaves none behind.
pub(super) fn prepare_dir(dir: &std::path::Path) -> Result<std::fs::File> {
    let open_err = open_err(dir);
    std::fs::create_dir_all(dir).map_err(&open_err)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(&open_err)?;
    }
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join("rollcall.lock"))
        .map_err(&open_err)?;
    // Tried for a moment before giving up: a process this one forks holds a copy of the
    // descriptor (and so the lock) until it execs, and a restart's predecessor may still be
    // exiting. A second live process on the journal is refused all the same.
    let deadline = std::time::Instant::now() + LOCK_PATIENCE;
    loop {
        match lock.try_lock() {
            Ok(()) => return Ok(lock),
            Err(std::fs::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(StoreError::Locked(dir.to_path_buf()))
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(open_err(e)),
        }
    }
}

/// How long opening waits for the journal's lock before saying another process holds it.
const LOCK_PATIENCE: std::time::Duration = std::time::Duration::from_secs(2);

pub(super) fn save_memo(s: &SqliteStore, id: &str, dest: DestIdx, memo: &str) -> Result<()> {
    s.conn().execute(
        "INSERT INTO dest_memos (job_id, dest, memo) VALUES (?1, ?2, ?3)
         ON CONFLICT (job_id, dest) DO UPDATE SET memo = excluded.memo",
        params![id, dest.0 as i64, memo],
    )?;
    Ok(())
}

pub(super) fn load_memo(s: &SqliteStore, id: &str, dest: DestIdx) -> Result<Option<String>> {
    Ok(s.conn()
        .query_row(
            "SELECT memo FROM dest_memos WHERE job_id = ?1 AND dest = ?2",
            params![id, dest.0 as i64],
            |r| r.get(0),
        )
        .optional()?)
}

/// The journal's files are the service user's alone (0600).
pub(super) fn private_files(dir: &std::path::Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for f in ["rollcall.db", "rollcall.db-wal", "rollcall.db-shm"] {
            let p = dir.join(f);
            if p.exists() {
                std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600))
                    .map_err(open_err(dir))?;
            }
        }
    }
    Ok(())
}
