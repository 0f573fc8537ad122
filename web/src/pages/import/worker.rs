//! The roster worker's client: started on first use (its bundle is fetched only then), fed the
//! file's bytes, its typed replies (`api::WorkerReply`) written into the page's state.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use leptos::prelude::*;
use rollcall_core::api::{Assembly, WorkerReply};
use rollcall_core::roster::{MappingOptions, RosterError};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::{timing, ImportState};
use rollcall_core::codes::ProblemCode;

thread_local! {
    static WORKER: RefCell<Option<web_sys::Worker>> = const { RefCell::new(None) };
    /// The worker drops messages sent before its wasm is initialised: hold the latest request
    /// until it says "ready".
    static READY: RefCell<bool> = const { RefCell::new(false) };
    static PENDING: RefCell<Option<js_sys::Object>> = const { RefCell::new(None) };
    /// When the latest bytes went to the worker (`Date.now()`, ms).
    static SENT_AT: RefCell<f64> = const { RefCell::new(0.0) };
    /// The roster being put back together from the worker's pages.
    static ASSEMBLY: RefCell<Assembly> = RefCell::new(Assembly::default());
    /// Replies held back, in order, while a summary waits for the frame that draws it (`None`:
    /// replies are handled as they come).
    static HELD: RefCell<Option<VecDeque<JsValue>>> = const { RefCell::new(None) };
    /// The import screen on display: the worker outlives a visit to the screen, its replies go
    /// to the screen shown now (a screen left behind has its state disposed).
    static SCREEN: Cell<Option<ImportState>> = const { Cell::new(None) };
}

/// The import screen is shown: the worker's replies go to it from now on.
pub(super) fn attach(st: ImportState) {
    SCREEN.set(Some(st));
}

/// The summary was just put in the page: the row pages behind it wait until the frame showing
/// it is drawn, then are taken one a task (the page answers input in between). A hidden tab
/// draws no frames: there they are taken at once.
fn hold_until_drawn() {
    let started = HELD.with(|h| {
        let mut h = h.borrow_mut();
        // Already holding (a second file while the first's rows are taken): keep the order.
        h.is_none().then(|| *h = Some(VecDeque::new())).is_some()
    });
    if started && document().hidden() {
        set_timeout(drain, Duration::ZERO);
    } else if started {
        request_animation_frame(|| set_timeout(drain, Duration::ZERO));
    }
}

/// Handles the oldest held reply, then the next in a task of its own, until none is left.
fn drain() {
    let next = HELD.with(|h| {
        let mut h = h.borrow_mut();
        let next = h.as_mut().and_then(VecDeque::pop_front);
        if next.is_none() {
            *h = None;
        }
        next
    });
    if let Some(reply) = next {
        on_reply(reply);
        set_timeout(drain, Duration::ZERO);
    }
}

/// Posts to a worker that is listening, noting when (the page's timing starts here).
fn post_now(w: &web_sys::Worker, msg: &js_sys::Object) {
    timing::mark("rollcall:posted");
    ASSEMBLY.with(|a| a.borrow_mut().sent());
    SENT_AT.with(|t| *t.borrow_mut() = js_sys::Date::now());
    let _ = w.post_message(msg);
}

fn send_to_worker(w: &web_sys::Worker, msg: js_sys::Object) {
    if READY.with(|r| *r.borrow()) {
        post_now(w, &msg);
    } else {
        PENDING.with(|p| *p.borrow_mut() = Some(msg));
    }
}

/// One reply from the worker (UTF-8 JSON in an `ArrayBuffer`), into the screen's state. Replies
/// to a request since superseded are dropped (`Assembly` keeps count).
fn on_reply(data: JsValue) {
    let Some(st) = SCREEN.get() else {
        return;
    };
    let bytes = js_sys::Uint8Array::new(&data).to_vec();
    // As text, so the page keeps one JSON reader (`from_slice` would add a second
    // copy of every reply type's decoder to the first screen).
    let text = String::from_utf8_lossy(&bytes);
    let msg = match serde_json::from_str::<WorkerReply>(&text) {
        Ok(m) => m,
        Err(e) => {
            st.progress.set(None);
            st.rows_in.set(None);
            st.parse_error.set(Some(RosterError {
                code: ProblemCode::Worker,
                message: rollcall_core::Text::new(
                    format!("解析结果无法读取：{e}"),
                    format!("cannot read the parse result: {e}"),
                ),
            }));
            return;
        }
    };
    match msg {
        WorkerReply::Ready => {
            READY.with(|r| *r.borrow_mut() = true);
            if let Some(m) = PENDING.with(|p| p.borrow_mut().take()) {
                WORKER.with(|w| {
                    if let Some(w) = w.borrow().as_ref() {
                        post_now(w, &m);
                    }
                });
            }
        }
        WorkerReply::Progress { done, total } => {
            if ASSEMBLY.with(|a| a.borrow().reading_latest()) {
                st.progress.set(Some((done, total)));
            }
        }
        WorkerReply::Read {
            roster,
            summary,
            elapsed_ms,
        } => {
            if !ASSEMBLY.with(|a| a.borrow_mut().read(roster, summary.rows)) {
                return;
            }
            st.progress.set(None);
            st.elapsed_ms.set(elapsed_ms);
            st.rows_in.set(Some((0, summary.rows)));
            st.head.set(Some(Arc::new(summary)));
            timing::end(&timing::DROP_TO_SUMMARY, st.drop_ms);
            hold_until_drawn();
        }
        WorkerReply::Rows {
            rows,
            problems,
            last,
        } => {
            let done = ASSEMBLY.with(|a| {
                let mut a = a.borrow_mut();
                let whole = a.add(rows, problems, last);
                st.rows_in.set(a.progress());
                whole
            });
            if let Some(roster) = done {
                st.roster.set(Some(Arc::new(roster)));
                st.page_ms
                    .set(js_sys::Date::now() - SENT_AT.with(|t| *t.borrow()));
            }
        }
        // The roster on screen stays (a new file cleared it already): a sheet or
        // header row that cannot be read leaves the picker there to choose again.
        WorkerReply::Error { error } => {
            if ASSEMBLY.with(|a| a.borrow_mut().error()) {
                st.progress.set(None);
                st.rows_in.set(None);
                st.parse_error.set(Some(error));
            }
        }
    }
}

/// Starts the worker on first use (its bundle is fetched only now) and wires its messages.
fn worker(st: ImportState) -> Option<web_sys::Worker> {
    attach(st);
    WORKER.with(|w| {
        if let Some(existing) = w.borrow().as_ref() {
            return Some(existing.clone());
        }
        let worker = web_sys::Worker::new("./worker_loader.js").ok()?;
        let on_message =
            Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
                // UTF-8 JSON in a transferred buffer (see the worker's `post`).
                let data = ev.data();
                if !data.is_instance_of::<js_sys::ArrayBuffer>() {
                    return;
                }
                // While a summary waits for its frame, what follows waits behind it, in order.
                let held =
                    HELD.with(|h| h.borrow_mut().as_mut().map(|q| q.push_back(data.clone())));
                if held.is_none() {
                    on_reply(data);
                }
            });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
        *w.borrow_mut() = Some(worker.clone());
        Some(worker)
    })
}

/// Starts the worker ahead of a file: the pointer over the drop zone, a file dragged in, the
/// file input focused — its bundle loads while the person picks the file, not after.
pub(super) fn warm_up(st: ImportState) {
    let _ = worker(st);
}

thread_local! {
    static BYTES: RefCell<Option<js_sys::Uint8Array>> = const { RefCell::new(None) };
    /// A roster another screen handed over (its name), read when the import screen opens.
    static HANDOVER: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Hands a roster made elsewhere (e.g. enrollees as CSV) to the import screen, which reads and
/// checks it like a dropped file when it opens.
pub fn hand_over(name: String, csv: &str) {
    BYTES.with(|b| *b.borrow_mut() = Some(js_sys::Uint8Array::from(csv.as_bytes())));
    HANDOVER.with(|h| *h.borrow_mut() = Some(name));
}

/// Starts reading a handed-over roster, if there is one.
pub(super) fn take_handover(st: ImportState) {
    if let Some(name) = HANDOVER.with(|h| h.borrow_mut().take()) {
        st.file_name.set(Some(name));
        st.forget_rows();
        run_parse(st);
    }
}

pub(super) fn run_parse(st: ImportState) {
    let Some(bytes) = BYTES.with(|b| b.borrow().clone()) else {
        return;
    };
    let Some(w) = worker(st) else {
        st.parse_error.set(Some(RosterError::new(
            ProblemCode::Worker,
            "无法启动解析线程",
            "cannot start the parsing worker",
        )));
        return;
    };
    st.parse_error.set(None);
    st.progress.set(Some((0, 0)));
    let msg = js_sys::Object::new();
    // A copy: the original stays for re-parsing after a mapping change.
    let _ = js_sys::Reflect::set(&msg, &"bytes".into(), &js_sys::Uint8Array::new(&bytes));
    let _ = js_sys::Reflect::set(
        &msg,
        &"mapping".into(),
        &JsValue::from_str(&serde_json::to_string(&st.mapping.get_untracked()).unwrap_or_default()),
    );
    send_to_worker(&w, msg);
}

pub(super) fn load_file(st: ImportState, file: web_sys::File) {
    timing::begin(&timing::DROP_TO_SUMMARY);
    st.file_name.set(Some(file.name()));
    st.roster.set(None);
    st.head.set(None);
    st.rows_in.set(None);
    st.mapping.set(MappingOptions::default());
    st.forget_rows();
    leptos::task::spawn_local(async move {
        match wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await {
            Ok(buf) => {
                timing::mark("rollcall:read");
                BYTES.with(|b| *b.borrow_mut() = Some(js_sys::Uint8Array::new(&buf)));
                run_parse(st);
            }
            Err(_) => st.parse_error.set(Some(RosterError::new(
                ProblemCode::ReadFailed,
                "无法读取文件",
                "cannot read the file",
            ))),
        }
    });
}
