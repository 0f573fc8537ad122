//! Job lifecycle: start, cancel, resume after a restart, and dispatch of each destination to its
//! module (`destination/`). Every destination runs concurrently; a crash is the same as an
//! ambiguous outcome: restart resumes from the journal and reconciles.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use rollcall_core::api::{Destination, JobState, RowState};
use rollcall_core::Text;
use tokio::sync::broadcast;
use tracing::{info, warn};

use super::context::{Ctx, Fatal, Shared};
use super::destination::huiyi31::Huiyi31;
use super::destination::run_reconciled;
use super::destination::tencent_im::TencentIm;
use super::destination::tencent_meeting::TencentMeeting;
use super::retry::Pacers;
use super::store::{DestIdx, JobStore, Outcome, Settled, StoreError};
use crate::app::{Clients, Metrics};
use crate::config::JobsConfig;

pub use super::retry::Pacer;

pub struct Runner {
    shared: Arc<Shared>,
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
    ) -> Arc<Self> {
        let (events, _) = broadcast::channel(1024);
        Arc::new(Runner {
            shared: Arc::new(Shared {
                store,
                cfg,
                metrics,
                events: events.clone(),
                cancelled: Default::default(),
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

    /// Starts a job unless it is already running in this process.
    pub fn start(self: &Arc<Self>, id: String) {
        if !self
            .active
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id.clone())
        {
            return;
        }
        self.shared
            .cancelled
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&id);
        let me = self.clone();
        tokio::spawn(async move { me.run_job(id).await });
    }

    /// Resumes every job the journal says is running (after a restart).
    pub fn resume_all(self: &Arc<Self>) -> Result<usize, StoreError> {
        let ids = self.store().running_jobs()?;
        for id in &ids {
            info!(job = %id, "resuming job");
            self.start(id.clone());
        }
        Ok(ids.len())
    }

    pub fn cancel(&self, id: &str) {
        self.shared
            .cancelled
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id.to_string());
    }

    pub fn is_active(&self, id: &str) -> bool {
        self.active
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(id)
    }

    async fn run_job(self: Arc<Self>, id: String) {
        if let Err(e) = self.run_job_inner(&id).await {
            warn!(job = %id, error = %e, "job stopped by an internal error");
            let _ = self.store().set_job_state(
                &id,
                JobState::Failed,
                Some(&format!("internal error: {e}")),
            );
        }
        self.active
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&id);
        self.shared.notify(&id);
    }

    async fn run_job_inner(self: &Arc<Self>, id: &str) -> Result<(), StoreError> {
        let input = Arc::new(self.store().job_input(id)?);
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
        while let Some(joined) = set.join_next().await {
            let (d, r) = joined.unwrap_or_else(|e| {
                // A destination task panicked: its rows are skipped, the job fails.
                (
                    usize::MAX,
                    Err(Fatal(format!("destination task failed: {e}"))),
                )
            });
            if let Err(Fatal(reason)) = r {
                match input.destinations.get(d) {
                    Some(dest) => {
                        self.skip_pending(id, d, "destination_failed", Text::from_legacy(&reason))?;
                        failures.push(format!("{dest}: {reason}"));
                    }
                    None => failures.push(reason),
                }
            }
        }
        let (state, reason) = if self.is_cancelled(id) {
            for d in 0..input.destinations.len() {
                self.skip_pending(id, d, "cancelled", Text::new("任务已取消", "job cancelled"))?;
            }
            (JobState::Cancelled, None)
        } else if !failures.is_empty() {
            (JobState::Failed, Some(failures.join("; ")))
        } else {
            (JobState::Completed, None)
        };
        self.store().set_job_state(id, state, reason.as_deref())?;
        info!(target: "audit", job = %id, state = state.as_str(), "job finished");
        Ok(())
    }

    /// Rows never sent (pending, not in flight) end `skipped` with the reason.
    fn skip_pending(&self, id: &str, d: usize, code: &str, reason: Text) -> Result<(), StoreError> {
        let outcomes: Vec<_> = self
            .store()
            .pending_rows(id, DestIdx(d))?
            .into_iter()
            .map(|r| Settled::new(r, RowState::Skipped, Outcome::note(code, reason.clone())))
            .collect();
        self.store().set_outcomes(id, DestIdx(d), &outcomes)
    }

    /// Builds the destination's module from the configured client and runs it.
    async fn run_destination(&self, ctx: &Ctx, dest: &Destination) -> Result<(), Fatal> {
        let c = &self.clients;
        match dest {
            Destination::TencentMeeting { meeting_id } => {
                let client = c.tencent_meeting.clone().ok_or_else(|| {
                    Fatal("腾讯会议未配置 / Tencent Meeting is not configured".into())
                })?;
                let d = TencentMeeting {
                    client,
                    meeting_id: meeting_id.clone(),
                    pacer: self.pacers.tencent_meeting.clone(),
                };
                run_reconciled(ctx, Arc::new(d)).await
            }
            Destination::TencentIm { group_id } => {
                let client = c.tencent_im.clone().ok_or_else(|| {
                    Fatal("腾讯云 IM 未配置 / Tencent IM is not configured".into())
                })?;
                let d = TencentIm {
                    client,
                    group_id: group_id.clone(),
                    pacer: self.pacers.tencent_im.clone(),
                };
                run_reconciled(ctx, Arc::new(d)).await
            }
            Destination::Huiyi31 {
                event_id,
                attendee_type_id,
                item_sku_id,
            } => {
                let hy = c
                    .huiyi31
                    .as_ref()
                    .ok_or_else(|| Fatal("31会议未配置 / 31huiyi is not configured".into()))?;
                let need = |v: Option<&String>, what: &str| {
                    v.cloned().ok_or_else(|| Fatal(what.to_string()))
                };
                let d = Huiyi31 {
                    client: hy.client.clone(),
                    event_id: event_id.clone(),
                    attendee_type_id: need(
                        attendee_type_id.as_ref().or(hy.default_attendee_type_id.as_ref()),
                        "缺少参会人类别 ID / no attendee type id (huiyi31:EVENT:TYPE:SKU)",
                    )?,
                    item_sku_id: need(
                        item_sku_id.as_ref().or(hy.default_item_sku_id.as_ref()),
                        "缺少门票商品 ID / no ticket item id (huiyi31:EVENT:TYPE:SKU)",
                    )?,
                    item_sku_name: need(
                        hy.default_item_sku_name.as_ref(),
                        "缺少门票商品名称（配置 providers.huiyi31.default_item_sku_name） / no ticket name (providers.huiyi31.default_item_sku_name)",
                    )?,
                    pacer: self.pacers.huiyi31.clone(),
                };
                Arc::new(d).run(ctx).await
            }
        }
    }
}
