//! Identity from the SSO layer in front (oauth2-proxy style headers), trusted only when the TCP
//! peer is one of `trusted_proxies`; a fixed identity in `dev` mode. Roles from groups.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use rollcall_core::api::{Me, Role};

use super::{AppState, Rejection};
use crate::config::AuthMode;

/// Resolves the caller. `None` when unauthenticated.
pub fn identify(
    state: &AppState,
    peer: SocketAddr,
    headers: &axum::http::HeaderMap,
) -> Result<Me, Rejection> {
    let auth = &state.cfg.auth;
    if auth.mode == AuthMode::Dev {
        return Ok(Me {
            user: "dev".into(),
            email: Some("dev@localhost".into()),
            groups: vec!["dev".into()],
            role: Role::Organizer,
        });
    }
    let trusted = auth
        .trusted_proxies
        .iter()
        .any(|net| net.contains(&peer.ip()));
    let unauthenticated = || {
        Rejection::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "未通过单点登录认证",
            "not authenticated by single sign-on",
        )
    };
    if !trusted {
        return Err(unauthenticated());
    }
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let user = get(&auth.user_header).ok_or_else(unauthenticated)?;
    let email = get(&auth.email_header);
    let groups: Vec<String> = get(&auth.groups_header)
        .map(|g| {
            g.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let member = |list: &[String]| groups.iter().any(|g| list.contains(g));
    let role = if member(&auth.organizer_groups) {
        Role::Organizer
    } else if auth.viewer_groups.is_empty() || member(&auth.viewer_groups) {
        Role::Viewer
    } else {
        return Err(Rejection::new(
            StatusCode::FORBIDDEN,
            "no_role",
            "你的账号没有使用本工具的权限",
            "your account has no role in this tool",
        ));
    };
    Ok(Me {
        user,
        email,
        groups,
        role,
    })
}

/// Authenticates every `/api` request and stores the identity in the request extensions.
pub async fn middleware(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    mut req: Request,
    next: Next,
) -> Result<Response, Rejection> {
    let me = identify(&state, peer, req.headers())?;
    let write = !matches!(
        *req.method(),
        axum::http::Method::GET | axum::http::Method::HEAD
    );
    if write {
        csrf(&req)?;
        if me.role != Role::Organizer {
            return Err(Rejection::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "只有组织者可以执行此操作",
                "only organizers can do this",
            ));
        }
    }
    req.extensions_mut().insert(me);
    Ok(next.run(req).await)
}

/// State-changing requests need the custom header, a JSON body type, and no cross-site origin.
fn csrf(req: &Request) -> Result<(), Rejection> {
    let h = |n: &str| req.headers().get(n).and_then(|v| v.to_str().ok());
    let forbidden = |zh: &str, en: &str| Rejection::new(StatusCode::FORBIDDEN, "csrf", zh, en);
    if h(rollcall_core::api::CSRF_HEADER) != Some("1") {
        return Err(forbidden(
            "缺少防跨站请求头",
            "missing the anti-CSRF header",
        ));
    }
    if !h("content-type").is_some_and(|c| c.starts_with("application/json")) {
        return Err(Rejection::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "content_type",
            "请求体必须是 JSON",
            "the request body must be JSON",
        ));
    }
    if let Some(site) = h("sec-fetch-site") {
        if !matches!(site, "same-origin" | "none") {
            return Err(forbidden("拒绝跨站请求", "cross-site request refused"));
        }
    }
    Ok(())
}
