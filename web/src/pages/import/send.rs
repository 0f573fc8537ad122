//! The wizard's last step: each destination with what it needs and how many rows qualify, a
//! preview that asks each what it holds and sends nothing, and the start. Fetched with its code
//! once a file has been read.

use leptos::prelude::*;
use rollcall_core::api::{
    CreateJobRequest, Destination, DestinationKind, JobPreview, JobState, JobSummary,
};
use rollcall_core::roster::TableRow;

use crate::api;
use crate::i18n::{tr, tr_owned};

use super::follow::follow;
use super::known::offer_known;
use super::Wizard;

/// The job request from what is on screen (also what a preview asks about): the rows not
/// excluded, with their cells as edited, and which cells were.
fn request(w: Wizard) -> Option<CreateJobRequest> {
    let st = w.st;
    let r = st.roster.get_untracked()?;
    let mut destinations = Vec::new();
    for (k, on, id) in w.dests.iter() {
        if !on.get_untracked() {
            continue;
        }
        let text = format!("{}:{}", k.as_str(), id.get_untracked().trim());
        match text.parse::<Destination>() {
            Ok(d) => destinations.push(d),
            Err(e) => {
                w.start_error.set(Some(e));
                return None;
            }
        }
    }
    let ex = w.st.excluded.get_untracked();
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
}

#[component]
pub(super) fn Send(w: Wizard) -> impl IntoView {
    let st = w.st;
    let qualifying = move |k: DestinationKind| -> usize {
        let bad = w.invalid_rows(&[k]);
        let ex = w.st.excluded.get();
        st.roster.with(|r| {
            r.as_ref().map_or(0, |r| {
                r.rows
                    .iter()
                    .filter(|row| !bad.contains(&row.row) && !ex.contains(&row.row))
                    .count()
            })
        })
    };
    // Asks each destination what it holds and shows what the job would do; sends nothing.
    let run_preview = move |_| {
        let Some(req) = request(w) else { return };
        w.start_error.set(None);
        w.preview.set(None);
        leptos::task::spawn_local(async move {
            match api::post::<_, JobPreview>("jobs/preview", &req).await {
                Ok(p) => w.preview.set(Some(p)),
                Err(e) => w.start_error.set(Some(api::describe(&e))),
            }
        });
    };
    let start = move |_| {
        let Some(req) = request(w) else { return };
        w.starting.set(true);
        w.start_error.set(None);
        leptos::task::spawn_local(async move {
            match api::post::<_, JobSummary>("jobs", &req).await {
                Ok(j) => {
                    let id = j.id.clone();
                    w.job.set(Some(j));
                    follow(id, w.job, w.results);
                }
                Err(e) => w.start_error.set(Some(api::describe(&e))),
            }
            w.starting.set(false);
        });
    };
    let running = move || {
        w.job
            .with(|j| j.as_ref().is_some_and(|j| j.state == JobState::Running))
    };
    view! {
        <h3>{tr("导入目标", "Destinations")}</h3>
        <div class="destinations">
            {w.dests.iter().map(|&(k, on, id)| {
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
        <button type="button" id="preview-run" disabled=move || w.chosen().is_empty() on:click=run_preview>{tr("预览（不发送）", "Preview (sends nothing)")}</button>
        {move || w.preview.get().map(|p| view! {
            <table id="preview-result">
                <thead><tr><th>{tr("导入目标", "Destination")}</th><th>{tr("无效", "Invalid")}</th><th>{tr("已存在", "Already there")}</th><th>{tr("将发送", "To send")}</th><th>{tr("超出上限", "Over the cap")}</th></tr></thead>
                <tbody>{p.destinations.into_iter().map(|d| view! {
                    <tr data-destination=d.destination.to_string()><td>{d.destination.to_string()}</td><td>{d.invalid}</td><td>{d.already_present.map_or("?".to_string(), |n| n.to_string())}</td><td class="to-send">{d.to_send}</td><td>{d.over_cap}</td></tr>
                }).collect_view()}</tbody>
            </table>
        })}
        <button type="button" id="start" class="primary" disabled=move || w.chosen().is_empty() || w.starting.get() || running() on:click=start>{tr("开始导入", "Start import")}</button>
        {move || w.start_error.get().map(|e| view! { <div class="banner error" role="alert">{e}</div> })}
    }
}
