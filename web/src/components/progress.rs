//! A job's live progress: state and one bar per destination.

use leptos::prelude::*;
use rollcall_core::api::{JobSummary, RowState};

use crate::i18n::{pick, tr, tr_owned};

pub fn state_label(s: RowState) -> (&'static str, &'static str) {
    (s.label_zh(), s.as_str())
}

#[component]
pub fn JobProgress(job: JobSummary) -> impl IntoView {
    let state = job.state;
    view! {
        <section class="progress" aria-live="polite" id="job-progress">
            <h3>{tr("进度", "Progress")}" · "<span id="job-state" data-state=state.as_str()>{tr(state.label().0, state.label().1)}</span></h3>
            {job.reason.clone().map(|r| view! { <div class="banner error">{pick(&r.zh, &r.en)}</div> })}
            {(job.edited_cells > 0).then(|| {
                let n = job.edited_cells;
                view! { <p id="job-edited">{tr_owned(format!("{n} 个单元格在发送前修改过"), format!("{n} cells edited before sending"))}</p> }
            })}
            {job.destinations.iter().map(|d| {
                let total = d.counts.total();
                let done = d.counts.done();
                let pct = (done * 100).checked_div(total).unwrap_or(100);
                let c = d.counts;
                view! {
                    <div class="dest-progress">
                        <div>{d.destination.to_string()}</div>
                        <progress max=total.max(1) value=done aria-label=d.destination.to_string()></progress>
                        <span class="pct">{format!("{pct}%")}</span>
                        <span class="counts">
                            {RowState::ALL.iter().filter(|s| c.get(**s) > 0).map(|s| { let (zh, en) = state_label(*s); view! { <span class=format!("badge {}", s.as_str())>{tr(zh, en)}" "{c.get(*s)}</span> } }).collect_view()}
                        </span>
                    </div>
                }
            }).collect_view()}
        </section>
    }
}
