//! Following a job the wizard started: its progress over SSE, then its results.

use super::*;

/// Follows a job over SSE, then loads its results.
pub fn follow(
    id: String,
    job: RwSignal<Option<JobSummary>>,
    results: RwSignal<Option<JobResults>>,
) {
    let Ok(es) = web_sys::EventSource::new(&format!("api/jobs/{id}/events")) else {
        return;
    };
    let es2 = es.clone();
    let on_progress =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            let Some(text) = ev.data().as_string() else {
                return;
            };
            let Ok(j) = serde_json::from_str::<JobSummary>(&text) else {
                return;
            };
            let finished = j.state != JobState::Running;
            job.set(Some(j));
            if finished {
                es2.close();
                let id = id.clone();
                leptos::task::spawn_local(async move {
                    if let Ok(r) = api::get::<JobResults>(&format!("jobs/{id}/results")).await {
                        results.set(Some(r));
                    }
                });
            }
        });
    let _ = es.add_event_listener_with_callback("progress", on_progress.as_ref().unchecked_ref());
    on_progress.forget();
}
