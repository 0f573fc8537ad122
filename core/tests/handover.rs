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
    a.start(roster, summary.rows);
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
            assert_eq!(a.progress(), (n * page_rows, summary.rows));
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

#[test]
fn a_stale_page_is_dropped() {
    let r = roster(10);
    let (_, mut pages) = WorkerReply::hand_over(r, 5, 0.0);
    let Some(WorkerReply::Rows {
        rows,
        problems,
        last,
    }) = pages.next()
    else {
        panic!()
    };
    assert!(Assembly::default().add(rows, problems, last).is_none());
}
