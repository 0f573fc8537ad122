//! The wizard's steps between the file and the destinations: column mapping, then the preview
//! with every problem on its cell.

use std::collections::HashSet;
use std::sync::Arc;

use leptos::prelude::*;
use rollcall_core::api::DestinationKind;
use rollcall_core::roster::{FieldKind, Huiyi31Field, Roster, Severity};

use crate::i18n::{pick, tr, tr_owned};

use super::worker::run_parse;
use super::{ImportState, PAGE};

#[component]
pub(super) fn Mapping(st: ImportState, roster: Arc<Roster>) -> impl IntoView {
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
                <thead><tr><th scope="col">{tr("表头", "Header")}</th><th scope="col">{tr("对应字段", "Field")}</th><th scope="col">{tr("31会议字段（自定义列）", "31huiyi field (custom columns)")}</th></tr></thead>
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
                                <td>{(current == FieldKind::Custom).then(|| view! { <Huiyi31FieldInput st=st header=c.header.clone() i=i/> })}</td>
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

/// A custom column's 31huiyi field: its code, and for an option field each option's text and
/// code ("选项型字段需要传code值过来不要传文本过来", seed 004). Without a code the column is not sent
/// to 31huiyi; nothing is guessed from its header. Applied with "Apply and re-check".
#[component]
fn Huiyi31FieldInput(st: ImportState, header: String, i: usize) -> impl IntoView {
    let existing = st
        .mapping
        .get_untracked()
        .huiyi31
        .get(&header)
        .cloned()
        .unwrap_or_default();
    let bad_line = RwSignal::new(None::<usize>);
    let (code_id, opts_id) = (format!("hy-code-{i}"), format!("hy-opts-{i}"));
    let h_code = header.clone();
    let set_code = move |ev| {
        let code = event_target_value(&ev).trim().to_string();
        st.mapping.update(|m| {
            if code.is_empty() {
                m.huiyi31.remove(&h_code);
            } else {
                m.huiyi31.entry(h_code.clone()).or_default().code = code;
            }
        });
    };
    let set_options = move |ev| match Huiyi31Field::parse_options(&event_target_value(&ev)) {
        Ok(options) => {
            bad_line.set(None);
            st.mapping.update(|m| {
                if let Some(f) = m.huiyi31.get_mut(&header) {
                    f.options = options;
                }
            });
        }
        Err(line) => bad_line.set(Some(line)),
    };
    view! {
        <div class="hy-field">
            <label for=code_id.clone()>{tr("字段 code", "Field code")}</label>
            <input id=code_id type="text" prop:value=existing.code.clone() on:change=set_code/>
            <label for=opts_id.clone()>{tr("选项：文字=选项 code，每行一个（非选项字段留空）", "Options: text=option code, one a line (empty for a free-text field)")}</label>
            <textarea id=opts_id rows="2" prop:value=existing.options_text() on:change=set_options></textarea>
            {move || bad_line.get().map(|n| view! {
                <p class="err" role="alert">{tr_owned(format!("第 {n} 行不是“文字=code”"), format!("line {n} is not \"text=code\""))}</p>
            })}
        </div>
    }
}

#[component]
pub(super) fn Preview(
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
                            // Rows and problems are in row order: a page looks its rows up, never scans.
                            let Some(row) = r.rows.position_of(rn).and_then(|at| r.rows.get(at)) else { return view! { <tr></tr> }.into_any() };
                            let from = r.problems.partition_point(|p| p.row < rn);
                            let probs: Vec<_> = r.problems[from..].iter().take_while(|p| p.row == rn).filter(|p| p.destination.is_none_or(|d| kinds.contains(&d))).cloned().collect();
                            let has_error = probs.iter().any(|p| p.severity == Severity::Error);
                            let cells = r.columns.iter().enumerate().map(|(i, c)| {
                                let mine: Vec<String> = probs.iter().filter(|p| p.column.as_deref() == Some(c.header.as_str())).map(|p| pick(&p.message.zh, &p.message.en)).collect();
                                let bad = !mine.is_empty();
                                let title = mine.join("\n");
                                view! { <td class:bad=bad title=title aria-invalid=bad.then_some("true")>{row.cell(i).map(str::to_string).unwrap_or_default()}</td> }
                            }).collect_view();
                            let msgs = probs.iter().map(|p| view! { <li class=if p.severity == Severity::Error { "err" } else { "warn" } data-code=p.code.as_str()>{pick(&p.message.zh, &p.message.en)}</li> }).collect_view();
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
