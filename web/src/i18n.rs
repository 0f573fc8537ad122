//! Two languages: Simplified Chinese (default) and English, remembered in localStorage.

use leptos::prelude::*;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Lang {
    Zh,
    En,
}

const KEY: &str = "rollcall.lang";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

pub fn initial() -> Lang {
    match storage()
        .and_then(|s| s.get_item(KEY).ok().flatten())
        .as_deref()
    {
        Some("en") => Lang::En,
        _ => Lang::Zh,
    }
}

pub fn remember(l: Lang) {
    if let Some(s) = storage() {
        let _ = s.set_item(KEY, if l == Lang::En { "en" } else { "zh" });
    }
    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
        if let Some(el) = doc.document_element() {
            let _ = el.set_attribute("lang", if l == Lang::En { "en" } else { "zh-CN" });
        }
    }
}

pub fn lang() -> RwSignal<Lang> {
    expect_context::<RwSignal<Lang>>()
}

/// A reactive text: `{tr("导入", "Import")}`.
pub fn tr(
    zh: &'static str,
    en: &'static str,
) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let l = lang();
    move || if l.get() == Lang::En { en } else { zh }
}

/// Picks one of two owned strings by the current language (for messages from core / the proxy).
pub fn pick(zh: &str, en: &str) -> String {
    if lang().get_untracked() == Lang::En {
        en.to_string()
    } else {
        zh.to_string()
    }
}

/// A reactive text from owned strings (messages from core or the proxy): follows the toggle.
pub fn tr_owned(zh: String, en: String) -> impl Fn() -> String + Clone + Send + Sync + 'static {
    let l = lang();
    move || {
        if l.get() == Lang::En {
            en.clone()
        } else {
            zh.clone()
        }
    }
}
