//! The roster worker: fetched only when a file is dropped. It sniffs, decodes (GBK through the
//! browser's TextDecoder), parses CSV or XLSX and validates with core, posting progress, so the
//! page stays responsive on 100k rows.
//!
//! In:  `{"bytes": Uint8Array, "mapping": "<MappingOptions JSON>"}`
//! Out: `{"type":"progress","done":N,"total":M}` … then `{"type":"done","roster":…}` or
//!      `{"type":"error","error":{code,zh,en}}` (as JSON strings).

use rollcall_core::api::DestinationKind;
use rollcall_core::roster::{self, MappingOptions, RosterError, Sniffed, TextEncoding};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

fn post(scope: &DedicatedWorkerGlobalScope, msg: serde_json::Value) {
    let _ = scope.post_message(&JsValue::from_str(&msg.to_string()));
}

fn decode(bytes: &[u8], enc: TextEncoding) -> Result<(String, bool), JsValue> {
    let opts = web_sys::TextDecoderOptions::new();
    let d = web_sys::TextDecoder::new_with_label_and_options(enc.whatwg_label(), &opts)?;
    let body = if enc == TextEncoding::Utf8Bom {
        &bytes[3..]
    } else {
        bytes
    };
    let text = d.decode_with_u8_array(body)?;
    let replaced = text.contains('\u{FFFD}');
    Ok((text, replaced))
}

fn parse(
    scope: &DedicatedWorkerGlobalScope,
    bytes: &[u8],
    mapping: &MappingOptions,
) -> Result<roster::Roster, RosterError> {
    let table = match roster::sniff(bytes)? {
        Sniffed::Xlsx => roster::read_xlsx(bytes)?,
        Sniffed::Csv(enc) => {
            let (text, replaced) = decode(bytes, enc).map_err(|_| RosterError {
                code: "decode_failed".into(),
                zh: "无法解码文件".into(),
                en: "cannot decode the file".into(),
            })?;
            let mut t = roster::read_csv_text(&text, enc)?;
            if replaced {
                t.problems.insert(
                    0,
                    roster::RowProblem::new(
                        0,
                        None,
                        "decode_errors",
                        roster::Severity::Warning,
                        "文件含有无法识别的字符（混合编码？），已用 � 替代",
                        "the file has undecodable bytes (mixed encodings?); replaced with �",
                    ),
                );
            }
            t
        }
    };
    post(
        scope,
        serde_json::json!({"type": "progress", "done": 0, "total": table.rows.len(), "phase": "validate"}),
    );
    let mut r = roster::build_roster_with_progress(table, mapping, &mut |done, total| {
        post(
            scope,
            serde_json::json!({"type": "progress", "done": done, "total": total, "phase": "validate"}),
        )
    });
    r.check_destinations(&DestinationKind::ALL);
    Ok(r)
}

fn main() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let s2 = scope.clone();
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |ev: MessageEvent| {
        let data = ev.data();
        let bytes = js_sys::Reflect::get(&data, &"bytes".into())
            .ok()
            .map(|b| js_sys::Uint8Array::new(&b).to_vec())
            .unwrap_or_default();
        let mapping: MappingOptions = js_sys::Reflect::get(&data, &"mapping".into())
            .ok()
            .and_then(|m| m.as_string())
            .and_then(|m| serde_json::from_str(&m).ok())
            .unwrap_or_default();
        let started = js_sys::Date::now();
        match parse(&s2, &bytes, &mapping) {
            Ok(r) => post(
                &s2,
                serde_json::json!({"type": "done", "roster": r, "elapsed_ms": js_sys::Date::now() - started}),
            ),
            Err(e) => post(&s2, serde_json::json!({"type": "error", "error": e})),
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    post(&scope, serde_json::json!({"type": "ready"}));
}
