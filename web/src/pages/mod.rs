//! One module per screen. The import wizard (the first screen) is in the first bundle; every
//! other screen is behind a `#[lazy]` function below: `cargo xtask build-ui` splits the bundle at
//! these functions, so each of those screens is a wasm chunk of its own, fetched the first time
//! it is opened (ARCHITECTURE.md, "The UI bundle").

pub mod audit;
pub mod enrollments;
pub mod import;
pub mod jobs;
pub mod register;
pub mod status;
pub mod syncs;
pub mod webinar;

use leptos::prelude::*;

/// Jobs and syncs share a chunk (they share most of their code: counts, lists, actions).
#[leptos::lazy]
pub fn jobs_screen(syncs: bool) -> AnyView {
    if syncs {
        syncs::Syncs().into_any()
    } else {
        jobs::Jobs().into_any()
    }
}

#[leptos::lazy]
pub fn webinar_screen() -> AnyView {
    webinar::CreateWebinar().into_any()
}

#[leptos::lazy]
pub fn enrollments_screen() -> AnyView {
    enrollments::Enrollments().into_any()
}

#[leptos::lazy]
pub fn register_screen() -> AnyView {
    register::Register().into_any()
}

#[leptos::lazy]
pub fn audit_screen() -> AnyView {
    audit::Audit().into_any()
}

#[leptos::lazy]
pub fn status_screen() -> AnyView {
    status::StatusPage().into_any()
}

/// Saves text as a file through a blob URL (UTF-8 with BOM for CSV, so Excel reads Chinese).
pub fn download(name: &str, mime: &str, text: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Ok(a) = doc.create_element("a") {
        let a: web_sys::HtmlAnchorElement = wasm_bindgen::JsCast::unchecked_into(a);
        a.set_href(&url);
        a.set_download(name);
        if let Some(body) = doc.body() {
            let _ = body.append_child(&a);
            a.click();
            let _ = body.remove_child(&a);
        }
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// A copy-to-clipboard button for a value.
#[component]
pub fn CopyButton(value: String, label: &'static str) -> impl IntoView {
    let copied = RwSignal::new(false);
    let v = value.clone();
    view! {
        <button type="button" class="copy" aria-label=label on:click=move |_| {
            if let Some(w) = web_sys::window() {
                let _ = w.navigator().clipboard().write_text(&v);
                copied.set(true);
            }
        }>{move || if copied.get() { "✓" } else { "⧉" }}</button>
    }
}
