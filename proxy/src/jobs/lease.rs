//! This replica's hold on the jobs it runs: the lease renewed every third of its life, and the
//! check before every provider call that it still holds it (ARCHITECTURE.md, invariant 12).

use std::sync::Arc;
use std::time::Duration;

use tracing::warn;

use super::context::Shared;
use super::runner::Runner;
use super::store::Lease;

impl Runner {
    /// Renews the lease every third of its life; a cancel requested on any replica, or another
    /// replica holding the job, stops it here.
    pub(super) async fn heartbeat(self: Arc<Self>, id: String) {
        let ttl = self.lease_ttl();
        loop {
            tokio::time::sleep(ttl / 3).await;
            let (store, replica, job) = (
                self.store().clone(),
                self.shared.replica.clone(),
                id.clone(),
            );
            let asked = tokio::time::Instant::now();
            match tokio::task::spawn_blocking(move || store.lease(&job, &replica, ttl)).await {
                Ok(Ok(Lease::Held { cancel, .. })) => {
                    self.shared.leased(&id, asked, ttl);
                    if cancel {
                        self.shared.cancel(&id)
                    }
                }
                Ok(Ok(Lease::NotRunning)) => self.shared.cancel(&id),
                Ok(Ok(Lease::Elsewhere(by))) => {
                    self.shared.lose(&id, &by);
                    return;
                }
                // Not renewed: another replica may hold the job by the time this one could send
                // again. Stop here at once; the job is adopted again (here or elsewhere) once
                // the journal answers and the lease has run out.
                Ok(Err(e)) => {
                    warn!(job = %id, error = %e, "cannot renew the job's lease; this replica stops sending for it");
                    self.shared.lapse(&id);
                    return;
                }
                Err(e) => {
                    warn!(job = %id, error = %e, "lease renewal failed; this replica stops sending for it");
                    self.shared.lapse(&id);
                    return;
                }
            }
        }
    }
}

impl Shared {
    /// Records a lease taken or renewed by a request sent at `asked`: valid for `ttl` from then.
    pub fn leased(&self, job: &str, asked: tokio::time::Instant, ttl: Duration) {
        // A tenth of the lease is left for the clocks' drift and the request's own time.
        let until = asked + ttl.mul_f64(0.9);
        self.leases
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(job.to_string(), until);
    }

    /// This replica could not renew its lease: it sends nothing more for `job` and stops it
    /// here without a final state (as after a takeover).
    pub fn lapse(&self, job: &str) {
        self.leases
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(job.to_string(), tokio::time::Instant::now());
        self.lost
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(job.to_string(), "- (lease not renewed)".to_string());
    }

    /// Waits until this replica may send a provider call for `job`: not while its lease may
    /// have run out (a renewal late on a busy journal: the call waits for it), never once the job
    /// is taken over or a renewal failed (`Err` says why: nothing is sent).
    pub async fn may_send(&self, job: &str) -> Result<(), String> {
        loop {
            if let Some(by) = self.lost_to(job) {
                return Err(format!("not sent: the job is held by replica {by}"));
            }
            if !self.store.is_shared() {
                return Ok(());
            }
            let until = self
                .leases
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get(job)
                .copied();
            if until.is_some_and(|t| tokio::time::Instant::now() < t) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}
