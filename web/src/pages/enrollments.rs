//! A WeCom webinar's enrollments: all pages, filter by approval status, search by name,
//! expandable questionnaire answers, counts by status and source, CSV export.

use leptos::prelude::*;
use rollcall_core::api::WecomEnrollmentsQuery;
use rollcall_core::export::csv_line;
use rollcall_core::providers::tencent_meeting::ApprovalEntry;
use rollcall_core::providers::wecom::{
    Answer, Enroll, EnrollListResponse, EnrollSource, EnrollStatus, StatusFilter,
};
use rollcall_core::providers::Lenient;
use rollcall_core::roster::TableRow;

use crate::api;
use crate::i18n::{pick, tr};

fn status_label(s: Option<EnrollStatus>) -> (&'static str, &'static str) {
    match s {
        Some(EnrollStatus::Pending) => ("待审批", "pending"),
        Some(EnrollStatus::Rejected) => ("已拒绝", "rejected"),
        Some(EnrollStatus::Approved) => ("已批准", "approved"),
        Some(EnrollStatus::Other(_)) => ("未知", "unknown"),
        None => ("未提供", "not given"),
    }
}

fn source_label(s: Option<EnrollSource>) -> (&'static str, &'static str) {
    match s {
        Some(EnrollSource::Manual) => ("手动报名", "manual"),
        Some(EnrollSource::Imported) => ("批量导入", "imported"),
        Some(EnrollSource::Other(_)) => ("未知", "unknown"),
        None => ("未提供", "not given"),
    }
}

/// The answers that have the documented shape; the others are counted, not shown.
fn answers(e: &Enroll) -> impl Iterator<Item = &Answer> {
    e.answer_list.iter().filter_map(Lenient::ok)
}

/// Opens the import screen with these rows: the same table a spreadsheet gives (core's
/// `roster::sources`), read and checked by the same worker; `name` records where they came from.
fn send_roster(name: String, headers: &[String], rows: &[TableRow]) {
    let mut csv = csv_line(headers.iter().map(String::as_str));
    for r in rows {
        csv.push_str(&csv_line(r.cells.iter().map(|c| c.as_str())));
    }
    super::import::hand_over(name, &csv);
    let _ = web_sys::window().map(|w| w.location().set_hash("#/import"));
}

/// A Tencent Meeting webinar's enrollees (every page), to send somewhere else.
#[component]
fn WebinarEnrollees() -> impl IntoView {
    let session = expect_context::<crate::session::Session>();
    let meeting = RwSignal::new(String::new());
    crate::session::suggest(meeting, |s| s.tencent_meeting.clone());
    let list = RwSignal::new(None::<Vec<ApprovalEntry>>);
    let error = RwSignal::new(None::<String>);
    let load = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let id = meeting.get_untracked();
        error.set(None);
        leptos::task::spawn_local(async move {
            let path = format!(
                "tencent-meeting/webinars/{}/enrollments",
                js_sys::encode_uri_component(id.trim())
            );
            match api::get::<Vec<Lenient<ApprovalEntry>>>(&path).await {
                Ok(l) => list.set(Some(l.iter().filter_map(|e| e.ok().cloned()).collect())),
                Err(e) => error.set(Some(api::describe(&e))),
            }
        });
    };
    let send_to = move |_| {
        let people = list.get_untracked().unwrap_or_default();
        let (headers, rows) = rollcall_core::roster::sources::from_tencent_meeting(&people);
        let name = format!("tencent-meeting:{}", meeting.get_untracked().trim());
        send_roster(name, &headers, &rows);
    };
    view! {
        <section aria-labelledby="tm-enr-h">
            <h3 id="tm-enr-h">{tr("腾讯会议研讨会报名", "Tencent Meeting webinar enrollments")}</h3>
            <form class="inline" on:submit=load>
                <label for="tm-enr-meeting">{tr("会议 ID (meeting_id)", "Meeting id")}</label>
                <input id="tm-enr-meeting" type="text" prop:value=move || meeting.get() on:input=move |ev| meeting.set(event_target_value(&ev))/>
                <button type="submit" id="tm-enr-load">{tr("加载全部", "Load all pages")}</button>
            </form>
            {move || error.get().map(|e| view! { <div class="banner error" role="alert">{e}</div> })}
            {move || list.get().map(|l| view! {
                <p class="inline"><b id="tm-enr-count">{l.len()}</b>" "{tr("人已报名", "enrolled")}
                    <Show when=move || session.organizer()>
                        <button type="button" id="tm-enr-send" class="primary" on:click=send_to>{tr("将这些人导入到…", "Send these people to…")}</button>
                    </Show></p>
            })}
        </section>
    }
}

#[component]
pub fn Enrollments() -> impl IntoView {
    let session = expect_context::<crate::session::Session>();
    let meeting = RwSignal::new(String::new());
    crate::session::suggest(meeting, |s| s.wecom_webinar.clone());
    let status = RwSignal::new(0i64);
    let search = RwSignal::new(String::new());
    let list = RwSignal::new(None::<Vec<Enroll>>);
    // Entries the provider sent in a shape we cannot read: counted and reported, never silently
    // dropped, never failing the page.
    let unreadable = RwSignal::new(0usize);
    let loading = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let load = move || {
        let id = meeting.get_untracked();
        let s = status.get_untracked();
        loading.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            let body = WecomEnrollmentsQuery {
                all: true,
                status: Some(StatusFilter::from_code(s)),
                ..Default::default()
            };
            match api::post::<_, EnrollListResponse>(
                &format!(
                    "wecom/webinars/{}/enrollments",
                    js_sys::encode_uri_component(&id)
                ),
                &body,
            )
            .await
            {
                Ok(r) => {
                    let total = r.enroll_list.len();
                    let ok: Vec<Enroll> = r
                        .enroll_list
                        .into_iter()
                        .filter_map(|e| match e {
                            Lenient::Ok(e) => Some(e),
                            Lenient::Odd { .. } => None,
                        })
                        .collect();
                    unreadable.set(total - ok.len());
                    list.set(Some(ok));
                }
                Err(e) => error.set(Some(api::describe(&e))),
            }
            loading.set(false);
        });
    };
    let shown = move || {
        let q = search.get().trim().to_lowercase();
        list.get()
            .unwrap_or_default()
            .into_iter()
            .filter(|e| q.is_empty() || e.nick_name.to_lowercase().contains(&q))
            .collect::<Vec<_>>()
    };
    let chart = move |key: fn(&Enroll) -> (&'static str, &'static str)| {
        let all = list.get().unwrap_or_default();
        let mut counts: Vec<((&'static str, &'static str), usize)> = Vec::new();
        for e in &all {
            let k = key(e);
            match counts.iter_mut().find(|(x, _)| *x == k) {
                Some((_, n)) => *n += 1,
                None => counts.push((k, 1)),
            }
        }
        let max = counts.iter().map(|c| c.1).max().unwrap_or(1);
        counts.into_iter().map(|((zh, en), n)| view! {
            <div class="bar-row"><span class="bar-label">{pick(zh, en)}</span><span class="bar" style=format!("width: {}%", n * 100 / max)></span><span class="bar-n">{n}</span></div>
        }).collect_view()
    };
    let export = move |_| {
        let mut out = String::from("\u{feff}");
        out.push_str(&csv_line([
            "enroll_id",
            "enroll_time",
            "nick_name",
            "status",
            "enroll_source_type",
            "userid",
            "enroll_code",
            "answers",
        ]));
        for e in shown() {
            let answers: Vec<String> = answers(&e)
                .map(|a| format!("{}: {}", a.question_title, a.answer_content.join("/")))
                .collect();
            let row = [
                e.enroll_id
                    .as_ref()
                    .map(|i| i.as_string())
                    .unwrap_or_default(),
                e.enroll_time.clone(),
                e.nick_name.clone(),
                status_label(e.status).1.into(),
                source_label(e.enroll_source_type).1.into(),
                e.userid.clone().unwrap_or_default(),
                e.enroll_code.clone().unwrap_or_default(),
                answers.join("; "),
            ];
            // Names come from the public: every cell goes through core's formula escaper.
            out.push_str(&csv_line(row.iter().map(String::as_str)));
        }
        super::download("enrollments.csv", "text/csv;charset=utf-8", &out);
    };
    // The people shown (current filter and search) as a roster for the import screen.
    let send_to = move |_| {
        let (headers, rows) = rollcall_core::roster::sources::from_wecom(&shown());
        let name = format!(
            "wecom:{} (status {})",
            meeting.get_untracked().trim(),
            status.get_untracked()
        );
        send_roster(name, &headers, &rows);
    };
    view! {
        <section aria-labelledby="enr-h">
            <h2 id="enr-h">{tr("企业微信研讨会报名信息", "WeCom webinar enrollments")}</h2>
            <form class="inline" on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); load(); }>
                <label for="enr-meeting">{tr("研讨会 ID", "Webinar id")}</label>
                <input id="enr-meeting" type="text" prop:value=move || meeting.get() on:input=move |ev| meeting.set(event_target_value(&ev))/>
                <label for="enr-status">{tr("审批状态", "Approval status")}</label>
                <select id="enr-status" on:change=move |ev| status.set(event_target_value(&ev).parse().unwrap_or(0))>
                    <option value="0">{tr("全部", "All")}</option>
                    <option value="1">{tr("待审批", "Pending")}</option>
                    <option value="2">{tr("已拒绝", "Rejected")}</option>
                    <option value="3">{tr("已批准", "Approved")}</option>
                </select>
                <button type="submit" class="primary" id="enr-load" disabled=move || loading.get()>{tr("加载全部", "Load all pages")}</button>
            </form>
            {move || error.get().map(|e| view! { <div class="banner error" role="alert">{e}</div> })}
            {move || (unreadable.get() > 0).then(|| view! { <div class="banner warn" id="enr-unreadable" role="status">{move || format!("{} {}", unreadable.get(), tr("条报名记录的格式无法识别，未列出", "entries arrived in a shape that cannot be read and are not listed")())}</div> })}
            <Show when=move || list.with(|l| l.is_some())>
                <div class="charts">
                    <div class="chart"><h3>{tr("按审批状态", "By status")}</h3>{move || chart(|e| status_label(e.status))}</div>
                    <div class="chart"><h3>{tr("按报名来源", "By source")}</h3>{move || chart(|e| source_label(e.enroll_source_type))}</div>
                </div>
                <div class="inline">
                    <label for="enr-search">{tr("按姓名搜索", "Search by name")}</label>
                    <input id="enr-search" type="search" prop:value=move || search.get() on:input=move |ev| search.set(event_target_value(&ev))/>
                    <span id="enr-count">{move || shown().len()}</span>" "{tr("条", "entries")}
                    <button type="button" on:click=export>{tr("导出 CSV", "Export CSV")}</button>
                    // Only organizers import; viewers browse.
                    <Show when=move || session.organizer()>
                        <button type="button" id="enr-send" class="primary" on:click=send_to>{tr("将这些人导入到…", "Send these people to…")}</button>
                    </Show>
                </div>
                <div class="table-wrap" tabindex="0" role="region" aria-label=tr("报名信息", "Enrollments")>
                    <table id="enrollments">
                        <thead><tr>
                            <th scope="col">{tr("昵称", "Name")}</th><th scope="col">{tr("状态", "Status")}</th><th scope="col">{tr("来源", "Source")}</th>
                            <th scope="col">{tr("报名时间", "Enrolled at")}</th><th scope="col">{tr("报名码", "Enroll code")}</th><th scope="col">{tr("问卷", "Answers")}</th>
                        </tr></thead>
                        <tbody>
                            {move || shown().into_iter().map(|e| {
                                let (szh, sen) = status_label(e.status);
                                let (ozh, oen) = source_label(e.enroll_source_type);
                                view! {
                                    <tr data-status=e.status.map(|s| s.code()).unwrap_or(0)>
                                        <td>{e.nick_name.clone()}</td><td>{pick(szh, sen)}</td><td>{pick(ozh, oen)}</td>
                                        <td>{e.enroll_time.clone()}</td><td>{e.enroll_code.clone()}</td>
                                        <td><details><summary>{answers(&e).count()}" "{tr("题", "answers")}</summary><dl>
                                            {answers(&e).map(|a| view! { <dt>{a.question_num}". "{a.question_title.clone()}</dt><dd>{a.answer_content.join(" / ")}</dd> }).collect_view()}
                                        </dl></details></td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </Show>
            <WebinarEnrollees/>
        </section>
    }
}
