//! The roster worker: fetched only when a file is dropped. It sniffs, decodes (UTF-8 in place,
//! GBK through the browser's TextDecoder), parses CSV or XLSX and validates with core, posting
//! progress, so the page stays responsive on 100k rows.
//!
//! In:  `{"bytes": Uint8Array, "mapping": "<MappingOptions JSON>"}`
//! Out: core's `api::WorkerReply` as UTF-8 JSON in a transferred `ArrayBuffer`: `ready`,
//! `progress`…, then `read` (the summary) and `rows` pages, or `error`.

use std::borrow::Cow;

use rollcall_core::api::{DestinationKind, WorkerReply, WORKER_PAGE_ROWS};
use rollcall_core::roster::{self, MappingOptions, RosterError, TextEncoding};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

/// Posts a reply as UTF-8 JSON bytes in a transferred buffer: no UTF-16 string to build here and
/// take apart in the page, and no copy in between (a 100k-row roster is ~12 MB of JSON).
fn post(scope: &DedicatedWorkerGlobalScope, msg: WorkerReply) {
    if let Ok(bytes) = serde_json::to_vec(&msg) {
        let buffer = js_sys::Uint8Array::from(&bytes[..]).buffer();
        let _ = scope.post_message_with_transfer(&buffer, &js_sys::Array::of1(&buffer));
    }
}

/// Hands the roster over: what was read and its summary at once (timed up to here), then the
/// rows a page at a time (core's `WorkerReply::hand_over`).
fn post_roster(scope: &DedicatedWorkerGlobalScope, roster: roster::Roster, started: f64) {
    let elapsed = js_sys::Date::now() - started;
    let (read, pages) = WorkerReply::hand_over(roster, WORKER_PAGE_ROWS, elapsed);
    post(scope, read);
    for page in pages {
        post(scope, page);
    }
}

/// UTF-8 is read in place (borrowed when valid; invalid bytes replaced as the browser's decoder
/// and encoding_rs do), so the text is not copied into a JS string and back; GBK goes through
/// the browser's TextDecoder (GB18030).
fn decode(bytes: &[u8], enc: TextEncoding) -> Result<(Cow<'_, str>, bool), JsValue> {
    let body = if enc == TextEncoding::Utf8Bom {
        &bytes[3..]
    } else {
        bytes
    };
    if enc != TextEncoding::Gbk {
        let text = String::from_utf8_lossy(body);
        let replaced = matches!(text, Cow::Owned(_));
        return Ok((text, replaced));
    }
    let opts = web_sys::TextDecoderOptions::new();
    let d = web_sys::TextDecoder::new_with_label_and_options(enc.whatwg_label(), &opts)?;
    let text = d.decode_with_u8_array(body)?;
    let replaced = text.contains('\u{FFFD}');
    Ok((Cow::Owned(text), replaced))
}

fn parse(
    scope: &DedicatedWorkerGlobalScope,
    bytes: &[u8],
    mapping: &MappingOptions,
) -> Result<roster::Roster, RosterError> {
    let decode = |b, enc| decode(b, enc).map_err(|_| RosterError::decode_failed());
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
            Ok(roster) => post_roster(&s2, roster, started),
            Err(error) => post(&s2, WorkerReply::Error { error }),
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    post(&scope, WorkerReply::Ready);
}
