//! Every problem and outcome code the source can produce is listed in ARCHITECTURE.md (the
//! stable codes a script or a person may rely on). The codes are read from the source: the code
//! argument of every `Problems::push`, `Problem::new`, `RowProblem::new`, `row_needs` entry,
//! `PhoneError`, `Outcome::note` and `skip_pending` call.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The top-level arguments of a call whose `(` ends at `start`.
fn args(text: &str, start: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut cur = String::new();
    let mut chars = text[start..].chars().peekable();
    let mut in_str = false;
    while let Some(c) = chars.next() {
        if in_str {
            cur.push(c);
            if c == '\\' {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            } else if c == '"' {
                in_str = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_str = true;
                cur.push(c);
            }
            '(' | '[' | '{' => {
                depth += 1;
                cur.push(c);
            }
            ')' | ']' | '}' if depth == 0 => {
                // A trailing comma leaves nothing after it.
                if !cur.trim().is_empty() {
                    out.push(cur.trim().to_string());
                }
                return out;
            }
            ')' | ']' | '}' => {
                depth -= 1;
                cur.push(c);
            }
            ',' if depth == 0 => {
                out.push(cur.trim().to_string());
                cur.clear();
            }
            _ => cur.push(c),
        }
    }
    out
}

/// A plain snake_case string literal's value.
fn code(arg: &str) -> Option<String> {
    let v = arg.strip_prefix('"')?.strip_suffix('"')?;
    (!v.is_empty()
        && v.starts_with(|c: char| c.is_ascii_lowercase())
        && v.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
    .then(|| v.to_string())
}

fn codes_in(text: &str) -> BTreeSet<String> {
    // (call marker, index of the code argument)
    let calls: [(&str, usize); 6] = [
        ("RosterError::new(", 0),
        ("Problem::new(", 0),
        ("RowProblem::new(", 2),
        ("Outcome::note(", 0),
        ("skip_pending(", 2),
        (".push(", 0),
    ];
    let mut out = BTreeSet::new();
    for (marker, idx) in calls {
        for (i, _) in text.match_indices(marker) {
            let a = args(text, i + marker.len());
            let Some(arg) = a.get(idx) else { continue };
            // `out.push((FieldKind::…, "code", …))`: a tuple's second element.
            if let Some(inner) = arg.strip_prefix('(') {
                if let Some(c) = args(inner, 0).get(1).and_then(|a| code(a)) {
                    out.insert(c);
                }
            } else if let Some(c) = code(arg) {
                // `.push("code", "field", zh, en)` is `Problems::push`: four arguments.
                if marker != ".push(" || a.len() == 4 {
                    out.insert(c);
                }
            }
        }
    }
    for (i, _) in text.match_indices("code: \"") {
        let rest = &text[i + 6..];
        if let Some(end) = rest[1..].find('"') {
            if let Some(c) = code(&rest[..end + 2]) {
                out.insert(c);
            }
        }
    }
    out
}

#[test]
fn every_problem_and_outcome_code_is_documented() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut files = Vec::new();
    rust_files(&root.join("core/src"), &mut files);
    rust_files(&root.join("proxy/src/jobs"), &mut files);
    let mut found = BTreeSet::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        // Tests construct made-up outcomes; only what the product produces counts.
        let text = text.split("#[cfg(test)]").next().unwrap();
        found.extend(codes_in(text));
    }
    assert!(
        found.len() > 50,
        "the scan finds the codes ({} found): {found:?}",
        found.len()
    );
    for known in [
        "phone_invalid",
        "webinar_cap_exceeded",
        "retries_exhausted",
        "user_non_registered",
        "password_ignored",
    ] {
        assert!(found.contains(known), "the scan sees {known}: {found:?}");
    }
    let doc = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    let missing: Vec<&String> = found
        .iter()
        .filter(|c| !doc.contains(&format!("`{c}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "codes the source produces but ARCHITECTURE.md does not list: {missing:?}"
    );
}

#[test]
fn the_scan_reads_each_call_shape() {
    let src = r#"
        p.push("too_long", "field", "中", "en");
        v.push(x);
        Problem::new("from_new", "f", "z", "e");
        RowProblem::new(row, header, "row_code", Severity::Error, &zh, &en);
        out.push((FieldKind::Phone, "tuple_code", zh, en));
        Outcome::note("outcome_code", Text::new("z", "e"));
        self.skip_pending(id, d, "skip_code", reason);
        PhoneError { code: "struct_code", zh };
    "#;
    let found: Vec<String> = codes_in(src).into_iter().collect();
    assert_eq!(
        found,
        [
            "from_new",
            "outcome_code",
            "row_code",
            "skip_code",
            "struct_code",
            "too_long",
            "tuple_code"
        ]
    );
}

/// The jobs code stays in rooms of a readable size (ARCHITECTURE.md: one module per concern):
/// no file under `proxy/src/jobs/` grows past 350 lines, and no provider error-code literal
/// lives there (the codes and their classes are core's).
#[test]
fn jobs_modules_stay_small_and_hold_no_provider_codes() {
    let mut all = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src/jobs"),
        &mut all,
    );
    assert!(all.len() >= 15, "{all:?}");
    for f in &all {
        let text = std::fs::read_to_string(f).unwrap();
        let lines = text.lines().count();
        assert!(lines <= 350, "{} has {lines} lines", f.display());
        // Documented provider codes (Tencent Meeting 1903xx/9003…, IM 100xx, WeCom 4xxxx…).
        for code in [
            "190310", "190300", "10002", "10004", "10006", "10007", "10010", "45009", "40014",
            "42001",
        ] {
            // Test code scripts made-up provider answers.
            let in_tests = f.file_name().is_some_and(|n| {
                let n = n.to_string_lossy();
                n == "tests.rs" || n.ends_with("_tests.rs")
            });
            assert!(
                in_tests || !text.contains(code),
                "{} holds the provider code {code}: classify it in core",
                f.display()
            );
        }
    }
}
