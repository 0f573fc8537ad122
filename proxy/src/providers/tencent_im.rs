//! Tencent Cloud IM client: UserSig (TLSSigAPIv2) generated and cached until near expiry,
//! regenerated on 70001; `import_group_member` (≤ 500 a request) and `get_group_member_info`.

use std::io::{Read, Write};
use std::sync::Arc;

use base64::Engine;
use hmac::{Hmac, Mac};
use rand::Rng;
use rollcall_core::providers::tencent_im::{
    self as im, GetGroupMemberInfoRequest, GetGroupMemberInfoResponse, ImportGroupMemberRequest,
    ImportGroupMemberResponse,
};
use rollcall_core::providers::{ErrorClass, Lenient, Provider};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value};
use sha2::Sha256;
use tokio::sync::Mutex;

use super::{read_body, ProviderError};
use crate::util::unix_now;

const P: Provider = Provider::TencentIm;
/// UserSig lifetime we mint (about two months, as the docs suggest).
pub const USERSIG_EXPIRE: u64 = 60 * 86_400;
/// Regenerate this long before expiry.
const USERSIG_MARGIN: u64 = 3600;

/// The content TLS.sig signs (every line LF-terminated).
pub fn content_to_sign(
    sdkappid: u64,
    identifier: &str,
    time: u64,
    expire: u64,
    userbuf: Option<&[u8]>,
) -> String {
    let mut s = format!("TLS.identifier:{identifier}\nTLS.sdkappid:{sdkappid}\nTLS.time:{time}\nTLS.expire:{expire}\n");
    if let Some(buf) = userbuf {
        s.push_str(&format!(
            "TLS.userbuf:{}\n",
            base64::engine::general_purpose::STANDARD.encode(buf)
        ));
    }
    s
}

/// `TLS.sig`: standard base64 of the raw HMAC-SHA256.
pub fn tls_sig(key: &str, content: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes any key length");
    mac.update(content.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Generates a UserSig: JSON → zlib → base64 with `+/=` → `*-_`.
pub fn gen_usersig(
    sdkappid: u64,
    key: &str,
    identifier: &str,
    expire: u64,
    time: u64,
    userbuf: Option<&[u8]>,
) -> String {
    let content = content_to_sign(sdkappid, identifier, time, expire, userbuf);
    let mut doc = serde_json::Map::new();
    doc.insert("TLS.ver".into(), json!("2.0"));
    doc.insert("TLS.identifier".into(), json!(identifier));
    doc.insert("TLS.sdkappid".into(), json!(sdkappid));
    doc.insert("TLS.expire".into(), json!(expire));
    doc.insert("TLS.time".into(), json!(time));
    if let Some(buf) = userbuf {
        doc.insert(
            "TLS.userbuf".into(),
            json!(base64::engine::general_purpose::STANDARD.encode(buf)),
        );
    }
    doc.insert("TLS.sig".into(), json!(tls_sig(key, &content)));
    let json = serde_json::to_vec(&Value::Object(doc)).expect("serialising JSON");
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(6));
    z.write_all(&json).expect("writing to memory");
    let compressed = z.finish().expect("writing to memory");
    base64::engine::general_purpose::STANDARD
        .encode(compressed)
        .replace('+', "*")
        .replace('/', "-")
        .replace('=', "_")
}

/// Decodes a UserSig back to its JSON document.
pub fn decode_usersig(usersig: &str) -> Result<serde_json::Map<String, Value>, String> {
    let b64 = usersig
        .replace('*', "+")
        .replace('-', "/")
        .replace('_', "=");
    let compressed = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|e| format!("base64: {e}"))?;
    let mut json = Vec::new();
    flate2::read::ZlibDecoder::new(&compressed[..])
        .take(64 * 1024)
        .read_to_end(&mut json)
        .map_err(|e| format!("zlib: {e}"))?;
    match serde_json::from_slice(&json).map_err(|e| format!("json: {e}"))? {
        Value::Object(m) => Ok(m),
        _ => Err("not a JSON object".into()),
    }
}

/// Why a UserSig was refused (sandbox side), mapped to IM codes.
#[derive(Debug, PartialEq, Eq)]
pub enum UserSigError {
    Malformed,
    Mismatch(i64),
    BadSignature,
    Expired,
}

/// Verifies a UserSig: decodes, checks sdkappid/identifier, the HMAC, and expiry
/// (`now > time + expire` is expired, as the Go verifier does).
pub fn verify_usersig(
    usersig: &str,
    key: &str,
    sdkappid: u64,
    identifier: &str,
    now: u64,
) -> Result<u64, UserSigError> {
    let doc = decode_usersig(usersig).map_err(|_| UserSigError::Malformed)?;
    let num = |k: &str| doc.get(k).and_then(Value::as_u64);
    let (Some(app), Some(time), Some(expire)) =
        (num("TLS.sdkappid"), num("TLS.time"), num("TLS.expire"))
    else {
        return Err(UserSigError::Malformed);
    };
    let ident = doc
        .get("TLS.identifier")
        .and_then(Value::as_str)
        .ok_or(UserSigError::Malformed)?;
    let sig = doc
        .get("TLS.sig")
        .and_then(Value::as_str)
        .ok_or(UserSigError::Malformed)?;
    if app != sdkappid {
        return Err(UserSigError::Mismatch(im::codes::SDKAPPID_MISMATCH));
    }
    if ident != identifier {
        return Err(UserSigError::Mismatch(im::codes::IDENTIFIER_MISMATCH));
    }
    let userbuf = match doc.get("TLS.userbuf").and_then(Value::as_str) {
        Some(b) => Some(
            base64::engine::general_purpose::STANDARD
                .decode(b)
                .map_err(|_| UserSigError::Malformed)?,
        ),
        None => None,
    };
    let expected = tls_sig(
        key,
        &content_to_sign(app, ident, time, expire, userbuf.as_deref()),
    );
    if expected.len() != sig.len()
        || expected
            .bytes()
            .zip(sig.bytes())
            .fold(0u8, |a, (x, y)| a | (x ^ y))
            != 0
    {
        return Err(UserSigError::BadSignature);
    }
    if now > time + expire {
        return Err(UserSigError::Expired);
    }
    Ok(time)
}

pub struct Config {
    pub base_url: String,
    pub sdk_app_id: u64,
    pub admin_identifier: String,
    pub secret_key: SecretString,
}

struct CachedSig {
    value: SecretString,
    valid_until: u64,
    generation: u64,
}

#[derive(Clone)]
pub struct Client {
    cfg: Arc<Config>,
    http: reqwest::Client,
    sig: Arc<Mutex<Option<CachedSig>>>,
}

impl Client {
    pub fn new(cfg: Config, http: reqwest::Client) -> Self {
        Client {
            cfg: Arc::new(cfg),
            http,
            sig: Arc::new(Mutex::new(None)),
        }
    }

    async fn usersig(&self, stale: Option<u64>) -> (SecretString, u64) {
        let mut g = self.sig.lock().await;
        let now = unix_now();
        if let Some(s) = g.as_ref() {
            if stale != Some(s.generation) && now < s.valid_until {
                return (s.value.clone(), s.generation);
            }
        }
        let value = SecretString::from(gen_usersig(
            self.cfg.sdk_app_id,
            self.cfg.secret_key.expose_secret(),
            &self.cfg.admin_identifier,
            USERSIG_EXPIRE,
            now,
            None,
        ));
        let generation = g.as_ref().map_or(1, |s| s.generation + 1);
        *g = Some(CachedSig {
            value: value.clone(),
            valid_until: now + USERSIG_EXPIRE - USERSIG_MARGIN,
            generation,
        });
        (value, generation)
    }

    async fn post<T: serde::de::DeserializeOwned>(
        &self,
        command: &str,
        body: Vec<u8>,
    ) -> Result<T, ProviderError> {
        let (mut sig, mut generation) = self.usersig(None).await;
        let mut reauthed = false;
        loop {
            let random: u32 = rand::thread_rng().gen();
            let url = format!(
                "{}/v4/group_open_http_svc/{command}",
                self.cfg.base_url.trim_end_matches('/')
            );
            let resp = self
                .http
                .post(url)
                .query(&[
                    ("sdkappid", self.cfg.sdk_app_id.to_string().as_str()),
                    ("identifier", self.cfg.admin_identifier.as_str()),
                    ("usersig", sig.expose_secret()),
                    ("random", random.to_string().as_str()),
                    ("contenttype", "json"),
                ])
                .header("Content-Type", "application/json")
                .body(body.clone())
                .send()
                .await
                .map_err(|e| ProviderError::transport(P, &e))?;
            let (status, bytes) = read_body(P, resp).await?;
            if status != 200 {
                return Err(ProviderError::unreadable(P, status));
            }
            let env: im::ErrorBody = serde_json::from_slice(&bytes).map_err(|e| ProviderError {
                ambiguous: true,
                ..ProviderError::provider(
                    P,
                    0,
                    format!("unexpected response: {e}"),
                    // Retried only where safe: reads; a write is reconciled (ambiguous).
                    ErrorClass::Retryable,
                )
            })?;
            if env.error_code == 0 && !env.action_status.eq_ignore_ascii_case("FAIL") {
                return serde_json::from_slice(&bytes).map_err(|e| ProviderError {
                    ambiguous: true,
                    ..ProviderError::provider(
                        P,
                        0,
                        format!("unexpected response: {e}"),
                        ErrorClass::Retryable,
                    )
                });
            }
            let class = im::classify(env.error_code);
            if class == ErrorClass::Reauth && !reauthed {
                // A rejected signature means nothing was applied: regenerate and retry once.
                reauthed = true;
                (sig, generation) = self.usersig(Some(generation)).await;
                continue;
            }
            // A second re-auth error keeps its class: the job runner retries it (bounded); a
            // rejected signature means nothing was applied, so retrying is safe. `FAIL` with
            // `ErrorCode` 0 is the provider refusing the request (it answered), not a transport
            // failure.
            return Err(ProviderError {
                http_status: Some(status),
                ..ProviderError::provider(P, env.error_code, env.error_info, class)
            });
        }
    }

    pub async fn import_group_member(
        &self,
        req: &ImportGroupMemberRequest,
    ) -> Result<ImportGroupMemberResponse, ProviderError> {
        self.post(
            "import_group_member",
            serde_json::to_vec(req).expect("serialising a wire type"),
        )
        .await
    }

    /// The one paging rule of `get_group_member_info`: from offset 0, `page(request)` reading
    /// each (the caller's pacing and retries around [`Client::get_group_member_info`]), until a
    /// page is empty or the offset reaches `MemberNum`; a list that has not ended after
    /// [`super::MAX_LIST_PAGES`] pages is an error, never a loop.
    pub async fn every_page<Fut>(
        group_id: &str,
        mut page: impl FnMut(im::GetGroupMemberInfoRequest) -> Fut,
    ) -> Result<Vec<Lenient<im::GroupMember>>, ProviderError>
    where
        Fut: std::future::Future<Output = Result<im::GetGroupMemberInfoResponse, ProviderError>>,
    {
        let mut out = Vec::new();
        let mut offset: u32 = 0;
        for _ in 0..super::MAX_LIST_PAGES {
            let p = page(im::GetGroupMemberInfoRequest {
                group_id: group_id.to_string(),
                limit: Some(im::MAX_MEMBERS_PAGE),
                offset: Some(offset),
            })
            .await?;
            let n = p.member_list.len() as u32;
            offset = offset.saturating_add(n);
            out.extend(p.member_list);
            if n == 0 || offset >= p.member_num {
                return Ok(out);
            }
        }
        Err(ProviderError::endless_list(Provider::TencentIm))
    }

    pub async fn get_group_member_info(
        &self,
        req: &GetGroupMemberInfoRequest,
    ) -> Result<GetGroupMemberInfoResponse, ProviderError> {
        self.post(
            "get_group_member_info",
            serde_json::to_vec(req).expect("serialising a wire type"),
        )
        .await
    }
}
