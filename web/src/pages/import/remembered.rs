//! Remembered mappings: the ones kept on the server (the user's and colleagues'), offered with
//! how well their headers fit this file, the best first — applied only when the user says so —
//! and the current mapping kept under a name.

use std::sync::Arc;

use leptos::prelude::*;
use rollcall_core::api::{SaveMapping, SavedMapping};
use rollcall_core::roster::{headers_match, Roster};

use crate::api;
use crate::i18n::{tr, tr_owned};

use super::worker::run_parse;
use super::ImportState;

/// Kept mappings whose headers fit at least this well are offered.
const OFFER_FROM: f64 = 0.5;

#[component]
pub(super) fn RememberedMappings(st: ImportState, roster: Arc<Roster>) -> impl IntoView {
    let offered = RwSignal::new(Vec::<(SavedMapping, f64)>::new());
    let chosen = RwSignal::new(0usize);
    let said = RwSignal::new(None::<(String, String)>);
    let name = RwSignal::new(st.file_name.get_untracked().unwrap_or_default());
    let headers = roster.headers.clone();
    leptos::task::spawn_local(async move {
        if let Ok(all) = api::get::<Vec<SavedMapping>>("mappings").await {
            let mut fit: Vec<(SavedMapping, f64)> = all
                .into_iter()
                .map(|m| {
                    let f = headers_match(&headers, &m.headers);
                    (m, f)
                })
                .filter(|(_, f)| *f >= OFFER_FROM)
                .collect();
            fit.sort_by(|a, b| b.1.total_cmp(&a.1));
            offered.set(fit);
        }
    });
    let apply = move |_| {
        let Some((m, _)) = offered.with(|o| o.get(chosen.get_untracked()).cloned()) else {
            return;
        };
        st.mapping.update(|cur| {
            cur.overrides = m.mapping.overrides.clone();
            cur.fixed = m.mapping.fixed.clone();
            cur.huiyi31 = m.mapping.huiyi31.clone();
        });
        said.set(Some((
            format!("已使用 {} 的映射“{}”", m.owner, m.name),
            format!("using {}'s mapping \"{}\"", m.owner, m.name),
        )));
        run_parse(st);
    };
    let headers = roster.headers.clone();
    let save = move |_| {
        let body = SaveMapping {
            name: name.get_untracked(),
            headers: headers.clone(),
            mapping: st.mapping.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            match api::post::<_, SavedMapping>("mappings", &body).await {
                Ok(m) => said.set(Some((
                    format!("映射已保存为“{}”，同事也可以使用", m.name),
                    format!("mapping kept as \"{}\"; colleagues can use it too", m.name),
                ))),
                Err(e) => {
                    let d = api::describe(&e);
                    said.set(Some((d.clone(), d)));
                }
            }
        });
    };
    view! {
        <div class="remembered" id="remembered">
            {move || (!offered.with(Vec::is_empty)).then(|| view! {
                <label for="saved-mapping">{tr("已保存的映射（按表头相似度排序）", "Kept mappings (closest headers first)")}</label>
                <select id="saved-mapping" on:change=move |ev| chosen.set(event_target_value(&ev).parse().unwrap_or(0))>
                    {offered.get().into_iter().enumerate().map(|(i, (m, fit))| {
                        let pct = (fit * 100.0).round();
                        view! { <option value=i.to_string()>{format!("{} · {} · {pct}%", m.name, m.owner)}</option> }
                    }).collect_view()}
                </select>
                <button type="button" id="use-mapping" on:click=apply>{tr("使用此映射", "Use this mapping")}</button>
            })}
            <label for="mapping-name">{tr("保存当前映射为", "Keep this mapping as")}</label>
            <input id="mapping-name" type="text" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
            <button type="button" id="save-mapping" on:click=save>{tr("保存映射", "Keep mapping")}</button>
            {move || said.get().map(|(zh, en)| view! { <p class="ok" role="status" id="mapping-said">{tr_owned(zh, en)}</p> })}
        </div>
    }
}
