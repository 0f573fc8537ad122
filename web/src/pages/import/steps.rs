//! The wizard's step between the file and the preview: the workbook's sheet and header row, the
//! column mapping, fixed values and 31huiyi field codes.

use std::sync::Arc;

use leptos::prelude::*;
use rollcall_core::roster::{guess_field, FieldKind, Huiyi31Field, Roster, SheetInfo};

use crate::i18n::{tr, tr_owned};

use super::remembered::RememberedMappings;
use super::worker::run_parse;
use super::ImportState;

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
    let sheet = roster
        .sheet
        .clone()
        .map(|info| view! { <SheetChoice st=st info=info/> });
    let remembered = view! { <RememberedMappings st=st roster=roster.clone()/> };
    view! {
        {sheet}
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
                                <td>
                                    // Offered only for a field no column has yet (another column of a
                                    // field would replace its value), and never applied unasked.
                                    {(current == FieldKind::Custom && c.auto).then(|| guess_field(&c.header)).flatten().filter(|g| roster.columns.iter().all(|o| o.field != g.field)).map(|g| {
                                        let (header, field) = (c.header.clone(), g.field);
                                        let pct = (g.confidence * 100.0).round();
                                        view! {
                                            <p class="guess" data-field=field.as_str()>
                                                {tr_owned(format!("可能是“{}”（与“{}”相似 {pct}%）", field.label_zh(), g.like), format!("may be {} (like \"{}\", {pct}%)", field.as_str(), g.like))}
                                                " "<button type="button" class="guess-accept" on:click=move |_| {
                                                    st.mapping.update(|m| { m.overrides.insert(header.clone(), field); });
                                                    run_parse(st);
                                                }>{tr("采用", "Accept")}</button>
                                            </p>
                                        }
                                    })}
                                    {(current == FieldKind::Custom).then(|| view! { <Huiyi31FieldInput st=st header=c.header.clone() i=i/> })}
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
            {remembered}
        </details>
    }
}

/// A workbook's sheet (a picker when it has several; the one with the most rows is read first)
/// and its header row, found below titles and notes or set here. Either change reads the file
/// again; cells fixed on another sheet or header do not carry over.
#[component]
fn SheetChoice(st: ImportState, info: SheetInfo) -> impl IntoView {
    let reread = move |sheet: Option<String>, header_row: Option<u32>| {
        st.mapping.update(|m| {
            if sheet.is_some() {
                m.sheet = sheet;
            }
            m.header_row = header_row;
        });
        st.forget_rows();
        run_parse(st);
    };
    let n = info.header_row;
    let many = info.sheets.len() > 1;
    let current = info.name.clone();
    view! {
        <div class="sheet-choice" id="sheet-choice">
            {many.then(|| view! {
                <label for="sheet">{tr("工作表", "Sheet")}</label>
                <select id="sheet" on:change=move |ev| reread(Some(event_target_value(&ev)), None)>
                    {info.sheets.iter().map(|s| view! { <option value=s.clone() selected=*s == current>{s.clone()}</option> }).collect_view()}
                </select>
            })}
            <label for="header-row">{tr("表头所在行", "Header row")}</label>
            <input id="header-row" type="number" min="1" inputmode="numeric" prop:value=n.to_string() on:change=move |ev| {
                if let Ok(row) = event_target_value(&ev).trim().parse::<u32>() {
                    if row >= 1 {
                        reread(None, Some(row));
                    }
                }
            }/>
            <span id="sheet-said">{tr_owned(format!("读取工作表“{}”，表头在第 {n} 行", info.name), format!("reading sheet \"{}\", header on row {n}", info.name))}</span>
        </div>
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
