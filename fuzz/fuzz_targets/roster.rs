//! Any bytes: the roster parser returns a roster or a clear error, never panics, and every row it
//! returns is accounted for in the summary.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rollcall_core::api::DestinationKind;
use rollcall_core::roster::{parse_roster, MappingOptions};

fuzz_target!(|data: &[u8]| {
    if let Ok(mut r) = parse_roster(data, &MappingOptions::default()) {
        r.check_destinations(&DestinationKind::ALL);
        let s = r.summary(&DestinationKind::ALL);
        assert_eq!(s.valid + s.invalid, s.rows);
    }
});
