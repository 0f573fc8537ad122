//! A roster handed from the browser worker to the page a page at a time: what the page puts
//! back together is what one message would have carried, problems with their rows, and the
//! summary the page shows first is the whole file's.

use rollcall_core::api::{Assembly, DestinationKind, WorkerReply};
use rollcall_core::roster::{self, MappingOptions, Roster};

/// Rows with problems spread over pages (a short phone every 7th, a duplicate every 11th), an
/// IM join time and role on some (what validation derived, kept beside the rows).
fn roster(rows: usize) -> Roster {
    let mut csv = String::from("姓名,手机号,邮箱,IM账号,角色,入群时间\n");
    for i in 0..rows {
        let phone = match i {
            _ if i % 7 == 3 => "1380013".to_string(),
            _ if i % 11 == 5 => "13800000000".to_string(),
            _ => format!("139{i:08}"),
        };
        let (role, joined) = if i % 5 == 0 {
            ("Admin", "2026-12-01 09:00:00")
        } else {
            ("", "")
        };
        csv.push_str(&format!(
            "人{i},{phone},p{i}@example.com,im{i},{role},{joined}\n"
        ));
    }
    let mut r = roster::parse_roster(csv.as_bytes(), &MappingOptions::default()).unwrap();
    r.check_destinations(&DestinationKind::ALL);
    r
}

/// Through JSON, as the worker posts and the page reads.
fn wire(m: &WorkerReply) -> WorkerReply {
    serde_json::from_slice(&serde_json::to_vec(m).unwrap()).unwrap()
}

fn assemble(r: &Roster, page_rows: usize) -> (WorkerReply, Roster, usize) {
    let (read, pages) = WorkerReply::hand_over(r.clone(), page_rows, 12.5);
    let read = wire(&read);
    let WorkerReply::Read {
        roster, summary, ..
    } = read.clone()
    else {
        panic!("the first message is what was read: {read:?}")
    };
    assert!(roster.rows.is_empty() && roster.problems.is_empty());
    let mut a = Assembly::default();
    a.sent();
    assert!(a.read(roster, summary.rows), "the latest request's read");
    let (mut whole, mut n) = (None, 0);
    for m in pages {
        assert!(whole.is_none(), "nothing after the last page");
        let WorkerReply::Rows {
            rows,
            problems,
            last,
        } = wire(&m)
        else {
            panic!("then rows")
        };
        assert!(rows.len() <= page_rows);
        n += 1;
        whole = a.add(rows, problems, last);
        if whole.is_none() {
            assert_eq!(a.progress(), Some((n * page_rows, summary.rows)));
        }
    }
    (read, whole.expect("the last page completes the roster"), n)
}

#[test]
fn pages_put_back_together_are_the_roster() {
    let r = roster(2_345);
    assert!(r.problems.len() > 300, "problems on every page");
    // What one message carried before: the roster through JSON whole.
    let whole: Roster = serde_json::from_slice(&serde_json::to_vec(&r).unwrap()).unwrap();
    for page_rows in [1_000, 2_345, 10_000, 7] {
        let (read, got, pages) = assemble(&r, page_rows);
        assert_eq!(pages, 2_345usize.div_ceil(page_rows));
        assert_eq!(got, whole, "{page_rows} rows a page");
        let WorkerReply::Read {
            summary,
            elapsed_ms,
            ..
        } = read
        else {
            unreachable!()
        };
        let expected = r.summary(&[]);
        assert_eq!(
            (summary.rows, summary.invalid, summary.duplicates),
            (expected.rows, expected.invalid, expected.duplicates)
        );
        assert!(summary.problems.is_empty(), "problems come with their rows");
        assert_eq!(elapsed_ms, 12.5);
    }
}

#[test]
fn a_page_of_rows_keeps_what_validation_derived() {
    let r = roster(500);
    let mut back = r.rows.page(0..123);
    back.append(r.rows.page(123..400));
    back.append(r.rows.page(400..9_999));
    assert_eq!(back, r.rows, "cells, entries, areas, phones and join times");
    assert!(r.rows.page(600..700).is_empty());
    let mut again = r.clone();
    again.rows = back;
    for i in [0, 5, 123, 400, 499] {
        assert_eq!(again.attendee(i), r.attendee(i));
    }
}

#[test]
fn an_empty_roster_still_ends() {
    let r = roster(0);
    let (_, got, pages) = assemble(&r, 100);
    assert_eq!((pages, got.rows.len()), (1, 0));
}

/// The messages the worker posts for one request, through JSON.
fn replies(r: &Roster, page_rows: usize) -> Vec<WorkerReply> {
    let (read, pages) = WorkerReply::hand_over(r.clone(), page_rows, 1.0);
    std::iter::once(read)
        .chain(pages)
        .map(|m| wire(&m))
        .collect()
}

/// Feeds one reply to the page's side, as the page does; the roster when one is complete.
fn feed(a: &mut Assembly, m: WorkerReply) -> Option<Roster> {
    match m {
        WorkerReply::Read {
            roster, summary, ..
        } => {
            a.read(roster, summary.rows);
            None
        }
        WorkerReply::Rows {
            rows,
            problems,
            last,
        } => a.add(rows, problems, last),
        WorkerReply::Error { .. } => {
            a.error();
            None
        }
        _ => None,
    }
}

#[test]
fn a_second_file_while_the_first_arrives_drops_the_first() {
    let (first, second) = (roster(250), roster(120));
    let json = |r: &Roster| serde_json::to_value(r).unwrap();
    // The first file's read and a page are in; the second file is dropped; the first's other
    // pages still arrive (the worker posted them before it read the second).
    let mut a = Assembly::default();
    a.sent();
    let mut one = replies(&first, 100).into_iter();
    assert!(feed(&mut a, one.next().unwrap()).is_none());
    assert!(feed(&mut a, one.next().unwrap()).is_none());
    assert_eq!(a.progress(), Some((100, 250)));
    a.sent();
    assert_eq!(a.progress(), None, "nothing of the first shown as arriving");
    assert!(a.reading_latest());
    for m in one {
        assert!(
            feed(&mut a, m).is_none(),
            "the first file's pages are dropped"
        );
    }
    let mut got = None;
    for m in replies(&second, 100) {
        got = got.or(feed(&mut a, m));
    }
    let got = got.expect("the second file, whole");
    assert_eq!(got.rows.len(), 120);
    let whole: Roster = serde_json::from_value(json(&second)).unwrap();
    assert_eq!(got, whole);
}

#[test]
fn a_read_of_a_superseded_request_is_not_shown() {
    let (first, second) = (roster(30), roster(40));
    // Two requests before the worker answered either (a mapping changed twice in a row).
    let mut a = Assembly::default();
    a.sent();
    a.sent();
    assert!(!a.reading_latest(), "the worker is still on the first");
    let mut one = replies(&first, 10).into_iter();
    let WorkerReply::Read {
        roster: read,
        summary,
        ..
    } = one.next().unwrap()
    else {
        panic!()
    };
    assert!(
        !a.read(read, summary.rows),
        "the first's read is not the latest"
    );
    assert!(a.reading_latest());
    assert!(one.all(|m| feed(&mut a, m).is_none()));
    let mut got = None;
    for m in replies(&second, 10) {
        got = got.or(feed(&mut a, m));
    }
    assert_eq!(got.map(|r| r.rows.len()), Some(40));
    // An error answers a request too: one for a superseded request is not the latest's.
    a.sent();
    a.sent();
    assert!(!a.error());
    assert!(a.error());
    // And a page with nothing started is dropped.
    assert!(Assembly::default()
        .add(roster(3).rows, Vec::new(), true)
        .is_none());
}
