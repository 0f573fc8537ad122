//! The proxy's HTTP server: `/api` (authenticated, CSRF-checked, typed provider operations and
//! jobs), `/healthz`, `/readyz`, `/metrics`, and the built UI under `base_path`.

pub mod api;
pub mod auth;
mod error;
pub mod export;
pub mod jobs_api;
pub mod mappings_api;
pub mod openapi;
pub mod privacy;
pub mod progress;
pub mod syncs_api;
pub mod ui;
pub use error::*;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use rollcall_core::api::ApiError;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

use crate::app::{Clients, Metrics};
use crate::config::Config;
use crate::jobs::runner::Runner;
use crate::jobs::store::{JobStore, StoreError};
use crate::providers::ProviderError;
use rollcall_core::ApiErrorCode;

pub struct AppState {
    pub cfg: Config,
    pub clients: Arc<Clients>,
    pub runner: Arc<Runner>,
    pub metrics: Arc<Metrics>,
    pub sandbox: bool,
    /// The port the server listens on (dev mode accepts only loopback `Host`s on it).
    pub port: u16,
    /// Live progress, read once per change for every watcher.
    pub progress: Arc<progress::Progress>,
    /// The front proxy's shared secret (`auth.proxy_secret_env`), when configured.
    pub proxy_secret: Option<secrecy::SecretString>,
    /// Continuous syncs.
    pub syncs: Arc<crate::sync::Syncs>,
}

impl AppState {
    /// The one way a handler reaches the journal ([`crate::jobs::store::blocking`]); its error becomes the
    /// API's (an unreachable journal is 503, anything else 500 with the detail in the log).
    pub async fn journal<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn JobStore) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, Rejection> {
        Ok(crate::jobs::store::blocking(self.runner.store(), f).await?)
    }
}

#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "The process answers", content_type = "text/plain")))]
async fn healthz() -> &'static str {
    "ok"
}

#[utoipa::path(get, path = "/readyz", tag = "operations", responses((status = 200, description = "The journal is reachable", content_type = "text/plain"), (status = 503, description = "The journal is unreachable: take this replica out of rotation", content_type = "text/plain")))]
async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    match crate::jobs::store::blocking(state.runner.store(), |s| s.ping()).await {
        Ok(_) => "ready".into_response(),
        Err(e) => {
            // The reason goes to the log; the probe only learns "not ready".
            tracing::warn!(error = %e, "not ready: the journal is unavailable");
            (StatusCode::SERVICE_UNAVAILABLE, "not ready").into_response()
        }
    }
}

#[utoipa::path(get, path = "/metrics", tag = "operations", responses((status = 200, description = "Prometheus text format: counters and gauges the runner and the server keep (never a journal read). On `server.metrics_bind` (loopback by default) without identity; on the main listener only for admins", content_type = "text/plain"), (status = 403, description = "On the main listener: not an admin", body = ApiError)))]
async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    let text = state.metrics.render();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}

/// `/metrics` on the main listener: admins only (their identity checked as for `/api`).
async fn metrics_for_admins(
    State(state): State<Arc<AppState>>,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
    headers: axum::http::HeaderMap,
) -> Response {
    match auth::identify(&state, peer, &headers).and_then(|me| privacy::require_admin(&me)) {
        Ok(()) => metrics(State(state)).await,
        Err(r) => r.into_response(),
    }
}

/// The router of `server.metrics_bind`: `/metrics` only, no identity (bind it to loopback or a
/// monitoring network).
pub fn metrics_router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .with_state(state)
}

/// Counts requests by method and status. Only the standard methods become labels (anything else
/// is `other`): a label is kept forever, so a client must not be able to invent them.
async fn count_requests(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    use axum::http::Method;
    let method = match *req.method() {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        _ => "other",
    };
    let resp = next.run(req).await;
    state.metrics.inc(
        "rollcall_http_requests_total",
        format!("method=\"{method}\",status=\"{}\"", resp.status().as_u16()),
    );
    resp
}

/// The body-limit layers answer 413 in plain text; the API answers in its JSON error shape.
async fn json_body_limit(resp: Response) -> Response {
    let json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if resp.status() == StatusCode::PAYLOAD_TOO_LARGE && !json {
        return Rejection::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ApiErrorCode::BodyTooLarge,
            "请求体太大",
            "the request body is too large",
        )
        .into_response();
    }
    resp
}

/// An `/api` path the router does not have (distinct from `not_found`: a known route, an
/// unknown job).
async fn api_not_found() -> Rejection {
    Rejection::new(
        StatusCode::NOT_FOUND,
        ApiErrorCode::NoSuchRoute,
        "没有这个接口（见 /api/openapi.json）",
        "no such API route (see /api/openapi.json)",
    )
}

pub fn router(state: Arc<AppState>) -> anyhow::Result<Router> {
    let cfg = &state.cfg;
    let timeout = Duration::from_secs(cfg.server.request_timeout_secs);
    // Two layers per limit: `RequestBodyLimitLayer` answers 413 from Content-Length before any
    // of the body is read; `DefaultBodyLimit` bounds the extractors (and chunked bodies).
    let limit = |n: usize| (DefaultBodyLimit::max(n), RequestBodyLimitLayer::new(n));
    let small = limit(1024 * 1024);
    #[allow(deprecated)]
    let api = Router::new()
        .route("/me", get(api::me))
        .route("/openapi.json", get(openapi::openapi_json))
        .route("/status", get(api::status))
        .route(
            "/tencent-meeting/webinars",
            post(api::create_webinar).layer(small),
        )
        .route(
            "/tencent-meeting/webinars/{id}/enrollments",
            get(api::list_webinar_enrollments),
        )
        .route(
            "/tencent-meeting/webinars/{id}/enroll/import",
            post(api::enroll_import).layer(small),
        )
        .route(
            "/wecom/webinars/{id}/enrollments",
            post(api::wecom_enrollments).layer(small),
        )
        .route(
            "/tencent-im/groups/{id}/members",
            post(api::import_im_members).layer(small),
        )
        .route(
            "/huiyi31/register",
            post(api::huiyi31_register).layer(small),
        )
        .route(
            "/jobs",
            get(jobs_api::list)
                .post(jobs_api::create)
                .layer(limit(cfg.server.max_body_bytes)),
        )
        .route("/destinations", get(jobs_api::destinations))
        .route(
            "/mappings",
            get(mappings_api::list)
                .post(mappings_api::save)
                .layer(small),
        )
        .route(
            "/jobs/preview",
            post(jobs_api::preview).layer(limit(cfg.server.max_body_bytes)),
        )
        .route("/jobs/{id}", get(jobs_api::get_one))
        .route("/jobs/{id}/results", get(jobs_api::results))
        .route("/jobs/{id}/results.csv", get(export::results_csv))
        .route("/jobs/{id}/failed.csv", get(export::failed_csv))
        .route("/jobs/{id}/cancel", post(jobs_api::cancel).layer(small))
        .route("/jobs/{id}/resume", post(jobs_api::resume).layer(small))
        .route("/jobs/{id}/shred", post(privacy::shred).layer(small))
        .route("/audit", get(privacy::list))
        .route(
            "/syncs",
            get(syncs_api::list).post(syncs_api::create).layer(small),
        )
        .route("/syncs/{id}", get(syncs_api::get_one))
        .route("/syncs/{id}/people", get(syncs_api::people))
        .route("/syncs/{id}/pause", post(syncs_api::pause).layer(small))
        .route("/syncs/{id}/resume", post(syncs_api::resume).layer(small))
        .route("/syncs/{id}/stop", post(syncs_api::stop).layer(small))
        .route("/audit.csv", get(privacy::csv))
        .fallback(api_not_found)
        .layer(TimeoutLayer::new(timeout))
        // SSE streams live beyond the request timeout.
        .route("/jobs/{id}/events", get(jobs_api::events))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::middleware,
        ))
        .layer(middleware::map_response(json_body_limit))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));
    let ui = ui::service(&cfg.server.ui_dir, &cfg.server.frame_ancestors)?;
    let inner = Router::new()
        .nest("/api", api)
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_for_admins))
        .merge(ui)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            count_requests,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .with_state(state.clone());
    let base = cfg.server.base_path.clone();
    Ok(if base.is_empty() {
        inner
    } else {
        Router::new().fallback_service(under_base_path(base, inner))
    })
}

/// Serves `inner` under `base`: `/rc` redirects to `/rc/` (the URL printed at start-up), and
/// `/rc/x` is `inner`'s `/x` — including `/rc/` itself, the UI's index.
fn under_base_path(
    base: String,
    inner: Router,
) -> impl tower::Service<
    Request,
    Response = Response,
    Error = std::convert::Infallible,
    Future = impl Send + 'static,
> + Clone
       + Send
       + 'static {
    tower::service_fn(move |mut req: Request| {
        let (base, mut inner) = (base.clone(), inner.clone());
        async move {
            use tower::Service;
            let path = req.uri().path();
            if path == base {
                return Ok(axum::response::Redirect::permanent(&format!("{base}/")).into_response());
            }
            let Some(rest) = path
                .strip_prefix(base.as_str())
                .filter(|r| r.starts_with('/'))
            else {
                return Ok(StatusCode::NOT_FOUND.into_response());
            };
            let target = match req.uri().query() {
                Some(q) => format!("{rest}?{q}"),
                None => rest.to_string(),
            };
            match target.parse() {
                Ok(uri) => *req.uri_mut() = uri,
                Err(_) => return Ok(StatusCode::BAD_REQUEST.into_response()),
            }
            inner.call(req).await
        }
    })
}
