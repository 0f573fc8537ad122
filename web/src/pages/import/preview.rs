//! The preview: the rows the filter and search keep (core's `Edits::rows_shown`, computed once
//! per change), drawn only where the scroll box shows them — a 100k-row file is a few dozen
//! rows in the page, the rest is the scroll box's height. Every row's problems sit on their
//! cells; a cell with a problem is an input: what is typed goes into `Edits`, which checks the
//! row again by core's rules, and the row's problems follow as the user types. The column tools
//! sit above.

use std::sync::Arc;

use leptos::prelude::*;
use rollcall_core::api::DestinationKind;
use rollcall_core::roster::{FieldKind, Roster, RowFilter, RowProblem, Search, Severity};
use wasm_bindgen::JsCast;

use crate::i18n::{pick, tr, tr_owned};

use super::fix::ColumnTools;
use super::{timing, ImportState, Wizard};

/// The problems of row `rn` as they are now (edits included) that matter for `kinds`.
fn problems_now(
    st: ImportState,
    r: &Roster,
    rn: u32,
    kinds: &[DestinationKind],
) -> Vec<RowProblem> {
    st.edits.with(|e| {
        e.problems(r, rn)
            .iter()
            .filter(|p| p.destination.is_none_or(|d| kinds.contains(&d)))
            .cloned()
            .collect()
    })
}

/// One cell: text, or an input when it has (or had) a problem or was edited.
fn cell_view(
    st: ImportState,
    r: Arc<Roster>,
    at: usize,
    rn: u32,
    i: usize,
    kinds: Arc<Vec<DestinationKind>>,
) -> AnyView {
    let header = r.columns[i].header.clone();
    // An identity column is editable too when the row lacks any identity (a problem of no column).
    let identity = matches!(
        r.columns[i].field,
        FieldKind::Phone
            | FieldKind::Email
            | FieldKind::Userid
            | FieldKind::OpenId
            | FieldKind::ImAccount
    );
    let (value, editable) = st.edits.with_untracked(|e| {
        let editable = e.is_changed(rn, i)
            || e.problems(&r, rn).iter().any(|p| {
                p.column.as_deref() == Some(header.as_str())
                    || (identity && p.column.is_none() && p.severity == Severity::Error)
            });
        (e.cell(&r, at, i).unwrap_or_default().to_string(), editable)
    });
    let mine = {
        let (r, header) = (r.clone(), header.clone());
        move || {
            problems_now(st, &r, rn, &kinds)
                .into_iter()
                .filter(|p| p.column.as_deref() == Some(header.as_str()))
                .map(|p| pick(&p.message.zh, &p.message.en))
                .collect::<Vec<_>>()
        }
    };
    let (bad, title, invalid) = (mine.clone(), mine.clone(), mine);
    let bad = move || !bad().is_empty();
    let title = move || title().join("\n");
    let invalid = move || (!invalid().is_empty()).then_some("true");
    if !editable {
        return view! { <td class:bad=bad title=title aria-invalid=invalid>{value}</td> }
            .into_any();
    }
    let label = tr_owned(
        format!("第 {rn} 行 {header}"),
        format!("row {rn}, {header}"),
    );
    view! {
        <td class="editable" class:bad=bad title=title>
            <input type="text" class="cell-edit" data-row=rn data-column=i aria-label=label aria-invalid=invalid value=value on:input=move |ev| {
                let v = event_target_value(&ev);
                let mapping = st.mapping.get_untracked();
                st.edits.update(|e| {
                    e.set(&r, &mapping, rn, i, &v);
                });
            }/>
        </td>
    }
    .into_any()
}

/// Rows drawn around the scroll position at least (more on a screen taller than they fill).
const WINDOW: usize = 48;
/// Rows drawn above the first one in view (and so below the last), for smooth scrolling.
const OVERSCAN: usize = 12;
/// A row's height until one drawn is measured (`.preview tbody tr[data-row]` in the CSS).
pub(super) const ROW_PX: f64 = 37.0;

/// One row: its include box, number, cells and problems.
fn row_view(
    w: Wizard,
    r: Arc<Roster>,
    rn: u32,
    index: usize,
    kinds: Arc<Vec<DestinationKind>>,
) -> AnyView {
    let (st, excluded) = (w.st, w.st.excluded);
    // Rows and problems are in row order: a row is looked up, never scanned for.
    let Some(at) = r.rows.position_of(rn) else {
        return view! { <tr></tr> }.into_any();
    };
    let cells = (0..r.columns.len())
        .map(|i| cell_view(st, r.clone(), at, rn, i, kinds.clone()))
        .collect_view();
    let problems = move || problems_now(st, &r, rn, &kinds);
    let has_error = {
        let p = problems.clone();
        move || p().iter().any(|p| p.severity == Severity::Error)
    };
    let msgs = move || {
        problems()
            .into_iter()
            .map(|p| {
                let class = if p.severity == Severity::Error { "err" } else { "warn" };
                view! { <li class=class data-code=p.code.as_str()>{pick(&p.message.zh, &p.message.en)}</li> }
            })
            .collect_view()
    };
    let out = move || excluded.with(|e| e.contains(&rn));
    view! {
        <tr class:invalid=has_error class:excluded=out data-row=rn aria-rowindex=index + 2>
            <td><input type="checkbox" aria-label=tr_owned(format!("导入第 {rn} 行"), format!("include row {rn}")) prop:checked=move || !out() on:change=move |ev| {
                let on = event_target_checked(&ev);
                excluded.update(|e| { if on { e.remove(&rn); } else { e.insert(rn); } });
            }/></td>
            <td>{rn}</td>
            {cells}
            <td><ul class="problems">{msgs}</ul></td>
        </tr>
    }
    .into_any()
}

#[component]
pub(super) fn Preview(w: Wizard) -> impl IntoView {
    let (st, excluded, filter, shown) = (w.st, w.st.excluded, w.filter, w.shown);
    // Cells already fixed stay fixed when the file is read again (a mapping changed): checked
    // again under the new mapping. Here, not in the worker's reply handler, so the rules'
    // code stays out of the first screen.
    Effect::new(move |_| {
        if let Some(r) = st.roster.get() {
            let mapping = st.mapping.get_untracked();
            st.edits.update(|e| e.recheck(&r, &mapping));
        }
    });
    // The rows to show, once per change of file, filter, search, destinations or a column tool's
    // redraw. Edits are read untracked: a row being fixed stays where it is while the user types.
    Effect::new(move |_| {
        let kinds = w.chosen();
        let (f, q) = (filter.get(), Search::new(&w.search.get()));
        st.redraw.track();
        let rows = st.roster.with(|r| {
            r.as_ref()
                .map(|r| st.edits.with_untracked(|e| e.rows_shown(r, &kinds, f, &q)))
        });
        shown.set(Arc::new(rows.unwrap_or_default()));
        timing::end(&timing::FILTER_TO_ROWS, w.filter_ms);
    });
    let invalid = move || {
        st.roster.with(|r| {
            r.as_ref().map_or(0, |r| {
                st.edits
                    .with(|e| e.invalid_for(r, &DestinationKind::ALL).len())
            })
        })
    };
    // Where the scroll box is: the first row drawn, and a drawn row's measured height.
    let (first, row_px) = (w.first, w.row_px);
    let scroller = NodeRef::<leptos::html::Div>::new();
    let to_top = move || {
        if let Some(el) = scroller.get_untracked() {
            el.set_scroll_top(0);
        }
        first.set(0);
    };
    let on_scroll = move |_| {
        let Some(el) = scroller.get_untracked() else {
            return;
        };
        if let Some(h) = el
            .query_selector("tbody tr[data-row]")
            .ok()
            .flatten()
            .and_then(|tr| tr.dyn_into::<web_sys::HtmlElement>().ok())
            .map(|tr| f64::from(tr.offset_height()))
            .filter(|h| *h > 0.0)
        {
            if (h - row_px.get_untracked()).abs() > 0.5 {
                row_px.set(h);
            }
        }
        let top = (el.scroll_top() as f64 / row_px.get_untracked()) as usize;
        let at = top.saturating_sub(OVERSCAN);
        if at != first.get_untracked() {
            first.set(at);
        }
    };
    let show = move |f: RowFilter| {
        timing::begin(&timing::FILTER_TO_ROWS);
        filter.set(f);
        to_top();
    };
    let on_search = move |ev: leptos::ev::Event| {
        timing::begin(&timing::FILTER_TO_ROWS);
        w.search.set(event_target_value(&ev));
        to_top();
    };
    // The window of rows drawn, and the space the others take above and below it: the rows the
    // box can show (at most 70 % of the window's height) and a margin each side; never past
    // the end, so a list that shrank still fills the box.
    let window = move || {
        let all = shown.get();
        let h = row_px.get();
        let tall = web_sys::window()
            .and_then(|w| w.inner_height().ok())
            .and_then(|v| v.as_f64())
            .unwrap_or(900.0);
        let span = ((tall * 0.7 / h).ceil() as usize + 2 * OVERSCAN).max(WINDOW);
        let from = first.get().min(all.len().saturating_sub(span));
        let to = (from + span).min(all.len());
        (from, to, all)
    };
    let columns = move || {
        st.roster
            .with(|r| r.as_ref().map_or(0, |r| r.columns.len()))
    };
    let space = move |rows: usize| format!("{}px", rows as f64 * row_px.get());
    view! {
        <h3>{tr("预览", "Preview")}</h3>
        <p class="summary">
            <span>{tr("有问题", "With problems")}": "<b id="invalid-count">{invalid}</b></span>
            <span>{tr("已修改单元格", "Cells edited")}": "<b id="edited-count">{move || st.edits.with(|e| e.cells_changed())}</b></span>
        </p>
        <div class="filters" role="group" aria-label=tr("筛选", "Filter")>
            <label><input type="radio" name="filter" checked=move || filter.get() == RowFilter::All on:change=move |_| show(RowFilter::All)/>{tr("全部", "All")}</label>
            <label><input type="radio" name="filter" id="filter-problems" checked=move || filter.get() == RowFilter::Problems on:change=move |_| show(RowFilter::Problems)/>{tr("仅有问题的行", "Problems only")}</label>
            <label><input type="radio" name="filter" id="filter-duplicates" checked=move || filter.get() == RowFilter::Duplicates on:change=move |_| show(RowFilter::Duplicates)/>{tr("重复行", "Duplicates")}</label>
            <label for="row-search">{tr("搜索", "Search")}</label>
            <input type="search" id="row-search" prop:value=move || w.search.get() on:input=on_search placeholder=tr("姓名、手机号、邮箱…", "Name, phone, e-mail…")/>
            <button type="button" id="exclude-invalid" on:click=move |_| { let bad = w.invalid_rows(&w.chosen()); excluded.update(|e| e.extend(bad)); }>{tr("排除所有有问题的行", "Exclude every row with a problem")}</button>
        </div>
        <ColumnTools st=st/>
        <div class="table-wrap rows" tabindex="0" role="region" aria-label=tr("预览", "Preview") node_ref=scroller on:scroll=on_scroll>
            <table class="preview" id="preview" aria-rowcount=move || shown.with(|s| s.len() + 1) data-filter-ms=move || w.filter_ms.get()>
                <thead>
                    <tr>
                        <th scope="col">{tr("导入", "Include")}</th>
                        <th scope="col">{tr("行", "Row")}</th>
                        {move || st.roster.get().map(|r| r.columns.iter().map(|c| view! { <th scope="col">{c.header.clone()}</th> }).collect_view())}
                        <th scope="col">{tr("问题", "Problems")}</th>
                    </tr>
                </thead>
                <tbody>
                    <tr class="spacer" aria-hidden="true"><td colspan=move || columns() + 3 style:height=move || space(window().0)></td></tr>
                    {move || {
                        // Drawn again when the file, destinations or a column tool change what a
                        // row shows; scrolling keeps the rows still in view (keyed by number), so
                        // the focus stays where it is.
                        let r = st.roster.get()?;
                        let kinds = Arc::new(w.chosen());
                        st.redraw.track();
                        Some(view! {
                            <For each=move || { let (from, to, all) = window(); (from..to).map(|i| (i, all[i])).collect::<Vec<_>>() } key=|k| *k let((index, rn))>
                                {row_view(w, r.clone(), rn, index, kinds.clone())}
                            </For>
                        })
                    }}
                    <tr class="spacer" aria-hidden="true"><td colspan=move || columns() + 3 style:height=move || { let (_, to, all) = window(); space(all.len() - to) }></td></tr>
                </tbody>
            </table>
        </div>
        <p class="pager" role="status">
            <span id="shown-count">{move || { let (n, total) = (shown.with(|s| s.len()), st.roster.with(|r| r.as_ref().map_or(0, |r| r.rows.len()))); tr_owned(format!("显示 {n} / {total} 行"), format!("showing {n} of {total} rows")) }}</span>
            <span>{tr("已排除", "Excluded")}": "{move || excluded.with(|e| e.len())}</span>
        </p>
    }
}
