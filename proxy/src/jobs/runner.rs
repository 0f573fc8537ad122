//! Executes jobs. Per destination, rounds of: list what the provider already has → settle
//! batches left in flight (reconciliation) → mark rows already present → apply the cap → send
//! the rest in paced, bounded, journaled batches. An ambiguous outcome leaves its batch in flight
//! for the next round to reconcile (Tencent Meeting, IM) or ends its row `unknown` (31huiyi, no
//! list API). A crash is the same as an ambiguous outcome: restart resumes from the journal.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::Rng;
use rollcall_core::api::{Destination, JobState, RowState};
use rollcall_core::plan::plan;
use rollcall_core::providers::huiyi31::{self as h, RegisterRequest};
use rollcall_core::providers::tencent_im::{self as im, ImportGroupMemberRequest, MemberResult};
use rollcall_core::providers::tencent_meeting::{self as tm, EnrollImportRequest};
use rollcall_core::providers::{ErrorClass, Lenient};
use tokio::sync::{broadcast, Semaphore};
use tokio::time::Instant;
use tracing::{info, warn};

use super::store::{JobInput, JobStore, Outcome};
use crate::app::{Clients, Metrics};
use crate::config::JobsConfig;
use crate::providers::ProviderError;

/// Rounds of reconcile-and-send per destination before giving up on the rows left.
const MAX_ROUNDS: usize = 12;

/// Spaces calls to one provider at a fixed minimum interval, across all jobs.
pub struct Pacer {
    interval: Duration,
    next: tokio::sync::Mutex<Instant>,
}

impl Pacer {
    pub fn per_second(n: f64) -> Self {
        Pacer {
            interval: Duration::from_secs_f64(1.0 / n.max(0.001)),
            next: tokio::sync::Mutex::new(Instant::now()),
        }
    }
    pub async fn wait(&self) {
        let slot = {
            let mut next = self.next.lock().await;
            let slot = (*next).max(Instant::now());
            *next = slot + self.interval;
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

pub struct Pacers {
    pub tencent_meeting: Pacer,
    pub tencent_im: Pacer,
    pub huiyi31: Pacer,
}

/// Why a destination cannot go on at all (the job ends `failed` with this reason).
struct Fatal(String);

pub struct Runner {
    store: Arc<dyn JobStore>,
    clients: Arc<Clients>,
    cfg: JobsConfig,
    pacers: Pacers,
    metrics: Arc<Metrics>,
    /// Job ids whose state changed.
    pub events: broadcast::Sender<String>,
    cancelled: Mutex<HashSet<String>>,
    active: Mutex<HashSet<String>>,
}

fn ok(
    code: Option<&str>,
    message: &str,
    reference: Option<String>,
    attendee_code: Option<String>,
) -> Outcome {
    Outcome {
        code: code.map(str::to_string),
        message: (!message.is_empty()).then(|| message.to_string()),
        reference,
        attendee_code,
    }
}

fn rejected(e: &ProviderError) -> Outcome {
    Outcome {
        code: Some(e.code.to_string()),
        message: Some(e.message.clone()),
        ..Default::default()
    }
}

/// Provider codes that mean the whole destination cannot work (core decides which).
fn is_fatal(e: &ProviderError) -> bool {
    e.code != 0 && e.provider.stops_destination(e.code)
}

/// What an unambiguous error answer (the call certainly was not applied) means for its rows.
enum Verdict {
    /// No row of the destination can succeed: stop it with this reason.
    Fatal(String),
    /// Not applied and not refused (a retryable answer whose retries ran out): back to pending,
    /// the next round sends them again.
    NotApplied,
    /// The provider refused them: `rejected` with its code and message.
    Refused,
}

impl Verdict {
    fn of(e: &ProviderError) -> Verdict {
        if is_fatal(e) {
            Verdict::Fatal(describe(e))
        } else if e.code == 0 && e.http_status.is_none() {
            // Never reached the provider (connection refused, DNS, TLS) after every retry.
            Verdict::Fatal(format!(
                "无法连接 / cannot reach the provider: {}",
                describe(e)
            ))
        } else if e.class != ErrorClass::Permanent {
            Verdict::NotApplied
        } else {
            Verdict::Refused
        }
    }
}

fn describe(e: &ProviderError) -> String {
    if e.code == 0 {
        format!("{}: {}", e.provider.label_zh(), e.message)
    } else {
        format!("{} 错误 {}: {}", e.provider.label_zh(), e.code, e.message)
    }
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
            store,
            clients,
            cfg,
            pacers,
            metrics,
            events,
            cancelled: Default::default(),
            active: Default::default(),
        })
    }

    pub fn store(&self) -> &Arc<dyn JobStore> {
        &self.store
    }

    fn notify(&self, id: &str) {
        let _ = self.events.send(id.to_string());
    }

    fn is_cancelled(&self, id: &str) -> bool {
        self.cancelled
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(id)
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
        self.cancelled
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&id);
        let me = self.clone();
        tokio::spawn(async move { me.run_job(id).await });
    }

    /// Resumes every job the journal says is running (after a restart).
    pub fn resume_all(self: &Arc<Self>) -> anyhow::Result<usize> {
        let ids = self.store.running_jobs()?;
        for id in &ids {
            info!(job = %id, "resuming job");
            self.start(id.clone());
        }
        Ok(ids.len())
    }

    pub fn cancel(&self, id: &str) {
        self.cancelled
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
        let result = self.run_job_inner(&id).await;
        if let Err(e) = result {
            warn!(job = %id, error = %e, "job stopped by an internal error");
            let _ = self.store.set_job_state(
                &id,
                JobState::Failed,
                Some(&format!("internal error: {e}")),
            );
        }
        self.active
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&id);
        self.notify(&id);
    }

    async fn run_job_inner(self: &Arc<Self>, id: &str) -> anyhow::Result<()> {
        let input = Arc::new(self.store.job_input(id)?);
        let mut set = tokio::task::JoinSet::new();
        for (d, dest) in input.destinations.iter().enumerate() {
            let (me, id, dest, input) = (self.clone(), id.to_string(), dest.clone(), input.clone());
            set.spawn(async move {
                let r = me.run_destination(&id, d, &dest, &input).await;
                (d, r)
            });
        }
        let mut failures = Vec::new();
        while let Some(joined) = set.join_next().await {
            match joined {
                Ok((_, Ok(()))) => {}
                Ok((d, Err(Fatal(reason)))) => {
                    let dest = &input.destinations[d];
                    self.skip_pending(id, d, "destination_failed", &reason)?;
                    failures.push(format!("{dest}: {reason}"));
                }
                Err(e) => return Err(anyhow::anyhow!("destination task panicked: {e}")),
            }
        }
        let (state, reason) = if self.is_cancelled(id) {
            for d in 0..input.destinations.len() {
                self.skip_pending(id, d, "cancelled", "任务已取消 / job cancelled")?;
            }
            (JobState::Cancelled, None)
        } else if !failures.is_empty() {
            (JobState::Failed, Some(failures.join("; ")))
        } else {
            (JobState::Completed, None)
        };
        self.store.set_job_state(id, state, reason.as_deref())?;
        info!(target: "audit", job = %id, state = state.as_str(), "job finished");
        Ok(())
    }

    fn skip_pending(&self, id: &str, d: usize, code: &str, reason: &str) -> anyhow::Result<()> {
        let rows = self.store.pending_rows(id, d)?;
        let outcomes: Vec<_> = rows
            .into_iter()
            .map(|r| (r, RowState::Skipped, ok(Some(code), reason, None, None)))
            .collect();
        self.store.set_outcomes(id, d, &outcomes)?;
        Ok(())
    }

    /// Calls `f` with pacing; retries retryable and re-auth errors (each attempt re-signed by
    /// the client) with exponential backoff and jitter. An ambiguous error is only retried when
    /// the call is `idempotent`.
    async fn call<T, F, Fut>(
        &self,
        pacer: &Pacer,
        idempotent: bool,
        mut f: F,
    ) -> Result<T, ProviderError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, ProviderError>>,
    {
        let mut attempt: u32 = 0;
        loop {
            pacer.wait().await;
            match f().await {
                Ok(v) => {
                    return Ok(v);
                }
                Err(e) => {
                    attempt += 1;
                    self.metrics.inc(
                        "rollcall_provider_errors_total",
                        format!(
                            "provider=\"{}\",code=\"{}\",ambiguous=\"{}\"",
                            e.provider.as_str(),
                            e.code,
                            e.ambiguous
                        ),
                    );
                    let retry = attempt < self.cfg.max_attempts
                        && !matches!(e.class, ErrorClass::Permanent)
                        && (!e.ambiguous || idempotent)
                        && !is_fatal(&e);
                    if !retry {
                        return Err(e);
                    }
                    let rate_limited = e.provider.is_rate_limit(e.code);
                    let exp = self
                        .cfg
                        .base_backoff_ms
                        .saturating_mul(1 << attempt.min(16))
                        .min(self.cfg.max_backoff_ms);
                    let base = if rate_limited {
                        exp.max(self.cfg.rate_limit_backoff_ms)
                    } else {
                        exp
                    };
                    let jitter = rand::thread_rng().gen_range(0..=base / 2 + 1);
                    tokio::time::sleep(Duration::from_millis(base / 2 + jitter)).await;
                }
            }
        }
    }

    async fn run_destination(
        self: &Arc<Self>,
        id: &str,
        d: usize,
        dest: &Destination,
        input: &Arc<JobInput>,
    ) -> Result<(), Fatal> {
        let r = match dest {
            Destination::TencentMeeting { meeting_id } => {
                self.run_tencent_meeting(id, d, meeting_id, input).await
            }
            Destination::TencentIm { group_id } => {
                self.run_tencent_im(id, d, group_id, input).await
            }
            Destination::Huiyi31 {
                event_id,
                attendee_type_id,
                item_sku_id,
            } => {
                self.run_huiyi31(
                    id,
                    d,
                    event_id,
                    attendee_type_id.as_deref(),
                    item_sku_id.as_deref(),
                    input,
                )
                .await
            }
        };
        self.notify(id);
        r
    }

    fn journal<T>(r: anyhow::Result<T>) -> Result<T, Fatal> {
        r.map_err(|e| Fatal(format!("journal error: {e}")))
    }

    /// Rows still pending after every round: the provider never said no, so they end `unknown`
    /// (never `rejected` without the provider's word) with a clear reason.
    fn exhaust(&self, id: &str, d: usize) -> Result<(), Fatal> {
        let rows = Self::journal(self.store.pending_rows(id, d))?;
        let outcomes: Vec<_> = rows
            .into_iter()
            .map(|r| {
                (
                    r,
                    RowState::Unknown,
                    ok(
                        Some("retries_exhausted"),
                        "多轮发送后提供方仍未确认此行；重新导入前请在提供方后台核对 / not confirmed by the provider after repeated rounds; check the provider's console before importing again",
                        None,
                        None,
                    ),
                )
            })
            .collect();
        Self::journal(self.store.set_outcomes(id, d, &outcomes))
    }

    /// Settles a batch the provider answered with an error that was certainly not applied.
    fn settle_refused_batch(
        &self,
        batch: i64,
        rows: &[u32],
        e: &ProviderError,
    ) -> Result<(), Fatal> {
        match Verdict::of(e) {
            Verdict::Fatal(reason) => {
                Self::journal(self.store.finish_batch(batch, &[]))?;
                Err(Fatal(reason))
            }
            Verdict::NotApplied => Self::journal(self.store.finish_batch(batch, &[])),
            Verdict::Refused => {
                let outcomes: Vec<_> = rows
                    .iter()
                    .map(|&r| (r, RowState::Rejected, rejected(e)))
                    .collect();
                Self::journal(self.store.finish_batch(batch, &outcomes))
            }
        }
    }

    /// Runs one task per batch, at most `max_in_flight` at a time, starting none after a
    /// cancel; the first fatal answer ends the destination.
    async fn run_batches<F, Fut>(
        &self,
        id: &str,
        batches: Vec<Vec<u32>>,
        task: F,
    ) -> Result<(), Fatal>
    where
        F: Fn(Vec<u32>) -> Fut,
        Fut: Future<Output = Result<(), Fatal>> + Send + 'static,
    {
        let sem = Arc::new(Semaphore::new(self.cfg.max_in_flight.max(1)));
        let mut set = tokio::task::JoinSet::new();
        for rows in batches {
            if self.is_cancelled(id) {
                break;
            }
            let permit = sem.clone().acquire_owned().await.expect("semaphore open");
            let fut = task(rows);
            set.spawn(async move {
                let _permit = permit;
                fut.await
            });
        }
        // Every batch under way finishes (an aborted call's outcome would be lost); the first
        // fatal answer is reported.
        let mut first_fatal = None;
        while let Some(r) = set.join_next().await {
            if let Err(f) = r.map_err(|e| Fatal(format!("batch task failed: {e}")))? {
                first_fatal.get_or_insert(f);
            }
        }
        first_fatal.map_or(Ok(()), Err)
    }

    // ---------------------------------------------------------------- Tencent Meeting

    async fn run_tencent_meeting(
        self: &Arc<Self>,
        id: &str,
        d: usize,
        meeting_id: &str,
        input: &Arc<JobInput>,
    ) -> Result<(), Fatal> {
        let client =
            self.clients.tencent_meeting.clone().ok_or_else(|| {
                Fatal("腾讯会议未配置 / Tencent Meeting is not configured".into())
            })?;
        let cap = client.config().edition.import_cap();
        let identity_of = |r: u32| input.attendees[r as usize].tencent_meeting_identity();
        for _round in 0..MAX_ROUNDS {
            let existing = self.tencent_meeting_list(&client, meeting_id).await?;
            let index = tm::IdentityIndex::new(existing.iter().map(|(_, id)| id));
            let found =
                |r: u32, message: &str, state: RowState| -> Option<(u32, RowState, Outcome)> {
                    let (e, _) = &existing[index.find(&identity_of(r))?];
                    Some((
                        r,
                        state,
                        ok(
                            None,
                            message,
                            e.enroll_id.as_ref().map(|i| i.to_string()),
                            e.enroll_code.clone(),
                        ),
                    ))
                };
            // Settle batches whose outcome is unknown: what the webinar has was imported; the
            // rest goes back to pending (the list shows it absent) and is sent again.
            for (batch, rows) in Self::journal(self.store.inflight_batches(id, d))? {
                let settled: Vec<_> = rows
                    .iter()
                    .filter_map(|&r| {
                        found(
                            r,
                            "对账确认已导入 / confirmed by reconciliation",
                            RowState::Imported,
                        )
                    })
                    .collect();
                Self::journal(self.store.finish_batch(batch, &settled))?;
            }
            let pending = Self::journal(self.store.pending_rows(id, d))?;
            if pending.is_empty() || self.is_cancelled(id) {
                self.notify(id);
                return Ok(());
            }
            let (present, to_send): (Vec<u32>, Vec<u32>) = pending
                .iter()
                .partition(|&&r| index.find(&identity_of(r)).is_some());
            let present: Vec<_> = present
                .into_iter()
                .filter_map(|r| {
                    found(
                        r,
                        "已在报名列表中 / already enrolled",
                        RowState::AlreadyPresent,
                    )
                })
                .collect();
            Self::journal(self.store.set_outcomes(id, d, &present))?;
            let imported = existing
                .iter()
                .filter(|(e, _)| e.enroll_source_type == 2)
                .count();
            let p = plan(
                rollcall_core::api::DestinationKind::TencentMeeting,
                &to_send,
                Some(cap.saturating_sub(imported)),
            );
            if !p.over_cap.is_empty() {
                let msg = format!("超出单场导入上限 {cap} 条（已导入 {imported}） / over the webinar's import cap of {cap} (already imported {imported})");
                let over: Vec<_> = p
                    .over_cap
                    .iter()
                    .map(|&r| {
                        (
                            r,
                            RowState::Invalid,
                            ok(Some("webinar_cap_exceeded"), &msg, None, None),
                        )
                    })
                    .collect();
                Self::journal(self.store.set_outcomes(id, d, &over))?;
            }
            self.notify(id);
            self.run_batches(id, p.batches, |rows| {
                let (me, id, mid, input, client) = (
                    self.clone(),
                    id.to_string(),
                    meeting_id.to_string(),
                    input.clone(),
                    client.clone(),
                );
                async move {
                    me.tencent_meeting_batch(&id, d, &mid, rows, &input, &client)
                        .await
                }
            })
            .await?;
        }
        self.exhaust(id, d)
    }

    /// Every enrollment of the webinar with its identities, page by page, each page paced and
    /// retried on its own. An entry that does not parse identifies nobody (and is logged).
    async fn tencent_meeting_list(
        &self,
        client: &crate::providers::tencent_meeting::Client,
        meeting_id: &str,
    ) -> Result<Vec<(tm::ApprovalEntry, tm::Identity)>, Fatal> {
        let mut out = Vec::new();
        for page in 1.. {
            let r = match self
                .call(&self.pacers.tencent_meeting, true, || {
                    client.list_enrollments(meeting_id, page, tm::MAX_APPROVALS_PAGE_SIZE)
                })
                .await
            {
                Ok(r) => r,
                Err(e) if is_fatal(&e) => return Err(Fatal(describe(&e))),
                Err(e) => {
                    return Err(Fatal(format!(
                        "无法读取报名列表 / cannot list enrollments: {}",
                        describe(&e)
                    )))
                }
            };
            let more = r.has_more(page, tm::MAX_APPROVALS_PAGE_SIZE);
            for e in r.enroll_list {
                match e {
                    Lenient::Ok(e) => {
                        let id = e.identity();
                        out.push((e, id));
                    }
                    Lenient::Odd { error, .. } => {
                        warn!(error = %error, "an enrollment list entry does not parse; it identifies nobody")
                    }
                }
            }
            if !more {
                break;
            }
        }
        Ok(out)
    }

    async fn tencent_meeting_batch(
        &self,
        id: &str,
        d: usize,
        meeting_id: &str,
        rows: Vec<u32>,
        input: &JobInput,
        client: &crate::providers::tencent_meeting::Client,
    ) -> Result<(), Fatal> {
        let entries: Vec<tm::EnrollEntry> = rows
            .iter()
            .map(|&r| input.attendees[r as usize].to_enroll_entry())
            .collect();
        let req = EnrollImportRequest {
            operator_id: client.config().operator_userid.clone(),
            operator_id_type: tm::OperatorIdType::Userid,
            instanceid: tm::Instance::Pc,
            enroll_list: entries.clone(),
        };
        let batch = Self::journal(self.store.begin_batch(id, d, &rows))?;
        match self
            .call(&self.pacers.tencent_meeting, false, || {
                client.import_enrollments(meeting_id, &req)
            })
            .await
        {
            Ok(resp) => {
                let answered: Vec<&tm::ImportedEnroll> =
                    resp.enroll_list.iter().filter_map(Lenient::ok).collect();
                let identities: Vec<tm::Identity> = answered.iter().map(|e| e.identity()).collect();
                let mut index = tm::IdentityIndex::new(&identities);
                let unregistered: HashSet<&str> = resp
                    .user_non_registered
                    .iter()
                    .map(String::as_str)
                    .collect();
                // Only the provider's word decides: an entry in the answer → imported; a userid in
                // `user_non_registered` → rejected; anything else stays in flight and the next
                // round's list settles it (imported if there, re-sent only if absent).
                let outcomes: Vec<_> = rows
                    .iter()
                    .zip(&entries)
                    .filter_map(|(&r, e)| {
                        match index.take(&input.attendees[r as usize].tencent_meeting_identity()) {
                            Some(i) => Some((
                                r,
                                RowState::Imported,
                                ok(
                                    None,
                                    "",
                                    answered[i].enroll_id.as_ref().map(|x| x.to_string()),
                                    answered[i].enroll_code.clone(),
                                ),
                            )),
                            None if e
                                .userid
                                .as_deref()
                                .is_some_and(|u| unregistered.contains(u)) =>
                            {
                                Some((r, RowState::Rejected, ok(Some("user_non_registered"), "该 userid 不是企业内已注册用户 / userid is not a registered user of the company", None, None)))
                            }
                            None => None,
                        }
                    })
                    .collect();
                if outcomes.len() < rows.len() {
                    warn!(job = %id, unaccounted = rows.len() - outcomes.len(), "the Tencent Meeting answer does not account for every row; they will be reconciled");
                    Self::journal(self.store.set_outcomes(id, d, &outcomes))?;
                } else {
                    Self::journal(self.store.finish_batch(batch, &outcomes))?;
                }
            }
            // Left in flight: the next round lists the webinar and settles it.
            Err(e) if e.ambiguous => {
                warn!(job = %id, error = %e, "ambiguous Tencent Meeting import; will reconcile")
            }
            Err(e) => self.settle_refused_batch(batch, &rows, &e)?,
        }
        self.notify(id);
        Ok(())
    }

    // ---------------------------------------------------------------- Tencent IM

    async fn run_tencent_im(
        self: &Arc<Self>,
        id: &str,
        d: usize,
        group_id: &str,
        input: &Arc<JobInput>,
    ) -> Result<(), Fatal> {
        let client = self
            .clients
            .tencent_im
            .clone()
            .ok_or_else(|| Fatal("腾讯云 IM 未配置 / Tencent IM is not configured".into()))?;
        let account_of = |r: u32| {
            input.attendees[r as usize]
                .to_im_member()
                .map(|m| m.member_account)
        };
        for _round in 0..MAX_ROUNDS {
            let members = self.tencent_im_list(&client, group_id).await?;
            let in_group: HashSet<&str> = members.iter().map(String::as_str).collect();
            let has = |r: u32| account_of(r).is_some_and(|a| in_group.contains(a.as_str()));
            for (batch, rows) in Self::journal(self.store.inflight_batches(id, d))? {
                let settled: Vec<_> = rows
                    .iter()
                    .filter(|&&r| has(r))
                    .map(|&r| {
                        (
                            r,
                            RowState::Imported,
                            ok(
                                None,
                                "对账确认已入群 / confirmed by reconciliation",
                                None,
                                None,
                            ),
                        )
                    })
                    .collect();
                Self::journal(self.store.finish_batch(batch, &settled))?;
            }
            let pending = Self::journal(self.store.pending_rows(id, d))?;
            if pending.is_empty() || self.is_cancelled(id) {
                return Ok(());
            }
            let (present, to_send): (Vec<u32>, Vec<u32>) = pending.iter().partition(|&&r| has(r));
            let present: Vec<_> = present
                .into_iter()
                .map(|r| {
                    (
                        r,
                        RowState::AlreadyPresent,
                        ok(None, "已是群成员 / already a member", None, None),
                    )
                })
                .collect();
            Self::journal(self.store.set_outcomes(id, d, &present))?;
            self.notify(id);
            let p = plan(
                rollcall_core::api::DestinationKind::TencentIm,
                &to_send,
                None,
            );
            self.run_batches(id, p.batches, |rows| {
                let (me, id, gid, input, client) = (
                    self.clone(),
                    id.to_string(),
                    group_id.to_string(),
                    input.clone(),
                    client.clone(),
                );
                async move {
                    me.tencent_im_batch(&id, d, &gid, rows, &input, &client)
                        .await
                }
            })
            .await?;
        }
        self.exhaust(id, d)
    }

    /// Every member account of the group, page by page, each page paced and retried on its
    /// own. An entry that does not parse names nobody (and is logged).
    async fn tencent_im_list(
        &self,
        client: &crate::providers::tencent_im::Client,
        group_id: &str,
    ) -> Result<Vec<String>, Fatal> {
        let mut out = Vec::new();
        let mut offset: u32 = 0;
        loop {
            let req = im::GetGroupMemberInfoRequest {
                group_id: group_id.to_string(),
                limit: Some(6000),
                offset: Some(offset),
            };
            let page = match self
                .call(&self.pacers.tencent_im, true, || {
                    client.get_group_member_info(&req)
                })
                .await
            {
                Ok(p) => p,
                Err(e) if is_fatal(&e) => return Err(Fatal(describe(&e))),
                Err(e) => {
                    return Err(Fatal(format!(
                        "无法读取群成员 / cannot list group members: {}",
                        describe(&e)
                    )))
                }
            };
            let n = page.member_list.len() as u32;
            offset = offset.saturating_add(n);
            for m in page.member_list {
                match m {
                    Lenient::Ok(m) => out.push(m.member_account),
                    Lenient::Odd { error, .. } => {
                        warn!(error = %error, "a group member entry does not parse; it names nobody")
                    }
                }
            }
            if n == 0 || offset >= page.member_num {
                return Ok(out);
            }
        }
    }

    async fn tencent_im_batch(
        &self,
        id: &str,
        d: usize,
        group_id: &str,
        rows: Vec<u32>,
        input: &JobInput,
        client: &crate::providers::tencent_im::Client,
    ) -> Result<(), Fatal> {
        let members: Vec<im::ImportMember> = rows
            .iter()
            .filter_map(|&r| input.attendees[r as usize].to_im_member())
            .collect();
        let req = ImportGroupMemberRequest {
            group_id: group_id.to_string(),
            member_list: members.clone(),
        };
        let batch = Self::journal(self.store.begin_batch(id, d, &rows))?;
        match self
            .call(&self.pacers.tencent_im, false, || {
                client.import_group_member(&req)
            })
            .await
        {
            Ok(resp) => {
                let by_account: HashMap<&str, MemberResult> = resp
                    .member_list
                    .iter()
                    .filter_map(Lenient::ok)
                    .map(|m| (m.member_account.as_str(), m.result))
                    .collect();
                // Result 1/2 → done, Result 0 → rejected (the provider's word); a member the
                // answer does not account for (absent, unparsable, an undocumented Result) stays
                // in flight for the next round's member list.
                let outcomes: Vec<_> = rows
                    .iter()
                    .zip(&members)
                    .filter_map(|(&r, m)| match by_account.get(m.member_account.as_str())? {
                        MemberResult::Imported => Some((r, RowState::Imported, Outcome::default())),
                        MemberResult::AlreadyMember => Some((r, RowState::AlreadyPresent, ok(Some("2"), "已是群成员 / already a member", None, None))),
                        MemberResult::Failed => Some((r, RowState::Rejected, ok(Some("result_0"), "IM 拒绝导入该成员（账号不存在或入群时间无效） / IM refused this member (unknown account or invalid JoinTime)", None, None))),
                        MemberResult::Other(_) => None,
                    })
                    .collect();
                if outcomes.len() < rows.len() {
                    warn!(job = %id, unaccounted = rows.len() - outcomes.len(), "the IM answer does not account for every member; they will be reconciled");
                    Self::journal(self.store.set_outcomes(id, d, &outcomes))?;
                } else {
                    Self::journal(self.store.finish_batch(batch, &outcomes))?;
                }
            }
            Err(e) if e.ambiguous => {
                warn!(job = %id, error = %e, "ambiguous IM import; will reconcile")
            }
            Err(e) => self.settle_refused_batch(batch, &rows, &e)?,
        }
        self.notify(id);
        Ok(())
    }

    // ---------------------------------------------------------------- 31huiyi

    async fn run_huiyi31(
        self: &Arc<Self>,
        id: &str,
        d: usize,
        event_id: &str,
        type_id: Option<&str>,
        sku: Option<&str>,
        input: &Arc<JobInput>,
    ) -> Result<(), Fatal> {
        let hy = self
            .clients
            .huiyi31
            .as_ref()
            .ok_or_else(|| Fatal("31会议未配置 / 31huiyi is not configured".into()))?;
        let type_id = type_id
            .or(hy.default_attendee_type_id.as_deref())
            .ok_or_else(|| {
                Fatal("缺少参会人类别 ID / no attendee type id (huiyi31:EVENT:TYPE:SKU)".into())
            })?
            .to_string();
        let sku = sku
            .or(hy.default_item_sku_id.as_deref())
            .ok_or_else(|| {
                Fatal("缺少门票商品 ID / no ticket item id (huiyi31:EVENT:TYPE:SKU)".into())
            })?
            .to_string();
        let sku_name = hy.default_item_sku_name.clone().ok_or_else(|| {
            Fatal("缺少门票商品名称（配置 providers.huiyi31.default_item_sku_name） / no ticket name (providers.huiyi31.default_item_sku_name)".into())
        })?;
        // No list API: a registration whose outcome was lost cannot be checked, so it is never re-sent.
        for (batch, rows) in Self::journal(self.store.inflight_batches(id, d))? {
            let settled: Vec<_> = rows
                .iter()
                .map(|&r| (r, RowState::Unknown, ok(Some("interrupted"), "发送时代理中断，结果未知；重新报名前请在 31会议后台核对 / the proxy stopped while sending; check the 31huiyi console before registering again", None, None)))
                .collect();
            Self::journal(self.store.finish_batch(batch, &settled))?;
        }
        let pending = Self::journal(self.store.pending_rows(id, d))?;
        let sem = Arc::new(Semaphore::new(self.cfg.max_in_flight.max(1)));
        let mut set = tokio::task::JoinSet::new();
        let mut first_fatal: Option<Fatal> = None;
        for r in pending {
            if self.is_cancelled(id) {
                break;
            }
            let permit = sem.clone().acquire_owned().await.expect("semaphore open");
            let a = &input.attendees[r as usize];
            let req = RegisterRequest {
                invitation_code: None,
                bvent_id: event_id.to_string(),
                attendee_type_id: type_id.clone(),
                attendee: h::Attendee {
                    fields: a.to_huiyi31_fields(),
                },
                purchaser: None,
                items: vec![h::Item {
                    item_sku_id: sku.clone(),
                    item_sku_name: sku_name.clone(),
                    quantity: 1,
                }],
                agendas: None,
            };
            let me = self.clone();
            let id = id.to_string();
            set.spawn(async move {
                let _permit = permit;
                me.huiyi31_one(&id, d, r, req).await
            });
            // Stop sending into a fatal answer; registrations already under way finish (never
            // aborted mid-request: an aborted Register's outcome would be lost).
            let mut fatal = None;
            while let Some(done) = set.try_join_next() {
                if let Err(f) = done.map_err(|e| Fatal(format!("task failed: {e}")))? {
                    fatal.get_or_insert(f);
                }
            }
            if fatal.is_some() {
                first_fatal = fatal;
                break;
            }
        }
        while let Some(r) = set.join_next().await {
            if let Err(f) = r.map_err(|e| Fatal(format!("task failed: {e}")))? {
                first_fatal.get_or_insert(f);
            }
        }
        first_fatal.map_or(Ok(()), Err)
    }

    async fn huiyi31_one(
        &self,
        id: &str,
        d: usize,
        r: u32,
        req: RegisterRequest,
    ) -> Result<(), Fatal> {
        let Some(hy) = self.clients.huiyi31.as_ref() else {
            return Err(Fatal("31huiyi is not configured".into()));
        };
        let batch = Self::journal(self.store.begin_batch(id, d, &[r]))?;
        let outcome = match self.call(&self.pacers.huiyi31, false, || hy.client.register(&req)).await {
            Ok(resp) => {
                // A success answer is a success, whatever optional fields it leaves out.
                let data = resp.data.unwrap_or_default();
                let checkin = data.checkin_code().map(str::to_string);
                let order = (!data.order_id.is_empty()).then(|| data.order_id.clone());
                (r, RowState::Imported, ok(None, &data.order_no, order, checkin))
            }
            Err(e) if e.ambiguous => (
                r,
                RowState::Unknown,
                ok(
                    Some("ambiguous"),
                    &format!("请求已发出但结果丢失（{}），为避免重复报名未重试；请在 31会议后台核对 / sent but the outcome was lost ({}); not retried to avoid a duplicate registration — check the 31huiyi console", e.message, e.message),
                    None,
                    None,
                ),
            ),
            Err(e) => match Verdict::of(&e) {
                Verdict::Fatal(reason) => {
                    Self::journal(self.store.finish_batch(batch, &[]))?;
                    return Err(Fatal(reason));
                }
                // No list API and no rounds: a 31huiyi answer is never retryable (seed 004 lists
                // no codes), so this is only reached by a refusal.
                Verdict::NotApplied | Verdict::Refused => (r, RowState::Rejected, rejected(&e)),
            },
        };
        Self::journal(self.store.finish_batch(batch, &[outcome]))?;
        self.notify(id);
        Ok(())
    }
}
