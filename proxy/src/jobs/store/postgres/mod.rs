//! The shared journal: PostgreSQL, for several replicas. The same tables as SQLite plus what
//! replicas share: job leases (owner, expiry from the database's clock), cancel requests, and
//! provider pacing slots.
//!
//! The trait is synchronous (callers are off the async threads: `spawn_blocking` or
//! `block_in_place`); each method runs its queries on the pool with the current runtime's handle.

use std::future::Future;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use rollcall_core::api::{JobResults, JobState, JobSummary, KnownDestination, SavedMapping};
use secrecy::{ExposeSecret, SecretString};

mod errors;
mod journal;
mod privacy;
mod read;
mod schema;
mod shared;
mod syncs;
pub mod tls;

pub use errors::is_connection_error;
use errors::pool_error;

use super::{
    DestIdx, JobInput, JobStore, Lease, NewJob, Result, RowIdx, Settled, StoreError, SyncDoc,
};
use rollcall_core::Text;

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
        let url =
            tls::parse(url).map_err(|e| StoreError::Unavailable(format!("store.url: {e}")))?;
        let connector = tls::connector(&url).map_err(StoreError::Unavailable)?;
        let mut pg = url.config;
        if let Some(p) = &password {
            pg.password(p.expose_secret());
        }
        pg.connect_timeout(Duration::from_secs(3));
        pg.application_name("rollcall");
        let mgr = Manager::from_config(
            pg,
            connector,
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

impl JobStore for PgStore {
    fn create_job(&self, job: &NewJob) -> Result<()> {
        journal::create_job(self, job)
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
        shared::orphaned_jobs(self)
    }

    fn lease(&self, id: &str, owner: &str, ttl: Duration) -> Result<Lease> {
        shared::lease(self, id, owner, ttl)
    }

    fn lease_holder(&self, id: &str) -> Result<Option<String>> {
        shared::lease_holder(self, id)
    }

    fn request_cancel(&self, id: &str) -> Result<Option<String>> {
        shared::request_cancel(self, id)
    }

    fn set_job_state(&self, id: &str, state: JobState, reason: Option<&Text>) -> Result<()> {
        let sql = if state == JobState::Running {
            "UPDATE jobs SET state = $2, reason = $3, cancel_requested = FALSE, finished_at = NULL WHERE id = $1"
        } else if state == JobState::Cancelled {
            "UPDATE jobs SET state = $2, reason = $3, lease_owner = NULL, lease_until = NULL, finished_at = EXTRACT(EPOCH FROM now())::bigint WHERE id = $1 AND state = 'running'"
        } else {
            "UPDATE jobs SET state = $2, reason = $3, lease_owner = NULL, lease_until = NULL, finished_at = EXTRACT(EPOCH FROM now())::bigint WHERE id = $1"
        };
        self.run(async {
            let c = self.client().await?;
            let reason = reason.map(Text::to_json);
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
        journal::begin_batch(self, id, dest, rows, owner)
    }

    fn finish_batch(&self, batch: i64, outcomes: &[Settled], owner: &str) -> Result<()> {
        journal::finish_batch(self, batch, outcomes, owner)
    }

    fn set_outcomes(
        &self,
        id: &str,
        dest: DestIdx,
        outcomes: &[Settled],
        owner: Option<&str>,
    ) -> Result<()> {
        journal::set_outcomes(self, id, dest, outcomes, owner)
    }

    fn save_memo(&self, id: &str, dest: DestIdx, memo: &str, owner: &str) -> Result<()> {
        journal::save_memo(self, id, dest, memo, owner)
    }

    fn load_memo(&self, id: &str, dest: DestIdx) -> Result<Option<String>> {
        self.run(async {
            let c = self.client().await?;
            Ok(c.query_opt(
                "SELECT memo FROM dest_memos WHERE job_id = $1 AND dest = $2",
                &[&id, &i32_of(dest.0)],
            )
            .await?
            .map(|r| r.get(0)))
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

    fn audit_entries(
        &self,
        q: &rollcall_core::api::AuditQuery,
    ) -> Result<Vec<rollcall_core::api::AuditEntry>> {
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

    fn is_shared(&self) -> bool {
        true
    }

    fn reserve_slot(&self, key: &str, interval: Duration) -> Result<Duration> {
        shared::reserve_slot(self, key, interval)
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

    fn lease_sync(&self, id: &str, owner: &str, ttl: Duration) -> Result<bool> {
        syncs::lease_sync(self, id, owner, ttl)
    }

    fn ping(&self) -> Result<()> {
        self.run(async {
            let c = self.client().await?;
            c.query_one("SELECT 1", &[]).await?;
            Ok(())
        })
    }
}
