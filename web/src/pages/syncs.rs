//! Sync: standing syncs from a webinar's enrollees to other destinations — create one, watch
//! the counts rise, pause / resume / stop, and search the per-person trail.

use leptos::prelude::*;
use rollcall_core::api::{Destination, DestinationKind, KnownDestination};
use rollcall_core::roster::{FieldKind, MappingOptions};
use rollcall_core::sync::{CreateSyncRequest, SyncPerson, SyncState, SyncSummary};

use crate::api;
use crate::i18n::{pick, tr};
use crate::session::{suggest, Session};

/// `YYYY-MM-DD HH:MM:SS` (UTC) by the browser's own clock code (the core's formatter would
/// move into the first bundle once two screens use it).
fn when(ts: Option<i64>) -> String {
    ts.map_or("—".into(), |t| {
        let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(t as f64 * 1000.0));
        let iso = String::from(d.to_iso_string());
        iso.get(..19).unwrap_or(&iso).replacen('T', " ", 1)
    })
}

/// The request from the form's fields, or what is wrong with them (core's bounds).
fn request(
    from: &str,
    status: &str,
    to: &str,
    every: &str,
    area: &str,
) -> Result<CreateSyncRequest, String> {
    // The source's columns are known and mapped automatically; what a job's mapping adds here is
    // the fixed area code for phones the enrollees gave without one.
    let mut mapping = MappingOptions::default();
    if !area.trim().is_empty() {
        mapping
            .fixed
            .insert(FieldKind::Area, area.trim().to_string());
    }
    let destinations = to
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| l.parse::<Destination>())
        .collect::<Result<Vec<_>, _>>()?;
    let every_secs = every
        .trim()
        .parse::<u64>()
        .map_err(|_| tr("间隔应为秒数", "the interval is a number of seconds")())?;
    let req = CreateSyncRequest {
        from: from.trim().to_string(),
        status: from
            .trim()
            .starts_with("wecom:")
            .then(|| status.parse().ok())
            .flatten(),
        destinations,
        mapping,
        every_secs,
        share_with: vec![],
    };
    req.check(usize::MAX).map_err(|t| pick(&t.zh, &t.en))?;
    Ok(req)
}

#[component]
pub fn Syncs() -> impl IntoView {
    let session = expect_context::<Session>();
    let from = RwSignal::new(String::new());
    suggest(from, |s| {
        s.wecom_webinar.as_ref().map(|w| format!("wecom:{w}"))
    });
    let status = RwSignal::new("3".to_string());
    let to = RwSignal::new(String::new());
    suggest(to, |s| {
        s.tencent_meeting
            .as_ref()
            .map(|m| format!("tencent-meeting:{m}"))
    });
    let every = RwSignal::new("60".to_string());
    let area = RwSignal::new(String::new());
    let syncs = RwSignal::new(Vec::<SyncSummary>::new());
    let error = RwSignal::new(None::<String>);
    let selected = RwSignal::new(None::<String>);
    let q = RwSignal::new(String::new());
    let trail = RwSignal::new(None::<Vec<SyncPerson>>);
    // Sources to pick from: the configured WeCom webinar and every Tencent Meeting webinar this
    // proxy has created or used (with its subject), offered by the source field.
    let known = RwSignal::new(Vec::<(String, String)>::new());
    leptos::task::spawn_local(async move {
        if let Ok(list) = api::get::<Vec<KnownDestination>>("destinations").await {
            // `try_set`: the screen may have been rebuilt (identity arriving) before the answer.
            known.try_set(
                list.into_iter()
                    .filter(|k| k.destination.kind() == DestinationKind::TencentMeeting)
                    .map(|k| (k.destination.to_string(), k.label.unwrap_or_default()))
                    .collect(),
            );
        }
    });
    let sources = move || {
        // `try_`: this may run once more while the screen is being replaced.
        let mut out: Vec<(String, String)> = session
            .status
            .try_with(|s| {
                s.as_ref()
                    .and_then(|s| s.suggestions.wecom_webinar.clone())
                    .map(|w| {
                        (
                            format!("wecom:{w}"),
                            pick("企业微信研讨会", "WeCom webinar"),
                        )
                    })
            })
            .flatten()
            .into_iter()
            .collect();
        out.extend(known.try_get().unwrap_or_default());
        out
    };

    let load = move || {
        leptos::task::spawn_local(async move {
            match api::get::<Vec<SyncSummary>>("syncs").await {
                Ok(list) => {
                    syncs.try_set(list);
                }
                Err(e) => {
                    error.try_set(Some(api::describe(&e)));
                }
            }
        })
    };
    let search = move || {
        let Some(id) = selected.get_untracked() else {
            return;
        };
        let query = q.get_untracked();
        leptos::task::spawn_local(async move {
            let path = format!(
                "syncs/{id}/people?q={}",
                js_sys::encode_uri_component(query.trim())
            );
            match api::get::<Vec<SyncPerson>>(&path).await {
                Ok(p) => {
                    trail.try_set(Some(p));
                    error.try_set(None);
                }
                Err(e) => {
                    error.try_set(Some(api::describe(&e)));
                }
            }
        })
    };
    load();
    let handle = set_interval_with_handle(load, std::time::Duration::from_secs(2)).ok();
    on_cleanup(move || {
        if let Some(h) = handle {
            h.clear();
        }
    });
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let req = match request(
            &from.get(),
            &status.get(),
            &to.get(),
            &every.get(),
            &area.get(),
        ) {
            Ok(r) => r,
            Err(e) => return error.set(Some(e)),
        };
        leptos::task::spawn_local(async move {
            match api::post::<_, SyncSummary>("syncs", &req).await {
                Ok(_) => {
                    error.set(None);
                    load();
                }
                Err(e) => error.set(Some(api::describe(&e))),
            }
        })
    };
    let act = move |id: String, what: &'static str| {
        leptos::task::spawn_local(async move {
            match api::post::<_, SyncSummary>(&format!("syncs/{id}/{what}"), &serde_json::json!({}))
                .await
            {
                Ok(_) => load(),
                Err(e) => error.set(Some(api::describe(&e))),
            }
        })
    };

    view! {
        <section aria-labelledby="syncs-h">
            <h2 id="syncs-h">{tr("持续同步", "Continuous sync")}</h2>
            <p>{tr("报名期间，新报名并通过审核的人会按间隔自动送到每个目标，每人每个目标只送一次。", "While enrollment is open, people who enroll and are approved reach every destination at each interval — each person once per destination.")}</p>
            <Show when=move || session.organizer()>
                <form id="sync-form" class="filters" on:submit=create>
                    <label for="sync-from">{tr("来源（wecom:会议ID 或 tencent-meeting:会议ID）", "Source (wecom:MEETINGID or tencent-meeting:MEETING_ID)")}</label>
                    <input id="sync-from" type="text" list="sync-sources" prop:value=move || from.get() on:input=move |ev| from.set(event_target_value(&ev))/>
                    <datalist id="sync-sources">
                        {move || sources().into_iter().map(|(value, label)| view! { <option value=value>{label}</option> }).collect_view()}
                    </datalist>
                    <label for="sync-status">{tr("报名状态（企业微信）", "Enrollment status (WeCom)")}</label>
                    <select id="sync-status" on:change=move |ev| status.set(event_target_value(&ev))>
                        <option value="3" selected=true>{tr("已通过", "Approved")}</option>
                        <option value="1">{tr("待审核", "Pending")}</option>
                        <option value="0">{tr("全部", "All")}</option>
                    </select>
                    <label for="sync-to">{tr("目标（每行一个，与导入相同的写法）", "Destinations (one a line, as imports take them)")}</label>
                    <textarea id="sync-to" rows="3" prop:value=move || to.get() on:input=move |ev| to.set(event_target_value(&ev))></textarea>
                    <label for="sync-every">{tr("间隔（秒）", "Interval (seconds)")}</label>
                    <input id="sync-every" type="number" min="1" prop:value=move || every.get() on:input=move |ev| every.set(event_target_value(&ev))/>
                    <label for="sync-area">{tr("列映射：姓名、userid、手机号、邮箱、公司自动对应；没有区号的手机号使用固定区号（如 86）", "Mapping: name, userid, phone, e-mail and company map automatically; phones without an area code take this fixed one (e.g. 86)")}</label>
                    <input id="sync-area" type="text" inputmode="numeric" prop:value=move || area.get() on:input=move |ev| area.set(event_target_value(&ev))/>
                    <button type="submit" id="sync-create">{tr("开始同步", "Start sync")}</button>
                </form>
            </Show>
            {move || error.get().map(|e| view! { <div class="banner error" role="alert">{e}</div> })}
            <div class="table-wrap" tabindex="0" role="region" aria-label=tr("同步", "Syncs")>
                <table id="syncs">
                    <caption>{tr("同步列表（每 2 秒刷新）", "Syncs (refreshed every 2 s)")}</caption>
                    <thead><tr>
                        <th scope="col">{tr("来源", "Source")}</th>
                        <th scope="col">{tr("状态", "State")}</th>
                        <th scope="col">{tr("人数", "People")}</th>
                        <th scope="col">{tr("各目标", "Per destination")}</th>
                        <th scope="col">{tr("上次 / 下次（UTC）", "Last / next (UTC)")}</th>
                        <th scope="col">{tr("操作", "Actions")}</th>
                    </tr></thead>
                    <tbody>
                        {move || syncs.get().into_iter().map(|s| {
                            let (zh, en) = s.state.label();
                            let id = s.id.clone();
                            let (p, r, st, t) = (id.clone(), id.clone(), id.clone(), id.clone());
                            let mine = session.me.with(|m| m.as_ref().is_some_and(|m| m.may_change(&s.created_by)));
                            let readable = session.me.with(|m| m.as_ref().is_some_and(|m| m.may_read(&s.created_by, &s.share_with)));
                            let active = s.state == SyncState::Active;
                            let paused = s.state == SyncState::Paused;
                            view! {
                                <tr class="sync" data-id=id.clone()>
                                    <td>{s.from.clone()}</td>
                                    <td class="sync-state">{tr(zh, en)}</td>
                                    <td class="sync-people-count">{s.people}</td>
                                    <td>
                                        <ul class="counts">
                                            {s.destinations.iter().map(|d| {
                                                let c = &d.counts;
                                                view! { <li>{format!("{}: {} ", d.destination, pick("已导入", "imported"))}<span class="sync-imported">{c.imported}</span>{format!(" · {} {} · {} {} · {} {} · {} ", pick("已在", "already"), c.already_present, pick("拒绝", "rejected"), c.rejected, pick("待定", "unknown"), c.unknown, pick("进行中", "pending"))}<span class="sync-pending">{c.pending}</span></li> }
                                            }).collect_view()}
                                        </ul>
                                        {s.last_error.as_ref().map(|e| view! { <p class="sync-error" role="status">{pick(&e.zh, &e.en)}</p> })}
                                    </td>
                                    <td>{format!("{} / {}", when(s.last_poll_at), when(s.next_poll_at))}</td>
                                    <td class="actions">
                                        <Show when=move || mine && active>
                                            <button type="button" class="sync-pause" on:click={let p = p.clone(); move |_| act(p.clone(), "pause")}>{tr("暂停", "Pause")}</button>
                                        </Show>
                                        <Show when=move || mine && paused>
                                            <button type="button" class="sync-resume" on:click={let r = r.clone(); move |_| act(r.clone(), "resume")}>{tr("继续", "Resume")}</button>
                                        </Show>
                                        <Show when=move || mine && (active || paused)>
                                            <button type="button" class="sync-stop" on:click={let st = st.clone(); move |_| act(st.clone(), "stop")}>{tr("停止", "Stop")}</button>
                                        </Show>
                                        <Show when=move || readable>
                                            <button type="button" class="sync-trail" on:click={let t = t.clone(); move |_| { selected.set(Some(t.clone())); search(); }}>{tr("人员记录", "People")}</button>
                                        </Show>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <Show when=move || selected.get().is_some()>
                <form class="filters" on:submit=move |ev| { ev.prevent_default(); search(); }>
                    <label for="trail-q">{tr("搜索人员（姓名、报名 ID、手机号、邮箱）", "Search people (name, enroll id, phone, e-mail)")}</label>
                    <input id="trail-q" type="search" prop:value=move || q.get() on:input=move |ev| q.set(event_target_value(&ev))/>
                    <button type="submit" id="trail-search">{tr("搜索", "Search")}</button>
                </form>
            </Show>
            {move || trail.get().map(|people| view! {
                <div class="table-wrap" tabindex="0" role="region" aria-label=tr("同步记录", "Sync trail")>
                    <table id="trail">
                        <caption>{tr("每人每个目标的记录", "Each person at each destination")}</caption>
                        <thead><tr>
                            <th scope="col">{tr("姓名", "Name")}</th>
                            <th scope="col">{tr("报名 ID", "Enroll id")}</th>
                            <th scope="col">{tr("首次看到（UTC）", "First seen (UTC)")}</th>
                            <th scope="col">{tr("各目标结果", "At each destination")}</th>
                            <th scope="col">{tr("备注", "Note")}</th>
                        </tr></thead>
                        <tbody>
                            {people.into_iter().map(|p| view! {
                                <tr>
                                    <td>{p.name}</td>
                                    <td>{p.key}</td>
                                    <td>{when(Some(p.first_seen))}</td>
                                    <td><ul>{p.deliveries.into_iter().map(|d| view! {
                                        <li>{format!("{}: {}{}", d.destination, d.state.map_or_else(|| pick("未发送", "not sent"), |s| s.as_str().to_string()), d.reference.map(|r| format!(" ({r})")).unwrap_or_default())}</li>
                                    }).collect_view()}</ul></td>
                                    <td>{p.note.map(|n| pick(&n.zh, &n.en))}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
        </section>
    }
}
