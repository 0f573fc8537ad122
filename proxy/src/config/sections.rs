//! The jobs, journal, retention and limits sections.

use std::path::PathBuf;

use anyhow::{bail, Result};
use secrecy::SecretString;
use serde::Deserialize;

use super::SecretRef;

/// How long personal data is kept (PIPL: no longer than needed).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetentionConfig {
    /// Days after a job ends before its personal cells are removed (counts, outcome codes,
    /// provider ids and the audit log stay). 0: as soon as the sweep sees it finished.
    pub personal_data_days: u32,
    /// Seconds between two sweeps for jobs past their retention.
    pub sweep_interval_secs: u64,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        RetentionConfig {
            personal_data_days: 30,
            sweep_interval_secs: 3600,
        }
    }
}

/// Bounds that hold under abuse (each refused with a clear error before any work).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LimitsConfig {
    /// Destinations in one job.
    pub max_destinations_per_job: usize,
    /// Jobs one user may have running at once (across replicas).
    pub max_running_jobs_per_user: u64,
    /// Progress streams one user may hold open.
    pub max_streams_per_user: usize,
    /// Progress streams this replica holds open for everyone together (503 beyond).
    pub max_streams_total: usize,
    /// Seconds an export waits for a client that stopped reading before giving up.
    pub export_stall_secs: u64,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            max_destinations_per_job: 20,
            max_running_jobs_per_user: 10,
            max_streams_per_user: 16,
            max_streams_total: 256,
            export_stall_secs: 30,
        }
    }
}

/// Where the job journal lives. Default: SQLite under `server.data_dir` (one process).
/// `url = "postgres://user@host:5432/db"` for several replicas sharing one journal.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreConfig {
    /// `postgres://…` or `sqlite://DIR`. A password in the URL is refused: use `password_env`
    /// or `password_file`.
    pub url: Option<String>,
    pub password_env: Option<String>,
    pub password_file: Option<PathBuf>,
    /// Connections to PostgreSQL per replica.
    pub pool_size: usize,
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            url: None,
            password_env: None,
            password_file: None,
            pool_size: 16,
        }
    }
}

impl StoreConfig {
    /// The database password, when one is configured.
    pub fn password(&self) -> Result<Option<SecretString>> {
        if self.password_env.is_none() && self.password_file.is_none() {
            return Ok(None);
        }
        SecretRef {
            env: self.password_env.clone(),
            file: self.password_file.clone(),
        }
        .resolve("store password")
        .map(Some)
    }

    pub(super) fn check(&self) -> Result<()> {
        let Some(url) = &self.url else { return Ok(()) };
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            crate::jobs::store::postgres::tls::parse(url)
                .map(drop)
                .map_err(|e| anyhow::anyhow!("store.url: {e}"))
        } else if url.starts_with("sqlite://") {
            Ok(())
        } else {
            bail!("store.url: use postgres://user@host:port/db or sqlite://DIR")
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JobsConfig {
    /// Batches in flight per destination.
    pub max_in_flight: usize,
    /// Attempts per batch for retryable errors.
    pub max_attempts: u32,
    /// First backoff, milliseconds (doubles, with jitter, up to `max_backoff_ms`).
    pub base_backoff_ms: u64,
    pub max_backoff_ms: u64,
    /// Wait after a provider rate-limit answer (Tencent Meeting counts per minute).
    pub rate_limit_backoff_ms: u64,
    /// Seconds a running job's lease lasts without renewal: another replica takes the job over
    /// this long after its replica stopped. Renewed every third of it.
    pub lease_secs: u64,
    /// How often each replica looks for syncs whose poll is due (milliseconds).
    pub sync_tick_ms: u64,
}

impl Default for JobsConfig {
    fn default() -> Self {
        JobsConfig {
            max_in_flight: 8,
            max_attempts: 10,
            base_backoff_ms: 100,
            max_backoff_ms: 5_000,
            rate_limit_backoff_ms: 60_000,
            lease_secs: 15,
            sync_tick_ms: 1000,
        }
    }
}
