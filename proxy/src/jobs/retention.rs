//! Retention: a finished job's personal cells are removed `retention.personal_data_days` after it
//! ended (the journal keeps counts, outcome codes, provider ids and the audit log), and a stopped
//! sync's people lose their names and identities as long after it was stopped. Every replica
//! sweeps; a shred is done once (the journal marks it), and audited once, as `retention`.

use std::sync::Arc;
use std::time::Duration;

use super::store::{JobStore, StoreError};
use crate::config::RetentionConfig;

/// The audit log's user for what the sweep removes.
pub const SWEEPER: &str = "retention";

/// Shreds every job whose retention ran out by `now` (unix seconds); returns how many.
pub fn sweep(store: &dyn JobStore, days: u32, now: i64) -> Result<usize, StoreError> {
    let before = now - i64::from(days) * 86_400;
    let mut done = 0;
    for id in store.expired_jobs(before)? {
        let rows = store.shred(&id, now)?;
        if rows > 0 {
            store.audit(SWEEPER, "job.shred", &id, rows, "retention period over")?;
            tracing::info!(target: "audit", job = %id, rows, "personal data removed (retention)");
            done += 1;
        }
    }
    Ok(done + crate::sync::shred_stopped(store, before, now, SWEEPER)?)
}

/// Sweeps now and then every `sweep_interval_secs`, for as long as the process runs.
pub fn start(store: Arc<dyn JobStore>, cfg: RetentionConfig) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(cfg.sweep_interval_secs.max(1)));
        loop {
            tick.tick().await;
            let days = cfg.personal_data_days;
            let r = crate::jobs::store::blocking(&store, move |s| {
                sweep(s, days, crate::util::unix_now() as i64)
            })
            .await;
            if let Err(e) = r {
                tracing::warn!(error = %e, "retention sweep failed; trying again at the next one");
            }
        }
    });
}
