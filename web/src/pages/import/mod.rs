//! Import roster: file → encoding and column mapping (editable, fixed values) → full preview with
//! every problem on its cell, filters, exclusions → destinations with what they need and how many
//! rows qualify → start → live progress per destination (SSE) → results and CSV downloads.

mod fix;
mod follow;
mod known;
mod preview;
mod remembered;
mod steps;
mod worker;

use std::collections::HashSet;
use std::sync::Arc;

use leptos::prelude::*;
use rollcall_core::api::{
    CreateJobRequest, Destination, DestinationKind, JobPreview, JobResults, JobState, JobSummary,
    KnownDestination,
};
use rollcall_core::roster::{Edits, MappingOptions, Roster, RosterError, TableRow};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::api;
use crate::i18n::{pick, tr, tr_owned};

use self::preview::Preview;
use self::steps::Mapping;
pub use self::worker::hand_over;
use self::worker::load_file;
use crate::components::{JobProgress, Results};
use crate::session::lazily;
use follow::follow;
use known::{offer_known, KNOWN};

pub(super) const PAGE: usize = 100;

const TEMPLATE: &str = "\u{feff}姓名,手机号,区号,邮箱,公司,职位,userid,IM账号\n张三,13800138000,86,zhangsan@example.com,示例公司,市场经理,,zhangsan\n";

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Filter {
    All,
    Problems,
    Duplicates,
}

#[derive(Clone, Copy)]
pub(super) struct ImportState {
    pub(super) file_name: RwSignal<Option<String>>,
    pub(super) progress: RwSignal<Option<(usize, usize)>>,
    pub(super) roster: RwSignal<Option<Arc<Roster>>>,
    pub(super) parse_error: RwSignal<Option<RosterError>>,
    pub(super) mapping: RwSignal<MappingOptions>,
    /// How long the worker took to read and validate (shown, and read by the browser benchmark).
    pub(super) elapsed_ms: RwSignal<f64>,
    /// From handing the bytes to the worker to the roster in the page: the worker's time plus
    /// its reply's serialisation, transfer and parsing (read by the browser benchmark).
    pub(super) page_ms: RwSignal<f64>,
    /// Cells changed in the preview, each row checked again by core's rules.
    pub(super) edits: RwSignal<Edits>,
    /// Bumped when many cells change at once (the column tools): the preview redraws its page.
    pub(super) redraw: RwSignal<u64>,
}

#[component]
pub fn Import() -> impl IntoView {
    let st = ImportState {
        file_name: RwSignal::new(None),
        progress: RwSignal::new(None),
        roster: RwSignal::new(None),
        parse_error: RwSignal::new(None),
        mapping: RwSignal::new(MappingOptions::default()),
        elapsed_ms: RwSignal::new(0.0),
        page_ms: RwSignal::new(0.0),
        edits: RwSignal::new(Edits::default()),
        redraw: RwSignal::new(0),
    };
    let excluded = RwSignal::new(HashSet::<u32>::new());
    let filter = RwSignal::new(Filter::All);
    let page = RwSignal::new(0usize);
    let dests = [
        (
            DestinationKind::TencentMeeting,
            RwSignal::new(false),
            RwSignal::new(String::new()),
        ),
        (
            DestinationKind::TencentIm,
            RwSignal::new(false),
            RwSignal::new(String::new()),
        ),
        (
            DestinationKind::Huiyi31,
            RwSignal::new(false),
            RwSignal::new(String::new()),
        ),
    ];
    for (kind, _, id) in dests {
        crate::session::suggest(id, move |s| s.destination(kind).map(str::to_string));
    }
    worker::take_handover(st);
    // Destinations the proxy has seen, offered by name in each destination's field.
    leptos::task::spawn_local(async move {
        if let Ok(known) = api::get::<Vec<KnownDestination>>("destinations").await {
            KNOWN.with(|k| *k.borrow_mut() = known);
        }
    });
    let job = RwSignal::new(None::<JobSummary>);
    let results = RwSignal::new(None::<JobResults>);
    let preview = RwSignal::new(None::<JobPreview>);
    let start_error = RwSignal::new(None::<String>);
    let starting = RwSignal::new(false);

    let chosen = move || {
        dests
            .iter()
            .filter(|(_, on, _)| on.get())
            .map(|(k, _, _)| *k)
            .collect::<Vec<_>>()
    };
    // Rows with an error for any chosen destination (core's rule, as the proxy applies it), with
    // the cells as edited.
    let invalid_rows = move |kinds: &[DestinationKind]| -> HashSet<u32> {
        st.roster.with(|r| {
            r.as_ref()
                .map(|r| st.edits.with(|e| e.invalid_for(r, kinds)))
                .unwrap_or_default()
        })
    };
    let qualifying = move |k: DestinationKind| -> usize {
        let bad = invalid_rows(&[k]);
        let ex = excluded.get();
        st.roster.with(|r| {
            r.as_ref()
                .map(|r| {
                    r.rows
                        .iter()
                        .filter(|row| !bad.contains(&row.row) && !ex.contains(&row.row))
                        .count()
                })
                .unwrap_or(0)
        })
    };
    let visible_rows = move || -> Vec<u32> {
        let kinds = chosen();
        // Edits are read untracked: a row being fixed stays where it is while the user types
        // (the filter applies again when it changes or after a column tool).
        st.redraw.track();
        let bad = st.roster.with(|r| {
            r.as_ref()
                .map(|r| st.edits.with_untracked(|e| e.invalid_for(r, &kinds)))
                .unwrap_or_default()
        });
        st.roster.with(|r| {
            r.as_ref()
                .map(|r| {
                    // Once per filter change, not once per row: a 100k-row file may have as many
                    // problems, and a scan per row would be quadratic.
                    let with_problem: HashSet<u32> = match filter.get() {
                        Filter::Problems => r.problems.iter().map(|p| p.row).collect(),
                        _ => HashSet::new(),
                    };
                    r.rows
                        .iter()
                        .filter(|row| match filter.get() {
                            Filter::All => true,
                            Filter::Problems => {
                                bad.contains(&row.row) || with_problem.contains(&row.row)
                            }
                            Filter::Duplicates => row.duplicate_of.is_some(),
                        })
                        .map(|row| row.row)
                        .collect()
                })
                .unwrap_or_default()
        })
    };

    // Made once, under this screen: the preview (shown and hidden as files come and go) never
    // holds a signal that was disposed with an earlier preview.
    let visible = Signal::derive(visible_rows);
    let chosen_now = Signal::derive(chosen);

    let on_file = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        if let Some(f) = input.files().and_then(|l| l.get(0)) {
            load_file(st, f);
        }
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        if let Some(f) = ev
            .data_transfer()
            .and_then(|d| d.files())
            .and_then(|l| l.get(0))
        {
            load_file(st, f);
        }
    };

    // The job request from what is on screen (also what a preview asks about).
    let request = move || -> Option<CreateJobRequest> {
        let r = st.roster.get_untracked()?;
        let mut destinations = Vec::new();
        for (k, on, id) in dests.iter() {
            if !on.get_untracked() {
                continue;
            }
            let text = format!("{}:{}", k.as_str(), id.get_untracked().trim());
            match text.parse::<Destination>() {
                Ok(d) => destinations.push(d),
                Err(e) => {
                    start_error.set(Some(e));
                    return None;
                }
            }
        }
        let ex = excluded.get_untracked();
        let (rows, edited) = st.edits.with_untracked(|e| {
            let rows: Vec<TableRow> = r
                .rows
                .iter()
                .filter(|row| !ex.contains(&row.row))
                .map(|row| TableRow {
                    row: row.row,
                    cells: e.cells_of(&r, row.row),
                })
                .collect();
            let edited = e
                .changed_cells(&r)
                .into_iter()
                .filter(|c| !ex.contains(&c.row))
                .collect::<Vec<_>>();
            (rows, edited)
        });
        Some(CreateJobRequest {
            file_name: st.file_name.get_untracked(),
            headers: r.headers.clone(),
            rows,
            mapping: st.mapping.get_untracked(),
            destinations,
            share_with: Vec::new(),
            edited,
        })
    };
    // Asks each destination what it holds and shows what the job would do; sends nothing.
    let run_preview = move |_| {
        let Some(req) = request() else { return };
        start_error.set(None);
        preview.set(None);
        leptos::task::spawn_local(async move {
            match api::post::<_, JobPreview>("jobs/preview", &req).await {
                Ok(p) => preview.set(Some(p)),
                Err(e) => start_error.set(Some(api::describe(&e))),
            }
        });
    };
    let start = move |_| {
        let Some(req) = request() else { return };
        starting.set(true);
        start_error.set(None);
        leptos::task::spawn_local(async move {
            match api::post::<_, JobSummary>("jobs", &req).await {
                Ok(j) => {
                    let id = j.id.clone();
                    job.set(Some(j));
                    follow(id, job, results);
                }
                Err(e) => start_error.set(Some(api::describe(&e))),
            }
            starting.set(false);
        });
    };

    view! {
        <section aria-labelledby="import-h">
            <h2 id="import-h">{tr("导入名单", "Import roster")}</h2>
            <div class="drop" on:dragover=|ev: leptos::ev::DragEvent| ev.prevent_default() on:drop=on_drop>
                <label for="roster-file">{tr("拖入或选择 CSV / XLSX 文件（UTF-8 或 GBK）", "Drop or choose a CSV / XLSX file (UTF-8 or GBK)")}</label>
                <input id="roster-file" type="file" accept=".csv,.txt,.xlsx,.xls,.ods,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,application/vnd.ms-excel,application/vnd.oasis.opendocument.spreadsheet" on:change=on_file/>
                <button type="button" id="template" on:click=move |_| super::download("rollcall-template.csv", "text/csv;charset=utf-8", TEMPLATE)>{tr("下载模板 CSV", "Download template CSV")}</button>
            </div>
            {move || st.progress.get().map(|(d, t)| view! {
                <div class="parsing" role="status">
                    <progress max=t.max(1) value=d></progress>
                    <span>{tr("正在读取和校验…", "Reading and validating…")}" "{d}" / "{t}</span>
                </div>
            })}
            {move || st.parse_error.get().map(|e| view! { <div class="banner error" role="alert" id="parse-error">{pick(&e.message.zh, &e.message.en)}" ("{e.code.as_str()}")"</div> })}
            {move || st.roster.get().map(|r| {
                let summary = r.summary(&[]);
                view! {
                    <div class="summary" id="roster-summary">
                        <span>{tr("文件", "File")}": "{st.file_name.get()}</span>
                        <span>{tr("编码", "Encoding")}": "<b id="encoding">{summary.encoding.clone()}</b></span>
                        <span>{tr("行数", "Rows")}": "<b id="row-count">{summary.rows}</b></span>
                        <span>{tr("有问题", "With problems")}": "<b id="invalid-count">{
                            let r = r.clone();
                            move || st.edits.with(|e| e.invalid_for(&r, &DestinationKind::ALL).len())
                        }</b></span>
                        <span>{tr("已修改单元格", "Cells edited")}": "<b id="edited-count">{move || st.edits.with(|e| e.cells_changed())}</b></span>
                        <span>{tr("重复", "Duplicates")}": "<b>{summary.duplicates}</b></span>
                        <span>{tr("校验用时", "Checked in")}": "<b id="parse-ms" data-ms=move || st.elapsed_ms.get() data-page-ms=move || st.page_ms.get()>{move || format!("{:.0} ms", st.elapsed_ms.get())}</b></span>
                    </div>
                    {lazily(mapping_step(st, r.clone()))}
                }
            })}
            <Show when=move || st.roster.with(|r| r.is_some())>
                <h3>{tr("预览", "Preview")}</h3>
                <div class="filters" role="group" aria-label=tr("筛选", "Filter")>
                    <label><input type="radio" name="filter" checked=move || filter.get() == Filter::All on:change=move |_| { filter.set(Filter::All); page.set(0) }/>{tr("全部", "All")}</label>
                    <label><input type="radio" name="filter" id="filter-problems" checked=move || filter.get() == Filter::Problems on:change=move |_| { filter.set(Filter::Problems); page.set(0) }/>{tr("仅有问题的行", "Problems only")}</label>
                    <label><input type="radio" name="filter" checked=move || filter.get() == Filter::Duplicates on:change=move |_| { filter.set(Filter::Duplicates); page.set(0) }/>{tr("重复行", "Duplicates")}</label>
                    <button type="button" id="exclude-invalid" on:click=move |_| { let bad = invalid_rows(&chosen()); excluded.update(|e| e.extend(bad)); }>{tr("排除所有有问题的行", "Exclude every row with a problem")}</button>
                </div>
                {lazily(preview_step(st, visible, page, excluded, chosen_now))}
                <h3>{tr("导入目标", "Destinations")}</h3>
                <div class="destinations">
                    {dests.iter().map(|&(k, on, id)| {
                        let (zh, en) = k.label();
                        let (nzh, nen) = k.needs();
                        let field_id = format!("dest-{}", k.as_str());
                        view! {
                            <fieldset class="dest">
                                <legend><label><input type="checkbox" id=format!("{field_id}-on") prop:checked=move || on.get() on:change=move |ev| on.set(event_target_checked(&ev))/>{tr(zh, en)}</label></legend>
                                <label for=field_id.clone()>{match k { DestinationKind::Huiyi31 => tr("活动 ID:类别 ID:门票 ID", "event id:attendee type:ticket id"), DestinationKind::TencentIm => tr("群组 ID", "group id"), DestinationKind::TencentMeeting => tr("会议 ID (meeting_id)", "meeting id") }}</label>
                                <input id=field_id.clone() list=format!("{field_id}-known") type="text" prop:value=move || id.get() on:focus=move |_| offer_known(k) on:input=move |ev| id.set(event_target_value(&ev))/>
                                <datalist id=format!("{field_id}-known")></datalist>
                                <p class="hint">{tr_owned(nzh, nen)}</p>
                                <p class="count">{tr("可导入行数", "Rows that qualify")}": "<b class="qualify">{move || qualifying(k)}</b></p>
                            </fieldset>
                        }
                    }).collect_view()}
                </div>
                <button type="button" id="preview-run" disabled=move || chosen().is_empty() on:click=run_preview>{tr("预览（不发送）", "Preview (sends nothing)")}</button>
                {move || preview.get().map(|p| view! {
                    <table id="preview-result">
                        <thead><tr><th>{tr("导入目标", "Destination")}</th><th>{tr("无效", "Invalid")}</th><th>{tr("已存在", "Already there")}</th><th>{tr("将发送", "To send")}</th><th>{tr("超出上限", "Over the cap")}</th></tr></thead>
                        <tbody>{p.destinations.into_iter().map(|d| view! {
                            <tr data-destination=d.destination.to_string()><td>{d.destination.to_string()}</td><td>{d.invalid}</td><td>{d.already_present.map_or("?".to_string(), |n| n.to_string())}</td><td class="to-send">{d.to_send}</td><td>{d.over_cap}</td></tr>
                        }).collect_view()}</tbody>
                    </table>
                })}
                <button type="button" id="start" class="primary" disabled=move || chosen().is_empty() || starting.get() || job.with(|j| j.as_ref().is_some_and(|j| j.state == JobState::Running)) on:click=start>{tr("开始导入", "Start import")}</button>
                {move || start_error.get().map(|e| view! { <div class="banner error" role="alert">{e}</div> })}
            </Show>
            {move || job.get().map(|j| view! { <JobProgress job=j/> })}
            {move || results.get().map(|r| crate::session::lazily(results_step(r)))}
        </section>
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
fn preview_step(
    st: ImportState,
    rows: Signal<Vec<u32>>,
    page: RwSignal<usize>,
    excluded: RwSignal<HashSet<u32>>,
    chosen: Signal<Vec<DestinationKind>>,
) -> AnyView {
    view! { <Preview st=st rows=rows page=page excluded=excluded chosen=chosen/> }.into_any()
}
