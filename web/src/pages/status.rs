//! Who am I, and which providers are configured.

use leptos::prelude::*;
use rollcall_core::api::Role;

use crate::i18n::tr;
use crate::session::Session;

#[component]
pub fn StatusPage() -> impl IntoView {
    let s = expect_context::<Session>();
    view! {
        <section aria-labelledby="status-h">
            <h2 id="status-h">{tr("身份与状态", "Identity and status")}</h2>
            {move || s.me.get().map(|m| view! {
                <dl class="me">
                    <dt>{tr("用户", "User")}</dt><dd id="me-user">{m.user.clone()}</dd>
                    <dt>{tr("邮箱", "Email")}</dt><dd>{m.email.clone().unwrap_or_default()}</dd>
                    <dt>{tr("用户组", "Groups")}</dt><dd>{m.groups.join(", ")}</dd>
                    <dt>{tr("角色", "Role")}</dt><dd id="me-role">{if m.role == Role::Organizer { tr("组织者（可导入、创建）", "organizer (can import and create)")() } else { tr("查看者（只读）", "viewer (read only)")() }}</dd>
                </dl>
            })}
            {move || s.status.get().map(|st| view! {
                <p>{tr("版本", "Version")}" "{st.version.clone()}{if st.sandbox { " · sandbox" } else { "" }}</p>
                <table id="providers">
                    <thead><tr><th scope="col">{tr("服务商", "Provider")}</th><th scope="col">{tr("已配置", "Configured")}</th><th scope="col">{tr("地址", "Endpoint")}</th></tr></thead>
                    <tbody>
                        {st.providers.iter().map(|p| view! {
                            <tr><td>{p.provider.label_zh()}" ("{p.provider.as_str()}")"</td><td>{if p.configured { "✓" } else { "✗" }}</td><td>{p.endpoint.clone()}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </section>
    }
}
