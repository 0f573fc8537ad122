//! The OpenAPI document: generated from the handlers and core's types, served at
//! `/api/openapi.json`, printed by `rollcall openapi`, kept in the repo as `docs/openapi.json`
//! (all three the same); every route the router has is documented, and every documented route
//! exists on a running proxy.

mod common;

use std::collections::BTreeSet;

use common::*;
use serde_json::{json, Value};

fn repo_document() -> Value {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.json"))
            .expect(
            "docs/openapi.json (regenerate: cargo run -p rollcall -- openapi > docs/openapi.json)",
        );
    serde_json::from_str(&text).unwrap()
}

/// (METHOD, path) of every operation in the document.
fn documented(doc: &Value) -> BTreeSet<(String, String)> {
    doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .map(move |m| (m.to_uppercase(), path.clone()))
        })
        .collect()
}

/// (METHOD, path) of every route the router source declares: `.route("/p", get(..).post(..))`
/// in the `/api` router (nested under `/api`) and at the top level.
fn routed() -> BTreeSet<(String, String)> {
    let src =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/server/mod.rs")).unwrap();
    let start = src.find("pub fn router(").expect("router fn");
    let body = &src[start..];
    let body = &body[..body.find("\n}\n").unwrap()];
    let (api, top) = body.split_at(
        body.find("let inner = Router::new()")
            .expect("the top-level router"),
    );
    let mut out = BTreeSet::new();
    for (part, prefix) in [(api, "/api"), (top, "")] {
        for chunk in part.split(".route(").skip(1) {
            let path = chunk.split('"').nth(1).unwrap();
            // The method router runs to the call's closing parenthesis.
            let mut depth = 1;
            let end = chunk
                .char_indices()
                .find(|&(_, c)| {
                    depth += match c {
                        '(' => 1,
                        ')' => -1,
                        _ => 0,
                    };
                    depth == 0
                })
                .map(|(i, _)| i)
                .unwrap();
            let methods = &chunk[..end];
            for m in ["get", "post", "put", "delete", "patch"] {
                let called = methods.contains(&format!(", {m}("))
                    || methods.contains(&format!("\n            {m}("))
                    || methods.contains(&format!(".{m}("))
                    || methods.contains(&format!(" {m}("));
                if called {
                    out.insert((m.to_uppercase(), format!("{prefix}{path}")));
                }
            }
        }
    }
    out
}

#[test]
fn every_route_is_documented_and_every_documented_route_exists() {
    let doc = repo_document();
    assert_eq!(doc["openapi"], "3.1.0");
    let documented = documented(&doc);
    let routed = routed();
    assert!(routed.len() >= 20, "the router source was read: {routed:?}");
    let undocumented: Vec<_> = routed.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "routes missing from the OpenAPI document: {undocumented:?}"
    );
    let unrouted: Vec<_> = documented.difference(&routed).collect();
    assert!(
        unrouted.is_empty(),
        "documented routes the router does not declare: {unrouted:?}"
    );

    // And each documented operation answers on a running proxy (not the router's "no such
    // route", not 405), with its path parameters filled in.
    let dir = tempfile::tempdir().unwrap();
    let server = serve_sandbox(dir.path(), "proxy.log", &[]);
    let c = Client::new(&server.url, None);
    for (method, path) in &documented {
        let p = path.replace("{id}", "x");
        let r = match method.as_str() {
            "GET" if p.ends_with("/events") => {
                // A stream: only its status matters (unknown job: 404 not_found).
                c.get(&p)
            }
            "GET" => c.get(&p),
            "POST" => c.post(&p, &json!({})),
            other => panic!("undocumented method kind {other}"),
        };
        assert_ne!(r.status, 405, "{method} {path}: method not allowed");
        let no_route = r.status == 404 && r.body.contains("no_such_route");
        assert!(!no_route, "{method} {path} is documented but not routed");
    }
    // The control: a path nobody documented is the router's "no such route".
    let r = c.get("/api/not-a-route");
    assert!(
        r.status == 404 && r.body.contains("no_such_route"),
        "{}",
        r.body
    );
}

#[test]
fn served_printed_and_committed_documents_agree() {
    let committed = repo_document();
    let out = std::process::Command::new(bin())
        .arg("openapi")
        .output()
        .unwrap();
    assert!(out.status.success());
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        printed, committed,
        "docs/openapi.json is stale: cargo run -p rollcall -- openapi > docs/openapi.json"
    );
    let dir = tempfile::tempdir().unwrap();
    let server = serve_sandbox(dir.path(), "proxy.log", &[]);
    let served = Client::new(&server.url, None).get("/api/openapi.json");
    assert_eq!(served.status, 200);
    assert_eq!(served.json(), committed);
    // The schemas are core's types: a job summary's states are the journal's states.
    let states = &committed["components"]["schemas"]["RowState"]["enum"];
    for s in [
        "pending",
        "imported",
        "already_present",
        "rejected",
        "invalid",
        "unknown",
        "skipped",
    ] {
        assert!(states.as_array().unwrap().contains(&json!(s)), "{states}");
    }
    assert!(committed["components"]["schemas"]["ApiError"]["properties"]["message"].is_object());
}

/// Every route that reads or removes personal data documents its 403 (who may not), and the
/// routes that check a path id or a body document 422.
#[test]
fn personal_data_routes_document_who_may_not() {
    let doc = repo_document();
    let responses = |method: &str, path: &str| -> BTreeSet<String> {
        doc["paths"][path][method]["responses"]
            .as_object()
            .unwrap_or_else(|| panic!("{method} {path} is documented"))
            .keys()
            .cloned()
            .collect()
    };
    for (method, path) in [
        ("get", "/api/jobs/{id}/results"),
        ("get", "/api/jobs/{id}/results.csv"),
        ("get", "/api/jobs/{id}/failed.csv"),
        ("post", "/api/jobs/{id}/shred"),
        ("get", "/api/audit"),
        ("get", "/api/audit.csv"),
        ("get", "/api/tencent-meeting/webinars/{id}/enrollments"),
        ("post", "/api/wecom/webinars/{id}/enrollments"),
        ("get", "/metrics"),
    ] {
        assert!(responses(method, path).contains("403"), "{method} {path}");
    }
    for (method, path) in [
        ("get", "/api/tencent-meeting/webinars/{id}/enrollments"),
        ("post", "/api/tencent-meeting/webinars/{id}/enroll/import"),
        ("post", "/api/wecom/webinars/{id}/enrollments"),
        ("post", "/api/tencent-im/groups/{id}/members"),
        ("post", "/api/jobs"),
    ] {
        assert!(responses(method, path).contains("422"), "{method} {path}");
    }
}
