//! One module per destination. Tencent Meeting and IM can list what they hold, so they share one
//! loop ([`run_reconciled`]): list → settle batches left in flight → mark rows already present →
//! apply the cap → send the rest in paced, bounded, journaled batches; repeat until nothing is
//! pending. 31huiyi has no list API and runs its own one-shot loop.

pub mod huiyi31;
pub mod tencent_im;
pub mod tencent_meeting;

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use rollcall_core::api::{DestinationKind, RowState};
use rollcall_core::plan::{batch_size, plan_sized, Plan};
use rollcall_core::Text;
use tracing::warn;

use super::context::{Ctx, Fatal};
use super::retry::Pacers;
use super::retry::{describe, is_fatal, Verdict};
use super::store::{Outcome, RowIdx, Settled, StateOutcome};
use crate::app::Clients;
use crate::providers::ProviderError;
use rollcall_core::api::Destination;

/// Rounds of reconcile-and-send per destination before giving up on the rows left.
pub const MAX_ROUNDS: usize = 12;

/// What the destination holds for a row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Found {
    pub reference: Option<String>,
    pub attendee_code: Option<String>,
}

/// A destination's cap: how many more rows it takes, and what to tell the rows over it.
pub struct Cap {
    pub room: usize,
    pub message: Text,
}

/// What a destination holds, as read from its list.
pub trait Holdings: Send + Sync {
    /// The row's person, if the destination holds them (matched on every identity they carry).
    fn find(&self, row: RowIdx) -> Option<Found>;
    /// The cap, when the destination has one.
    fn cap(&self) -> Option<Cap> {
        None
    }
}

/// What a fresh list says about a row whose batch's outcome was not known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InFlight {
    /// The destination holds the row's person: imported.
    Present(Found),
    /// The list proves the row absent: back to pending, sent again.
    Absent,
    /// The list can prove neither: the row ends `unknown` with this reason, never re-sent.
    Unknown(Outcome),
}

/// A destination that can list what it holds (so an unknown outcome is reconciled, not guessed).
pub trait Reconcilable: Send + Sync + 'static {
    type Held: Holdings;
    const KIND: DestinationKind;
    /// Message for a row the list confirms after an unknown outcome: (zh, en).
    const CONFIRMED: (&'static str, &'static str);
    /// Message for a row the destination held before the job sent it: (zh, en).
    const PRESENT: (&'static str, &'static str);

    /// Everything the destination holds (all pages, each paced and retried).
    fn list(&self, ctx: &Ctx) -> impl Future<Output = Result<Self::Held, Fatal>> + Send;

    /// Verdicts for the rows of batches whose outcome is not known, from a fresh list. By
    /// default the list shows every person it holds (IM lists every member account): a row is
    /// present or absent. Tencent Meeting's list shows no phone and overrides this.
    fn reconcile(
        &self,
        _ctx: &Ctx,
        held: &Self::Held,
        rows: &[RowIdx],
    ) -> impl Future<Output = Result<Vec<InFlight>, Fatal>> + Send {
        let verdicts = rows
            .iter()
            .map(|&r| held.find(r).map_or(InFlight::Absent, InFlight::Present))
            .collect();
        std::future::ready(Ok(verdicts))
    }

    /// Called once a round, with the round's list, after the rows in flight are settled and
    /// before the round's batches go out (Tencent Meeting journals it as the "before" list).
    fn round_start(
        &self,
        _ctx: &Ctx,
        _held: &Self::Held,
    ) -> impl Future<Output = Result<(), Fatal>> + Send {
        std::future::ready(Ok(()))
    }

    /// Called after an answer's outcomes are journaled (Tencent Meeting journals the ids the
    /// answers named).
    fn answered(&self, _ctx: &Ctx) -> impl Future<Output = Result<(), Fatal>> + Send {
        std::future::ready(Ok(()))
    }

    /// Sends one batch (paced; retried only where safe). Per row, in order: its final state, or
    /// `None` when the answer does not account for it (it is then reconciled).
    fn send(
        &self,
        ctx: &Ctx,
        rows: &[RowIdx],
    ) -> impl Future<Output = Result<Vec<Option<StateOutcome>>, ProviderError>> + Send;
}

/// The shared loop for destinations that can list what they hold.
pub async fn run_reconciled<D: Reconcilable>(ctx: &Ctx, dest: Arc<D>) -> Result<(), Fatal> {
    // The batch size: the provider's documented one until it answers "too many" (IM 10005).
    let size = Arc::new(AtomicUsize::new(batch_size(D::KIND)));
    for round in 0..MAX_ROUNDS {
        // After a round every answer accounted for: nothing is left to reconcile or send, and
        // listing the destination again would only cost calls (a 10,000-member IM group is
        // several list pages to fetch and parse).
        if round > 0 && ctx.in_flight().await?.is_empty() && ctx.pending().await?.is_empty() {
            ctx.notify();
            return Ok(());
        }
        let held = dest.list(ctx).await?;
        // Batches whose outcome is unknown: what the destination holds was imported; what the
        // list proves absent goes back to pending and is sent again; what it can prove neither
        // way ends `unknown` (never re-sent).
        let batches = ctx.in_flight().await?;
        let all: Vec<RowIdx> = batches
            .iter()
            .flat_map(|(_, r)| r.iter().copied())
            .collect();
        let mut verdicts: std::collections::HashMap<RowIdx, InFlight> = if all.is_empty() {
            Default::default()
        } else {
            all.iter()
                .copied()
                .zip(dest.reconcile(ctx, &held, &all).await?)
                .collect()
        };
        for (batch, rows) in batches {
            let settled: Vec<Settled> = rows
                .iter()
                .filter_map(|r| match verdicts.remove(r)? {
                    InFlight::Present(f) => Some(Settled::new(
                        *r,
                        RowState::Imported,
                        Outcome::found(
                            Some(Text::new(D::CONFIRMED.0, D::CONFIRMED.1)),
                            f.reference,
                            f.attendee_code,
                        ),
                    )),
                    InFlight::Absent => None,
                    InFlight::Unknown(o) => Some(Settled::new(*r, RowState::Unknown, o)),
                })
                .collect();
            ctx.finish(batch, &settled).await?;
        }
        dest.round_start(ctx, &held).await?;
        let pending = ctx.pending().await?;
        if pending.is_empty() || ctx.is_cancelled() {
            ctx.notify();
            return Ok(());
        }
        let Decision {
            present,
            plan: p,
            cap,
        } = decide::<D>(&held, &pending, size.load(Ordering::Relaxed));
        let present: Vec<Settled> = present
            .into_iter()
            .filter_map(|r| found(r, &held, D::PRESENT, RowState::AlreadyPresent))
            .collect();
        ctx.settle(&present).await?;
        if let Some(cap) = cap.filter(|_| !p.over_cap.is_empty()) {
            let over: Vec<Settled> = p
                .over_cap
                .iter()
                .map(|&r| {
                    let o = Outcome::note("webinar_cap_exceeded", cap.message.clone());
                    Settled::new(r, RowState::Invalid, o)
                })
                .collect();
            ctx.settle(&over).await?;
        }
        ctx.notify();
        ctx.bounded(p.batches, |rows| {
            let (ctx, dest, size) = (ctx.clone(), dest.clone(), size.clone());
            async move { send_batch(&ctx, &*dest, rows, &size).await }
        })
        .await?;
    }
    ctx.exhaust().await
}

/// What a round does with the rows still pending: those the destination holds are already
/// present; the rest are planned into provider-sized batches with the cap applied. The same
/// decision serves a job's round and a preview (`POST /api/jobs/preview`).
pub struct Decision {
    pub present: Vec<RowIdx>,
    pub plan: Plan<RowIdx>,
    pub cap: Option<Cap>,
}

pub fn decide<D: Reconcilable>(held: &D::Held, pending: &[RowIdx], batch: usize) -> Decision {
    let (present, to_send): (Vec<RowIdx>, Vec<RowIdx>) =
        pending.iter().partition(|&&r| held.find(r).is_some());
    let cap = held.cap();
    let plan = plan_sized(&to_send, batch, cap.as_ref().map(|c| c.room));
    Decision { present, plan, cap }
}

/// What a job would do at this destination, from what it holds now; nothing is sent.
pub async fn preview<D: Reconcilable>(
    ctx: &Ctx,
    dest: &D,
    pending: &[RowIdx],
) -> Result<Preview, Fatal> {
    let held = dest.list(ctx).await?;
    let d = decide::<D>(&held, pending, batch_size(D::KIND));
    Ok(Preview {
        already_present: Some(d.present.len() as u64),
        to_send: d.plan.batches.iter().map(Vec::len).sum::<usize>() as u64,
        over_cap: d.plan.over_cap.len() as u64,
    })
}

/// A destination's preview counts (the invalid rows are known before asking it).
pub struct Preview {
    /// `None` where the destination cannot be asked what it holds (31huiyi has no list API).
    pub already_present: Option<u64>,
    pub to_send: u64,
    pub over_cap: u64,
}

/// A destination's module, built from the configured client and pacer.
pub enum Module {
    TencentMeeting(tencent_meeting::TencentMeeting),
    TencentIm(tencent_im::TencentIm),
    Huiyi31(huiyi31::Huiyi31),
}

impl Module {
    /// The module for `dest`; a provider that is not configured, or a 31huiyi destination
    /// without its ids, cannot go on at all.
    pub fn build(clients: &Clients, pacers: &Pacers, dest: &Destination) -> Result<Module, Fatal> {
        Ok(match dest {
            Destination::TencentMeeting { meeting_id } => {
                let client = clients.tencent_meeting.clone().ok_or_else(|| {
                    Fatal("腾讯会议未配置 / Tencent Meeting is not configured".into())
                })?;
                Module::TencentMeeting(tencent_meeting::TencentMeeting::new(
                    client,
                    meeting_id.clone(),
                    pacers.tencent_meeting.clone(),
                ))
            }
            Destination::TencentIm { group_id } => {
                let client = clients.tencent_im.clone().ok_or_else(|| {
                    Fatal("腾讯云 IM 未配置 / Tencent IM is not configured".into())
                })?;
                Module::TencentIm(tencent_im::TencentIm {
                    client,
                    group_id: group_id.clone(),
                    pacer: pacers.tencent_im.clone(),
                })
            }
            Destination::Huiyi31 {
                event_id,
                attendee_type_id,
                item_sku_id,
            } => {
                let hy = clients
                    .huiyi31
                    .as_ref()
                    .ok_or_else(|| Fatal("31会议未配置 / 31huiyi is not configured".into()))?;
                let attendee_type_id = attendee_type_id
                    .as_ref()
                    .or(hy.default_attendee_type_id.as_ref())
                    .cloned()
                    .ok_or_else(|| Fatal("缺少参会人类别 ID（在导入目标中写明 huiyi31:会议:类别:门票，或配置 providers.huiyi31.default_attendee_type_id） / no attendee type id (name it in the destination huiyi31:EVENT:TYPE:SKU, or set providers.huiyi31.default_attendee_type_id)".into()))?;
                let (item_sku_id, item_sku_name) =
                    hy.ticket(item_sku_id.as_deref()).map_err(Fatal)?;
                Module::Huiyi31(huiyi31::Huiyi31 {
                    client: hy.client.clone(),
                    event_id: event_id.clone(),
                    attendee_type_id,
                    item_sku_id,
                    item_sku_name,
                    pacer: pacers.huiyi31.clone(),
                })
            }
        })
    }

    /// Runs the destination's part of a job.
    pub async fn run(self, ctx: &Ctx) -> Result<(), Fatal> {
        match self {
            Module::TencentMeeting(d) => run_reconciled(ctx, Arc::new(d)).await,
            Module::TencentIm(d) => run_reconciled(ctx, Arc::new(d)).await,
            Module::Huiyi31(d) => Arc::new(d).run(ctx).await,
        }
    }

    /// What a job would do here with `pending`, sending nothing. 31huiyi cannot be asked what it
    /// holds: every pending row would be sent.
    pub async fn preview(&self, ctx: &Ctx, pending: &[RowIdx]) -> Result<Preview, Fatal> {
        match self {
            Module::TencentMeeting(d) => preview(ctx, d, pending).await,
            Module::TencentIm(d) => preview(ctx, d, pending).await,
            Module::Huiyi31(_) => Ok(Preview {
                already_present: None,
                to_send: pending.len() as u64,
                over_cap: 0,
            }),
        }
    }
}

/// A list that cannot be read stops the destination: reconciliation depends on it.
fn list_failed(e: &ProviderError, (zh, en): (&str, &str)) -> Fatal {
    if is_fatal(e) {
        Fatal(describe(e))
    } else {
        Fatal(format!("{zh} / {en}: {}", describe(e)))
    }
}

fn found(
    r: RowIdx,
    held: &impl Holdings,
    (zh, en): (&str, &str),
    state: RowState,
) -> Option<Settled> {
    let f = held.find(r)?;
    let message = Some(Text::new(zh, en));
    Some(Settled::new(
        r,
        state,
        Outcome::found(message, f.reference, f.attendee_code),
    ))
}

/// How many times a refused batch may be halved to find the rows the provider refuses: enough
/// to bring a 1,000-row batch down to single rows (2^10 = 1,024).
const MAX_SPLITS: u32 = 10;

/// One batch: journaled in flight, sent, then settled by the provider's word only.
async fn send_batch<D: Reconcilable>(
    ctx: &Ctx,
    dest: &D,
    rows: Vec<RowIdx>,
    size: &AtomicUsize,
) -> Result<(), Fatal> {
    send_split(ctx, dest, rows, size, 0).await
}

/// [`send_batch`] at split depth `depth`. A batch the provider refuses whole (an answer that names
/// no row: Tencent Meeting's `error_info` for the import, IM 10004 or `FAIL`) is halved and each
/// half sent on its own, down to single rows — only a row refused alone is `rejected`. "Too
/// many accounts" (IM 10005) also lowers the batch size for the rest of the job.
fn send_split<'a, D: Reconcilable>(
    ctx: &'a Ctx,
    dest: &'a D,
    rows: Vec<RowIdx>,
    size: &'a AtomicUsize,
    depth: u32,
) -> std::pin::Pin<Box<dyn Future<Output = Result<(), Fatal>> + Send + 'a>> {
    Box::pin(async move {
        // Larger than the provider has shown it takes (10005 on another batch): send it in parts
        // of the size it takes, rather than have it refused again.
        let limit = size.load(Ordering::Relaxed).max(1);
        if rows.len() > limit {
            for part in rows.chunks(limit) {
                if ctx.is_cancelled() {
                    break;
                }
                send_split(ctx, dest, part.to_vec(), size, depth).await?;
            }
            return Ok(());
        }
        let batch = ctx.begin(&rows).await?;
        match dest.send(ctx, &rows).await {
            Ok(answers) => {
                let settled: Vec<Settled> = rows
                    .iter()
                    .zip(answers)
                    .filter_map(|(&r, a)| a.map(|answer| answer.of(r)))
                    .collect();
                if settled.len() < rows.len() {
                    // Rows the answer does not account for stay in flight: the next round's list
                    // settles them (imported if there, sent again only if shown absent).
                    warn!(job = %ctx.job, unaccounted = rows.len() - settled.len(), "the answer does not account for every row; they will be reconciled");
                    ctx.settle(&settled).await?;
                } else {
                    ctx.finish(batch, &settled).await?;
                }
                // After the outcomes: a memo ahead of its outcomes could make an answered row's
                // entry look like no one's, and an in-flight row look absent.
                dest.answered(ctx).await?;
            }
            // Left in flight: the next round lists the destination and settles it.
            Err(e) if e.ambiguous => {
                warn!(job = %ctx.job, error = %e, "ambiguous outcome; will reconcile")
            }
            Err(e) if rows.len() > 1 && depth < MAX_SPLITS && refused_whole(&e) => {
                // Nothing was applied: the rows go back to pending, then out again in halves.
                ctx.finish(batch, &[]).await?;
                if e.provider.shrinks_batch(e.code) {
                    let smaller = (rows.len() / 2).max(1);
                    size.fetch_min(smaller, Ordering::Relaxed);
                    warn!(job = %ctx.job, size = smaller, "the provider takes fewer rows a request; batches shrink");
                } else {
                    warn!(job = %ctx.job, rows = rows.len(), error = %e, "a batch was refused whole; splitting it to find the rows refused");
                }
                // Halves (a "too many" refusal has just set the size to half, so its halves go
                // out as they are; a later batch over the size is cut to it before it is sent).
                let (a, b) = rows.split_at(rows.len() / 2);
                for half in [a.to_vec(), b.to_vec()] {
                    if ctx.is_cancelled() {
                        break;
                    }
                    send_split(ctx, dest, half, size, depth + 1).await?;
                }
                return Ok(());
            }
            Err(e) => ctx.settle_error(batch, &rows, &e).await?,
        }
        ctx.notify();
        Ok(())
    })
}

/// An answer that refuses the whole request without naming a row: the batch is split.
fn refused_whole(e: &crate::providers::ProviderError) -> bool {
    matches!(Verdict::of(e), Verdict::Refused)
}

#[cfg(test)]
mod tests;
