//! Rollcall's organizer UI. Chinese first, English on a remembered toggle; talks only to the
//! proxy's `api/` (relative URLs, so it works under any base path and inside a portal iframe).

mod api;
mod app;
mod components;
mod i18n;
mod pages;
mod session;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
