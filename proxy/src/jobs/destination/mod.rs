//! One module per destination. Tencent Meeting and IM can list what they hold, so they share one
//! loop ([`run_reconciled`]): list → settle batches left in flight → mark rows already present →
//! apply the cap → send the rest in paced, bounded, journaled batches; repeat until nothing is
//! pending. 31huiyi has no list API and runs its own one-shot loop.

pub mod huiyi31;
mod module;
mod send;
pub mod tencent_im;
pub mod tencent_meeting;

pub use module::Module;
use send::send_batch;

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use rollcall_core::api::{DestinationKind, RowState};
use rollcall_core::plan::{batch_size, plan_sized, Plan};
use rollcall_core::Text;

use super::context::{Ctx, Fatal};
use super::retry::{describe, is_fatal};
use super::store::{Outcome, RowIdx, Settled, StateOutcome};
use crate::providers::ProviderError;
use rollcall_core::codes::ProblemCode;

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
                    let o = Outcome::note(ProblemCode::WebinarCapExceeded, cap.message.clone());
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

/// A list that cannot be read stops the destination: reconciliation depends on it.
fn list_failed(e: &ProviderError, (zh, en): (&str, &str)) -> Fatal {
    if is_fatal(e) {
        Fatal(describe(e))
    } else {
        let d = describe(e);
        Fatal(Text::new(
            format!("{zh}：{}", d.zh),
            format!("{en}: {}", d.en),
        ))
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

#[cfg(test)]
mod send_tests;
#[cfg(test)]
mod tests;
