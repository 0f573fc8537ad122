//! Sending one batch: journaled in flight, sent, settled by the provider's word only; a batch
//! refused whole is split until the refused rows stand alone, and "too many" shrinks the size.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};

use tracing::warn;

use super::Reconcilable;
use crate::jobs::context::{Ctx, Fatal};
use crate::jobs::retry::Verdict;
use crate::jobs::store::{RowIdx, Settled};

/// How many times a refused batch may be halved to find the rows the provider refuses: enough
/// to bring a 1,000-row batch down to single rows (2^10 = 1,024).
const MAX_SPLITS: u32 = 10;

/// One batch: journaled in flight, sent, then settled by the provider's word only.
pub(super) async fn send_batch<D: Reconcilable>(
    ctx: &Ctx,
    dest: &D,
    rows: Vec<RowIdx>,
    size: &AtomicUsize,
) -> Result<(), Fatal> {
    send_split(ctx, dest, rows, size, 0).await
}

/// [`send_batch`] at split depth `depth`. A batch the provider refuses whole (an answer that names
/// no row: Tencent Meeting's `error_info` for the import, IM's invalid-parameter code or `FAIL`) is
/// halved and each
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
