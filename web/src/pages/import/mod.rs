//! Import roster: file → encoding and column mapping (editable, fixed values) → full preview with
//! every problem on its cell, filters, exclusions → destinations with what they need and how many
//! rows qualify → start → live progress per destination (SSE) → results and CSV downloads.

mod fix;
mod follow;
mod known;
mod preview;
mod remembered;
mod send;
mod steps;
mod timing;
mod worker;

use std::collections::HashSet;
use std::sync::Arc;

use leptos::prelude::*;
use rollcall_core::api::{
    DestinationKind, JobPreview, JobResults, JobState, JobSummary, KnownDestination,
};
use rollcall_core::roster::{CheckSummary, Edits, MappingOptions, Roster, RosterError, RowFilter};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::api;
use crate::i18n::{pick, tr};

use self::preview::Preview;
use self::send::Send;
use self::steps::Mapping;
pub use self::worker::hand_over;
use self::worker::{load_file, warm_up};
use crate::components::{JobProgress, Results};
use crate::session::lazily;
use known::KNOWN;

const TEMPLATE: &str = "\u{feff}姓名,手机号,区号,邮箱,公司,职位,userid,IM账号\n张三,13800138000,86,zhangsan@example.com,示例公司,市场经理,,zhangsan\n";

#[derive(Clone, Copy)]
pub(super) struct ImportState {
    pub(super) file_name: RwSignal<Option<String>>,
    pub(super) progress: RwSignal<Option<(usize, usize)>>,
    /// The file's summary, shown as soon as the worker has read it (the rows follow in pages).
    pub(super) head: RwSignal<Option<Arc<CheckSummary>>>,
    /// Rows received from the worker and how many are coming, while they arrive.
    pub(super) rows_in: RwSignal<Option<(usize, usize)>>,
    /// The whole roster, once every page of rows is in.
    pub(super) roster: RwSignal<Option<Arc<Roster>>>,
    pub(super) parse_error: RwSignal<Option<RosterError>>,
    pub(super) mapping: RwSignal<MappingOptions>,
    /// How long the worker took to read and validate (shown, and read by the browser benchmark).
    pub(super) elapsed_ms: RwSignal<f64>,
    /// From handing the bytes to the worker to the roster in the page: the worker's time plus
    /// its reply's serialisation, transfer and parsing (read by the browser benchmark).
    pub(super) page_ms: RwSignal<f64>,
    /// From the file's drop to its summary drawn (the page's performance marks).
    pub(super) drop_ms: RwSignal<f64>,
    /// Cells changed in the preview, each row checked again by core's rules.
    pub(super) edits: RwSignal<Edits>,
    /// Bumped when many cells change at once (the column tools): the preview redraws its page.
    pub(super) redraw: RwSignal<u64>,
    /// Rows the user left out (by spreadsheet row number: cleared with the file, sheet or header
    /// row they belong to).
    pub(super) excluded: RwSignal<HashSet<u32>>,
}

impl ImportState {
    /// Forgets what belonged to the rows on screen: a new file, sheet or header row.
    pub(super) fn forget_rows(self) {
        self.edits.set(Edits::default());
        self.excluded.set(HashSet::new());
    }
}

/// The wizard's state beyond the file: what the preview shows, where the rows go, the job.
/// Made once under the screen (the steps, shown and hidden as files come and go, only borrow it).
#[derive(Clone, Copy)]
pub(super) struct Wizard {
    pub(super) st: ImportState,
    pub(super) dests: [(DestinationKind, RwSignal<bool>, RwSignal<String>); 3],
    pub(super) filter: RwSignal<RowFilter>,
    /// What the preview's search box holds.
    pub(super) search: RwSignal<String>,
    /// The rows the filter and search keep (row numbers, in order): computed once per change.
    pub(super) shown: RwSignal<Arc<Vec<u32>>>,
    /// From a filter or search to the preview redrawn (the page's performance marks).
    pub(super) filter_ms: RwSignal<f64>,
    /// Where the preview's scroll box is: the first row drawn (an index into `shown`), and a
    /// drawn row's measured height. Here, not in the preview: its closures may still run once
    /// after a new file has unmounted it.
    pub(super) first: RwSignal<usize>,
    pub(super) row_px: RwSignal<f64>,
    pub(super) job: RwSignal<Option<JobSummary>>,
    pub(super) results: RwSignal<Option<JobResults>>,
    pub(super) preview: RwSignal<Option<JobPreview>>,
    pub(super) start_error: RwSignal<Option<String>>,
    pub(super) starting: RwSignal<bool>,
}

impl Wizard {
    /// The destinations ticked.
    pub(super) fn chosen(self) -> Vec<DestinationKind> {
        self.dests
            .iter()
            .filter(|(_, on, _)| on.get())
            .map(|(k, _, _)| *k)
            .collect()
    }

    /// Rows with an error for any of `kinds` (core's rule, as the proxy applies it), with the
    /// cells as edited.
    pub(super) fn invalid_rows(self, kinds: &[DestinationKind]) -> HashSet<u32> {
        self.st.roster.with(|r| {
            r.as_ref()
                .map(|r| self.st.edits.with(|e| e.invalid_for(r, kinds)))
                .unwrap_or_default()
        })
    }
}

#[component]
pub fn Import() -> impl IntoView {
    let st = ImportState {
        file_name: RwSignal::new(None),
        progress: RwSignal::new(None),
        head: RwSignal::new(None),
        rows_in: RwSignal::new(None),
        roster: RwSignal::new(None),
        parse_error: RwSignal::new(None),
        mapping: RwSignal::new(MappingOptions::default()),
        elapsed_ms: RwSignal::new(0.0),
        page_ms: RwSignal::new(0.0),
        drop_ms: RwSignal::new(0.0),
        edits: RwSignal::new(Edits::default()),
        redraw: RwSignal::new(0),
        excluded: RwSignal::new(HashSet::new()),
    };
    let kind = |k| (k, RwSignal::new(false), RwSignal::new(String::new()));
    let w = Wizard {
        st,
        dests: [
            kind(DestinationKind::TencentMeeting),
            kind(DestinationKind::TencentIm),
            kind(DestinationKind::Huiyi31),
        ],
        filter: RwSignal::new(RowFilter::All),
        search: RwSignal::new(String::new()),
        shown: RwSignal::new(Arc::new(Vec::new())),
        filter_ms: RwSignal::new(0.0),
        first: RwSignal::new(0),
        row_px: RwSignal::new(preview::ROW_PX),
        job: RwSignal::new(None),
        results: RwSignal::new(None),
        preview: RwSignal::new(None),
        start_error: RwSignal::new(None),
        starting: RwSignal::new(false),
    };
    for (kind, _, id) in w.dests {
        crate::session::suggest(id, move |s| s.destination(kind).map(str::to_string));
    }
    worker::attach(st);
    worker::take_handover(st);
    // Destinations the proxy has seen, offered by name in each destination's field.
    leptos::task::spawn_local(async move {
        if let Ok(known) = api::get::<Vec<KnownDestination>>("destinations").await {
            KNOWN.with(|k| *k.borrow_mut() = known);
        }
    });
    // A new file starts with every row shown (no search or filter left from the last one).
    let load = move |f: web_sys::File| {
        w.search.set(String::new());
        w.filter.set(RowFilter::All);
        w.first.set(0);
        load_file(st, f);
    };
    let on_file = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        if let Some(f) = input.files().and_then(|l| l.get(0)) {
            load(f);
        }
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        if let Some(f) = ev
            .data_transfer()
            .and_then(|d| d.files())
            .and_then(|l| l.get(0))
        {
            load(f);
        }
    };
    let (job, results) = (w.job, w.results);

    view! {
        <section aria-labelledby="import-h">
            <h2 id="import-h">{tr("导入名单", "Import roster")}</h2>
            <div class="drop" on:dragover=|ev: leptos::ev::DragEvent| ev.prevent_default() on:drop=on_drop on:dragenter=move |_| warm_up(st) on:pointerenter=move |_| warm_up(st) on:focusin=move |_| warm_up(st)>
                <label for="roster-file">{tr("拖入或选择 CSV / XLSX / XLS / ODS 文件（UTF-8 或 GBK）", "Drop or choose a CSV / XLSX / XLS / ODS file (UTF-8 or GBK)")}</label>
                <input id="roster-file" type="file" accept=".csv,.txt,.xlsx,.xls,.ods,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,application/vnd.ms-excel,application/vnd.oasis.opendocument.spreadsheet" on:change=on_file/>
                <button type="button" id="template" on:click=move |_| super::download("rollcall-template.csv", "text/csv;charset=utf-8", TEMPLATE)>{tr("下载模板 CSV", "Download template CSV")}</button>
            </div>
            {move || st.progress.get().map(|(d, t)| progress_line(d, t, "正在读取和校验…", "Reading and validating…"))}
            {move || st.parse_error.get().map(|e| view! { <div class="banner error" role="alert" id="parse-error">{pick(&e.message.zh, &e.message.en)}" ("{e.code.as_str()}")"</div> })}
            {move || st.head.get().map(|summary| view! {
                <div class="summary" id="roster-summary" data-drop-ms=move || st.drop_ms.get() data-loading=move || st.rows_in.get().map(|_| "true")>
                    <span>{tr("文件", "File")}": "{st.file_name.get()}</span>
                    <span>{tr("编码", "Encoding")}": "<b id="encoding">{summary.encoding.clone()}</b></span>
                    <span>{tr("行数", "Rows")}": "<b id="row-count">{summary.rows}</b></span>
                    <span>{tr("文件中有问题的行", "Rows with problems as read")}": "<b id="file-invalid">{summary.invalid}</b></span>
                    <span>{tr("重复", "Duplicates")}": "<b>{summary.duplicates}</b></span>
                    <span>{tr("校验用时", "Checked in")}": "<b id="parse-ms" data-ms=move || st.elapsed_ms.get() data-page-ms=move || st.page_ms.get()>{move || format!("{:.0} ms", st.elapsed_ms.get())}</b></span>
                </div>
            })}
            {move || st.rows_in.get().map(|(d, t)| progress_line(d, t, "正在载入行…", "Loading rows…"))}
            // While a file read again (another mapping, sheet or header row) is still arriving,
            // the steps show the rows as they were and take no input.
            <div inert=move || st.rows_in.with(Option::is_some)>
                {move || st.roster.get().map(|r| lazily(mapping_step(st, r)))}
                <Show when=move || st.roster.with(|r| r.is_some())>
                    {lazily(preview_step(w))}
                    {lazily(send_step(w))}
                </Show>
            </div>
            {move || job.get().map(|j| view! { <JobProgress job=j/> })}
            {move || results.get().map(|r| crate::session::lazily(results_step(r)))}
        </section>
    }
}

/// A bar and "label done / total", announced to screen readers as it moves.
fn progress_line(done: usize, total: usize, zh: &'static str, en: &'static str) -> impl IntoView {
    view! {
        <div class="parsing" role="status">
            <progress max=total.max(1) value=done></progress>
            <span>{tr(zh, en)}" "{done}" / "{total}</span>
        </div>
    }
}

/// The finished job's per-row results, fetched with their code when the job ends (the jobs screen
/// shows the same table, so the two share it).
#[leptos::lazy]
fn results_step(results: JobResults) -> AnyView {
    view! { <Results results=results/> }.into_any()
}

/// The column mapping, fetched with its code once a file has been read (not on the first screen).
#[leptos::lazy]
fn mapping_step(st: ImportState, roster: Arc<Roster>) -> AnyView {
    view! { <Mapping st=st roster=roster/> }.into_any()
}

/// The rows and their problems, fetched with their code once a file has been read.
#[leptos::lazy]
fn preview_step(w: Wizard) -> AnyView {
    view! { <Preview w=w/> }.into_any()
}

/// Where the rows go and the start, fetched with their code once a file has been read.
#[leptos::lazy]
fn send_step(w: Wizard) -> AnyView {
    view! { <Send w=w/> }.into_any()
}
