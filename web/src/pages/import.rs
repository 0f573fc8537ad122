//! Import roster: file → encoding and column mapping (editable, fixed values) → full preview with
//! every problem on its cell, filters, exclusions → destinations with what they need and how many
//! rows qualify → start → live progress per destination (SSE) → results and CSV downloads.

use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::Arc;

use leptos::prelude::*;
use rollcall_core::api::{
    CreateJobRequest, Destination, DestinationKind, JobResults, JobState, JobSummary, RowState,
    WorkerReply,
};
use rollcall_core::roster::{FieldKind, MappingOptions, Roster, RosterError, Severity, TableRow};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::api;
use crate::i18n::{pick, tr, tr_owned};

const PAGE: usize = 100;
const TEMPLATE: &str = "\u{feff}姓名,手机号,区号,邮箱,公司,职位,userid,IM账号\n张三,13800138000,86,zhangsan@example.com,示例公司,市场经理,,zhangsan\n";

thread_local! {
    static WORKER: RefCell<Option<web_sys::Worker>> = const { RefCell::new(None) };
    /// The worker drops messages sent before its wasm is initialised: hold the latest request
    /// until it says "ready".
    static READY: RefCell<bool> = const { RefCell::new(false) };
    static PENDING: RefCell<Option<js_sys::Object>> = const { RefCell::new(None) };
}

fn send_to_worker(w: &web_sys::Worker, msg: js_sys::Object) {
    if READY.with(|r| *r.borrow()) {
        let _ = w.post_message(&msg);
    } else {
        PENDING.with(|p| *p.borrow_mut() = Some(msg));
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Filter {
    All,
    Problems,
    Duplicates,
}

#[derive(Clone, Copy)]
struct ImportState {
    file_name: RwSignal<Option<String>>,
    progress: RwSignal<Option<(usize, usize)>>,
    roster: RwSignal<Option<Arc<Roster>>>,
    parse_error: RwSignal<Option<RosterError>>,
    mapping: RwSignal<MappingOptions>,
    /// How long the worker took to read and validate (shown, and read by the browser benchmark).
    elapsed_ms: RwSignal<f64>,
}

/// Starts the worker on first use (its bundle is fetched only now) and wires its messages.
fn worker(st: ImportState) -> Option<web_sys::Worker> {
    WORKER.with(|w| {
        if let Some(existing) = w.borrow().as_ref() {
            return Some(existing.clone());
        }
        let worker = web_sys::Worker::new("./worker_loader.js").ok()?;
        let on_message =
            Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
                let Some(text) = ev.data().as_string() else {
                    return;
                };
                let msg = match serde_json::from_str::<WorkerReply>(&text) {
                    Ok(m) => m,
                    Err(e) => {
                        st.progress.set(None);
                        st.parse_error.set(Some(RosterError {
                            code: "worker".into(),
                            zh: format!("解析结果无法读取：{e}"),
                            en: format!("cannot read the parse result: {e}"),
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
                                    let _ = w.post_message(&m);
                                }
                            });
                        }
                    }
                    WorkerReply::Progress { done, total } => st.progress.set(Some((done, total))),
                    WorkerReply::Done { roster, elapsed_ms } => {
                        st.progress.set(None);
                        st.elapsed_ms.set(elapsed_ms);
                        st.roster.set(Some(Arc::new(roster)));
                    }
                    WorkerReply::Error { error } => {
                        st.progress.set(None);
                        st.roster.set(None);
                        st.parse_error.set(Some(error));
                    }
                }
            });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
        *w.borrow_mut() = Some(worker.clone());
        Some(worker)
    })
}

thread_local! {
    static BYTES: RefCell<Option<js_sys::Uint8Array>> = const { RefCell::new(None) };
}

fn run_parse(st: ImportState) {
    let Some(bytes) = BYTES.with(|b| b.borrow().clone()) else {
        return;
    };
    let Some(w) = worker(st) else {
        st.parse_error.set(Some(RosterError {
            code: "worker".into(),
            zh: "无法启动解析线程".into(),
            en: "cannot start the parsing worker".into(),
        }));
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

fn load_file(st: ImportState, file: web_sys::File) {
    st.file_name.set(Some(file.name()));
    st.roster.set(None);
    st.mapping.set(MappingOptions::default());
    leptos::task::spawn_local(async move {
        match wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await {
            Ok(buf) => {
                BYTES.with(|b| *b.borrow_mut() = Some(js_sys::Uint8Array::new(&buf)));
                run_parse(st);
            }
            Err(_) => st.parse_error.set(Some(RosterError {
                code: "read_failed".into(),
                zh: "无法读取文件".into(),
                en: "cannot read the file".into(),
            })),
        }
    });
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
        crate::app::suggest(id, move |s| s.destination(kind).map(str::to_string));
    }
    let job = RwSignal::new(None::<JobSummary>);
    let results = RwSignal::new(None::<JobResults>);
    let start_error = RwSignal::new(None::<String>);
    let starting = RwSignal::new(false);

    let chosen = move || {
        dests
            .iter()
            .filter(|(_, on, _)| on.get())
            .map(|(k, _, _)| *k)
            .collect::<Vec<_>>()
    };
    // Rows with an error for any chosen destination (core's rule, as the proxy applies it).
    let invalid_rows = move |kinds: &[DestinationKind]| -> HashSet<u32> {
        st.roster
            .with(|r| r.as_ref().map(|r| r.invalid_for(kinds)).unwrap_or_default())
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
        let bad = invalid_rows(&kinds);
        st.roster.with(|r| {
            r.as_ref()
                .map(|r| {
                    r.rows
                        .iter()
                        .filter(|row| match filter.get() {
                            Filter::All => true,
                            Filter::Problems => {
                                bad.contains(&row.row)
                                    || r.problems.iter().any(|p| p.row == row.row)
                            }
                            Filter::Duplicates => row.duplicate_of.is_some(),
                        })
                        .map(|row| row.row)
                        .collect()
                })
                .unwrap_or_default()
        })
    };

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

    let start = move |_| {
        let Some(r) = st.roster.get_untracked() else {
            return;
        };
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
                    return;
                }
            }
        }
        let ex = excluded.get_untracked();
        let rows: Vec<TableRow> = r
            .rows
            .iter()
            .filter(|row| !ex.contains(&row.row))
            .map(|row| TableRow {
                row: row.row,
                cells: row.cells.clone(),
            })
            .collect();
        let req = CreateJobRequest {
            file_name: st.file_name.get_untracked(),
            headers: r.headers.clone(),
            rows,
            mapping: st.mapping.get_untracked(),
            destinations,
        };
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
                <input id="roster-file" type="file" accept=".csv,.txt,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" on:change=on_file/>
                <button type="button" id="template" on:click=move |_| super::download("rollcall-template.csv", "text/csv;charset=utf-8", TEMPLATE)>{tr("下载模板 CSV", "Download template CSV")}</button>
            </div>
            {move || st.progress.get().map(|(d, t)| view! {
                <div class="parsing" role="status">
                    <progress max=t.max(1) value=d></progress>
                    <span>{tr("正在读取和校验…", "Reading and validating…")}" "{d}" / "{t}</span>
                </div>
            })}
            {move || st.parse_error.get().map(|e| view! { <div class="banner error" role="alert" id="parse-error">{pick(&e.zh, &e.en)}" ("{e.code}")"</div> })}
            {move || st.roster.get().map(|r| {
                let summary = r.summary(&[]);
                view! {
                    <div class="summary" id="roster-summary">
                        <span>{tr("文件", "File")}": "{st.file_name.get()}</span>
                        <span>{tr("编码", "Encoding")}": "<b id="encoding">{summary.encoding.clone()}</b></span>
                        <span>{tr("行数", "Rows")}": "<b id="row-count">{summary.rows}</b></span>
                        <span>{tr("有问题", "With problems")}": "<b id="invalid-count">{summary.invalid}</b></span>
                        <span>{tr("重复", "Duplicates")}": "<b>{summary.duplicates}</b></span>
                        <span>{tr("校验用时", "Checked in")}": "<b id="parse-ms" data-ms=move || st.elapsed_ms.get()>{move || format!("{:.0} ms", st.elapsed_ms.get())}</b></span>
                    </div>
                    <Mapping st=st roster=r.clone()/>
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
                <Preview st=st rows=Signal::derive(visible_rows) page=page excluded=excluded chosen=Signal::derive(chosen)/>
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
                                <input id=field_id type="text" prop:value=move || id.get() on:input=move |ev| id.set(event_target_value(&ev))/>
                                <p class="hint">{tr_owned(nzh, nen)}</p>
                                <p class="count">{tr("可导入行数", "Rows that qualify")}": "<b class="qualify">{move || qualifying(k)}</b></p>
                            </fieldset>
                        }
                    }).collect_view()}
                </div>
                <button type="button" id="start" class="primary" disabled=move || chosen().is_empty() || starting.get() || job.with(|j| j.as_ref().is_some_and(|j| j.state == JobState::Running)) on:click=start>{tr("开始导入", "Start import")}</button>
                {move || start_error.get().map(|e| view! { <div class="banner error" role="alert">{e}</div> })}
            </Show>
            {move || job.get().map(|j| view! { <JobProgress job=j/> })}
            {move || results.get().map(|r| view! { <Results results=r/> })}
        </section>
    }
}

/// Follows a job over SSE, then loads its results.
pub fn follow(
    id: String,
    job: RwSignal<Option<JobSummary>>,
    results: RwSignal<Option<JobResults>>,
) {
    let Ok(es) = web_sys::EventSource::new(&format!("api/jobs/{id}/events")) else {
        return;
    };
    let es2 = es.clone();
    let on_progress =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            let Some(text) = ev.data().as_string() else {
                return;
            };
            let Ok(j) = serde_json::from_str::<JobSummary>(&text) else {
                return;
            };
            let finished = j.state != JobState::Running;
            job.set(Some(j));
            if finished {
                es2.close();
                let id = id.clone();
                leptos::task::spawn_local(async move {
                    if let Ok(r) = api::get::<JobResults>(&format!("jobs/{id}/results")).await {
                        results.set(Some(r));
                    }
                });
            }
        });
    let _ = es.add_event_listener_with_callback("progress", on_progress.as_ref().unchecked_ref());
    on_progress.forget();
}

#[component]
fn Mapping(st: ImportState, roster: Arc<Roster>) -> impl IntoView {
    let area = RwSignal::new(
        st.mapping
            .get_untracked()
            .fixed
            .get(&FieldKind::Area)
            .cloned()
            .unwrap_or_default(),
    );
    let apply = move |_| {
        st.mapping.update(|m| {
            if area.get_untracked().trim().is_empty() {
                m.fixed.remove(&FieldKind::Area);
            } else {
                m.fixed.insert(FieldKind::Area, area.get_untracked());
            }
        });
        run_parse(st);
    };
    view! {
        <details class="mapping" open>
            <summary>{tr("列映射（可修改）", "Column mapping (editable)")}</summary>
            <table>
                <thead><tr><th scope="col">{tr("表头", "Header")}</th><th scope="col">{tr("对应字段", "Field")}</th></tr></thead>
                <tbody>
                    {roster.columns.iter().enumerate().map(|(i, c)| {
                        let original = roster.headers.get(i).cloned().unwrap_or_default();
                        let current = c.field;
                        let sel_id = format!("map-{i}");
                        view! {
                            <tr>
                                <td><label for=sel_id.clone()>{c.header.clone()}</label></td>
                                <td>
                                    <select id=sel_id on:change=move |ev| {
                                        if let Some(f) = FieldKind::parse(&event_target_value(&ev)) {
                                            st.mapping.update(|m| { m.overrides.insert(original.clone(), f); });
                                            run_parse(st);
                                        }
                                    }>
                                        {FieldKind::MAPPABLE.iter().map(|f| view! { <option value=f.as_str() selected=*f == current>{f.label_zh()}" ("{f.as_str()}")"</option> }).collect_view()}
                                    </select>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <div class="fixed">
                <label for="fixed-area">{tr("固定区号（没有区号列时使用，如 86）", "Fixed area code (used where a row has none, e.g. 86)")}</label>
                <input id="fixed-area" type="text" inputmode="numeric" prop:value=move || area.get() on:input=move |ev| area.set(event_target_value(&ev))/>
                <button type="button" on:click=apply>{tr("应用并重新校验", "Apply and re-check")}</button>
            </div>
        </details>
    }
}

#[component]
fn Preview(
    st: ImportState,
    rows: Signal<Vec<u32>>,
    page: RwSignal<usize>,
    excluded: RwSignal<HashSet<u32>>,
    chosen: Signal<Vec<DestinationKind>>,
) -> impl IntoView {
    let pages = move || rows.with(|r| r.len().div_ceil(PAGE).max(1));
    view! {
        <div class="table-wrap">
            <table class="preview" id="preview">
                <thead>
                    <tr>
                        <th scope="col">{tr("导入", "Include")}</th>
                        <th scope="col">{tr("行", "Row")}</th>
                        {move || st.roster.get().map(|r| r.columns.iter().map(|c| view! { <th scope="col">{c.header.clone()}</th> }).collect_view())}
                        <th scope="col">{tr("问题", "Problems")}</th>
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        let Some(r) = st.roster.get() else { return Vec::new() };
                        let kinds = chosen.get();
                        let ids: Vec<u32> = rows.with(|v| v.iter().skip(page.get() * PAGE).take(PAGE).copied().collect());
                        ids.into_iter().map(|rn| {
                            let Some(row) = r.rows.iter().find(|x| x.row == rn) else { return view! { <tr></tr> }.into_any() };
                            let probs: Vec<_> = r.problems.iter().filter(|p| p.row == rn && p.destination.is_none_or(|d| kinds.contains(&d))).cloned().collect();
                            let has_error = probs.iter().any(|p| p.severity == Severity::Error);
                            let cells = r.columns.iter().enumerate().map(|(i, c)| {
                                let mine: Vec<String> = probs.iter().filter(|p| p.column.as_deref() == Some(c.header.as_str())).map(|p| pick(&p.zh, &p.en)).collect();
                                let bad = !mine.is_empty();
                                let title = mine.join("\n");
                                view! { <td class:bad=bad title=title aria-invalid=bad.then_some("true")>{row.cells.get(i).cloned().unwrap_or_default()}</td> }
                            }).collect_view();
                            let msgs = probs.iter().map(|p| view! { <li class=if p.severity == Severity::Error { "err" } else { "warn" } data-code=p.code.clone()>{pick(&p.zh, &p.en)}</li> }).collect_view();
                            view! {
                                <tr class:invalid=has_error class:excluded=move || excluded.with(|e| e.contains(&rn)) data-row=rn>
                                    <td><input type="checkbox" aria-label=format!("include row {rn}") prop:checked=move || !excluded.with(|e| e.contains(&rn)) on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        excluded.update(|e| { if on { e.remove(&rn); } else { e.insert(rn); } });
                                    }/></td>
                                    <td>{rn}</td>
                                    {cells}
                                    <td><ul class="problems">{msgs}</ul></td>
                                </tr>
                            }.into_any()
                        }).collect::<Vec<_>>()
                    }}
                </tbody>
            </table>
        </div>
        <div class="pager">
            <button type="button" disabled=move || page.get() == 0 on:click=move |_| page.update(|p| *p = p.saturating_sub(1))>{tr("上一页", "Previous")}</button>
            <span>{move || format!("{} / {}", page.get() + 1, pages())}</span>
            <button type="button" disabled=move || { page.get() + 1 >= pages() } on:click=move |_| page.update(|p| *p += 1)>{tr("下一页", "Next")}</button>
            <span>{tr("已排除", "Excluded")}": "{move || excluded.with(|e| e.len())}</span>
        </div>
    }
}

fn state_label(s: RowState) -> (&'static str, &'static str) {
    (s.label_zh(), s.as_str())
}

#[component]
pub fn JobProgress(job: JobSummary) -> impl IntoView {
    let state = job.state;
    view! {
        <section class="progress" aria-live="polite" id="job-progress">
            <h3>{tr("进度", "Progress")}" · "<span id="job-state" data-state=state.as_str()>{tr(state.label().0, state.label().1)}</span></h3>
            {job.reason.clone().map(|r| view! { <div class="banner error">{r}</div> })}
            {job.destinations.iter().map(|d| {
                let total = d.counts.total();
                let done = d.counts.done();
                let pct = (done * 100).checked_div(total).unwrap_or(100);
                let c = d.counts;
                view! {
                    <div class="dest-progress">
                        <div>{d.destination.to_string()}</div>
                        <progress max=total.max(1) value=done aria-label=d.destination.to_string()></progress>
                        <span class="pct">{format!("{pct}%")}</span>
                        <span class="counts">
                            {RowState::ALL.iter().filter(|s| c.get(**s) > 0).map(|s| { let (zh, en) = state_label(*s); view! { <span class=format!("badge {}", s.as_str())>{pick(zh, en)}" "{c.get(*s)}</span> } }).collect_view()}
                        </span>
                    </div>
                }
            }).collect_view()}
        </section>
    }
}

#[component]
pub fn Results(results: JobResults) -> impl IntoView {
    let id = results.id.clone();
    let page = RwSignal::new(0usize);
    let total = results.rows.len();
    let results = Arc::new(results);
    let r2 = results.clone();
    view! {
        <section class="results" id="results">
            <h3>{tr("逐行结果", "Per-row results")}</h3>
            <p class="downloads">
                <a id="dl-results" href=format!("api/jobs/{id}/results.csv") download=format!("{id}-results.csv")>{tr("下载结果 CSV", "Download results CSV")}</a>
                " · "
                <a id="dl-failed" href=format!("api/jobs/{id}/failed.csv") download=format!("{id}-failed.csv")>{tr("下载失败行 CSV（可修改后重新导入）", "Download failed rows CSV (fix and re-import)")}</a>
            </p>
            <div class="table-wrap">
                <table>
                    <thead><tr>
                        <th scope="col">{tr("行", "Row")}</th>
                        {results.headers.iter().map(|h| view! { <th scope="col">{h.clone()}</th> }).collect_view()}
                        {results.rows.first().map(|r| r.outcomes.iter().map(|o| view! { <th scope="col">{o.destination.to_string()}</th> }).collect_view())}
                    </tr></thead>
                    <tbody>
                        {move || r2.rows.iter().skip(page.get() * PAGE).take(PAGE).map(|row| view! {
                            <tr>
                                <td>{row.row}</td>
                                {row.cells.iter().map(|c| view! { <td>{c.clone()}</td> }).collect_view()}
                                {row.outcomes.iter().map(|o| {
                                    let (zh, en) = state_label(o.state);
                                    let detail = [o.code.clone(), o.reference.clone(), o.attendee_code.clone()].into_iter().flatten().collect::<Vec<_>>().join(" · ");
                                    view! { <td><span class=format!("badge {}", o.state.as_str())>{tr(zh, en)}</span><div class="detail">{detail}</div><div class="msg">{o.message.clone().map(|t| tr_owned(t.zh, t.en))}</div></td> }
                                }).collect_view()}
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <div class="pager">
                <button type="button" disabled=move || page.get() == 0 on:click=move |_| page.update(|p| *p = p.saturating_sub(1))>{tr("上一页", "Previous")}</button>
                <span>{move || format!("{} / {}", page.get() + 1, total.div_ceil(PAGE).max(1))}</span>
                <button type="button" disabled=move || { (page.get() + 1) * PAGE >= total } on:click=move |_| page.update(|p| *p += 1)>{tr("下一页", "Next")}</button>
            </div>
        </section>
    }
}
