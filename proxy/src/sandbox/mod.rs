//! Sandbox providers: fake implementations of the four provider APIs, faithful to the docs —
//! they check signatures, tokens and UserSigs, enforce the limits, answer with the documented
//! error shapes, model partial success and non-idempotence, and can inject faults.
//!
//! One module per provider (mirroring `providers/`). `GET /_sandbox/state` returns everything.

pub mod huiyi31;
mod limits;
mod rules;
pub mod tencent_im;
pub mod tencent_meeting;
pub mod wecom;
pub use limits::*;

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;

/// Demo credentials accepted when no config file is given. They are public test values: never
/// use them for a real account.
pub mod demo {
    pub const TM_APP_ID: &str = "200000001";
    pub const TM_SECRET_ID: &str = "AKIDrollcallDEMO0000000000000000";
    pub const TM_SECRET_KEY: &str = "rollcall-demo-tm-secret-key";
    pub const TM_OPERATOR: &str = "organizer";
    pub const WECOM_CORP_ID: &str = "wwrollcalldemo00001";
    pub const WECOM_CORP_SECRET: &str = "rollcall-demo-wecom-corp-secret";
    pub const IM_SDK_APP_ID: u64 = 1_400_000_000;
    pub const IM_ADMIN: &str = "administrator";
    pub const IM_SECRET_KEY: &str = "rollcall-demo-im-secret-key";
    pub const TM_WEBINAR: &str = "17305428542504531991";
    pub const WECOM_WEBINAR: &str = "MEETINGID1";
    pub const IM_GROUP: &str = "@TGS#2J4SZEAEL";
    pub const HUIYI_EVENT: &str = "demo-event";
    pub const HUIYI_TYPE: &str = "demo-type";
    pub const HUIYI_TICKET: &str = "demo-ticket";
}

/// The accounts the sandbox accepts.
#[derive(Clone)]
pub struct Accounts {
    pub tm_app_id: String,
    pub tm_secret_id: String,
    pub tm_secret_key: secrecy::SecretString,
    pub wecom_corp_id: String,
    pub wecom_corp_secret: secrecy::SecretString,
    pub im_sdk_app_id: u64,
    pub im_admin: String,
    pub im_secret_key: secrecy::SecretString,
}

impl Accounts {
    pub fn demo() -> Self {
        Accounts {
            tm_app_id: demo::TM_APP_ID.into(),
            tm_secret_id: demo::TM_SECRET_ID.into(),
            tm_secret_key: demo::TM_SECRET_KEY.into(),
            wecom_corp_id: demo::WECOM_CORP_ID.into(),
            wecom_corp_secret: demo::WECOM_CORP_SECRET.into(),
            im_sdk_app_id: demo::IM_SDK_APP_ID,
            im_admin: demo::IM_ADMIN.into(),
            im_secret_key: demo::IM_SECRET_KEY.into(),
        }
    }
}

pub struct Sandbox {
    /// The documented rate limits, enforced.
    pub limits: Limits,
    pub accounts: Accounts,
    pub faults: Faults,
    pub tm: Mutex<tencent_meeting::State>,
    pub wecom: Mutex<wecom::State>,
    pub im: Mutex<tencent_im::State>,
    pub huiyi: Mutex<huiyi31::State>,
    /// Requests received per path (for benchmarks: calls made against the provider-rate minimum).
    pub calls: Mutex<std::collections::BTreeMap<String, u64>>,
    /// How many times each person reached each provider in a request it went on to apply
    /// (`tencent_meeting` → `p:86-13800000000` → 2), and whose answers were lost on the way back.
    /// A re-send is counted even where the provider then says "already a member", so a test of
    /// "each person once" can fail.
    pub sends: Mutex<Sends>,
    /// IM's per-request member cap: 500 as seed 003 says; other versions of IM's pages say 300,
    /// 100 or 20 (`rollcall sandbox --im-max-members`). Over it: 10005.
    pub im_max_members: std::sync::atomic::AtomicUsize,
    /// The answers of this many Tencent Meeting imports are lost after the import is applied
    /// (`--lose-tm-imports`): the reconciliation of phone rows, on demand.
    pub lose_tm_imports: std::sync::atomic::AtomicU32,
    /// The answers of this many webinar creations are lost after the webinar is created
    /// (`--lose-tm-creates`).
    pub lose_tm_creates: std::sync::atomic::AtomicU32,
}

/// Per provider, per person: requests that carried them, and of those how many lost their answer.
#[derive(Default)]
pub struct Sends {
    pub sent: std::collections::BTreeMap<&'static str, std::collections::HashMap<String, u32>>,
    pub lost: std::collections::BTreeMap<&'static str, std::collections::HashMap<String, u32>>,
}

impl Sends {
    /// Counts one request carrying `people` to `provider`; `lost`: its answer will not arrive.
    pub fn record<'a>(
        &mut self,
        provider: &'static str,
        people: impl IntoIterator<Item = &'a str>,
        lost: bool,
    ) {
        let sent = self.sent.entry(provider).or_default();
        let mut lost_map = lost.then(|| self.lost.entry(provider).or_default());
        for p in people {
            *sent.entry(p.to_string()).or_default() += 1;
            if let Some(l) = lost_map.as_mut() {
                *l.entry(p.to_string()).or_default() += 1;
            }
        }
    }

    fn to_json(&self) -> serde_json::Value {
        let map = |m: &std::collections::BTreeMap<
            &'static str,
            std::collections::HashMap<String, u32>,
        >| {
            m.iter()
                .map(|(k, v)| (k.to_string(), json!(v)))
                .collect::<serde_json::Map<_, _>>()
        };
        json!({"sent": map(&self.sent), "lost": map(&self.lost)})
    }
}

/// Takes one from a "lose the next N answers" counter: whether this answer is lost.
pub fn take_one(n: &std::sync::atomic::AtomicU32) -> bool {
    use std::sync::atomic::Ordering::SeqCst;
    n.fetch_update(SeqCst, SeqCst, |n| n.checked_sub(1)).is_ok()
}

impl Sandbox {
    pub fn new(accounts: Accounts, fault_rate: f64, seed: u64) -> Arc<Self> {
        Arc::new(Sandbox {
            limits: Limits::documented(),
            accounts,
            faults: Faults::new(fault_rate, seed),
            tm: Mutex::new(tencent_meeting::State::seeded()),
            wecom: Mutex::new(wecom::State::seeded()),
            im: Mutex::new(tencent_im::State::seeded()),
            huiyi: Mutex::new(huiyi31::State::seeded()),
            calls: Mutex::new(Default::default()),
            sends: Mutex::new(Sends::default()),
            im_max_members: std::sync::atomic::AtomicUsize::new(500),
            lose_tm_imports: std::sync::atomic::AtomicU32::new(0),
            lose_tm_creates: std::sync::atomic::AtomicU32::new(0),
        })
    }
}

/// HTTP 502 with an HTML body, as a gateway sends.
pub fn bad_gateway() -> Response {
    (
        axum::http::StatusCode::BAD_GATEWAY,
        "<html><body>502 Bad Gateway</body></html>",
    )
        .into_response()
}

/// A gateway's or firewall's own page (429, 403…): HTML, not the provider's answer.
pub fn html_status(status: u16) -> Response {
    (
        axum::http::StatusCode::from_u16(status).unwrap_or(axum::http::StatusCode::BAD_GATEWAY),
        [("content-type", "text/html")],
        format!("<html><head><title>{status}</title></head><body><h1>{status}</h1><p>nginx</p></body></html>"),
    )
        .into_response()
}

/// Status and headers go out, then the body breaks: the client cannot know the outcome.
pub fn lost_response() -> Response {
    let stream = futures_util::stream::once(async {
        Err::<bytes::Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "sandbox: response lost",
        ))
    });
    Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .body(Body::from_stream(stream))
        .expect("static response")
}

pub fn router(sb: Arc<Sandbox>) -> Router {
    Router::new()
        .route("/v1/webinars", post(tencent_meeting::create_webinar))
        .route(
            "/v1/webinars/{id}/enroll/import",
            post(tencent_meeting::enroll_import),
        )
        .route(
            "/v1/webinars/{id}/enroll/approvals",
            get(tencent_meeting::approvals),
        )
        .route("/cgi-bin/gettoken", get(wecom::gettoken))
        .route(
            "/cgi-bin/meeting/webinar/enroll/list",
            post(wecom::enroll_list),
        )
        .route(
            "/v4/group_open_http_svc/import_group_member",
            post(tencent_im::import_group_member),
        )
        .route(
            "/v4/group_open_http_svc/get_group_member_info",
            post(tencent_im::get_group_member_info),
        )
        .route(
            "/v4/group_open_http_svc/{cmd}",
            post(tencent_im::unknown_command),
        )
        .route(
            "/op/notoken/api/Attendee/v1/Register",
            post(huiyi31::register),
        )
        .route("/_sandbox/state", get(state))
        .route("/_sandbox/expire-tokens", post(expire_tokens))
        .route("/_sandbox/wecom/enroll", post(wecom::add_enrollee))
        .route("/_sandbox/wecom/enroll/status", post(wecom::set_status))
        .route(
            "/_sandbox/tencent-meeting/enroll",
            post(tencent_meeting::add_enrollee),
        )
        .layer(axum::middleware::from_fn_with_state(
            sb.clone(),
            count_calls,
        ))
        .with_state(sb)
}

async fn count_calls(
    axum::extract::State(sb): axum::extract::State<Arc<Sandbox>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let path = req.uri().path();
    if !path.starts_with("/_sandbox") {
        // Ids are folded so the counters stay few: /v1/webinars/{id}/enroll/import → …/{id}/…
        let key: Vec<&str> = path
            .split('/')
            .map(|seg| {
                if seg.chars().any(|c| c.is_ascii_digit()) && seg.len() > 6 {
                    "{id}"
                } else {
                    seg
                }
            })
            .collect();
        *sb.calls
            .lock()
            .expect("calls")
            .entry(key.join("/"))
            .or_default() += 1;
    }
    next.run(req).await
}

async fn state(
    axum::extract::State(sb): axum::extract::State<Arc<Sandbox>>,
) -> Json<serde_json::Value> {
    Json(json!({
        "tencent_meeting": sb.tm.lock().expect("tm state").to_json(),
        "wecom": sb.wecom.lock().expect("wecom state").to_json(),
        "tencent_im": sb.im.lock().expect("im state").to_json(),
        "huiyi31": sb.huiyi.lock().expect("huiyi state").to_json(),
        "calls": *sb.calls.lock().expect("calls"),
        "rate_violations": sb.limits.to_json(),
        "sends": sb.sends.lock().expect("sends").to_json(),
    }))
}

/// Invalidates every WeCom token and every IM UserSig issued so far (tests token expiry mid-session).
async fn expire_tokens(
    axum::extract::State(sb): axum::extract::State<Arc<Sandbox>>,
) -> Json<serde_json::Value> {
    sb.wecom.lock().expect("wecom state").tokens.clear();
    sb.im.lock().expect("im state").sig_epoch = crate::util::unix_now() + 1;
    Json(json!({"ok": true}))
}

#[cfg(test)]
mod tests {
    use super::RateLimit;
    use std::time::Duration;

    #[test]
    fn a_bucket_admits_the_limit_per_window_then_refuses_and_counts() {
        let l = RateLimit::new(3, Duration::from_secs(3600));
        assert!((0..3).all(|_| l.admit()));
        assert!(!l.admit());
        assert!(!l.admit());
        assert_eq!(l.violations(), 2);
        l.set_scale(2.0);
        // 6 an hour, but at most 5 at once.
        assert!((0..5).all(|_| l.admit()));
        assert!(!l.admit());
    }

    #[test]
    fn a_bucket_starts_with_a_small_burst_not_the_windows_quota() {
        // Tencent Meeting: 300 a minute, but 61 calls at once are refused from the 61st: a client
        // that does not pace its calls is caught even under the minute's quota.
        let l = RateLimit::new(300, Duration::from_secs(60));
        assert!((0..60).all(|_| l.admit()));
        assert!(!l.admit());
        assert_eq!(l.violations(), 1);
    }
}
