//! The preview: every row of the current page with its problems on their cells. A cell with a
//! problem is an input: what is typed goes into `Edits`, which checks the row again by core's
//! rules, and the row's problems follow as the user types. The column tools sit above.

use std::collections::HashSet;
use std::sync::Arc;

use leptos::prelude::*;
use rollcall_core::api::DestinationKind;
use rollcall_core::roster::{FieldKind, Roster, RowProblem, Severity};

use crate::i18n::{pick, tr, tr_owned};

use super::fix::ColumnTools;
use super::{Filter, ImportState, Wizard, PAGE};

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

/// The rows the filter shows, in row order. Edits are read untracked: a row being fixed stays
/// where it is while the user types (the filter applies again when it changes, or after a
/// column tool redraws).
fn visible_rows(w: Wizard) -> Vec<u32> {
    let st = w.st;
    let kinds = w.chosen();
    let filter = w.filter.get();
    st.redraw.track();
    st.roster.with(|r| {
        let Some(r) = r.as_ref() else {
            return Vec::new();
        };
        let bad = st.edits.with_untracked(|e| e.invalid_for(r, &kinds));
        // Once per filter change, not once per row: a 100k-row file may have as many problems,
        // and a scan per row would be quadratic.
        let with_problem: HashSet<u32> = match filter {
            Filter::Problems => r.problems.iter().map(|p| p.row).collect(),
            _ => HashSet::new(),
        };
        r.rows
            .iter()
            .filter(|row| match filter {
                Filter::All => true,
                Filter::Problems => bad.contains(&row.row) || with_problem.contains(&row.row),
                Filter::Duplicates => row.duplicate_of.is_some(),
            })
            .map(|row| row.row)
            .collect()
    })
}

#[component]
pub(super) fn Preview(w: Wizard) -> impl IntoView {
    let (st, page, excluded, filter) = (w.st, w.page, w.st.excluded, w.filter);
    let pages = move || visible_rows(w).len().div_ceil(PAGE).max(1);
    // Cells already fixed stay fixed when the file is read again (a mapping changed): checked
    // again under the new mapping. Here, not in the worker's reply handler, so the rules'
    // code stays out of the first screen.
    Effect::new(move |_| {
        if let Some(r) = st.roster.get() {
            let mapping = st.mapping.get_untracked();
            st.edits.update(|e| e.recheck(&r, &mapping));
        }
    });
    let invalid = move || {
        st.roster.with(|r| {
            r.as_ref().map_or(0, |r| {
                st.edits
                    .with(|e| e.invalid_for(r, &DestinationKind::ALL).len())
            })
        })
    };
    let show = move |f: Filter| {
        filter.set(f);
        page.set(0);
    };
    view! {
        <h3>{tr("预览", "Preview")}</h3>
        <p class="summary">
            <span>{tr("有问题", "With problems")}": "<b id="invalid-count">{invalid}</b></span>
            <span>{tr("已修改单元格", "Cells edited")}": "<b id="edited-count">{move || st.edits.with(|e| e.cells_changed())}</b></span>
        </p>
        <div class="filters" role="group" aria-label=tr("筛选", "Filter")>
            <label><input type="radio" name="filter" checked=move || filter.get() == Filter::All on:change=move |_| show(Filter::All)/>{tr("全部", "All")}</label>
            <label><input type="radio" name="filter" id="filter-problems" checked=move || filter.get() == Filter::Problems on:change=move |_| show(Filter::Problems)/>{tr("仅有问题的行", "Problems only")}</label>
            <label><input type="radio" name="filter" checked=move || filter.get() == Filter::Duplicates on:change=move |_| show(Filter::Duplicates)/>{tr("重复行", "Duplicates")}</label>
            <button type="button" id="exclude-invalid" on:click=move |_| { let bad = w.invalid_rows(&w.chosen()); excluded.update(|e| e.extend(bad)); }>{tr("排除所有有问题的行", "Exclude every row with a problem")}</button>
        </div>
        <ColumnTools st=st/>
        <div class="table-wrap" tabindex="0" role="region" aria-label=tr("预览", "Preview")>
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
                        let kinds = Arc::new(w.chosen());
                        let ids: Vec<u32> = visible_rows(w).into_iter().skip(page.get() * PAGE).take(PAGE).collect();
                        ids.into_iter().map(|rn| {
                            // Rows and problems are in row order: a page looks its rows up, never scans.
                            let Some(at) = r.rows.position_of(rn) else { return view! { <tr></tr> }.into_any() };
                            let cells = (0..r.columns.len()).map(|i| cell_view(st, r.clone(), at, rn, i, kinds.clone())).collect_view();
                            let problems = {
                                let (r, kinds) = (r.clone(), kinds.clone());
                                move || problems_now(st, &r, rn, &kinds)
                            };
                            let has_error = { let p = problems.clone(); move || p().iter().any(|p| p.severity == Severity::Error) };
                            let msgs = move || problems().into_iter().map(|p| view! { <li class=if p.severity == Severity::Error { "err" } else { "warn" } data-code=p.code.as_str()>{pick(&p.message.zh, &p.message.en)}</li> }).collect_view();
                            view! {
                                <tr class:invalid=has_error class:excluded=move || excluded.with(|e| e.contains(&rn)) data-row=rn>
                                    <td><input type="checkbox" aria-label=tr_owned(format!("导入第 {rn} 行"), format!("include row {rn}")) prop:checked=move || !excluded.with(|e| e.contains(&rn)) on:change=move |ev| {
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
