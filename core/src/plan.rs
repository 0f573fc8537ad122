//! Batch planning: split the rows bound for one destination into provider-sized batches, and
//! set aside rows beyond a per-destination cap before anything is sent.

use crate::api::DestinationKind;
use crate::providers::{tencent_im, tencent_meeting};

/// The largest batch a provider call takes.
pub fn batch_size(kind: DestinationKind) -> usize {
    match kind {
        DestinationKind::TencentMeeting => tencent_meeting::MAX_IMPORT_PER_CALL,
        DestinationKind::TencentIm => tencent_im::MAX_MEMBERS_PER_REQUEST,
        DestinationKind::Huiyi31 => 1,
    }
}

/// A plan for one destination.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan<T> {
    pub batches: Vec<Vec<T>>,
    /// Items beyond the cap: never sent.
    pub over_cap: Vec<T>,
}

/// Splits `items` (in order) into batches of at most `batch_size(kind)`, keeping at most
/// `cap_remaining` items in total (`None` = no cap).
pub fn plan<T: Clone>(kind: DestinationKind, items: &[T], cap_remaining: Option<usize>) -> Plan<T> {
    plan_sized(items, batch_size(kind), cap_remaining)
}

/// [`plan`] with an explicit batch size (at least 1): a provider that refused a batch as too
/// large (IM 10005) is planned with the smaller size from then on.
pub fn plan_sized<T: Clone>(items: &[T], batch: usize, cap_remaining: Option<usize>) -> Plan<T> {
    let keep = cap_remaining.map_or(items.len(), |c| c.min(items.len()));
    let (sent, over) = items.split_at(keep);
    Plan {
        batches: sent.chunks(batch.max(1)).map(<[T]>::to_vec).collect(),
        over_cap: over.to_vec(),
    }
}
