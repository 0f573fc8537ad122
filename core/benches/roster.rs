//! Roster parse + validate of 100k rows, against a bare `csv` crate parse of the same bytes, in
//! the same run. `cargo bench -p rollcall-core --bench roster`.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use rollcall_core::api::DestinationKind;
use rollcall_core::roster::{parse_roster, MappingOptions};

#[path = "common/roster_100k.rs"]
mod fixture;
use fixture::ROWS;

fn roster_bytes() -> Vec<u8> {
    fixture::roster_100k().into_bytes()
}

fn bench(c: &mut Criterion) {
    let bytes = roster_bytes();
    let mut g = c.benchmark_group("roster_100k");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function("bare_csv_parse", |b| {
        b.iter(|| {
            let mut rdr = csv::ReaderBuilder::new()
                .has_headers(true)
                .from_reader(&bytes[..]);
            let mut n = 0usize;
            let mut rec = csv::StringRecord::new();
            while rdr.read_record(&mut rec).unwrap() {
                n += rec.len();
            }
            n
        })
    });
    g.bench_function("core_parse_validate", |b| {
        b.iter_batched(
            || (),
            |_| {
                let mut r = parse_roster(&bytes, &MappingOptions::default()).unwrap();
                r.check_destinations(&DestinationKind::ALL);
                assert_eq!(r.rows.len(), ROWS);
                r
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
