//! The audit log (admins): who read or exported whose data, and every write to a provider;
//! filtered by user, action and target, exported as CSV.

use leptos::prelude::*;
use rollcall_core::api::AuditEntry;

use crate::api;
use crate::i18n::tr;

/// `?user=…&action=…&target=…` from the filled-in filters, each value URI-encoded.
fn query(filters: &[(&str, String)]) -> String {
    let parts: Vec<String> = filters
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}", js_sys::encode_uri_component(v.trim())))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

#[component]
pub fn Audit() -> impl IntoView {
    let user = RwSignal::new(String::new());
    let action = RwSignal::new(String::new());
    let target = RwSignal::new(String::new());
    let entries = RwSignal::new(None::<Vec<AuditEntry>>);
    let error = RwSignal::new(None::<String>);
    let q = move || {
        query(&[
            ("user", user.get()),
            ("action", action.get()),
            ("target", target.get()),
        ])
    };
    let load = move || {
        let q = q();
        leptos::task::spawn_local(async move {
            match api::get::<Vec<AuditEntry>>(&format!("audit{q}")).await {
                Ok(e) => {
                    entries.set(Some(e));
                    error.set(None);
                }
                Err(e) => error.set(Some(api::describe(&e))),
            }
        })
    };
    load();
    let field = move |id: &'static str,
                      zh: &'static str,
                      en: &'static str,
                      sig: RwSignal<String>| {
        view! {
            <label for=id>{tr(zh, en)}</label>
            <input id=id type="text" prop:value=move || sig.get() on:input=move |ev| sig.set(event_target_value(&ev))/>
        }
    };
    view! {
        <section aria-labelledby="audit-h">
            <h2 id="audit-h">{tr("审计日志", "Audit log")}</h2>
            <p>{tr("每一次查看或导出个人信息、每一次向服务商写入，都记录在这里（最新的在前）。", "Every read or export of personal data and every write to a provider is recorded here (newest first).")}</p>
            <form class="filters" on:submit=move |ev| { ev.prevent_default(); load(); }>
                {field("audit-user", "用户", "User", user)}
                {field("audit-action", "操作（前缀，如 job.）", "Action (prefix, e.g. job.)", action)}
                {field("audit-target", "对象（任务或目标 ID）", "Target (job or destination id)", target)}
                <button type="submit" id="audit-filter">{tr("筛选", "Filter")}</button>
                <a id="audit-csv" href=move || format!("api/audit.csv{}", q()) download="rollcall-audit.csv">{tr("导出 CSV", "Export CSV")}</a>
            </form>
            {move || error.get().map(|e| view! { <div class="banner error" role="alert">{e}</div> })}
            {move || entries.get().map(|list| view! {
                <div class="table-wrap" tabindex="0" role="region" aria-label=tr("审计日志", "Audit log")>
                    <table id="audit">
                        <caption>{tr("审计记录", "Audit records")}</caption>
                        <thead><tr>
                            <th scope="col">{tr("时间（UTC）", "Time (UTC)")}</th>
                            <th scope="col">{tr("用户", "User")}</th>
                            <th scope="col">{tr("操作", "Action")}</th>
                            <th scope="col">{tr("对象", "Target")}</th>
                            <th scope="col">{tr("行数", "Rows")}</th>
                            <th scope="col">{tr("结果", "Outcome")}</th>
                        </tr></thead>
                        <tbody>
                            {list.into_iter().map(|e| view! {
                                <tr>
                                    <td>{rollcall_core::export::utc_timestamp(e.ts)}</td>
                                    <td>{e.user}</td>
                                    <td>{e.action}</td>
                                    <td>{e.target}</td>
                                    <td>{e.rows}</td>
                                    <td>{e.outcome}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
        </section>
    }
}
