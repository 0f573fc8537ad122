//! Roster parse + validate of 100k rows against a bare `csv` crate parse of the same bytes, in
//! the same run, on every fixture of `common/fixtures.rs` (so no speed is tuned to one file).
//! `cargo bench -p rollcall-core --bench roster`.
//!
//! After criterion's groups, the two are also timed alternately, one of each per round (21
//! rounds per fixture), and the median of the per-round ratios printed: on a shared machine whose
//! speed drifts, a ratio of two runs taken seconds apart says less than one taken side by side.

use criterion::{criterion_group, BatchSize, Criterion, Throughput};
use rollcall_core::api::DestinationKind;
use rollcall_core::roster::{parse_roster, MappingOptions};

#[path = "common/fixtures.rs"]
mod fixtures;
use fixtures::ROWS;

fn bench(c: &mut Criterion) {
    for (name, _, csv) in fixtures::all() {
        let bytes = csv.into_bytes();
        let mut g = c.benchmark_group(format!("roster_100k_{name}"));
        g.sample_size(10);
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_function("bare_csv_parse", |b| b.iter(|| bare_parse(&bytes)));
        g.bench_function("core_parse_validate", |b| {
            b.iter_batched(|| (), |_| core_parse(&bytes), BatchSize::PerIteration)
        });
        g.finish();
    }
}

/// The baseline: a bare `csv` parse, one reused record, no allocation per row.
fn bare_parse(bytes: &[u8]) -> usize {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(bytes);
    let mut n = 0usize;
    let mut rec = csv::StringRecord::new();
    while rdr.read_record(&mut rec).unwrap() {
        n += rec.len();
    }
    n
}

/// What the CLI and the browser worker do with a file.
fn core_parse(bytes: &[u8]) -> rollcall_core::roster::Roster {
    let mut r = parse_roster(bytes, &MappingOptions::default()).unwrap();
    r.check_destinations(&DestinationKind::ALL);
    assert_eq!(r.rows.len(), ROWS);
    r
}

/// Alternating rounds per fixture: the median of (core ÷ bare) over rounds, and each side's median.
fn side_by_side() {
    use std::time::Instant;
    const ROUNDS: usize = 21;
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!("side by side, {ROUNDS} alternating rounds each (median of the rounds' ratios):");
    for (name, _, csv) in fixtures::all() {
        let bytes = csv.into_bytes();
        let (mut bare, mut core, mut ratio) = (vec![], vec![], vec![]);
        for _ in 0..ROUNDS {
            let t = Instant::now();
            std::hint::black_box(bare_parse(&bytes));
            let b = t.elapsed().as_secs_f64() * 1e3;
            let t = Instant::now();
            let r = std::hint::black_box(core_parse(&bytes));
            let c = t.elapsed().as_secs_f64() * 1e3;
            drop(r);
            bare.push(b);
            core.push(c);
            ratio.push(c / b);
        }
        println!(
            "  {name:10} bare {:6.1} ms   core {:6.1} ms   core ÷ bare {:.2}×",
            median(&mut bare),
            median(&mut core),
            median(&mut ratio)
        );
    }
}

criterion_group!(benches, bench);

fn main() {
    benches();
    criterion::Criterion::default()
        .configure_from_args()
        .final_summary();
    side_by_side();
}
