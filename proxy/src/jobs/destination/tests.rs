//! The shared loop's rules, in process, against a scripted fake destination and the real SQLite
//! journal: an ambiguous outcome is listed and settled (never re-sent), people present before the
//! job are `already_present`, the cap makes rows `invalid`, an unaccounted row is reconciled, a
//! refusal is `rejected`, and a cancel stops new batches.

use std::collections::{HashSet, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use rollcall_core::api::{Destination, DestinationKind, JobResults, RowState};
use rollcall_core::providers::{ErrorClass, Provider};
use rollcall_core::roster::Attendee;

use super::{run_reconciled, Cap, Found, Holdings, Reconcilable};
use crate::app::Metrics;
use crate::config::JobsConfig;
use crate::jobs::context::{Ctx, Fatal, Shared};
use crate::jobs::store::{
    DestIdx, JobInput, JobStore, NewJob, NewRow, Outcome, RowIdx, SqliteStore, StateOutcome,
};
use crate::providers::ProviderError;

/// How the fake answers one `send`.
#[derive(Clone, Copy)]
pub(super) enum Answer {
    /// Applies every row and answers for each.
    Ok,
    /// Applies every row, then the answer is lost.
    LostAfterApplying,
    /// Applies every row but answers for none (a provider that leaves rows out).
    Silent,
    /// Refuses with a permanent code; nothing applied.
    Refuse,
}

pub(super) struct Fake {
    pub(super) held: Mutex<HashSet<u32>>,
    pub(super) script: Mutex<VecDeque<Answer>>,
    pub(super) cap: Option<usize>,
    pub(super) sends: AtomicUsize,
    pub(super) lists: AtomicUsize,
    pub(super) sent_rows: Mutex<Vec<u32>>,
    /// Cancels the job during the first send.
    pub(super) cancel_on_send: Option<Arc<Shared>>,
    /// Rows the provider cannot take: a request carrying one is refused whole (10004).
    pub(super) bad: HashSet<u32>,
    /// The provider's real per-request cap: a larger request is answered 10005.
    pub(super) max_batch: usize,
    /// The size of every request sent.
    pub(super) sizes: Mutex<Vec<usize>>,
}

impl Fake {
    pub(super) fn new(held: &[u32], script: &[Answer]) -> Fake {
        Fake {
            held: Mutex::new(held.iter().copied().collect()),
            script: Mutex::new(script.iter().copied().collect()),
            cap: None,
            sends: AtomicUsize::new(0),
            lists: AtomicUsize::new(0),
            sent_rows: Mutex::new(Vec::new()),
            cancel_on_send: None,
            bad: HashSet::new(),
            max_batch: usize::MAX,
            sizes: Mutex::new(Vec::new()),
        }
    }
}

pub(super) struct Held(HashSet<u32>, Option<usize>);

impl Holdings for Held {
    fn find(&self, row: RowIdx) -> Option<Found> {
        self.0.contains(&row.0).then(|| Found {
            reference: Some(format!("ref-{}", row.0)),
            attendee_code: None,
        })
    }
    fn cap(&self) -> Option<Cap> {
        self.1.map(|cap| Cap {
            room: cap.saturating_sub(self.0.len()),
            message: rollcall_core::Text::same(format!("cap {cap}")),
        })
    }
}

impl Reconcilable for Fake {
    type Held = Held;
    const KIND: DestinationKind = DestinationKind::TencentIm;
    const CONFIRMED: (&'static str, &'static str) = ("已确认", "confirmed");
    const PRESENT: (&'static str, &'static str) = ("已存在", "present");

    async fn list(&self, _ctx: &Ctx) -> Result<Held, Fatal> {
        self.lists.fetch_add(1, Ordering::SeqCst);
        Ok(Held(self.held.lock().unwrap().clone(), self.cap))
    }

    async fn send(
        &self,
        ctx: &Ctx,
        rows: &[RowIdx],
    ) -> Result<Vec<Option<StateOutcome>>, ProviderError> {
        let rows: Vec<u32> = rows.iter().map(|r| r.0).collect();
        let rows = rows.as_slice();
        self.sends.fetch_add(1, Ordering::SeqCst);
        self.sizes.lock().unwrap().push(rows.len());
        if rows.len() > self.max_batch {
            return Err(ProviderError {
                http_status: Some(200),
                ..ProviderError::provider(
                    Provider::TencentIm,
                    10005,
                    "too many accounts",
                    ErrorClass::Permanent,
                )
            });
        }
        if rows.iter().any(|r| self.bad.contains(r)) {
            return Err(ProviderError::provider(
                Provider::TencentIm,
                10004,
                "invalid parameter",
                ErrorClass::Permanent,
            ));
        }
        self.sent_rows.lock().unwrap().extend(rows);
        if let Some(shared) = &self.cancel_on_send {
            shared.cancelled.lock().unwrap().insert(ctx.job.to_string());
        }
        let answer = self
            .script
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or(Answer::Ok);
        let apply = || self.held.lock().unwrap().extend(rows);
        match answer {
            Answer::Ok => {
                apply();
                Ok(rows
                    .iter()
                    .map(|r| {
                        Some(StateOutcome::new(
                            RowState::Imported,
                            Outcome::found(None, Some(format!("new-{r}")), None),
                        ))
                    })
                    .collect())
            }
            Answer::LostAfterApplying => {
                apply();
                Err(ProviderError::gateway(Provider::TencentIm, 502))
            }
            Answer::Silent => {
                apply();
                Ok(rows.iter().map(|_| None).collect())
            }
            Answer::Refuse => Err(ProviderError::provider(
                Provider::TencentIm,
                10004,
                "invalid parameter",
                ErrorClass::Permanent,
            )),
        }
    }
}

/// A journal with one job of `n` pending rows to one destination, and its context.
pub(super) fn job(n: usize) -> (tempfile::TempDir, Ctx) {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn JobStore> = Arc::new(SqliteStore::open(dir.path()).unwrap());
    let destination: Destination = "tencent-im:@TGS#G".parse().unwrap();
    store
        .create_job(&NewJob {
            id: "job".into(),
            created_by: "test".into(),
            created_at: 0,
            file_name: None,
            headers: vec!["IM账号".into()],
            destinations: vec![destination.clone()],
            rows: (0..n)
                .map(|i| NewRow {
                    row_no: i as u32 + 2,
                    cells: vec![format!("m{i}")],
                    attendee: Attendee::default(),
                    initial: vec![StateOutcome::new(RowState::Pending, Outcome::default())],
                })
                .collect(),
            share_with: vec![],
            edited: vec![],
        })
        .unwrap();
    let (events, _) = tokio::sync::broadcast::channel(16);
    let ctx = Ctx {
        job: "job".into(),
        dest: DestIdx(0),
        input: Arc::new(JobInput {
            destinations: vec![destination],
            attendees: vec![Attendee::default(); n],
        }),
        shared: Arc::new(Shared {
            store,
            cfg: JobsConfig {
                max_in_flight: 1,
                ..JobsConfig::default()
            },
            metrics: Arc::new(Metrics::default()),
            replica: "test".into(),
            events,
            cancelled: Default::default(),
            lost: Default::default(),
            leases: Default::default(),
        }),
    };
    (dir, ctx)
}

fn results(ctx: &Ctx) -> JobResults {
    ctx.shared.store.results(&ctx.job).unwrap().unwrap()
}

pub(super) fn states(ctx: &Ctx) -> Vec<(RowState, Option<String>, Option<String>)> {
    results(ctx)
        .rows
        .into_iter()
        .map(|r| {
            let o = &r.outcomes[0];
            (
                o.state,
                o.code.as_ref().map(|c| c.as_string()),
                o.message.as_ref().map(|m| m.en.clone()),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ambiguous_outcome_is_listed_and_settled_not_resent() {
    let (_d, ctx) = job(3);
    let fake = Arc::new(Fake::new(&[], &[Answer::LostAfterApplying]));
    run_reconciled(&ctx, fake.clone()).await.unwrap();
    assert_eq!(fake.sends.load(Ordering::SeqCst), 1, "sent once");
    assert_eq!(
        fake.lists.load(Ordering::SeqCst),
        2,
        "listed again to settle it"
    );
    for (state, _, message) in states(&ctx) {
        assert_eq!(state, RowState::Imported);
        assert_eq!(message.as_deref(), Some("confirmed"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_present_before_the_job_are_already_present_and_never_sent() {
    let (_d, ctx) = job(4);
    let fake = Arc::new(Fake::new(&[0, 2], &[]));
    run_reconciled(&ctx, fake.clone()).await.unwrap();
    assert_eq!(*fake.sent_rows.lock().unwrap(), vec![1, 3]);
    let s = states(&ctx);
    assert_eq!(s[0].0, RowState::AlreadyPresent);
    assert_eq!(s[1].0, RowState::Imported);
    assert_eq!(s[2].0, RowState::AlreadyPresent);
    assert_eq!(s[3].0, RowState::Imported);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_over_the_cap_are_invalid_and_never_sent() {
    let (_d, ctx) = job(5);
    let mut fake = Fake::new(&[], &[]);
    fake.cap = Some(2);
    let fake = Arc::new(fake);
    run_reconciled(&ctx, fake.clone()).await.unwrap();
    assert_eq!(*fake.sent_rows.lock().unwrap(), vec![0, 1]);
    let s = states(&ctx);
    assert!(s[..2].iter().all(|x| x.0 == RowState::Imported));
    for x in &s[2..] {
        assert_eq!(
            (x.0, x.1.as_deref()),
            (RowState::Invalid, Some("webinar_cap_exceeded"))
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_row_the_answer_leaves_out_is_reconciled_not_rejected() {
    let (_d, ctx) = job(2);
    let fake = Arc::new(Fake::new(&[], &[Answer::Silent]));
    run_reconciled(&ctx, fake.clone()).await.unwrap();
    assert_eq!(fake.sends.load(Ordering::SeqCst), 1);
    assert!(states(&ctx)
        .iter()
        .all(|s| s.0 == RowState::Imported && s.2.as_deref() == Some("confirmed")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_of_a_single_row_is_rejected_with_the_providers_code() {
    let (_d, ctx) = job(1);
    let fake = Arc::new(Fake::new(&[], &[Answer::Refuse]));
    run_reconciled(&ctx, fake.clone()).await.unwrap();
    for s in states(&ctx) {
        assert_eq!((s.0, s.1.as_deref()), (RowState::Rejected, Some("10004")));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancel_stops_new_batches() {
    // 501 IM rows are two batches (500 a request); the cancel lands during the first.
    let (_d, ctx) = job(501);
    let mut fake = Fake::new(&[], &[]);
    fake.cancel_on_send = Some(ctx.shared.clone());
    let fake = Arc::new(fake);
    run_reconciled(&ctx, fake.clone()).await.unwrap();
    assert_eq!(fake.sends.load(Ordering::SeqCst), 1);
    let s = states(&ctx);
    assert_eq!(s.iter().filter(|x| x.0 == RowState::Imported).count(), 500);
    assert_eq!(s[500].0, RowState::Pending, "never sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_that_account_for_every_row_need_no_second_list() {
    // 1,200 IM rows: three batches, every row answered; the destination is listed once (to find
    // who is there already), not again to confirm what the answers said.
    let (_d, ctx) = job(1200);
    let fake = Arc::new(Fake::new(&[], &[]));
    run_reconciled(&ctx, fake.clone()).await.unwrap();
    assert_eq!(fake.sends.load(Ordering::SeqCst), 3);
    assert_eq!(fake.lists.load(Ordering::SeqCst), 1);
    assert!(states(&ctx).iter().all(|s| s.0 == RowState::Imported));
}
