//! Serves the trunk-built UI with a strict Content-Security-Policy. Trunk's inline start-up
//! script is allowed by its hash, computed from index.html at start-up (no 'unsafe-inline').

use std::path::Path;

use axum::http::{header, HeaderValue};
use axum::Router;
use base64::Engine;
use sha2::{Digest, Sha256};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// Hashes of inline `<script>` bodies, as CSP sources.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(open_end) = after.find('>') else {
            break;
        };
        let tag = &after[..open_end];
        let body_start = open_end + 1;
        let Some(close) = after[body_start..].find("</script>") else {
            break;
        };
        let body = &after[body_start..body_start + close];
        if !tag.contains("src=") && !body.trim().is_empty() {
            out.push(format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(Sha256::digest(body.as_bytes()))
            ));
        }
        rest = &after[body_start + close..];
    }
    out
}

pub fn csp(frame_ancestors: &[String], script_hashes: &[String]) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' {}; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors {}",
        script_hashes.join(" "),
        if frame_ancestors.is_empty() { "'none'".to_string() } else { frame_ancestors.join(" ") }
    )
}

pub fn service<S: Clone + Send + Sync + 'static>(
    dir: &Path,
    frame_ancestors: &[String],
) -> anyhow::Result<Router<S>> {
    let index = dir.join("index.html");
    let html = std::fs::read_to_string(&index).unwrap_or_else(|_| {
        tracing::warn!(dir = %dir.display(), "no built UI found (run `cargo xtask build-ui`); serving a placeholder");
        String::new()
    });
    let policy = csp(frame_ancestors, &inline_script_hashes(&html));
    let files = ServeDir::new(dir)
        .append_index_html_on_directories(true)
        .fallback(ServeFile::new(index));
    Ok(Router::new()
        .fallback_service(files)
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_str(&policy)?,
        )))
}
