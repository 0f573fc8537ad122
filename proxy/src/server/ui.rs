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

/// What `/` says when `ui_dir` holds no built UI: how to build it or point to it (zh + en).
fn no_ui_page(dir: &Path) -> String {
    let dir = dir
        .display()
        .to_string()
        .replace('&', "&amp;")
        .replace('<', "&lt;");
    format!(
        r#"<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>Rollcall</title>
<h1>Rollcall：未找到界面文件 / no built UI</h1>
<p>代理正在运行，但 <code>{dir}</code> 中没有构建好的界面。请在源码目录运行 <code>cargo xtask build-ui</code>，并把配置中的 <code>server.ui_dir</code> 指向生成的 <code>dist/</code> 目录。</p>
<p lang="en">The proxy is running, but <code>{dir}</code> holds no built UI. Run <code>cargo xtask build-ui</code> in the source tree and point <code>server.ui_dir</code> in the config at the <code>dist/</code> it makes. The API under <code>api/</code> works meanwhile.</p>
</html>"#
    )
}

pub fn service<S: Clone + Send + Sync + 'static>(
    dir: &Path,
    frame_ancestors: &[String],
) -> anyhow::Result<Router<S>> {
    let index = dir.join("index.html");
    let csp_layer = |hashes: &[String]| -> anyhow::Result<_> {
        Ok(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_str(&csp(frame_ancestors, hashes))?,
        ))
    };
    let Ok(html) = std::fs::read_to_string(&index) else {
        tracing::warn!(dir = %dir.display(), "no built UI in server.ui_dir (build it with `cargo xtask build-ui` and point ui_dir at dist/); serving a page that says so");
        let page = axum::response::Html(no_ui_page(dir));
        return Ok(Router::new()
            .fallback(move |uri: axum::http::Uri| {
                let page = page.clone();
                async move {
                    use axum::response::IntoResponse;
                    if matches!(uri.path(), "/" | "/index.html") {
                        (axum::http::StatusCode::SERVICE_UNAVAILABLE, page).into_response()
                    } else {
                        axum::http::StatusCode::NOT_FOUND.into_response()
                    }
                }
            })
            .layer(csp_layer(&[])?));
    };
    let files = ServeDir::new(dir)
        .append_index_html_on_directories(true)
        .fallback(ServeFile::new(index));
    Ok(Router::new()
        .fallback_service(files)
        .layer(csp_layer(&inline_script_hashes(&html))?))
}
