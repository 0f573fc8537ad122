//! The roster worker's messages to the page, and the hand-over of a roster in pages: the worker
//! posts what it read and its summary at once ([`WorkerReply::Read`]), then the rows a page at a
//! time ([`WorkerReply::Rows`]); the page shows the summary on the first message and puts the
//! rows back together ([`Assembly`]) — no single 100k-row message to serialise, copy and parse
//! before anything is on screen.

use serde::{Deserialize, Serialize};

use crate::roster::{CheckSummary, Roster, RosterError, RowProblem, Rows};

/// Rows per [`WorkerReply::Rows`] page (≈ 0.7 MB of JSON for a 7-column roster: a few ms to
/// parse, so the page stays responsive while they arrive).
pub const WORKER_PAGE_ROWS: usize = 10_000;

/// What the roster worker tells the page, one JSON string per message (the worker and the page
/// both use this type; externally tagged, so the page parses it in one pass).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
// One `read` a file, moved once: boxing the roster would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum WorkerReply {
    /// Loaded and listening.
    Ready,
    /// Rows validated so far.
    Progress { done: usize, total: usize },
    /// The file read and checked: the roster without its rows and problems (they follow in
    /// [`WorkerReply::Rows`] pages), its summary (problems left out) and how long reading and
    /// validating took. The page shows the summary at once.
    Read {
        roster: Roster,
        summary: CheckSummary,
        elapsed_ms: f64,
    },
    /// The next page of rows, in order, with their problems; `last` on the final one (a roster
    /// of no rows still sends one, empty).
    Rows {
        rows: Rows,
        problems: Vec<RowProblem>,
        last: bool,
    },
    /// The file could not be read at all.
    Error { error: RosterError },
}

impl WorkerReply {
    /// A roster as the worker hands it over: [`WorkerReply::Read`] first (made at once), then
    /// its rows and their problems `page_rows` at a time (each made when asked for).
    pub fn hand_over(
        mut roster: Roster,
        page_rows: usize,
        elapsed_ms: f64,
    ) -> (WorkerReply, impl Iterator<Item = WorkerReply>) {
        let mut summary = roster.summary(&[]);
        summary.problems.clear();
        let rows = std::mem::take(&mut roster.rows);
        let problems = std::mem::take(&mut roster.problems);
        let read = WorkerReply::Read {
            roster,
            summary,
            elapsed_ms,
        };
        let page_rows = page_rows.max(1);
        let pages = rows.len().div_ceil(page_rows).max(1);
        let mut problems_from = 0;
        let rest = (0..pages).map(move |p| {
            let page = rows.page(p * page_rows..(p + 1) * page_rows);
            let last = p + 1 == pages;
            // Problems are in row order: this page's are those up to its last row.
            let upto = match (last, page.iter().next_back()) {
                (true, _) | (_, None) => problems.len(),
                (false, Some(end)) => {
                    problems_from + problems[problems_from..].partition_point(|q| q.row <= end.row)
                }
            };
            let mine = problems[problems_from..upto].to_vec();
            problems_from = upto;
            WorkerReply::Rows {
                rows: page,
                problems: mine,
                last,
            }
        });
        (read, rest)
    }
}

/// The page's side of [`WorkerReply::hand_over`]: which reply belongs to the latest request, and
/// the roster being put back together from its pages. The worker answers requests in order, each
/// with one `read` (then its pages) or one `error`; a reply to a request since superseded (a
/// second file dropped, a mapping changed while the first was read) is dropped, pages included.
#[derive(Debug, Default)]
pub struct Assembly {
    /// Requests posted to the worker, and those it has answered (`read` or `error`).
    sent: u64,
    answered: u64,
    roster: Option<Roster>,
    expected: usize,
}

impl Assembly {
    /// A request was posted to the worker: replies to earlier ones no longer count.
    pub fn sent(&mut self) {
        self.sent += 1;
        self.roster = None;
        self.expected = 0;
    }

    /// Whether the worker is working on the latest request (its progress is worth showing).
    pub fn reading_latest(&self) -> bool {
        self.answered + 1 == self.sent
    }

    /// A `read` reply: starts the roster to fill when it answers the latest request (`true`).
    pub fn read(&mut self, roster: Roster, rows: usize) -> bool {
        self.answered += 1;
        let latest = self.answered == self.sent;
        if latest {
            self.roster = Some(roster);
            self.expected = rows;
        }
        latest
    }

    /// An `error` reply: whether it answers the latest request.
    pub fn error(&mut self) -> bool {
        self.answered += 1;
        self.roster = None;
        self.answered == self.sent
    }

    /// Rows received so far and how many are coming, while the latest request's rows arrive.
    pub fn progress(&self) -> Option<(usize, usize)> {
        self.roster.as_ref().map(|r| (r.rows.len(), self.expected))
    }

    /// Adds a page; the whole roster once the last one is in. A page of a superseded request
    /// (or with nothing started) is dropped.
    pub fn add(&mut self, rows: Rows, problems: Vec<RowProblem>, last: bool) -> Option<Roster> {
        if self.answered != self.sent {
            return None;
        }
        let r = self.roster.as_mut()?;
        r.rows.append(rows);
        r.problems.extend(problems);
        if last {
            self.expected = 0;
            self.roster.take()
        } else {
            None
        }
    }
}
