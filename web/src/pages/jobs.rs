//! Jobs: past and running jobs, who started them, counts per state, cancel and resume.

use leptos::prelude::*;
use rollcall_core::api::{JobResults, JobState, JobSummary};

use crate::api;
use crate::app::Session;
use crate::components::{JobProgress, Results};
use crate::i18n::tr;

fn when(ts: i64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ts as f64 * 1000.0));
    String::from(d.to_locale_string("zh-CN", &wasm_bindgen::JsValue::UNDEFINED))
}

#[component]
pub fn Jobs() -> impl IntoView {
    let session = expect_context::<Session>();
    // The list as a Leptos resource, read again every 3 s; cancel/resume and "view results" as
    // actions (their values carry the answer or the error).
    let jobs = LocalResource::new(|| async {
        api::get::<Vec<JobSummary>>("jobs")
            .await
            .map_err(|e| api::describe(&e))
    });
    let handle =
        set_interval_with_handle(move || jobs.refetch(), std::time::Duration::from_secs(3)).ok();
    on_cleanup(move || {
        if let Some(h) = handle {
            h.clear();
        }
    });
    let act = Action::new_local(move |(id, what): &(String, &'static str)| {
        let path = format!("jobs/{id}/{what}");
        async move {
            let r = api::post::<_, JobSummary>(&path, &serde_json::json!({}))
                .await
                .map_err(|e| api::describe(&e));
            jobs.refetch();
            r
        }
    });
    let show = Action::new_local(|id: &String| {
        let path = format!("jobs/{id}/results");
        async move {
            api::get::<JobResults>(&path)
                .await
                .map_err(|e| api::describe(&e))
        }
    });
    let list = move || jobs.get().and_then(Result::ok).unwrap_or_default();
    let error = move || {
        let err = |r: Option<Result<_, String>>| r.and_then(Result::err);
        err(act.value().get().map(|r| r.map(|_| ())))
            .or_else(|| err(show.value().get().map(|r| r.map(|_| ()))))
            .or_else(|| err(jobs.get().map(|r| r.map(|_| ()))))
    };
    let selected = move || show.value().get().and_then(Result::ok);
    view! {
        <section aria-labelledby="jobs-h">
            <h2 id="jobs-h">{tr("导入任务", "Import jobs")}</h2>
            {move || error().map(|e| view! { <div class="banner error" role="alert">{e}</div> })}
            <Show when=move || list().is_empty()>
                <p>{tr("还没有任务。", "No jobs yet.")}</p>
            </Show>
            <ul class="jobs" id="job-list">
                {move || list().into_iter().map(|j| {
                    let (id1, id2, id3) = (j.id.clone(), j.id.clone(), j.id.clone());
                    let running = j.state == JobState::Running;
                    let resumable = matches!(j.state, JobState::Cancelled | JobState::Failed);
                    view! {
                        <li class="job">
                            <div class="job-head">
                                <b>{j.file_name.clone().unwrap_or_else(|| j.id.clone())}</b>
                                " · "{tr("发起人", "by")}" "<span class="by">{j.created_by.clone()}</span>
                                " · "{when(j.created_at)}
                            </div>
                            <JobProgress job=j.clone()/>
                            <div class="actions">
                                <button type="button" on:click=move |_| { show.dispatch(id1.clone()); }>{tr("查看结果", "View results")}</button>
                                <Show when=move || session.organizer() && running>
                                    <button type="button" on:click={ let id = id2.clone(); move |_| { act.dispatch((id.clone(), "cancel")); } }>{tr("取消", "Cancel")}</button>
                                </Show>
                                <Show when=move || session.organizer() && resumable>
                                    <button type="button" on:click={ let id = id3.clone(); move |_| { act.dispatch((id.clone(), "resume")); } }>{tr("继续", "Resume")}</button>
                                </Show>
                            </div>
                        </li>
                    }
                }).collect_view()}
            </ul>
            {move || selected().map(|r| view! { <Results results=r/> })}
        </section>
    }
}
