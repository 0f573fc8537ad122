//! The signers reproduce the vectors produced by the providers' official client libraries.

use rollcall::providers::{tencent_im, tencent_meeting};
use serde_json::Value;

fn vectors(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/vectors/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn tencent_meeting_signatures_match_the_official_sdk() {
    let v = vectors("tencent_meeting_signature.json");
    let list = v["vectors"].as_array().unwrap();
    assert!(list.len() >= 5);
    for vec in list {
        let i = &vec["inputs"];
        let s = |k: &str| i[k].as_str().unwrap().to_string();
        let sts = tencent_meeting::string_to_sign(
            &s("method"),
            &s("uri_signed"),
            s("body_utf8").as_bytes(),
            &s("nonce"),
            &s("timestamp"),
            &s("secret_id"),
        );
        assert_eq!(
            String::from_utf8(sts.clone()).unwrap(),
            vec["intermediate"]["string_to_sign"].as_str().unwrap(),
            "{}",
            vec["id"]
        );
        let sig = tencent_meeting::signature(&sts, &s("secret_key"));
        assert_eq!(
            sig,
            vec["expected"]["x_tc_signature"].as_str().unwrap(),
            "{}",
            vec["id"]
        );
        assert_eq!(sig.len(), 88);
        assert!(tencent_meeting::verify(&sts, &s("secret_key"), &sig));
        assert!(!tencent_meeting::verify(&sts, "wrong key", &sig));
    }
}

#[test]
fn usersig_fields_and_tls_sig_match_the_official_library() {
    let v = vectors("tls_sig_api_v2_usersig.json");
    for vec in v["vectors"].as_array().unwrap() {
        let i = &vec["inputs"];
        let sdkappid = i["sdkappid"].as_u64().unwrap();
        let key = i["key"].as_str().unwrap();
        let ident = i["identifier"].as_str().unwrap();
        let expire = i["expire"].as_u64().unwrap();
        let time = i["curr_time_used"].as_u64().unwrap();
        let userbuf = i["userbuf_hex"].as_str().map(|h| hex::decode(h).unwrap());
        let content =
            tencent_im::content_to_sign(sdkappid, ident, time, expire, userbuf.as_deref());
        assert_eq!(
            content,
            vec["intermediate"]["content_to_be_signed"]
                .as_str()
                .unwrap(),
            "{}",
            vec["id"]
        );
        assert_eq!(
            tencent_im::tls_sig(key, &content),
            vec["intermediate"]["tls_sig_base64"].as_str().unwrap(),
            "{}",
            vec["id"]
        );
        // Compare decoded fields, never UserSig bytes (the official libraries differ in bytes).
        let ours = tencent_im::gen_usersig(sdkappid, key, ident, expire, time, userbuf.as_deref());
        assert!(ours
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"*-_".contains(&b)));
        let decoded = Value::Object(tencent_im::decode_usersig(&ours).unwrap());
        assert_eq!(
            decoded, vec["expected"]["decoded_document"],
            "{}",
            vec["id"]
        );
        // The official library's UserSig decodes to the same document too.
        let theirs = Value::Object(
            tencent_im::decode_usersig(vec["expected"]["usersig"].as_str().unwrap()).unwrap(),
        );
        assert_eq!(theirs, decoded);
        // And it verifies (at issue time), with the right key only.
        assert_eq!(
            tencent_im::verify_usersig(&ours, key, sdkappid, ident, time),
            Ok(time)
        );
        assert_eq!(
            tencent_im::verify_usersig(&ours, "other", sdkappid, ident, time),
            Err(tencent_im::UserSigError::BadSignature)
        );
        assert_eq!(
            tencent_im::verify_usersig(&ours, key, sdkappid, ident, time + expire + 1),
            Err(tencent_im::UserSigError::Expired)
        );
    }
}

#[test]
fn usersig_rejects_garbage_and_mismatches() {
    use tencent_im::UserSigError::*;
    assert_eq!(
        tencent_im::verify_usersig("not-a-sig", "k", 1, "a", 0),
        Err(Malformed)
    );
    let sig = tencent_im::gen_usersig(1400000000, "k", "admin", 86400, 1_700_000_000, None);
    assert_eq!(
        tencent_im::verify_usersig(&sig, "k", 1400000001, "admin", 1_700_000_000),
        Err(Mismatch(70014))
    );
    assert_eq!(
        tencent_im::verify_usersig(&sig, "k", 1400000000, "other", 1_700_000_000),
        Err(Mismatch(70013))
    );
    assert_eq!(
        tencent_im::verify_usersig(
            &sig[..sig.len() / 2],
            "k",
            1400000000,
            "admin",
            1_700_000_000
        ),
        Err(Malformed)
    );
}
