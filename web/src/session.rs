//! What every screen shares: the session (who is signed in, the proxy's status), suggestions that
//! pre-fill fields, and lazily loaded views. The shell (`app.rs`) provides them; the screens
//! (`pages/`) use them — neither imports the other for these.

use leptos::prelude::*;
use rollcall_core::api::{Me, Role, Status, Suggestions};

use crate::i18n::tr;

#[derive(Clone, Copy)]
pub struct Session {
    pub me: RwSignal<Option<Me>>,
    pub status: RwSignal<Option<Status>>,
    pub error: RwSignal<Option<String>>,
}

impl Session {
    pub fn organizer(&self) -> bool {
        self.me
            .with(|m| m.as_ref().is_some_and(|m| m.role == Role::Organizer))
    }

    /// In `auth.admin_groups`: the audit screen, every job's rows.
    pub fn admin(&self) -> bool {
        self.me.with(|m| m.as_ref().is_some_and(|m| m.admin))
    }

    /// Whether the proxy would let this user open the job's rows (core's rule).
    pub fn may_read_rows(&self, job: &rollcall_core::api::JobSummary) -> bool {
        self.me
            .with(|m| m.as_ref().is_some_and(|m| m.may_read_rows(job)))
    }

    /// Whether this user may cancel, resume or shred the job (core's rule).
    pub fn may_manage(&self, job: &rollcall_core::api::JobSummary) -> bool {
        self.me
            .with(|m| m.as_ref().is_some_and(|m| m.may_manage(job)))
    }
}

/// Fills `field` from the proxy's suggestions (`/api/status`) once they arrive, unless the user
/// typed something first. On a real deployment there are none: nothing is pre-filled.
pub fn suggest(
    field: RwSignal<String>,
    pick: impl Fn(&Suggestions) -> Option<String> + Send + Sync + 'static,
) {
    suggest_dyn(field, Box::new(pick));
}

/// Not generic: one copy of the effect in the bundle, whatever the field.
#[allow(clippy::type_complexity)]
fn suggest_dyn(
    field: RwSignal<String>,
    pick: Box<dyn Fn(&Suggestions) -> Option<String> + Send + Sync>,
) {
    let session = expect_context::<Session>();
    Effect::new(move || {
        if let Some(v) = session
            .status
            .with(|s| s.as_ref().and_then(|s| pick(&s.suggestions)))
        {
            if field.get_untracked().is_empty() {
                field.set(v);
            }
        }
    });
}

pub fn loading() -> AnyView {
    view! { <p class="loading">{tr("加载中…", "Loading…")}</p> }.into_any()
}

/// A view whose code is fetched the first time it is shown (a `#[leptos::lazy]` function: the
/// screens in `pages`, the wizard's later steps): the loading line until its chunk has arrived,
/// then the view.
pub fn lazily(screen: impl std::future::Future<Output = AnyView> + Send + 'static) -> AnyView {
    view! { <Suspense fallback=loading>{Suspend::new(screen)}</Suspense> }.into_any()
}
