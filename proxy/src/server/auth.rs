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
use rollcall_core::ApiErrorCode;

/// Resolves the caller. `None` when unauthenticated.
pub fn identify(
    state: &AppState,
    peer: SocketAddr,
    headers: &axum::http::HeaderMap,
) -> Result<Me, Rejection> {
    let auth = &state.cfg.auth;
    if auth.mode == AuthMode::Dev {
        // DNS rebinding: a page on attacker.example resolving to 127.0.0.1 reaches this port
        // with its own Host. The dev identity answers only loopback names on our port.
        let host = headers
            .get(axum::http::header::HOST)
            .and_then(|v| v.to_str().ok());
        if !host.is_some_and(|h| loopback_host(h, state.port)) {
            return Err(Rejection::new(
                StatusCode::FORBIDDEN,
                ApiErrorCode::HostNotAllowed,
                "开发模式只接受本机地址（localhost / 127.0.0.1）访问",
                "dev mode answers only loopback host names (localhost / 127.0.0.1)",
            ));
        }
        return Ok(Me {
            user: "dev".into(),
            email: Some("dev@localhost".into()),
            groups: vec!["dev".into()],
            role: Role::Organizer,
            admin: true,
        });
    }
    // An IPv4 peer on a dual-stack socket arrives as ::ffff:a.b.c.d: compare it as IPv4.
    let ip = match peer.ip() {
        std::net::IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map_or(std::net::IpAddr::V6(v6), std::net::IpAddr::V4),
        v4 => v4,
    };
    let trusted = auth.trusted_proxies.iter().any(|net| net.contains(&ip));
    let unauthenticated = || {
        Rejection::new(
            StatusCode::UNAUTHORIZED,
            ApiErrorCode::Unauthenticated,
            "未通过单点登录认证",
            "not authenticated by single sign-on",
        )
    };
    if !trusted {
        return Err(unauthenticated());
    }
    // With a shared secret, only the front proxy speaks for users: a local process that can
    // reach the port but does not know the secret is not believed.
    if let Some(secret) = &state.proxy_secret {
        use secrecy::ExposeSecret;
        use subtle::ConstantTimeEq;
        let sent = headers
            .get(auth.proxy_secret_header.as_str())
            .map(|v| v.as_bytes())
            .unwrap_or_default();
        if !bool::from(sent.ct_eq(secret.expose_secret().as_bytes())) {
            return Err(Rejection::new(
                StatusCode::UNAUTHORIZED,
                ApiErrorCode::NotFromFrontProxy,
                "请求未经过单点登录前置代理",
                "the request did not come through the single sign-on front proxy",
            ));
        }
    }
    // The front proxy must replace client copies of the identity headers; two of one means it
    // did not (the first could be the client's own): refuse rather than guess.
    for name in [&auth.user_header, &auth.email_header, &auth.groups_header] {
        if headers.get_all(name.as_str()).iter().count() > 1 {
            return Err(Rejection::new(
                StatusCode::UNAUTHORIZED,
                ApiErrorCode::DuplicateIdentityHeader,
                "身份请求头重复，前置代理必须删除客户端自带的身份头",
                "an identity header came more than once; the front proxy must strip the client's copies",
            ));
        }
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
        .map(|g| match auth.groups_separator {
            crate::config::GroupsSeparator::Comma => g
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
            crate::config::GroupsSeparator::None => vec![g],
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
            ApiErrorCode::NoRole,
            "你的账号没有使用本工具的权限",
            "your account has no role in this tool",
        ));
    };
    let admin = member(&auth.admin_groups);
    Ok(Me {
        user,
        email,
        groups,
        role,
        admin,
    })
}

/// `localhost`, `127.x.x.x` or `[::1]`, on `port` (or without a port when it is 80).
fn loopback_host(host: &str, port: u16) -> bool {
    use crate::util::{is_loopback_name, split_host_port};
    let (name, p) = split_host_port(host);
    let port_ok = p.map_or(port == 80, |p| p.parse::<u16>().ok() == Some(port));
    port_ok && is_loopback_name(name)
}

/// 403 unless `me` is an organizer (reads that return people need it).
pub fn require_organizer(me: &Me) -> Result<(), Rejection> {
    if me.role == Role::Organizer {
        return Ok(());
    }
    Err(Rejection::new(
        StatusCode::FORBIDDEN,
        ApiErrorCode::Forbidden,
        "只有组织者可以执行此操作",
        "only organizers can do this",
    ))
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
        require_organizer(&me)?;
    }
    req.extensions_mut().insert(me);
    Ok(next.run(req).await)
}

/// State-changing requests need the custom header, a JSON body type, and no cross-site origin.
fn csrf(req: &Request) -> Result<(), Rejection> {
    let h = |n: &str| req.headers().get(n).and_then(|v| v.to_str().ok());
    let forbidden =
        |zh: &str, en: &str| Rejection::new(StatusCode::FORBIDDEN, ApiErrorCode::Csrf, zh, en);
    if h(rollcall_core::api::CSRF_HEADER) != Some("1") {
        return Err(forbidden(
            "缺少防跨站请求头",
            "missing the anti-CSRF header",
        ));
    }
    if !h("content-type").is_some_and(|c| c.starts_with("application/json")) {
        return Err(Rejection::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiErrorCode::ContentType,
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
