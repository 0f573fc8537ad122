//! The page's own performance marks for the import, read by the browser benchmark and kept in
//! the page's performance timeline (`performance.getEntriesByType("measure")`): the file's drop
//! → its summary on screen, and a filter or search → the preview redrawn.

use std::cell::Cell;

use leptos::prelude::*;

/// A span the page measures: from a mark made when it begins to the frame that shows its end.
pub(super) struct Span {
    begin: &'static str,
    end: &'static str,
    /// Where its begin's `performance.now()` is kept (0: none pending).
    slot: usize,
}

/// The file's drop or choice → the frame showing its summary.
pub(super) const DROP_TO_SUMMARY: Span = Span {
    begin: "rollcall:drop",
    end: "rollcall:summary",
    slot: 0,
};

/// The preview asked for other rows (a filter, a search) → the frame showing them.
pub(super) const FILTER_TO_ROWS: Span = Span {
    begin: "rollcall:filter",
    end: "rollcall:shown",
    slot: 1,
};

thread_local! {
    static BEGUN: [Cell<f64>; 2] = const { [Cell::new(0.0), Cell::new(0.0)] };
}

fn perf() -> Option<web_sys::Performance> {
    web_sys::window()?.performance()
}

/// A step on the way to the summary (`rollcall:read`: the file's bytes in the page;
/// `rollcall:posted`: handed to the worker, once it is listening).
pub(super) fn mark(name: &str) {
    if let Some(p) = perf() {
        let _ = p.mark(name);
    }
}

/// `span` begins now.
pub(super) fn begin(span: &Span) {
    if let Some(p) = perf() {
        let _ = p.mark(span.begin);
        BEGUN.with(|b| b[span.slot].set(p.now()));
    }
}

/// What `span` waited for is in the page: measured, into `into`, when the frame showing it is
/// drawn (nothing when the span was not begun: a roster handed over by another screen).
pub(super) fn end(span: &'static Span, into: RwSignal<f64>) {
    let since = BEGUN.with(|b| b[span.slot].replace(0.0));
    if since > 0.0 {
        request_animation_frame(move || {
            if let Some(p) = perf() {
                let _ = p.mark(span.end);
                let _ = p.measure_with_start_mark_and_end_mark(span.end, span.begin, span.end);
                into.set(p.now() - since);
            }
        });
    }
}
