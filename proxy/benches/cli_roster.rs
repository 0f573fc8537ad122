//! `rollcall roster check --json` on each 100,000-row fixture (`core/benches/common/fixtures.rs`)
//! as a whole process (start-up, reading, parsing, validating, printing), against a bare
//! `csv`-crate parse of the same file, also a whole process: this bench binary re-run with
//! `ROLLCALL_BARE_CSV=<file>`, which reads the file and counts its fields with one reused
//! `StringRecord`. Both release builds, run alternately, median of 15 each; the goal (≤ 1.5× on
//! the clean files, ≤ 2.5× on the realistic one) is printed met or not.
//! `cargo bench -p rollcall --bench cli_roster`.

use std::process::{Command, Stdio};
use std::time::Instant;

const RUNS: usize = 15;

#[path = "../../core/benches/common/fixtures.rs"]
mod fixtures;

/// The bare parse, when this binary is re-run as the baseline process.
fn bare_parse(path: &str) {
    let bytes = std::fs::read(path).unwrap();
    let mut rdr = csv::ReaderBuilder::new().from_reader(&bytes[..]);
    let mut rec = csv::StringRecord::new();
    let mut n = 0usize;
    while rdr.read_record(&mut rec).unwrap() {
        n += rec.len();
    }
    println!("{n} fields");
}

fn time(cmd: &mut Command) -> f64 {
    let t = Instant::now();
    let status = cmd.stdout(Stdio::null()).status().unwrap();
    assert!(status.success(), "{cmd:?} failed");
    t.elapsed().as_secs_f64() * 1000.0
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    if let Ok(path) = std::env::var("ROLLCALL_BARE_CSV") {
        return bare_parse(&path);
    }
    let dir = tempfile::tempdir().unwrap();
    let me = std::env::current_exe().unwrap();
    println!("100k-row CSVs, whole process, median of {RUNS} alternating runs:");
    println!("  fixture     bare csv   roster check --json   ratio   goal");
    let mut missed = Vec::new();
    for (name, clean, csv) in fixtures::all() {
        let file = dir.path().join(format!("{name}.csv"));
        std::fs::write(&file, csv).unwrap();
        let (mut bare, mut cli) = (vec![], vec![]);
        for _ in 0..RUNS {
            bare.push(time(Command::new(&me).env("ROLLCALL_BARE_CSV", &file)));
            cli.push(time(
                Command::new(env!("CARGO_BIN_EXE_rollcall"))
                    .args(["roster", "check", "--json"])
                    .arg(&file),
            ));
        }
        let (b, c) = (median(bare), median(cli));
        let goal = fixtures::goal(clean);
        let met = c / b <= goal;
        if !met {
            missed.push(name);
        }
        println!(
            "  {name:10} {b:7.1} ms   {c:13.1} ms   {:5.2}×   ≤ {goal}× {}",
            c / b,
            if met { "met" } else { "NOT met" }
        );
    }
    if !missed.is_empty() {
        println!("goal not met on: {}", missed.join(", "));
    }
}
