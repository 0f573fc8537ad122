//! Headers no known name matches: the field they resemble, with how closely, never below the
//! threshold; and how well a kept mapping's headers fit a new file's.

use rollcall_core::roster::{auto_field, guess_field, headers_match, FieldKind, GUESS_THRESHOLD};

#[test]
fn an_unknown_header_is_matched_by_edit_distance_or_a_name_inside_it() {
    for (header, field) in [
        ("联系手机", FieldKind::Phone),
        ("参会人手机号码", FieldKind::Phone),
        ("E-mial", FieldKind::Email),
        ("emial", FieldKind::Email),
        ("公司名", FieldKind::Company),
        ("Mobile No", FieldKind::Phone),
    ] {
        assert_eq!(
            auto_field(header),
            FieldKind::Custom,
            "{header} is not an exact name"
        );
        let g = guess_field(header).unwrap_or_else(|| panic!("{header}: no guess"));
        assert_eq!(g.field, field, "{header}: {g:?}");
        assert!(
            g.confidence >= GUESS_THRESHOLD && g.confidence <= 1.0,
            "{g:?}"
        );
    }
}

#[test]
fn no_guess_for_a_known_header_or_one_like_nothing() {
    assert_eq!(
        guess_field("手机号"),
        None,
        "known: mapped exactly, not guessed"
    );
    for header in [
        "备注",
        "饮食偏好",
        "T恤尺码",
        "",
        "x",
        "hotel",
        "time",
        "Timezone",
    ] {
        assert_eq!(guess_field(header), None, "{header}");
    }
}

#[test]
fn a_kept_mapping_fits_the_same_headers_in_any_order_best() {
    let h = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let file = h(&["姓名", "手机号", "邮箱"]);
    assert_eq!(headers_match(&file, &h(&["邮箱", "姓名", "手机号"])), 1.0);
    // Brackets and spaces as the exact mapping ignores them.
    assert_eq!(
        headers_match(&file, &h(&["姓名 ", "手机号（必填）", "邮箱"])),
        1.0
    );
    let partly = headers_match(&file, &h(&["姓名", "手机号", "公司"]));
    assert!(partly > 0.0 && partly < 1.0, "{partly}");
    assert_eq!(headers_match(&file, &h(&["a", "b"])), 0.0);
    assert_eq!(headers_match(&[], &[]), 0.0);
}
