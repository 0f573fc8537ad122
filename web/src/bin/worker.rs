//! The roster worker: fetched only when a file is dropped. It sniffs, decodes (GBK through the
//! browser's TextDecoder), parses CSV or XLSX and validates with core, posting progress, so the
//! page stays responsive on 100k rows.
//!
//! In:  `{"bytes": Uint8Array, "mapping": "<MappingOptions JSON>"}`
//! Out: core's `api::WorkerReply` as JSON strings: `ready`, `progress`…, then `done` or `error`.

use rollcall_core::api::{DestinationKind, WorkerReply};
use rollcall_core::roster::{self, MappingOptions, RosterError, TextEncoding};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

fn post(scope: &DedicatedWorkerGlobalScope, msg: WorkerReply) {
    if let Ok(text) = serde_json::to_string(&msg) {
        let _ = scope.post_message(&JsValue::from_str(&text));
    }
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
    let decode = |b: &[u8], enc| {
        decode(b, enc)
            .map(|(text, replaced)| (text.into(), replaced))
            .map_err(|_| RosterError::decode_failed())
    };
    let mut r = roster::parse_roster_with(bytes, decode, mapping, &mut |done, total| {
        post(scope, WorkerReply::Progress { done, total })
    })?;
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
            Ok(roster) => post(
                &s2,
                WorkerReply::Done {
                    roster,
                    elapsed_ms: js_sys::Date::now() - started,
                },
            ),
            Err(error) => post(&s2, WorkerReply::Error { error }),
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    post(&scope, WorkerReply::Ready);
}
