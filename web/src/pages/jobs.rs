//! Jobs: past and running jobs, who started them, counts per state, cancel and resume.

use leptos::prelude::*;
use rollcall_core::api::{JobResults, JobState, JobSummary};

use crate::api;
use crate::components::{JobProgress, Results};
use crate::i18n::tr;
use crate::session::Session;

fn when(ts: i64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ts as f64 * 1000.0));
    String::from(d.to_locale_string("zh-CN", &wasm_bindgen::JsValue::UNDEFINED))
}

#[component]
pub fn Jobs() -> impl IntoView {
    let session = expect_context::<Session>();
    let jobs = RwSignal::new(Vec::<JobSummary>::new());
    let error = RwSignal::new(None::<String>);
    let selected = RwSignal::new(None::<JobResults>);
    let load = move || {
        leptos::task::spawn_local(async move {
            match api::get::<Vec<JobSummary>>("jobs").await {
                Ok(j) => {
                    jobs.set(j);
                    error.set(None);
                }
                Err(e) => error.set(Some(api::describe(&e))),
            }
        })
    };
    load();
    let handle = set_interval_with_handle(load, std::time::Duration::from_secs(3)).ok();
    on_cleanup(move || {
        if let Some(h) = handle {
            h.clear();
        }
    });
    let act = move |id: String, what: &'static str| {
        leptos::task::spawn_local(async move {
            match api::post::<_, JobSummary>(&format!("jobs/{id}/{what}"), &serde_json::json!({}))
                .await
            {
                Ok(_) => load(),
                Err(e) => error.set(Some(api::describe(&e))),
            }
        })
    };
    let show = move |id: String| {
        leptos::task::spawn_local(async move {
            match api::get::<JobResults>(&format!("jobs/{id}/results")).await {
                Ok(r) => selected.set(Some(r)),
                Err(e) => error.set(Some(api::describe(&e))),
            }
        })
    };
    view! {
        <section aria-labelledby="jobs-h">
            <h2 id="jobs-h">{tr("导入任务", "Import jobs")}</h2>
            {move || error.get().map(|e| view! { <div class="banner error" role="alert">{e}</div> })}
            <Show when=move || jobs.with(|j| j.is_empty())>
                <p>{tr("还没有任务。", "No jobs yet.")}</p>
            </Show>
            <ul class="jobs" id="job-list">
                {move || jobs.get().into_iter().map(|j| {
                    let (id1, id2, id3, id4) = (j.id.clone(), j.id.clone(), j.id.clone(), j.id.clone());
                    let running = j.state == JobState::Running;
                    let shredded = j.shredded_at.is_some();
                    let resumable = matches!(j.state, JobState::Cancelled | JobState::Failed) && !shredded;
                    // What the proxy would refuse is not offered (core's rules).
                    let readable = session.may_read_rows(&j) && !shredded;
                    let manage = session.may_manage(&j);
                    let shreddable = manage && !running && !shredded;
                    view! {
                        <li class="job" data-job=j.id.clone()>
                            <div class="job-head">
                                <b>{j.file_name.clone().unwrap_or_else(|| j.id.clone())}</b>
                                " · "{tr("发起人", "by")}" "<span class="by">{j.created_by.clone()}</span>
                                " · "{when(j.created_at)}
                            </div>
                            <JobProgress job=j.clone()/>
                            {j.shredded_at.map(|at| view! {
                                <p class="shredded">{tr("个人信息已于", "Personal data removed on")}" "{when(at)}" "{tr("删除（统计、结果代码和服务商 ID 保留）", "(counts, outcome codes and provider ids kept)")}</p>
                            })}
                            {(!readable && !shredded).then(|| view! {
                                <p class="restricted">{tr("名单仅创建者、管理员和共享的用户组可见。", "Rows are visible to the creator, admins and the groups it is shared with.")}</p>
                            })}
                            <div class="actions">
                                <Show when=move || readable>
                                    <button type="button" on:click={ let id = id1.clone(); move |_| show(id.clone()) }>{tr("查看结果", "View results")}</button>
                                </Show>
                                <Show when=move || session.organizer() && manage && running>
                                    <button type="button" on:click={ let id = id2.clone(); move |_| act(id.clone(), "cancel") }>{tr("取消", "Cancel")}</button>
                                </Show>
                                <Show when=move || session.organizer() && manage && resumable>
                                    <button type="button" on:click={ let id = id3.clone(); move |_| act(id.clone(), "resume") }>{tr("继续", "Resume")}</button>
                                </Show>
                                <Show when=move || session.organizer() && shreddable>
                                    <button type="button" class="shred" on:click={ let id = id4.clone(); move |_| {
                                        let sure = tr("删除后无法恢复：名单中的姓名、电话等将被清除，只保留统计和结果代码。确定删除？", "This cannot be undone: names, phones and other cells are removed; counts and outcome codes stay. Remove?")();
                                        if web_sys::window().and_then(|w| w.confirm_with_message(sure).ok()).unwrap_or(false) {
                                            act(id.clone(), "shred");
                                        }
                                    } }>{tr("删除个人信息", "Remove personal data")}</button>
                                </Show>
                            </div>
                        </li>
                    }
                }).collect_view()}
            </ul>
            {move || selected.get().map(|r| view! { <Results results=r/> })}
        </section>
    }
}
