//! Job lifecycle: start, cancel, lease, resume (after a restart, or from a replica that
//! stopped), and dispatch of each destination to its module (`destination/`). Every destination
//! runs concurrently; a crash is the same as an ambiguous outcome: whoever resumes the job
//! reconciles from the journal.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rollcall_core::api::{Destination, JobPreview, JobState, RowState};
use rollcall_core::Text;
use tokio::sync::broadcast;
use tracing::{info, warn};

use super::context::{Ctx, Fatal, Shared};
use super::destination::Module;
use super::retry::Pacers;
use super::store::{DestIdx, JobInput, JobStore, Lease, Outcome, Settled, StoreError};
use super::Start;
use crate::app::{Clients, Metrics};
use crate::config::JobsConfig;
use rollcall_core::codes::JobNote;

pub use super::retry::Pacer;

pub struct Runner {
    pub(super) shared: Arc<Shared>,
    clients: Arc<Clients>,
    pacers: Pacers,
    /// Job ids whose state changed.
    pub events: broadcast::Sender<String>,
    active: Mutex<HashSet<String>>,
}

impl Runner {
    pub fn new(
        store: Arc<dyn JobStore>,
        clients: Arc<Clients>,
        cfg: JobsConfig,
        pacers: Pacers,
        metrics: Arc<Metrics>,
        replica: String,
    ) -> Arc<Self> {
        let (events, _) = broadcast::channel(1024);
        Arc::new(Runner {
            shared: Arc::new(Shared {
                store,
                cfg,
                metrics,
                replica,
                events: events.clone(),
                cancelled: Default::default(),
                lost: Default::default(),
                leases: Default::default(),
            }),
            clients,
            pacers,
            events,
            active: Default::default(),
        })
    }

    pub fn store(&self) -> &Arc<dyn JobStore> {
        &self.shared.store
    }

    /// Waits for a slot at the provider's pace: single calls from the API share the budget with
    /// jobs (a viewer's list must not spend the provider's per-minute quota).
    pub async fn pace(&self, provider: rollcall_core::providers::Provider) {
        use rollcall_core::providers::Provider;
        let pacer = match provider {
            Provider::TencentMeeting => &self.pacers.tencent_meeting,
            Provider::TencentIm => &self.pacers.tencent_im,
            Provider::Huiyi31 => &self.pacers.huiyi31,
            Provider::Wecom => &self.pacers.wecom,
        };
        pacer.wait().await;
    }

    fn is_cancelled(&self, id: &str) -> bool {
        self.shared.is_cancelled(id)
    }

    pub(super) fn lease_ttl(&self) -> Duration {
        Duration::from_secs(self.shared.cfg.lease_secs.max(1))
    }

    /// Starts a job unless it is already running in this process (it runs only if this replica
    /// gets its lease).
    pub fn start(self: &Arc<Self>, id: String) {
        self.start_as(id, Start::New, None);
    }

    /// Starts a job just created, with its input as the request gave it: nothing to read back
    /// from the journal before the first call.
    pub fn start_new(self: &Arc<Self>, id: String, input: JobInput) {
        self.start_as(id, Start::New, Some(input));
    }

    /// Starts a job (see [`Start`]); `input` when the caller has it (else it is read from the
    /// journal).
    fn start_as(self: &Arc<Self>, id: String, start: Start, input: Option<JobInput>) {
        {
            let mut active = self.active.lock().unwrap_or_else(|p| p.into_inner());
            if !active.insert(id.clone()) {
                return;
            }
            self.gauge_active(active.len());
        }
        self.shared
            .cancelled
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&id);
        self.shared
            .lost
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&id);
        let me = self.clone();
        tokio::spawn(async move { me.run_job(id, start, input).await });
    }

    /// Starts every running job no replica holds (after a restart, or a replica's death).
    pub fn adopt_orphans(self: &Arc<Self>) -> Result<usize, StoreError> {
        let ids = self.store().orphaned_jobs()?;
        let mut started = 0;
        for id in ids.into_iter().filter(|id| !self.is_active(id)) {
            self.start_as(id, Start::Resumed, None);
            started += 1;
        }
        Ok(started)
    }

    /// Looks for orphaned jobs every third of the lease, for as long as the process runs.
    pub fn watch_orphans(self: &Arc<Self>) {
        let me = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(me.lease_ttl() / 3);
            loop {
                tick.tick().await;
                let r = {
                    let me = me.clone();
                    tokio::task::spawn_blocking(move || me.adopt_orphans()).await
                };
                if let Ok(Err(e)) = r {
                    warn!(error = %e, "cannot look for jobs to resume");
                }
            }
        });
    }

    /// Stops the job if it runs here, at once. Another replica running it sees the request
    /// the caller records with [`JobStore::request_cancel`] at its next lease renewal.
    pub fn cancel_here(&self, id: &str) {
        self.shared.cancel(id);
    }

    pub fn is_active(&self, id: &str) -> bool {
        self.active
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(id)
    }

    async fn run_job(self: Arc<Self>, id: String, start: Start, input: Option<JobInput>) {
        let ttl = self.lease_ttl();
        let replica = self.shared.replica.clone();
        let asked = tokio::time::Instant::now();
        match self.shared.journal(|s| s.lease(&id, &replica, ttl)).await {
            Ok(Lease::Held { previous, cancel }) => {
                self.shared.leased(&id, asked, ttl);
                match previous.filter(|p| *p != replica) {
                    Some(p) => info!(job = %id, "resuming job {id} from replica {p}"),
                    None if start == Start::Resumed => info!(job = %id, "resuming job {id}"),
                    None => info!(job = %id, replica = %replica, "running job"),
                }
                if cancel {
                    self.shared.cancel(&id);
                }
            }
            Ok(Lease::Elsewhere(_) | Lease::NotRunning) => return self.deactivate(&id),
            Err(e) => {
                warn!(job = %id, error = %e, "cannot take the job's lease");
                return self.deactivate(&id);
            }
        }
        let heartbeat = tokio::spawn(self.clone().heartbeat(id.clone()));
        let r = self.run_job_inner(&id, input).await;
        heartbeat.abort();
        if let Some(by) = self.shared.lost_to(&id) {
            info!(job = %id, replica = %by, "job left to the replica that took it over");
        } else if let Err(e) = r {
            warn!(job = %id, error = %e, "job stopped by an internal error");
            let _ = self.store().set_job_state(
                &id,
                JobState::Failed,
                Some(&Text::new(
                    format!("内部错误：{e}"),
                    format!("internal error: {e}"),
                )),
            );
        }
        self.deactivate(&id);
        self.shared.notify(&id);
    }

    /// This process no longer executes the job.
    fn deactivate(&self, id: &str) {
        let mut active = self.active.lock().unwrap_or_else(|p| p.into_inner());
        active.remove(id);
        self.gauge_active(active.len());
    }

    /// `rollcall_jobs_active`: jobs this replica executes now (a gauge `/metrics` renders).
    fn gauge_active(&self, n: usize) {
        self.shared
            .metrics
            .set("rollcall_jobs_active", String::new(), n as i64);
    }

    async fn run_job_inner(
        self: &Arc<Self>,
        id: &str,
        input: Option<JobInput>,
    ) -> Result<(), StoreError> {
        let input = Arc::new(match input {
            Some(input) => input,
            None => self.shared.journal(|s| s.job_input(id)).await?,
        });
        let job: Arc<str> = id.into();
        let mut set = tokio::task::JoinSet::new();
        for (d, dest) in input.destinations.iter().enumerate() {
            let ctx = Ctx {
                job: job.clone(),
                dest: DestIdx(d),
                input: input.clone(),
                shared: self.shared.clone(),
            };
            let (me, dest) = (self.clone(), dest.clone());
            set.spawn(async move {
                let r = me.run_destination(&ctx, &dest).await;
                ctx.notify();
                (d, r)
            });
        }
        let mut failures = Vec::new();
        let mut results = Vec::new();
        while let Some(joined) = set.join_next().await {
            results.push(joined);
        }
        if self.shared.lost_to(id).is_some() {
            // Another replica runs the job now: it writes the final states.
            return Ok(());
        }
        for joined in results {
            let (d, r) = joined.unwrap_or_else(|e| {
                // A destination task panicked: its rows are skipped, the job fails.
                (
                    usize::MAX,
                    Err(Fatal(Text::new(
                        format!("导入目标任务失败：{e}"),
                        format!("destination task failed: {e}"),
                    ))),
                )
            });
            if let Err(Fatal(reason)) = r {
                match input.destinations.get(d) {
                    Some(dest) => {
                        self.skip_pending(id, d, JobNote::DestinationFailed, reason.clone())
                            .await?;
                        failures.push(Text::new(
                            format!("{dest}：{}", reason.zh),
                            format!("{dest}: {}", reason.en),
                        ));
                    }
                    None => failures.push(reason),
                }
            }
        }
        let (state, reason) = if self.is_cancelled(id) {
            for d in 0..input.destinations.len() {
                self.skip_pending(
                    id,
                    d,
                    JobNote::Cancelled,
                    Text::new("任务已取消", "job cancelled"),
                )
                .await?;
            }
            (JobState::Cancelled, None)
        } else if !failures.is_empty() {
            (JobState::Failed, Some(Text::join(&failures, "；", "; ")))
        } else {
            (JobState::Completed, None)
        };
        self.shared
            .journal(|s| s.set_job_state(id, state, reason.as_ref()))
            .await?;
        info!(target: "audit", job = %id, state = state.as_str(), "job finished");
        self.shared.metrics.inc(
            "rollcall_jobs_finished_total",
            format!("state=\"{}\"", state.as_str()),
        );
        Ok(())
    }

    /// Rows never sent (pending, not in flight) end `skipped` with the reason.
    async fn skip_pending(
        &self,
        id: &str,
        d: usize,
        code: JobNote,
        reason: Text,
    ) -> Result<(), StoreError> {
        let note = Outcome::note(code, reason);
        self.shared
            .journal(|s| {
                let outcomes: Vec<_> = s
                    .pending_rows(id, DestIdx(d))?
                    .into_iter()
                    .map(|r| Settled::new(r, RowState::Skipped, note.clone()))
                    .collect();
                s.set_outcomes(id, DestIdx(d), &outcomes, Some(&self.shared.replica))
            })
            .await
    }

    /// Builds the destination's module from the configured client and runs it.
    async fn run_destination(&self, ctx: &Ctx, dest: &Destination) -> Result<(), Fatal> {
        Module::build(&self.clients, &self.pacers, dest)?
            .run(ctx)
            .await
    }

    /// Whether the configuration can serve `dest` at all (provider configured; for 31huiyi an
    /// attendee type and a ticket with its name): a job to it is refused when created, not
    /// accepted to end with every row `skipped`.
    pub fn can_serve(&self, dest: &Destination) -> Result<(), Fatal> {
        Module::build(&self.clients, &self.pacers, dest).map(|_| ())
    }

    /// What a job would do at each destination now, sending nothing: the same rules, lists and
    /// decisions as the job (see `jobs::preview`).
    pub async fn preview(&self, job: &super::store::NewJob) -> Result<JobPreview, Fatal> {
        super::preview::preview(&self.shared, &self.clients, &self.pacers, job).await
    }
}
