//! `send.rs`'s rules against the scripted fake of `tests.rs`: a batch refused whole is split to
//! the rows refused; "too many" shrinks the batch for the rest of the job.

use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use rollcall_core::api::RowState;

use super::run_reconciled;
use super::tests::{job, states, Fake};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_refused_whole_is_split_until_the_refused_rows_stand_alone() {
    // 40 rows in one batch; the provider refuses any request that carries row 7 or row 30.
    let (_d, ctx) = job(40);
    let mut fake = Fake::new(&[], &[]);
    fake.bad = [7, 30].into_iter().collect();
    let fake = Arc::new(fake);
    run_reconciled(&ctx, fake.clone()).await.unwrap();
    let s = states(&ctx);
    for (i, x) in s.iter().enumerate() {
        if i == 7 || i == 30 {
            assert_eq!(
                (x.0, x.1.as_deref()),
                (RowState::Rejected, Some("10004")),
                "row {i}"
            );
        } else {
            assert_eq!(
                x.0,
                RowState::Imported,
                "row {i} is sent once the bad rows are apart"
            );
        }
    }
    // Every good row went out exactly once; the search is bounded (halving: ~2·log2(40) per
    // bad row, not one request per row).
    let sent = fake.sent_rows.lock().unwrap().clone();
    assert_eq!(sent.len(), 38);
    assert_eq!(sent.iter().collect::<HashSet<_>>().len(), 38);
    let requests = fake.sends.load(Ordering::SeqCst);
    assert!(requests <= 25, "{requests} requests");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_accounts_shrinks_the_batch_for_the_rest_of_the_job() {
    // The provider takes 100 a request, not the documented 500: 1,200 rows.
    let (_d, ctx) = job(1200);
    let mut fake = Fake::new(&[], &[]);
    fake.max_batch = 100;
    let fake = Arc::new(fake);
    run_reconciled(&ctx, fake.clone()).await.unwrap();
    assert!(states(&ctx).iter().all(|s| s.0 == RowState::Imported));
    let sent = fake.sent_rows.lock().unwrap().clone();
    assert_eq!(sent.len(), 1200, "each row once");
    let sizes = fake.sizes.lock().unwrap().clone();
    let refused = sizes.iter().filter(|&&n| n > 100).count();
    // The first 500-row request is refused and halved (250, 125, 62…); from then on the
    // smaller size holds: only the requests already planned at the old size are refused.
    assert!(refused <= 3 + 3 * 2, "{refused} refused of {sizes:?}");
    assert!(sizes.iter().rev().take(5).all(|&n| n <= 100), "{sizes:?}");
}
