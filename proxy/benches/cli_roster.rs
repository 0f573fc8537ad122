//! `rollcall roster check` on a 100,000-row UTF-8 CSV as a whole process (start-up, reading,
//! parsing, validating, printing), against a bare `csv`-crate parse of the same file, also a
//! whole process: this bench binary re-run with `ROLLCALL_BARE_CSV=<file>`, which reads the file
//! and counts its fields with one reused `StringRecord`. Both release builds, run alternately,
//! median of 15 each. `cargo bench -p rollcall --bench cli_roster`.

use std::process::{Command, Stdio};
use std::time::Instant;

const RUNS: usize = 15;

#[path = "../../core/benches/common/roster_100k.rs"]
#[allow(dead_code)]
mod fixture;

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
    let file = dir.path().join("roster-100k.csv");
    std::fs::write(&file, fixture::roster_100k()).unwrap();
    let me = std::env::current_exe().unwrap();
    let (mut bare, mut cli, mut cli_json) = (vec![], vec![], vec![]);
    for _ in 0..RUNS {
        bare.push(time(Command::new(&me).env("ROLLCALL_BARE_CSV", &file)));
        cli.push(time(
            Command::new(env!("CARGO_BIN_EXE_rollcall"))
                .args(["roster", "check"])
                .arg(&file),
        ));
        cli_json.push(time(
            Command::new(env!("CARGO_BIN_EXE_rollcall"))
                .args([
                    "roster",
                    "check",
                    "--json",
                    "--to",
                    "tencent-meeting",
                    "--to",
                    "tencent-im",
                    "--to",
                    "huiyi31",
                ])
                .arg(&file),
        ));
    }
    let (b, c, j) = (median(bare), median(cli), median(cli_json));
    println!("100k-row CSV, whole process, median of {RUNS}:");
    println!("  bare csv parse                                  {b:7.1} ms");
    println!(
        "  rollcall roster check                           {c:7.1} ms  ({:.1}×)",
        c / b
    );
    println!(
        "  rollcall roster check --json --to (all three)   {j:7.1} ms  ({:.1}×)",
        j / b
    );
}
