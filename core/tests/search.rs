//! The preview's search: every row whose cell holds the query, found by one search through all
//! the cells' text — never a match that runs from one cell into the next or lies past the
//! header's width, ASCII letters in any case. Checked against asking each cell on its own.

use proptest::prelude::*;
use rollcall_core::api::DestinationKind;
use rollcall_core::roster::{self, Edits, MappingOptions, RowFilter, Search};

/// A roster of `rows` (cells without the CSV's delimiter, quotes or line ends).
fn roster_of(rows: &[Vec<String>]) -> roster::Roster {
    let mut csv = String::from("姓名,公司,职位\n");
    for r in rows {
        csv.push_str(&r.join(","));
        csv.push('\n');
    }
    roster::parse_roster(csv.as_bytes(), &MappingOptions::default()).unwrap()
}

fn shown(r: &roster::Roster, q: &str) -> Vec<u32> {
    Edits::default().rows_shown(r, &DestinationKind::ALL, RowFilter::All, &Search::new(q))
}

/// Each cell asked on its own: the answer the one search must give.
fn by_cell(r: &roster::Roster, q: &str) -> Vec<u32> {
    let s = Search::new(q);
    r.rows
        .iter()
        .filter(|row| s.is_empty() || row.cells().take(r.columns.len()).any(|c| s.matches(c)))
        .map(|row| row.row)
        .collect()
}

#[test]
fn a_match_stays_inside_one_cell() {
    let r = roster_of(&[
        vec!["ab".into(), "cd".into(), "x".into()],
        vec!["abc".into(), "d".into(), "".into()],
        vec!["".into(), "".into(), "ABCD".into()],
    ]);
    // "bc" runs from row 2's first cell into its second: not a match.
    assert_eq!(shown(&r, "bc"), vec![3, 4]);
    assert_eq!(shown(&r, "abcd"), vec![4]);
    assert_eq!(shown(&r, "dx"), Vec::<u32>::new(), "across cells");
    assert_eq!(shown(&r, "dabc"), Vec::<u32>::new(), "across rows");
    assert_eq!(shown(&r, " "), vec![2, 3, 4], "blank: every row");
    // A cell past the header's width is not shown, so not searched.
    let wide = roster_of(&[vec!["a".into(), "b".into(), "c".into(), "hidden".into()]]);
    assert_eq!(shown(&wide, "hidden"), Vec::<u32>::new());
    assert_eq!(shown(&wide, "c"), vec![2]);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]
    #[test]
    fn one_search_finds_what_each_cell_would(
        // Short rows, and rows longer than the header (their extra cells are not shown).
        rows in prop::collection::vec(prop::collection::vec("[aAbB1中 ]{0,4}", 1..6), 0..12),
        q in "[aAbB1中]{1,3}",
    ) {
        let r = roster_of(&rows);
        prop_assert_eq!(shown(&r, &q), by_cell(&r, &q));
    }
}
