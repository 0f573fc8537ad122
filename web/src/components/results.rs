//! A job's per-row results: a paged table in the reader's language, CSV downloads.

use std::sync::Arc;

use leptos::prelude::*;
use rollcall_core::api::JobResults;

use crate::i18n::{pick, tr, tr_owned};

use super::progress::state_label;

const PAGE: usize = 100;

#[component]
pub fn Results(results: JobResults) -> impl IntoView {
    let id = results.id.clone();
    let page = RwSignal::new(0usize);
    let total = results.rows.len();
    let results = Arc::new(results);
    let r2 = results.clone();
    view! {
        <section class="results" id="results">
            <h3>{tr("逐行结果", "Per-row results")}</h3>
            <p class="downloads">
                <a id="dl-results" href=format!("api/jobs/{id}/results.csv") download=format!("{id}-results.csv")>{tr("下载结果 CSV", "Download results CSV")}</a>
                " · "
                <a id="dl-failed" href=format!("api/jobs/{id}/failed.csv") download=format!("{id}-failed.csv")>{tr("下载失败行 CSV（可修改后重新导入）", "Download failed rows CSV (fix and re-import)")}</a>
            </p>
            <div class="table-wrap" tabindex="0" role="region" aria-label=tr("逐行结果", "Per-row results")>
                <table>
                    <thead><tr>
                        <th scope="col">{tr("行", "Row")}</th>
                        {results.headers.iter().map(|h| view! { <th scope="col">{h.clone()}</th> }).collect_view()}
                        {results.rows.first().map(|r| r.outcomes.iter().map(|o| view! { <th scope="col">{o.destination.to_string()}</th> }).collect_view())}
                    </tr></thead>
                    <tbody>
                        {move || r2.rows.iter().skip(page.get() * PAGE).take(PAGE).map(|row| view! {
                            <tr>
                                <td>{row.row}</td>
                                {row.cells.iter().map(|c| view! { <td>{c.clone()}</td> }).collect_view()}
                                {row.outcomes.iter().map(|o| {
                                    let (zh, en) = state_label(o.state);
                                    // Each id with what it is (order no., check-in code…) in the reader's language.
                                    let [r_label, c_label] = o.destination.kind().id_labels();
                                    let (code, reference, attendee) = (o.code.clone(), o.reference.clone(), o.attendee_code.clone());
                                    let detail = move || {
                                        let labelled = |l: (&str, &str), v: &Option<String>| v.as_ref().map(|v| format!("{} {v}", pick(l.0, l.1)));
                                        [code.as_ref().map(|c| c.as_string()), labelled(r_label, &reference), labelled(c_label, &attendee)].into_iter().flatten().collect::<Vec<_>>().join(" · ")
                                    };
                                    view! { <td><span class=format!("badge {}", o.state.as_str())>{tr(zh, en)}</span><div class="detail">{detail}</div><div class="msg">{o.message.clone().map(|t| tr_owned(t.zh, t.en))}</div></td> }
                                }).collect_view()}
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <div class="pager">
                <button type="button" disabled=move || page.get() == 0 on:click=move |_| page.update(|p| *p = p.saturating_sub(1))>{tr("上一页", "Previous")}</button>
                <span>{move || format!("{} / {}", page.get() + 1, total.div_ceil(PAGE).max(1))}</span>
                <button type="button" disabled=move || { (page.get() + 1) * PAGE >= total } on:click=move |_| page.update(|p| *p += 1)>{tr("下一页", "Next")}</button>
            </div>
        </section>
    }
}
