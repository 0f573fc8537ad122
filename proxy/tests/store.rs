//! The `JobStore` contract, run on both backends: SQLite (always) and PostgreSQL (a fresh database
//! on the test run's cluster; skipped, saying so, where there is none). What only a shared store
//! promises — leases that exclude each other and expire, a batch refused after a takeover, pacing
//! slots across replicas — is checked on PostgreSQL.

mod common;

use std::sync::Arc;
use std::time::Duration;

use rollcall::jobs::store::{
    self, DestIdx, JobStore, Lease, NewJob, NewRow, Outcome, PgStore, RowIdx, Settled, SqliteStore,
    StateOutcome, StoreError,
};
use rollcall_core::api::{AuditQuery, JobState, RowState};
use rollcall_core::roster::Attendee;
use rollcall_core::{OutcomeCode, ProblemCode, Text};

const TTL: Duration = Duration::from_secs(30);

fn new_job(id: &str, rows: usize) -> NewJob {
    NewJob {
        id: id.into(),
        created_by: "alice".into(),
        created_at: 1_700_000_000,
        file_name: Some("名单.csv".into()),
        headers: vec!["姓名".into(), "手机号".into()],
        destinations: vec![
            "tencent-im:@TGS#G".parse().unwrap(),
            "huiyi31:ev:type:sku".parse().unwrap(),
        ],
        rows: (0..rows)
            .map(|i| NewRow {
                row_no: i as u32 + 2,
                cells: vec![format!("人{i}"), format!("1380000{i:04}")],
                attendee: Attendee {
                    name: Some(format!("人{i}").into()),
                    ..Default::default()
                },
                initial: vec![
                    StateOutcome::new(RowState::Pending, Outcome::default()),
                    if i == 0 {
                        StateOutcome::new(
                            RowState::Invalid,
                            Outcome::note(
                                ProblemCode::PhoneAreaMissing,
                                Text::new("缺少手机号", "no phone"),
                            ),
                        )
                    } else {
                        StateOutcome::new(RowState::Pending, Outcome::default())
                    },
                ],
            })
            .collect(),
        share_with: vec![],
        // Two cells of the first row changed in the preview.
        edited: ["姓名", "手机号"]
            .map(|h| rollcall_core::roster::EditedCell {
                row: 2,
                column: h.into(),
            })
            .to_vec(),
    }
}

fn rows(ids: &[u32]) -> Vec<RowIdx> {
    ids.iter().map(|&i| RowIdx(i)).collect()
}

/// Everything both backends promise.
fn contract(s: &dyn JobStore) {
    s.ping().unwrap();
    s.create_job(&new_job("j1", 5)).unwrap();
    s.create_job(&new_job("j2", 2)).unwrap();

    // Reading a job back.
    let j = s.get_job("j1").unwrap().unwrap();
    assert_eq!(
        (j.state, j.rows, j.created_by.as_str()),
        (JobState::Running, 5, "alice")
    );
    assert_eq!(j.file_name.as_deref(), Some("名单.csv"));
    assert_eq!(j.edited_cells, 2, "the cells changed before sending");

    // Column mappings: kept per owner and name, the same name replaced, newest first.
    let kept = |owner: &str, name: &str, at: i64| rollcall_core::api::SavedMapping {
        name: name.into(),
        owner: owner.into(),
        headers: vec!["姓名".into(), "手机".into()],
        mapping: Default::default(),
        saved_at: at,
    };
    s.save_mapping(&kept("alice", "报名表", 1)).unwrap();
    s.save_mapping(&kept("bob", "报名表", 2)).unwrap();
    s.save_mapping(&kept("alice", "报名表", 3)).unwrap();
    let all = s.mappings().unwrap();
    let names: Vec<(&str, i64)> = all.iter().map(|m| (m.owner.as_str(), m.saved_at)).collect();
    assert_eq!(names, [("alice", 3), ("bob", 2)]);
    assert_eq!(j.destinations[0].counts.get(RowState::Pending), 5);
    assert_eq!(j.destinations[1].counts.get(RowState::Invalid), 1);
    assert!(s.get_job("nope").unwrap().is_none());
    let listed: Vec<String> = s.list_jobs().unwrap().into_iter().map(|j| j.id).collect();
    assert!(listed.contains(&"j1".into()) && listed.contains(&"j2".into()));
    let input = s.job_input("j1").unwrap();
    assert_eq!(input.destinations.len(), 2);
    assert_eq!(input.attendees[3].name.as_deref(), Some("人3"));

    // A running job nobody holds is orphaned; taking its lease answers who held it before.
    assert!(s.orphaned_jobs().unwrap().contains(&"j1".into()));
    assert_eq!(
        s.lease("j1", "A", TTL).unwrap(),
        Lease::Held {
            previous: None,
            cancel: false
        }
    );
    assert_eq!(
        s.lease("j1", "A", TTL).unwrap(),
        Lease::Held {
            previous: Some("A".into()),
            cancel: false
        }
    );

    // Batches: in flight before sending, settled in part, the rest back to pending.
    let d = DestIdx(0);
    assert_eq!(s.pending_rows("j1", d).unwrap(), rows(&[0, 1, 2, 3, 4]));
    let b = s.begin_batch("j1", d, &rows(&[0, 1, 2]), "A").unwrap();
    assert_eq!(s.pending_rows("j1", d).unwrap(), rows(&[3, 4]));
    // A row already in a batch cannot be begun again: nothing of the second batch is recorded.
    match s.begin_batch("j1", d, &rows(&[2, 3]), "A") {
        Err(StoreError::AlreadyBegun(_)) => {}
        other => panic!("a row in flight was begun twice: {other:?}"),
    }
    assert_eq!(s.pending_rows("j1", d).unwrap(), rows(&[3, 4]));
    assert_eq!(
        s.inflight_batches("j1", d).unwrap(),
        vec![(b, rows(&[0, 1, 2]))]
    );
    assert!(s.inflight_batches("j1", DestIdx(1)).unwrap().is_empty());
    let imported = Outcome::found(
        Some(Text::new("已导入", "imported")),
        Some("enroll-1".into()),
        Some("code-1".into()),
    );
    s.finish_batch(
        b,
        &[Settled::new(
            RowIdx(0),
            RowState::Imported,
            imported.clone(),
        )],
        "A",
    )
    .unwrap();
    // Finishing again (a retry after a lost answer) changes nothing.
    s.finish_batch(b, &[], "A").unwrap();
    assert!(s.inflight_batches("j1", d).unwrap().is_empty());
    assert_eq!(s.pending_rows("j1", d).unwrap(), rows(&[1, 2, 3, 4]));
    s.set_outcomes(
        "j1",
        d,
        &[
            Settled::new(RowIdx(3), RowState::AlreadyPresent, Outcome::default()),
            Settled::new(
                RowIdx(4),
                RowState::Rejected,
                Outcome::note(OutcomeCode::Provider(10010), Text::same("群组不存在")),
            ),
        ],
        Some("A"),
    )
    .unwrap();
    let j = s.get_job("j1").unwrap().unwrap();
    let c = &j.destinations[0].counts;
    assert_eq!(
        (
            c.get(RowState::Imported),
            c.get(RowState::AlreadyPresent),
            c.get(RowState::Rejected),
            c.get(RowState::Pending)
        ),
        (1, 1, 1, 2)
    );

    // Results, whole and by page, with the outcome's message in both languages.
    let r = s.results("j1").unwrap().unwrap();
    assert_eq!(r.headers, vec!["姓名", "手机号"]);
    assert_eq!(r.rows.len(), 5);
    let o = &r.rows[0].outcomes[0];
    assert_eq!(
        (o.state, o.reference.as_deref(), o.attendee_code.as_deref()),
        (RowState::Imported, Some("enroll-1"), Some("code-1"))
    );
    assert_eq!(o.message.as_ref().unwrap().en, "imported");
    assert_eq!(r.rows[0].outcomes[1].state, RowState::Invalid);
    assert_eq!(
        r.rows[0].outcomes[1].code,
        Some(ProblemCode::PhoneAreaMissing.into())
    );
    let page = s.results_page("j1", 2, 2).unwrap().unwrap();
    assert_eq!(
        page.rows.iter().map(|r| r.row).collect::<Vec<_>>(),
        vec![4, 5]
    );
    assert_eq!(page.rows[1].outcomes[0].state, RowState::AlreadyPresent);
    assert!(s
        .results_page("j1", 10, 5)
        .unwrap()
        .unwrap()
        .rows
        .is_empty());
    assert!(s.results("nope").unwrap().is_none());

    // A cancel request reaches the lease holder at its renewal; resuming clears it.
    s.request_cancel("j1").unwrap();
    assert_eq!(
        s.lease("j1", "A", TTL).unwrap(),
        Lease::Held {
            previous: Some("A".into()),
            cancel: true
        }
    );
    s.set_job_state("j1", JobState::Running, None).unwrap();
    assert!(matches!(
        s.lease("j1", "A", TTL).unwrap(),
        Lease::Held { cancel: false, .. }
    ));

    // A finished job releases its lease and cannot be leased.
    let done = Text::new("完成", "done");
    s.set_job_state("j1", JobState::Completed, Some(&done))
        .unwrap();
    assert_eq!(s.lease("j1", "A", TTL).unwrap(), Lease::NotRunning);
    assert!(!s.orphaned_jobs().unwrap().contains(&"j1".into()));
    let j = s.get_job("j1").unwrap().unwrap();
    assert_eq!((j.state, j.reason), (JobState::Completed, Some(done)));

    s.audit("alice", "job.create", "j1", 5, "created").unwrap();

    // Destinations seen: the latest first; a label is kept when a later use has none.
    s.remember_destination("tencent-meeting:173", Some("发布会 · 123456789"), 100)
        .unwrap();
    s.remember_destination("tencent-im:@TGS#G", None, 200)
        .unwrap();
    s.remember_destination("tencent-meeting:173", None, 300)
        .unwrap();
    let known = s.known_destinations().unwrap();
    assert_eq!(known.len(), 2);
    assert_eq!(known[0].destination.to_string(), "tencent-meeting:173");
    assert_eq!(
        (known[0].label.as_deref(), known[0].last_used),
        (Some("发布会 · 123456789"), 300)
    );
    assert_eq!((known[1].label.as_deref(), known[1].last_used), (None, 200));
}

/// Personal data: sharing, retention, shredding, the audit log — on both backends. Leaves job
/// "p1" shredded (each backend's test then looks into the database itself).
fn privacy_contract(s: &dyn JobStore) {
    let mut job = new_job("p1", 3);
    job.share_with = vec!["auditors".into()];
    job.created_by = "paula".into();
    for (i, row) in job.rows.iter_mut().enumerate() {
        row.cells = vec![format!("秘密{i}"), format!("1399999{i:04}")];
        row.attendee.name = Some(format!("秘密{i}").into());
    }
    s.create_job(&job).unwrap();
    let j = s.get_job("p1").unwrap().unwrap();
    assert_eq!(j.share_with, vec!["auditors".to_string()]);
    assert_eq!((j.finished_at, j.shredded_at), (None, None));
    assert_eq!(s.running_jobs_of("paula").unwrap(), 1);
    assert_eq!(s.running_jobs_of("nobody").unwrap(), 0);
    s.lease("p1", "A", TTL).unwrap();
    s.save_memo("p1", DestIdx(0), "{\"nick\":\"人1\"}", "A")
        .unwrap();
    // A running job is never shredded.
    assert_eq!(s.shred("p1", 2_000_000_000).unwrap(), 0);
    s.set_job_state("p1", JobState::Completed, None).unwrap();
    let finished = s.get_job("p1").unwrap().unwrap().finished_at.unwrap();
    assert_eq!(s.running_jobs_of("paula").unwrap(), 0);
    assert!(!s
        .expired_jobs(finished - 10)
        .unwrap()
        .contains(&"p1".into()));
    assert!(s
        .expired_jobs(finished + 10)
        .unwrap()
        .contains(&"p1".into()));
    assert_eq!(s.shred("p1", finished + 5).unwrap(), 3);
    assert_eq!(s.shred("p1", finished + 6).unwrap(), 0, "once");
    assert!(!s
        .expired_jobs(finished + 10)
        .unwrap()
        .contains(&"p1".into()));
    let j = s.get_job("p1").unwrap().unwrap();
    assert_eq!(j.shredded_at, Some(finished + 5));
    assert_eq!(j.rows, 3, "counts stay");
    let r = s.results("p1").unwrap().unwrap();
    assert!(r.rows.iter().all(|row| row.cells.is_empty()));
    assert_eq!(
        r.rows[0].outcomes[1].code,
        Some(ProblemCode::PhoneAreaMissing.into())
    );
    assert_eq!(s.load_memo("p1", DestIdx(0)).unwrap(), None);

    s.audit("paula", "job.results", "p1", 3, "read").unwrap();
    s.audit("quinn", "job.results_csv", "p1", 3, "exported")
        .unwrap();
    s.audit("paula", "tencent_meeting.enroll_import", "m1", 7, "ok")
        .unwrap();
    let q = |f: &dyn Fn(&mut AuditQuery)| {
        let mut q = AuditQuery::default();
        f(&mut q);
        s.audit_entries(&q).unwrap()
    };
    let mine = q(&|q| q.user = Some("paula".into()));
    assert_eq!(mine.len(), 2);
    assert_eq!(
        mine[0].action, "tencent_meeting.enroll_import",
        "newest first"
    );
    assert_eq!(
        q(&|q| q.action = Some("job.".into())).len(),
        3,
        "job.create from contract() too"
    );
    assert_eq!(q(&|q| q.target = Some("m1".into()))[0].rows, 7);
    assert_eq!(q(&|q| q.limit = Some(1)).len(), 1);
    assert!(q(&|q| q.since = Some(4_000_000_000)).is_empty());
    assert!(!q(&|q| q.until = Some(4_000_000_000)).is_empty());
}

/// What a store shared by replicas promises on top.
/// A sync's record: created once, written only by whoever names its current version, and the
/// poll's jobs written with it or not at all.
fn sync_contract(s: &dyn JobStore) {
    assert!(s.save_sync("sync_1", None, "{\"v\":1}", &[]).unwrap());
    assert!(
        !s.save_sync("sync_1", None, "{\"v\":\"again\"}", &[])
            .unwrap(),
        "created once"
    );
    let doc = s.sync_doc("sync_1").unwrap().unwrap();
    assert_eq!((doc.version, doc.doc.as_str()), (1, "{\"v\":1}"));
    // A writer that read an older version writes nothing, not even its jobs.
    assert!(!s
        .save_sync("sync_1", Some(0), "{}", &[new_job("sj_stale", 2)])
        .unwrap());
    assert!(s.get_job("sj_stale").unwrap().is_none());
    assert!(s
        .save_sync("sync_1", Some(1), "{\"v\":2}", &[new_job("sj_1", 2)])
        .unwrap());
    assert_eq!(s.get_job("sj_1").unwrap().unwrap().rows, 2);
    assert!(
        !s.save_sync("sync_1", Some(1), "{}", &[new_job("sj_2", 1)])
            .unwrap(),
        "once per version"
    );
    assert!(s.get_job("sj_2").unwrap().is_none());
    assert_eq!(s.sync_doc("sync_1").unwrap().unwrap().version, 2);
    assert_eq!(s.sync_docs().unwrap().len(), 1);
    assert!(s.sync_doc("sync_none").unwrap().is_none());
}

fn shared_contract(s: &dyn JobStore) {
    assert!(s.is_shared());
    s.create_job(&new_job("lease", 3)).unwrap();
    let short = Duration::from_secs(1);
    assert!(matches!(
        s.lease("lease", "A", short).unwrap(),
        Lease::Held { .. }
    ));
    // A live lease excludes every other replica, and the job is not orphaned.
    assert_eq!(
        s.lease("lease", "B", TTL).unwrap(),
        Lease::Elsewhere("A".into())
    );
    assert_eq!(s.lease_holder("lease").unwrap().as_deref(), Some("A"));
    assert!(!s.orphaned_jobs().unwrap().contains(&"lease".into()));
    assert_eq!(s.request_cancel("lease").unwrap().as_deref(), Some("A"));
    s.set_job_state("lease", JobState::Running, None).unwrap();
    // Expired: orphaned, and B takes it over, told who held it.
    std::thread::sleep(Duration::from_millis(1300));
    assert!(s.orphaned_jobs().unwrap().contains(&"lease".into()));
    assert!(s.lease_holder("lease").unwrap().is_none());
    assert_eq!(
        s.lease("lease", "B", TTL).unwrap(),
        Lease::Held {
            previous: Some("A".into()),
            cancel: false
        }
    );
    // A, which lost the lease, may not journal (and so not send) another batch.
    match s.begin_batch("lease", DestIdx(0), &rows(&[0]), "A") {
        Err(StoreError::LeaseLost(by)) => assert_eq!(by, "B"),
        other => panic!("a batch after a takeover must be refused: {other:?}"),
    }
    assert_eq!(
        s.pending_rows("lease", DestIdx(0)).unwrap(),
        rows(&[0, 1, 2])
    );
    let by_b = s
        .begin_batch("lease", DestIdx(0), &rows(&[0]), "B")
        .unwrap();
    // Nor settle anything: a batch's outcome, or rows outside one.
    match s.finish_batch(by_b, &[], "A") {
        Err(StoreError::LeaseLost(by)) => assert_eq!(by, "B"),
        other => panic!("finishing a batch after a takeover must be refused: {other:?}"),
    }
    let done = [Settled::new(
        RowIdx(1),
        RowState::Imported,
        Outcome::default(),
    )];
    match s.set_outcomes("lease", DestIdx(0), &done, Some("A")) {
        Err(StoreError::LeaseLost(by)) => assert_eq!(by, "B"),
        other => panic!("outcomes after a takeover must be refused: {other:?}"),
    }
    assert_eq!(
        s.inflight_batches("lease", DestIdx(0)).unwrap(),
        vec![(by_b, rows(&[0]))]
    );
    s.finish_batch(by_b, &[], "B").unwrap();
    s.set_outcomes("lease", DestIdx(0), &done, Some("B"))
        .unwrap();
    // A cancel never overwrites a job that finished meanwhile.
    s.set_job_state("lease", JobState::Completed, None).unwrap();
    s.set_job_state("lease", JobState::Cancelled, None).unwrap();
    assert_eq!(
        s.get_job("lease").unwrap().unwrap().state,
        JobState::Completed
    );

    // Pacing slots: consecutive reservations are `interval` apart across callers. The interval is
    // long next to a call (milliseconds), so the check holds however slow the machine is.
    let interval = Duration::from_secs(10);
    let waits: Vec<Duration> = (0..5)
        .map(|_| s.reserve_slot("tencent_im:1400000777", interval).unwrap())
        .collect();
    for pair in waits.windows(2) {
        // Each next slot is one interval later, less the time the calls themselves took.
        let step = pair[1].as_secs_f64() - pair[0].as_secs_f64();
        assert!(step > 5.0 && step <= 10.001, "slots {waits:?}");
    }
    // Another key has its own budget: its first slot is now, not after the other key's four.
    assert!(s.reserve_slot("tencent_meeting:1", interval).unwrap() < interval / 2);
}

fn with_runtime(f: impl FnOnce()) {
    // The PostgreSQL store runs its queries on the current runtime's handle.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let _guard = rt.enter();
    f();
}

#[test]
fn sqlite_keeps_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let s = SqliteStore::open(dir.path()).unwrap();
    contract(&s);
    privacy_contract(&s);
    sync_contract(&s);
    // The shredded cells are gone from the database file and its write-ahead log.
    let mut bytes = std::fs::read(dir.path().join("rollcall.db")).unwrap();
    bytes.extend(std::fs::read(dir.path().join("rollcall.db-wal")).unwrap_or_default());
    for pii in ["13999990001", "13999990002", "秘密1", "秘密2"] {
        assert!(
            !bytes.windows(pii.len()).any(|w| w == pii.as_bytes()),
            "{pii} left in the file"
        );
    }
    // (Job "j1", not shredded, keeps its cells there: the check can fail.)
    let kept = "13800000004";
    assert!(bytes.windows(kept.len()).any(|w| w == kept.as_bytes()));
    assert!(!s.is_shared());
    // A second open of the same file (a restart) sees everything and migrates nothing twice.
    drop(s);
    let s = SqliteStore::open(dir.path()).unwrap();
    assert_eq!(s.get_job("j1").unwrap().unwrap().state, JobState::Completed);
    // A cancel never overwrites a job that finished meanwhile.
    s.set_job_state("j1", JobState::Cancelled, None).unwrap();
    assert_eq!(s.get_job("j1").unwrap().unwrap().state, JobState::Completed);
}

#[test]
fn postgres_keeps_the_contract() {
    let Some(url) = common::pg_database("postgres_keeps_the_contract") else {
        return;
    };
    with_runtime(|| {
        let s = PgStore::connect(&url, None, 4).unwrap();
        contract(&s);
        privacy_contract(&s);
        sync_contract(&s);
        // The shredded rows as the database holds them (not through the store).
        let raw = tokio::task::block_in_place(|| {
            tokio::runtime::Handle::current().block_on(async {
                let (c, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                    .await
                    .unwrap();
                tokio::spawn(conn);
                let rows = c
                    .query("SELECT cells, attendee FROM job_rows WHERE job_id = 'p1'", &[])
                    .await
                    .unwrap();
                let memos: i64 = c
                    .query_one("SELECT COUNT(*) FROM dest_memos WHERE job_id = 'p1'", &[])
                    .await
                    .unwrap()
                    .get(0);
                let kept: i64 = c
                    .query_one("SELECT COUNT(*) FROM job_rows WHERE job_id = 'j1' AND cells LIKE '%1380000%'", &[])
                    .await
                    .unwrap()
                    .get(0);
                (
                    rows.iter()
                        .map(|r| (r.get::<_, String>(0), r.get::<_, String>(1)))
                        .collect::<Vec<_>>(),
                    memos,
                    kept,
                )
            })
        });
        assert_eq!(raw.0.len(), 3);
        assert!(
            raw.0.iter().all(|(c, a)| c == "[]" && a == "null"),
            "{raw:?}"
        );
        assert_eq!(raw.1, 0, "memos removed");
        assert!(raw.2 > 0, "other jobs keep their cells");
        shared_contract(&s);
        // One replica holds a sync's lease until it lapses.
        assert!(s
            .lease_sync("sync_1", "A", Duration::from_secs(30))
            .unwrap());
        assert!(!s
            .lease_sync("sync_1", "B", Duration::from_secs(30))
            .unwrap());
        assert!(s.lease_sync("sync_1", "A", Duration::from_secs(0)).unwrap());
        std::thread::sleep(Duration::from_millis(1100));
        assert!(
            s.lease_sync("sync_1", "B", Duration::from_secs(30))
                .unwrap(),
            "lapsed"
        );
        // Two replicas starting together migrate once (the advisory lock), and see the same jobs.
        let (a, b) = std::thread::scope(|scope| {
            let h = tokio::runtime::Handle::current();
            let spawn = |url: String, h: tokio::runtime::Handle| {
                scope.spawn(move || {
                    let _g = h.enter();
                    PgStore::connect(&url, None, 2).map(|_| ())
                })
            };
            let a = spawn(url.clone(), h.clone());
            let b = spawn(url.clone(), h);
            (a.join().unwrap(), b.join().unwrap())
        });
        a.unwrap();
        b.unwrap();
        let again = PgStore::connect(&url, None, 2).unwrap();
        assert_eq!(
            again.get_job("j1").unwrap().unwrap().state,
            JobState::Completed
        );
    });
}

#[test]
fn postgres_unreachable_is_unavailable_not_an_error_of_the_data() {
    // A port nothing listens on: connecting fails the way an outage does, and says so.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    with_runtime(|| {
        let err = PgStore::connect(&format!("postgres://rollcall@127.0.0.1:{port}/x"), None, 2)
            .err()
            .expect("nothing listens there");
        assert!(err.is_unavailable(), "{err}");
    });
}

#[test]
fn store_url_picks_the_backend() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = rollcall::config::StoreConfig {
        url: Some(format!("sqlite://{}", dir.path().join("j").display())),
        ..Default::default()
    };
    let s: Arc<dyn JobStore> = store::open(&cfg, dir.path()).unwrap();
    assert!(!s.is_shared());
    assert!(dir.path().join("j").join("rollcall.db").exists());
}

/// `store.url`'s `sslmode` against a cluster serving TLS with a certificate this test makes:
/// `require` connects encrypted, `verify-full` connects with the right CA and refuses with
/// another, `disable` connects in clear, and a password in the URL is refused either way.
#[test]
fn postgres_over_tls_honours_sslmode() {
    let Some(url) = common::pg_database("postgres_over_tls_honours_sslmode") else {
        return;
    };
    let base = std::env::var("ROLLCALL_TEST_PG").unwrap();
    // A CA, a server certificate it signs for 127.0.0.1, and a CA that signed nothing.
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let server_key = rcgen::KeyPair::generate().unwrap();
    let server = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".into()])
        .unwrap()
        .signed_by(&server_key, &ca, &ca_key)
        .unwrap();
    let other_key = rcgen::KeyPair::generate().unwrap();
    let mut other_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    other_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let other_ca = other_params.self_signed(&other_key).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (ca_pem, other_pem) = (dir.path().join("ca.pem"), dir.path().join("other.pem"));
    std::fs::write(&ca_pem, ca.pem()).unwrap();
    std::fs::write(&other_pem, other_ca.pem()).unwrap();

    with_runtime(|| {
        let h = tokio::runtime::Handle::current();
        let admin = |sql: String| {
            let base = base.clone();
            tokio::task::block_in_place(|| {
                h.block_on(async move {
                    let (c, conn) = tokio_postgres::connect(&base, tokio_postgres::NoTls)
                        .await
                        .unwrap();
                    tokio::spawn(conn);
                    c.simple_query(&sql).await.unwrap()
                })
            })
        };
        let first = |rows: Vec<tokio_postgres::SimpleQueryMessage>| {
            rows.into_iter()
                .find_map(|m| match m {
                    tokio_postgres::SimpleQueryMessage::Row(r) => {
                        Some(r.get(0).unwrap_or_default().to_string())
                    }
                    _ => None,
                })
                .unwrap()
        };
        // The server's key and certificate in its data directory, owned by the server's user.
        let data = std::path::PathBuf::from(first(admin("SHOW data_directory".into())));
        let (crt, key) = (
            data.join("rollcall-test.crt"),
            data.join("rollcall-test.key"),
        );
        std::fs::write(&crt, server.pem()).unwrap();
        std::fs::write(&key, server_key.serialize_pem()).unwrap();
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let owner = std::fs::metadata(&data).unwrap();
        for f in [&crt, &key] {
            std::os::unix::fs::chown(f, Some(owner.uid()), Some(owner.gid())).ok();
            std::fs::set_permissions(f, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        admin(format!(
            "ALTER SYSTEM SET ssl_cert_file = '{}'",
            crt.display()
        ));
        admin(format!(
            "ALTER SYSTEM SET ssl_key_file = '{}'",
            key.display()
        ));
        admin("ALTER SYSTEM SET ssl = on".into());
        admin("SELECT pg_reload_conf()".into());

        // require: encrypted (the server's own view of the connection says so).
        let require = format!("{url}?sslmode=require");
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        let store = loop {
            match PgStore::connect(&require, None, 2) {
                Ok(s) => break s,
                Err(e) if std::time::Instant::now() < deadline => {
                    eprintln!("waiting for ssl = on: {e}");
                    std::thread::sleep(Duration::from_millis(300));
                }
                Err(e) => panic!("sslmode=require: {e}"),
            }
        };
        store.list_jobs().unwrap();
        let db = url.rsplit_once('/').unwrap().1;
        let encrypted = first(admin(format!(
            "SELECT count(*) FROM pg_stat_ssl JOIN pg_stat_activity USING (pid) \
             WHERE datname = '{db}' AND application_name = 'rollcall' AND ssl"
        )));
        assert_ne!(encrypted, "0", "rollcall's connections are encrypted");
        drop(store);

        // verify-full: the right CA connects, another CA is refused.
        let full = |ca: &std::path::Path| {
            format!(
                "{url}?sslmode=verify-full&sslrootcert={}",
                ca.display().to_string().replace('/', "%2F")
            )
        };
        PgStore::connect(&full(&ca_pem), None, 2).expect("verify-full with the right CA");
        let err = PgStore::connect(&full(&other_pem), None, 2)
            .err()
            .expect("verify-full with another CA must refuse");
        assert!(err.to_string().contains("certificate"), "{err}");

        // disable: in clear.
        let clear = PgStore::connect(&format!("{url}?sslmode=disable"), None, 2).unwrap();
        clear.list_jobs().unwrap();

        // A password in the URL, either way, is refused before connecting.
        for bad in [
            format!("{url}?sslmode=require&password=hunter2"),
            url.replace("rollcall@", "rollcall:hunter2@"),
        ] {
            let err = PgStore::connect(&bad, None, 2).err().expect(&bad);
            assert!(err.to_string().contains("password in the URL"), "{err}");
            assert!(!err.to_string().contains("hunter2"), "{err}");
        }
    });
}
