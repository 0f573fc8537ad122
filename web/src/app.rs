//! The shell: header, navigation (hash routes, so any base path works), language toggle,
//! identity, sandbox banner.

use leptos::prelude::*;

use crate::i18n::{self, tr, Lang};
use crate::pages;
use crate::session::{lazily, loading, Session};
use rollcall_core::api::{Me, Role, Status};

fn current_route() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .map(|h| {
            h.trim_start_matches('#')
                .trim_start_matches('/')
                .to_string()
        })
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "import".into())
}

#[component]
pub fn App() -> impl IntoView {
    let lang = RwSignal::new(i18n::initial());
    provide_context(lang);
    i18n::remember(lang.get_untracked());
    let session = Session {
        me: RwSignal::new(None),
        status: RwSignal::new(None),
        error: RwSignal::new(None),
    };
    provide_context(session);
    let route = RwSignal::new(current_route());
    let handle = window_event_listener(leptos::ev::hashchange, move |_| route.set(current_route()));
    on_cleanup(move || handle.remove());

    leptos::task::spawn_local(async move {
        match crate::api::get::<Me>("me").await {
            Ok(m) => session.me.set(Some(m)),
            Err(e) => session.error.set(Some(crate::api::describe(&e))),
        }
        if let Ok(s) = crate::api::get::<Status>("status").await {
            session.status.set(Some(s));
        }
    });

    let toggle = move |_| {
        let next = if lang.get() == Lang::Zh {
            Lang::En
        } else {
            Lang::Zh
        };
        lang.set(next);
        i18n::remember(next);
    };
    let link = move |to: &'static str, zh: &'static str, en: &'static str| {
        let label = tr(zh, en);
        view! {
            <a href=format!("#/{to}") class:active=move || route.get() == to aria-current=move || (route.get() == to).then_some("page")>{label}</a>
        }
    };
    let organizer = move || session.organizer();

    view! {
        <header class="top">
            <h1 id="app-title">{tr("Rollcall 名单同步", "Rollcall roster sync")}</h1>
            <nav aria-label=tr("主导航", "Main navigation")>
                <Show when=organizer>{link("import", "导入名单", "Import roster")}</Show>
                {link("jobs", "任务", "Jobs")}
                {link("syncs", "同步", "Sync")}
                <Show when=organizer>{link("webinar", "创建研讨会", "Create webinar")}</Show>
                <Show when=organizer>{link("enrollments", "报名信息", "Enrollments")}</Show>
                <Show when=organizer>{link("register", "单个报名", "Single registration")}</Show>
                <Show when=move || session.admin()>{link("audit", "审计日志", "Audit log")}</Show>
                {link("status", "状态", "Status")}
            </nav>
            <div class="who">
                <span id="identity">{move || session.me.get().map(|m| format!("{} · {}", m.user, if m.role == Role::Organizer { tr("组织者", "organizer")() } else { tr("查看者", "viewer")() }))}</span>
                <button id="lang-toggle" type="button" on:click=toggle aria-label=tr("切换语言", "Switch language")>{move || if lang.get() == Lang::Zh { "English" } else { "中文" }}</button>
            </div>
        </header>
        <Show when=move || session.status.get().is_some_and(|s| s.sandbox)>
            <div class="banner sandbox" role="status" id="sandbox-banner">{tr("沙箱模式：所有调用都发往内置的模拟服务商，不会影响真实会议。", "Sandbox mode: every call goes to the built-in fake providers; no real event is touched.")}</div>
        </Show>
        <Show when=move || session.error.get().is_some()>
            <div class="banner error" role="alert">{move || session.error.get()}</div>
        </Show>
        <main id="main">
            {move || {
                // Viewers never see the import/create screens, even by typing their address
                // (the proxy refuses their writes anyway).
                let organizer = session.organizer();
                match route.get().as_str() {
                    "jobs" => lazily(pages::jobs_screen(false)),
                    // Built once the identity is known (what it offers depends on the role): a
                    // screen built before and replaced when it arrives would race its own chunk.
                    "syncs" if session.me.with(|m| m.is_some()) => lazily(pages::jobs_screen(true)),
                    "webinar" if organizer => lazily(pages::webinar_screen()),
                    // Lists of people: organizers only (the proxy refuses viewers too).
                    "enrollments" if organizer => lazily(pages::enrollments_screen()),
                    "audit" if session.admin() => lazily(pages::audit_screen()),
                    "register" if organizer => lazily(pages::register_screen()),
                    "status" => lazily(pages::status_screen()),
                    "import" | "" if organizer => pages::import::Import().into_any(),
                    _ if session.me.with(|m| m.is_none()) => loading(),
                    _ => lazily(pages::jobs_screen(false)),
                }
            }}
        </main>
    }
}
