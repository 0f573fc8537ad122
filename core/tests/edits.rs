//! Fixing a roster in place: an edited row is checked again by the rules the file went through,
//! the column tools count what they would change, and the one-click fixes are the
//! normalisations the rules already make.

use rollcall_core::api::DestinationKind;
use rollcall_core::codes::ProblemCode;
use rollcall_core::roster::{self, replace_in, suggested_fix, Edits, FieldKind, MappingOptions};

fn roster() -> roster::Roster {
    let csv = "姓名,手机号,邮箱,IM账号\n张三,13800138000,zs@example.com,zs\n李四,1380013,ls@example.com,ls\n王五,13900139000,ww@example,ww\n张三,13800138000,zs2@example.com,zs2\n";
    let mut r = roster::parse_roster(csv.as_bytes(), &MappingOptions::default()).unwrap();
    r.check_destinations(&DestinationKind::ALL);
    r
}

#[test]
fn an_edited_cell_is_checked_again_by_the_same_rules() {
    let r = roster();
    let options = MappingOptions::default();
    let mut e = Edits::default();
    // Row 3's phone is too short: an error until it is fixed.
    assert!(r.invalid_for(&DestinationKind::ALL).contains(&3));
    assert!(e
        .problems(&r, 3)
        .iter()
        .any(|p| p.column.as_deref() == Some("手机号")));
    assert!(e.set(&r, &options, 3, 1, "13800138001"));
    assert!(e.problems(&r, 3).is_empty(), "{:?}", e.problems(&r, 3));
    assert!(!e.invalid_for(&r, &DestinationKind::ALL).contains(&3));
    assert_eq!(e.cells_changed(), 1);
    assert!(e.is_changed(3, 1));
    assert_eq!(e.cells_of(&r, 3)[1], "13800138001");
    let at = r.rows.position_of(3).unwrap();
    assert_eq!(e.cell(&r, at, 1), Some("13800138001"));
    // Typing a wrong value again brings the error back, with the rules' own code.
    e.set(&r, &options, 3, 1, "12345");
    assert!(e.invalid_for(&r, &DestinationKind::ALL).contains(&3));
    assert!(e
        .problems(&r, 3)
        .iter()
        .any(|p| p.code.as_str().starts_with("phone")));
    // Back to the file's value: no longer an edit.
    e.set(&r, &options, 3, 1, "1380013");
    assert!(e.is_empty());
    // A bad e-mail fixed; the job is told which cell.
    e.set(&r, &options, 4, 2, "ww@example.com");
    assert!(!e.invalid_for(&r, &DestinationKind::ALL).contains(&4));
    let changed = e.changed_cells(&r);
    assert_eq!(changed.len(), 1);
    assert_eq!((changed[0].row, changed[0].column.as_str()), (4, "邮箱"));
    // No such row or column.
    assert!(!e.set(&r, &options, 99, 0, "x"));
    assert!(!e.set(&r, &options, 2, 9, "x"));
}

#[test]
fn duplicates_are_found_again_across_every_row() {
    let r = roster();
    let options = MappingOptions::default();
    let dup = |e: &Edits, row: u32| {
        e.problems(&r, row)
            .iter()
            .any(|p| p.code == ProblemCode::Duplicate)
    };
    let mut e = Edits::default();
    // Row 5 repeats row 2's phone; an edit elsewhere in its row keeps it a duplicate.
    assert!(dup(&e, 5));
    e.set(&r, &options, 5, 0, "张三丰");
    assert!(dup(&e, 5));
    assert!(e.invalid_for(&r, &DestinationKind::ALL).contains(&5));
    // Its phone changed: a duplicate no more, and valid.
    e.set(&r, &options, 5, 1, "13700137000");
    assert!(!dup(&e, 5), "{:?}", e.problems(&r, 5));
    assert!(!e.invalid_for(&r, &DestinationKind::ALL).contains(&5));
    // Row 3 edited into row 2's phone: now the duplicate, though its other cells are fine.
    e.set(&r, &options, 3, 1, "13800138000");
    assert!(dup(&e, 3));
    assert!(e.invalid_for(&r, &DestinationKind::ALL).contains(&3));
    // Row 2 (the first with that phone) changes: row 3 repeats nobody; row 5 was already moved.
    e.set(&r, &options, 2, 1, "13600136000");
    assert!(!dup(&e, 3), "{:?}", e.problems(&r, 3));
    // The same verdict as reading the edited file whole.
    let table: String = std::iter::once("姓名,手机号,邮箱,IM账号\n".to_string())
        .chain(r.rows.iter().map(|row| {
            e.cells_of(&r, row.row)
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(",")
                + "\n"
        }))
        .collect();
    let mut whole = roster::parse_roster(table.as_bytes(), &options).unwrap();
    whole.check_destinations(&DestinationKind::ALL);
    assert_eq!(
        e.invalid_for(&r, &DestinationKind::ALL),
        whole.invalid_for(&DestinationKind::ALL)
    );
}

#[test]
fn the_mapping_the_page_holds_is_the_one_applied() {
    // A fixed area from the mapping fills a row without one, in the re-check as in the file.
    let csv = "姓名,手机号\n张三,98765432\n";
    let mut options = MappingOptions::default();
    options.fixed.insert(FieldKind::Area, "852".into());
    let mut r = roster::parse_roster(csv.as_bytes(), &options).unwrap();
    r.check_destinations(&DestinationKind::ALL);
    let file_had: Vec<_> = r.problems.iter().filter(|p| p.row == 2).cloned().collect();
    assert!(
        !file_had
            .iter()
            .any(|p| p.column.as_deref() == Some("手机号")),
        "{file_had:?}"
    );
    let mut e = Edits::default();
    e.set(&r, &options, 2, 1, "98765433");
    // The same problems as the file's row (the IM account it lacks), none on the phone.
    assert_eq!(e.problems(&r, 2), &file_had[..]);
    // Without the fixed area the same number is refused: the options are really applied.
    e.set(&r, &MappingOptions::default(), 2, 1, "98765434");
    assert!(e
        .problems(&r, 2)
        .iter()
        .any(|p| p.column.as_deref() == Some("手机号")));
}

#[test]
fn find_and_replace_and_the_known_fixes() {
    assert_eq!(
        replace_in("示例公司", "示例", "样例").as_deref(),
        Some("样例公司")
    );
    assert_eq!(replace_in("abc", "x", "y"), None);
    assert_eq!(replace_in("abc", "", "y"), None);
    // Phones: full-width digits, spaces, a +86 before a mainland mobile.
    assert_eq!(
        suggested_fix(FieldKind::Phone, "１３８００１３８０００", None).as_deref(),
        Some("13800138000")
    );
    assert_eq!(
        suggested_fix(FieldKind::Phone, "+86 138 0013 8000", None).as_deref(),
        Some("13800138000")
    );
    assert_eq!(
        suggested_fix(FieldKind::Phone, "0086-138-0013-8000", None).as_deref(),
        Some("13800138000")
    );
    // The row's area says 852: a +86 number keeps its prefix (it would change country).
    assert_eq!(
        suggested_fix(FieldKind::Phone, "+86 138 0013 8000", Some("852")).as_deref(),
        Some("+8613800138000")
    );
    assert_eq!(
        suggested_fix(FieldKind::Phone, "+86 138 0013 8000", Some("+86")).as_deref(),
        Some("13800138000")
    );
    // Not a mainland mobile: the prefix stays (the area would be lost).
    assert_eq!(
        suggested_fix(FieldKind::Phone, "+852 9876 5432", None).as_deref(),
        Some("+85298765432")
    );
    assert_eq!(suggested_fix(FieldKind::Phone, "13800138000", None), None);
    assert_eq!(
        suggested_fix(FieldKind::Area, "+86", None).as_deref(),
        Some("86")
    );
    assert_eq!(
        suggested_fix(FieldKind::Email, "zs ＠example.com", None).as_deref(),
        Some("zs@example.com")
    );
    assert_eq!(
        suggested_fix(FieldKind::ImAccount, "z s", None),
        Some("zs".into())
    );
    assert_eq!(suggested_fix(FieldKind::Name, "张 三", None), None);
    // Each fix the rules accept: the fixed phone passes the same check.
    let fixed = suggested_fix(FieldKind::Phone, "+86 138 0013 8000", None).unwrap();
    assert!(roster::phone::is_cn_mobile(&fixed));
}

#[test]
fn the_preview_shows_rows_by_filter_and_search_as_the_cells_are_now() {
    use rollcall_core::roster::{RowFilter, Search};
    let r = roster();
    let options = MappingOptions::default();
    let all = DestinationKind::ALL;
    let mut e = Edits::default();
    let shown = |e: &Edits, f, q: &str| e.rows_shown(&r, &all, f, &Search::new(q));
    assert_eq!(shown(&e, RowFilter::All, ""), vec![2, 3, 4, 5]);
    // Row 3's short phone, row 4's e-mail, row 5 repeats row 2's phone.
    assert_eq!(shown(&e, RowFilter::Problems, ""), vec![3, 4, 5]);
    assert_eq!(shown(&e, RowFilter::Duplicates, ""), vec![5]);
    // Search: any cell, ASCII letters in any case, trimmed; narrows the filter.
    assert_eq!(shown(&e, RowFilter::All, "  ZS"), vec![2, 5]);
    assert_eq!(shown(&e, RowFilter::All, "张三"), vec![2, 5]);
    assert_eq!(shown(&e, RowFilter::Problems, "zs"), vec![5]);
    assert_eq!(shown(&e, RowFilter::All, "nobody"), Vec::<u32>::new());
    // Edited cells are what is searched and checked: row 3 fixed, row 5 a duplicate no more.
    e.set(&r, &options, 3, 1, "13800138001");
    e.set(&r, &options, 5, 1, "13700137000");
    e.set(&r, &options, 5, 2, "new@EXAMPLE.com");
    assert_eq!(shown(&e, RowFilter::Duplicates, ""), Vec::<u32>::new());
    assert_eq!(shown(&e, RowFilter::All, "new@example"), vec![5]);
    assert_eq!(shown(&e, RowFilter::All, "zs2@"), Vec::<u32>::new());
    // Fixed rows leave "problems only"; row 4's e-mail is still wrong.
    assert_eq!(shown(&e, RowFilter::Problems, ""), vec![4]);
}
