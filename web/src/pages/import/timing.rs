//! The page's own performance marks for the import, read by the browser benchmark and kept in
//! the page's performance timeline (`performance.getEntriesByType("measure")`): the file's drop
//! → its summary on screen, and a filter or search → the preview redrawn.

use std::cell::Cell;

use leptos::prelude::*;

thread_local! {
    /// `performance.now()` when the file was dropped or chosen (0: none pending).
    static DROPPED: Cell<f64> = const { Cell::new(0.0) };
    /// `performance.now()` when the preview was last asked for other rows.
    static ASKED: Cell<f64> = const { Cell::new(0.0) };
}

fn perf() -> Option<web_sys::Performance> {
    web_sys::window()?.performance()
}

/// Marks the time between `start` (a mark already made) and the next frame, into `into`.
fn at_next_frame(start: &'static str, end: &'static str, since: f64, into: RwSignal<f64>) {
    request_animation_frame(move || {
        if let Some(p) = perf() {
            let _ = p.mark(end);
            let _ = p.measure_with_start_mark_and_end_mark(end, start, end);
            into.set(p.now() - since);
        }
    });
}

/// A step on the way to the summary (`rollcall:read`: the file's bytes in the page;
/// `rollcall:posted`: handed to the worker, once it is listening).
pub(super) fn mark(name: &str) {
    if let Some(p) = perf() {
        let _ = p.mark(name);
    }
}

/// A file was dropped or chosen.
pub(super) fn dropped() {
    if let Some(p) = perf() {
        let _ = p.mark("rollcall:drop");
        DROPPED.set(p.now());
    }
}

/// The summary of the file dropped is in the page: measured when the frame showing it is drawn.
pub(super) fn summary_shown(into: RwSignal<f64>) {
    let since = DROPPED.replace(0.0);
    if since > 0.0 {
        at_next_frame("rollcall:drop", "rollcall:summary", since, into);
    }
}

/// The preview was asked for other rows: a filter, a search, a cell fixed by a column tool.
pub(super) fn asked() {
    if let Some(p) = perf() {
        let _ = p.mark("rollcall:filter");
        ASKED.set(p.now());
    }
}

/// The preview has the rows it was asked for: measured when the frame showing them is drawn.
pub(super) fn answered(into: RwSignal<f64>) {
    let since = ASKED.replace(0.0);
    if since > 0.0 {
        at_next_frame("rollcall:filter", "rollcall:shown", since, into);
    }
}
