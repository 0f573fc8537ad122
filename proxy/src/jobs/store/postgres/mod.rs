//! The shared journal: PostgreSQL, for several replicas. The same tables as SQLite plus what
//! replicas share: job leases (owner, expiry from the database's clock), cancel requests, and
//! provider pacing slots.
//!
//! The trait is synchronous (callers are off the async threads: `spawn_blocking` or
//! `block_in_place`); each method runs its queries on the pool with the current runtime's handle.

use std::future::Future;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use rollcall_core::api::{JobResults, JobState, JobSummary, KnownDestination, RowState};
use secrecy::{ExposeSecret, SecretString};
use tokio_postgres::NoTls;

mod read;
mod schema;

use super::{
    DestIdx, JobInput, JobStore, Lease, NewJob, Outcome, Result, RowIdx, Settled, StoreError,
};

/// Whether the error means the database could not be reached (nothing was decided).
pub fn is_connection_error(e: &tokio_postgres::Error) -> bool {
    if e.is_closed() {
        return true;
    }
    if let Some(code) = e.code() {
        // 08: connection exception; 57P01..03: shutting down / cannot connect now.
        let c = code.code();
        return c.starts_with("08") || matches!(c, "57P01" | "57P02" | "57P03");
    }
    std::error::Error::source(e).is_some_and(|s| s.is::<std::io::Error>())
}

fn pool_error(e: deadpool_postgres::PoolError) -> StoreError {
    match e {
        deadpool_postgres::PoolError::Backend(e) if !is_connection_error(&e) => {
            StoreError::Postgres(e)
        }
        other => StoreError::Unavailable(other.to_string()),
    }
}

fn corrupt(e: String) -> StoreError {
    StoreError::Corrupt(e)
}

fn i32_of(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

pub struct PgStore {
    pool: Pool,
}

impl PgStore {
    /// Connects (the password from the configured secret, never from the URL in logs), and
    /// brings the schema up to date.
    pub fn connect(url: &str, password: Option<SecretString>, pool_size: usize) -> Result<Self> {
        let mut pg: tokio_postgres::Config = url.parse().map_err(|e: tokio_postgres::Error| {
            StoreError::Unavailable(format!("store.url: {e}"))
        })?;
        if let Some(p) = &password {
            pg.password(p.expose_secret());
        }
        pg.connect_timeout(Duration::from_secs(3));
        pg.application_name("rollcall");
        let mgr = Manager::from_config(
            pg,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(mgr)
            .max_size(pool_size.max(2))
            .wait_timeout(Some(Duration::from_secs(3)))
            .create_timeout(Some(Duration::from_secs(3)))
            .recycle_timeout(Some(Duration::from_secs(3)))
            .runtime(Runtime::Tokio1)
            .build()
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        let store = PgStore { pool };
        store.run(async {
            let mut c = store.client().await?;
            schema::migrate(&mut c).await
        })?;
        Ok(store)
    }

    async fn client(&self) -> Result<deadpool_postgres::Object> {
        self.pool.get().await.map_err(pool_error)
    }

    /// Runs `f` to completion from synchronous code on the current runtime.
    fn run<T>(&self, f: impl Future<Output = Result<T>>) -> Result<T> {
        let handle = tokio::runtime::Handle::try_current()
            .map_err(|_| StoreError::Unavailable("no async runtime".into()))?;
        tokio::task::block_in_place(|| handle.block_on(f))
    }
}

/// Writes outcomes, one statement per distinct outcome (rows as an array).
async fn write_outcomes(
    tx: &deadpool_postgres::Transaction<'_>,
    id: &str,
    dest: DestIdx,
    outcomes: &[Settled],
) -> Result<()> {
    let mut groups: Vec<(RowState, &Outcome, Vec<i32>)> = Vec::new();
    for s in outcomes {
        let row = s.row.0 as i32;
        match groups
            .iter_mut()
            .find(|(st, g, _)| *st == s.state && *g == &s.outcome)
        {
            Some((_, _, rows)) => rows.push(row),
            None => groups.push((s.state, &s.outcome, vec![row])),
        }
    }
    let stmt = tx
        .prepare_cached(
            "UPDATE outcomes SET state = $3, code = $4, message = $5, reference = $6, attendee_code = $7, batch_id = NULL \
             WHERE job_id = $1 AND dest = $2 AND row_idx = ANY($8)",
        )
        .await?;
    for (state, o, rows) in groups {
        let message = o.message.as_ref().map(serde_json::to_string).transpose()?;
        tx.execute(
            &stmt,
            &[
                &id,
                &i32_of(dest.0),
                &state.as_str(),
                &o.code,
                &message,
                &o.reference,
                &o.attendee_code,
                &rows,
            ],
        )
        .await?;
    }
    Ok(())
}

impl JobStore for PgStore {
    fn create_job(&self, job: &NewJob) -> Result<()> {
        self.run(async {
            let mut c = self.client().await?;
            let tx = c.transaction().await?;
            tx.execute(
                "INSERT INTO jobs (id, state, created_by, created_at, file_name, headers) VALUES ($1, 'running', $2, $3, $4, $5)",
                &[&job.id, &job.created_by, &job.created_at, &job.file_name, &serde_json::to_string(&job.headers)?],
            )
            .await?;
            let dests: Vec<String> = job.destinations.iter().map(|d| d.to_string()).collect();
            tx.execute(
                "INSERT INTO job_destinations (job_id, idx, destination) \
                 SELECT $1, i - 1, d FROM UNNEST($2::text[]) WITH ORDINALITY AS t(d, i)",
                &[&job.id, &dests],
            )
            .await?;
            // Whole columns in one statement each: a 10,000-row job is a few round trips.
            let n = job.rows.len();
            let (mut idx, mut row_no, mut cells, mut attendees) =
                (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
            let (mut o_dest, mut o_row, mut o_state, mut o_code, mut o_msg) =
                (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for (i, row) in job.rows.iter().enumerate() {
                idx.push(i32_of(i));
                row_no.push(row.row_no as i32);
                cells.push(serde_json::to_string(&row.cells)?);
                attendees.push(serde_json::to_string(&row.attendee)?);
                for (d, initial) in row.initial.iter().enumerate() {
                    o_dest.push(i32_of(d));
                    o_row.push(i32_of(i));
                    o_state.push(initial.state.as_str());
                    o_code.push(initial.outcome.code.clone());
                    o_msg.push(initial.outcome.message.as_ref().map(serde_json::to_string).transpose()?);
                }
            }
            tx.execute(
                "INSERT INTO job_rows (job_id, idx, row_no, cells, attendee) \
                 SELECT $1, * FROM UNNEST($2::int[], $3::int[], $4::text[], $5::text[])",
                &[&job.id, &idx, &row_no, &cells, &attendees],
            )
            .await?;
            tx.execute(
                "INSERT INTO outcomes (job_id, dest, row_idx, state, code, message) \
                 SELECT $1, * FROM UNNEST($2::int[], $3::int[], $4::text[], $5::text[], $6::text[])",
                &[&job.id, &o_dest, &o_row, &o_state, &o_code, &o_msg],
            )
            .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    fn list_jobs(&self) -> Result<Vec<JobSummary>> {
        self.run(async {
            let c = self.client().await?;
            let ids: Vec<String> = c
                .query(
                    "SELECT id FROM jobs ORDER BY created_at DESC, id DESC LIMIT 500",
                    &[],
                )
                .await?
                .iter()
                .map(|r| r.get(0))
                .collect();
            read::summaries(&c, &ids).await
        })
    }

    fn get_job(&self, id: &str) -> Result<Option<JobSummary>> {
        self.run(async {
            let c = self.client().await?;
            Ok(read::summaries(&c, &[id.to_string()]).await?.pop())
        })
    }

    fn job_input(&self, id: &str) -> Result<JobInput> {
        self.run(async {
            let c = self.client().await?;
            let destinations = read::destinations(&c, id).await?;
            let attendees = c
                .query(
                    "SELECT attendee FROM job_rows WHERE job_id = $1 ORDER BY idx",
                    &[&id],
                )
                .await?
                .iter()
                .map(|r| Ok(serde_json::from_str(r.get::<_, &str>(0))?))
                .collect::<Result<Vec<_>>>()?;
            Ok(JobInput {
                destinations,
                attendees,
            })
        })
    }

    fn orphaned_jobs(&self) -> Result<Vec<String>> {
        self.run(async {
            let c = self.client().await?;
            Ok(c.query(
                "SELECT id FROM jobs WHERE state = 'running' AND (lease_until IS NULL OR lease_until < now()) ORDER BY created_at",
                &[],
            )
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect())
        })
    }

    fn lease(&self, id: &str, owner: &str, ttl: Duration) -> Result<Lease> {
        self.run(async {
            let mut c = self.client().await?;
            let tx = c.transaction().await?;
            // The row lock orders a takeover against the holder's `begin_batch` (which reads the
            // lease FOR SHARE): a batch is either journaled before the takeover, or refused.
            let Some(row) = tx
                .query_opt(
                    "SELECT lease_owner, lease_until >= now(), cancel_requested FROM jobs WHERE id = $1 AND state = 'running' FOR UPDATE",
                    &[&id],
                )
                .await?
            else {
                return Ok(Lease::NotRunning);
            };
            let (holder, live, cancel): (Option<String>, Option<bool>, bool) =
                (row.get(0), row.get(1), row.get(2));
            if let (Some(h), Some(true)) = (&holder, live) {
                if h != owner {
                    return Ok(Lease::Elsewhere(h.clone()));
                }
            }
            tx.execute(
                "UPDATE jobs SET lease_owner = $2, lease_until = now() + make_interval(secs => $3) WHERE id = $1",
                &[&id, &owner, &ttl.as_secs_f64()],
            )
            .await?;
            tx.commit().await?;
            Ok(Lease::Held {
                previous: holder,
                cancel,
            })
        })
    }

    fn lease_holder(&self, id: &str) -> Result<Option<String>> {
        self.run(async {
            let c = self.client().await?;
            Ok(c.query_opt(
                "SELECT lease_owner FROM jobs WHERE id = $1 AND state = 'running' AND lease_until >= now()",
                &[&id],
            )
            .await?
            .and_then(|r| r.get(0)))
        })
    }

    fn request_cancel(&self, id: &str) -> Result<Option<String>> {
        self.run(async {
            let c = self.client().await?;
            let row = c
                .query_opt(
                    "UPDATE jobs SET cancel_requested = TRUE WHERE id = $1 AND state = 'running' \
                     RETURNING CASE WHEN lease_until >= now() THEN lease_owner END",
                    &[&id],
                )
                .await?;
            Ok(row.and_then(|r| r.get(0)))
        })
    }

    fn set_job_state(&self, id: &str, state: JobState, reason: Option<&str>) -> Result<()> {
        let sql = if state == JobState::Running {
            "UPDATE jobs SET state = $2, reason = $3, cancel_requested = FALSE WHERE id = $1"
        } else {
            "UPDATE jobs SET state = $2, reason = $3, lease_owner = NULL, lease_until = NULL WHERE id = $1"
        };
        self.run(async {
            let c = self.client().await?;
            c.execute(sql, &[&id, &state.as_str(), &reason]).await?;
            Ok(())
        })
    }

    fn pending_rows(&self, id: &str, dest: DestIdx) -> Result<Vec<RowIdx>> {
        self.run(async {
            let c = self.client().await?;
            let stmt = c
                .prepare_cached("SELECT row_idx FROM outcomes WHERE job_id = $1 AND dest = $2 AND state = 'pending' AND batch_id IS NULL ORDER BY row_idx")
                .await?;
            Ok(c.query(&stmt, &[&id, &i32_of(dest.0)])
                .await?
                .iter()
                .map(|r| RowIdx(r.get::<_, i32>(0) as u32))
                .collect())
        })
    }

    fn inflight_batches(&self, id: &str, dest: DestIdx) -> Result<Vec<(i64, Vec<RowIdx>)>> {
        self.run(async {
            let c = self.client().await?;
            let stmt = c
                .prepare_cached("SELECT batch_id, row_idx FROM outcomes WHERE job_id = $1 AND dest = $2 AND batch_id IS NOT NULL ORDER BY batch_id, row_idx")
                .await?;
            let mut out: Vec<(i64, Vec<RowIdx>)> = Vec::new();
            for r in c.query(&stmt, &[&id, &i32_of(dest.0)]).await? {
                let (b, row) = (r.get::<_, i64>(0), RowIdx(r.get::<_, i32>(1) as u32));
                match out.last_mut() {
                    Some((last, rows)) if *last == b => rows.push(row),
                    _ => out.push((b, vec![row])),
                }
            }
            Ok(out)
        })
    }

    fn begin_batch(&self, id: &str, dest: DestIdx, rows: &[RowIdx], owner: &str) -> Result<i64> {
        self.run(async {
            let mut c = self.client().await?;
            let tx = c.transaction().await?;
            let holder = tx
                .query_opt(
                    "SELECT lease_owner FROM jobs WHERE id = $1 AND lease_owner = $2 AND lease_until >= now() FOR SHARE",
                    &[&id, &owner],
                )
                .await?;
            if holder.is_none() {
                let now: Option<String> = tx
                    .query_opt("SELECT lease_owner FROM jobs WHERE id = $1", &[&id])
                    .await?
                    .and_then(|r| r.get(0));
                return Err(StoreError::LeaseLost(now.unwrap_or_else(|| "-".into())));
            }
            let batch: i64 = tx
                .query_one(
                    "INSERT INTO batches (job_id, dest) VALUES ($1, $2) RETURNING id",
                    &[&id, &i32_of(dest.0)],
                )
                .await?
                .get(0);
            let rows: Vec<i32> = rows.iter().map(|r| r.0 as i32).collect();
            tx.execute(
                "UPDATE outcomes SET batch_id = $3 WHERE job_id = $1 AND dest = $2 AND state = 'pending' AND row_idx = ANY($4)",
                &[&id, &i32_of(dest.0), &batch, &rows],
            )
            .await?;
            tx.commit().await?;
            Ok(batch)
        })
    }

    fn finish_batch(&self, batch: i64, outcomes: &[Settled]) -> Result<()> {
        self.run(async {
            let mut c = self.client().await?;
            let tx = c.transaction().await?;
            // Already finished (a retry after an answer lost with the connection): nothing to do.
            let Some(row) = tx
                .query_opt("SELECT job_id, dest FROM batches WHERE id = $1", &[&batch])
                .await?
            else {
                return Ok(());
            };
            let (id, dest): (String, i32) = (row.get(0), row.get(1));
            write_outcomes(&tx, &id, DestIdx(dest as usize), outcomes).await?;
            // Whatever the batch did not settle goes back to pending, to be reconciled or re-sent.
            tx.execute(
                "UPDATE outcomes SET batch_id = NULL WHERE batch_id = $1",
                &[&batch],
            )
            .await?;
            tx.execute("DELETE FROM batches WHERE id = $1", &[&batch])
                .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    fn set_outcomes(&self, id: &str, dest: DestIdx, outcomes: &[Settled]) -> Result<()> {
        self.run(async {
            let mut c = self.client().await?;
            let tx = c.transaction().await?;
            write_outcomes(&tx, id, dest, outcomes).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    fn results(&self, id: &str) -> Result<Option<JobResults>> {
        self.results_page(id, 0, i32::MAX as usize)
    }

    fn results_page(&self, id: &str, offset: usize, limit: usize) -> Result<Option<JobResults>> {
        self.run(async {
            let c = self.client().await?;
            read::results_range(&c, id, offset, limit).await
        })
    }

    fn audit(
        &self,
        user: &str,
        action: &str,
        target: &str,
        rows: u64,
        outcome: &str,
    ) -> Result<()> {
        self.run(async {
            let c = self.client().await?;
            c.execute(
                "INSERT INTO audit_log (username, action, target, rows, outcome) VALUES ($1, $2, $3, $4, $5)",
                &[&user, &action, &target, &(rows as i64), &outcome],
            )
            .await?;
            Ok(())
        })
    }

    fn remember_destination(&self, destination: &str, label: Option<&str>, now: i64) -> Result<()> {
        self.run(async {
            let c = self.client().await?;
            c.execute(
                "INSERT INTO destinations (destination, label, last_used) VALUES ($1, $2, $3)
                 ON CONFLICT (destination) DO UPDATE SET label = COALESCE(EXCLUDED.label, destinations.label), last_used = EXCLUDED.last_used",
                &[&destination, &label, &now],
            )
            .await?;
            Ok(())
        })
    }

    fn known_destinations(&self) -> Result<Vec<KnownDestination>> {
        self.run(async {
            let c = self.client().await?;
            c.query(
                "SELECT destination, label, last_used FROM destinations ORDER BY last_used DESC LIMIT 200",
                &[],
            )
            .await?
            .iter()
            .map(|r| {
                Ok(KnownDestination {
                    destination: r.get::<_, &str>(0).parse().map_err(corrupt)?,
                    label: r.get(1),
                    last_used: r.get(2),
                })
            })
            .collect()
        })
    }

    fn is_shared(&self) -> bool {
        true
    }

    fn reserve_slot(&self, key: &str, interval: Duration) -> Result<Duration> {
        // GCRA on the database's clock: each call takes the next slot `interval` after the last
        // one (or now, when idle); the caller sleeps until its slot. One statement, no lock held.
        let step = interval.as_micros().min(i64::MAX as u128) as i64;
        self.run(async {
            let c = self.client().await?;
            let stmt = c
                .prepare_cached(
                    "WITH t AS (SELECT (EXTRACT(EPOCH FROM clock_timestamp()) * 1000000)::BIGINT AS now) \
                     INSERT INTO pacing AS p (key, tat_us) SELECT $1, t.now + $2 FROM t \
                     ON CONFLICT (key) DO UPDATE SET tat_us = GREATEST(p.tat_us, EXCLUDED.tat_us - $2) + $2 \
                     RETURNING tat_us - $2 - (EXTRACT(EPOCH FROM clock_timestamp()) * 1000000)::BIGINT",
                )
                .await?;
            let wait: i64 = c.query_one(&stmt, &[&key, &step]).await?.get(0);
            Ok(Duration::from_micros(wait.max(0) as u64))
        })
    }

    fn ping(&self) -> Result<()> {
        self.run(async {
            let c = self.client().await?;
            c.query_one("SELECT 1", &[]).await?;
            Ok(())
        })
    }
}
