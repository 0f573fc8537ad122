//! Fixing the roster in place: a column's find-and-replace (the count shown before anything
//! changes) and the one-click fixes core's rules know (`roster::suggested_fix`). Every change
//! goes through `Edits`, which checks its row again by the same rules.

use leptos::prelude::*;
use rollcall_core::roster::{replace_in, suggested_fix, FieldKind};

use crate::i18n::{tr, tr_owned};

use super::ImportState;

/// The changes a tool would make to column `col`: (row number, new value); `new` gets the cell
/// and the row's area (its area cell, or the mapping's fixed one). Counted again when the file,
/// the tool or a column tool changes — not on every keystroke in a cell (edits read untracked).
fn changes(
    st: ImportState,
    col: usize,
    new: impl Fn(&str, Option<&str>) -> Option<String>,
) -> Vec<(u32, String)> {
    let Some(r) = st.roster.get() else {
        return Vec::new();
    };
    st.redraw.track();
    let area_col = r.columns.iter().position(|c| c.field == FieldKind::Area);
    let fixed_area = st
        .mapping
        .with_untracked(|m| m.fixed.get(&FieldKind::Area).cloned());
    st.edits.with_untracked(|e| {
        (0..r.rows.len())
            .filter_map(|at| {
                let row = r.rows.get(at)?.row;
                let area = area_col
                    .and_then(|c| e.cell(&r, at, c))
                    .filter(|a| !a.trim().is_empty())
                    .or(fixed_area.as_deref());
                let v = new(e.cell(&r, at, col).unwrap_or_default(), area)?;
                Some((row, v))
            })
            .collect()
    })
}

/// Applies changes through `Edits` (each row checked again, duplicates found once), then
/// redraws the preview.
fn apply(st: ImportState, changes: Vec<(u32, String)>, col: usize) -> usize {
    let Some(r) = st.roster.get_untracked() else {
        return 0;
    };
    let mapping = st.mapping.get_untracked();
    let mut n = 0;
    st.edits
        .update(|e| n = e.set_all(&r, &mapping, col, changes));
    st.redraw.update(|n| *n += 1);
    n
}

/// The tools' own signals are read with `try_get`: when a new file replaces the roster, a
/// reading queued before the preview is taken down may still run once after its signals are
/// disposed (the wizard's own signals outlive it).
#[component]
pub(super) fn ColumnTools(st: ImportState) -> impl IntoView {
    let column = RwSignal::new(0usize);
    let find = RwSignal::new(String::new());
    let replace = RwSignal::new(String::new());
    let said = RwSignal::new(None::<(String, String)>);
    let field = move || {
        st.roster
            .with(|r| {
                r.as_ref().and_then(|r| {
                    r.columns
                        .get(column.try_get().unwrap_or_default())
                        .map(|c| c.field)
                })
            })
            .unwrap_or(FieldKind::Custom)
    };
    let replacements = move || {
        let (f, to) = (
            find.try_get().unwrap_or_default(),
            replace.try_get().unwrap_or_default(),
        );
        changes(st, column.try_get().unwrap_or_default(), |c, _| {
            replace_in(c, &f, &to)
        })
    };
    let fixes = move || {
        let f = field();
        changes(st, column.try_get().unwrap_or_default(), |c, area| {
            suggested_fix(f, c, area)
        })
    };
    let headers = move || {
        st.roster.with(|r| {
            r.as_ref()
                .map(|r| {
                    r.columns
                        .iter()
                        .map(|c| c.header.clone())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    view! {
        <details class="column-tools" id="column-tools">
            <summary>{tr("修正单元格：查找替换、一键修正", "Fix cells: find and replace, one-click fixes")}</summary>
            <div class="tools-row">
                <label for="tool-column">{tr("列", "Column")}</label>
                <select id="tool-column" on:change=move |ev| { column.set(event_target_value(&ev).parse().unwrap_or(0)); said.set(None); }>
                    {move || headers().into_iter().enumerate().map(|(i, h)| view! { <option value=i.to_string() selected=move || column.try_get().unwrap_or_default() == i>{h}</option> }).collect_view()}
                </select>
            </div>
            <div class="tools-row">
                <label for="tool-find">{tr("查找", "Find")}</label>
                <input id="tool-find" type="text" prop:value=move || find.try_get().unwrap_or_default() on:input=move |ev| { find.set(event_target_value(&ev)); said.set(None); }/>
                <label for="tool-replace">{tr("替换为", "Replace with")}</label>
                <input id="tool-replace" type="text" prop:value=move || replace.try_get().unwrap_or_default() on:input=move |ev| replace.set(event_target_value(&ev))/>
                <span id="replace-count" role="status">{move || { let n = replacements().len(); tr_owned(format!("将替换 {n} 个单元格"), format!("{n} cells would change")) }}</span>
                <button type="button" id="replace-apply" disabled=move || replacements().is_empty() on:click=move |_| {
                    let n = apply(st, replacements(), column.get_untracked());
                    said.set(Some((format!("已替换 {n} 个单元格"), format!("{n} cells replaced"))));
                }>{tr("全部替换", "Replace all")}</button>
            </div>
            <div class="tools-row">
                <span id="fix-count">{move || { let n = fixes().len(); tr_owned(format!("一键修正（全角字符、+86 前缀、空格）：{n} 个单元格"), format!("One-click fix (full-width characters, +86 prefix, spaces): {n} cells")) }}</span>
                <button type="button" id="fix-apply" disabled=move || fixes().is_empty() on:click=move |_| {
                    let n = apply(st, fixes(), column.get_untracked());
                    said.set(Some((format!("已修正 {n} 个单元格"), format!("{n} cells fixed"))));
                }>{tr("修正", "Fix")}</button>
            </div>
            {move || said.try_get().unwrap_or_default().map(|(zh, en)| view! { <p class="ok" role="status" id="tools-said">{tr_owned(zh, en)}</p> })}
        </details>
    }
}
