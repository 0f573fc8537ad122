//! # rollcall-core
//!
//! The single source of truth shared by the proxy (native) and the UI (wasm32):
//!
//! - [`providers`]: wire types for the four provider APIs, their validation rules and their
//!   error classification, one module per provider;
//! - [`roster`]: attendee-list import (CSV/XLSX bytes → rows + every problem);
//! - [`destination`]: where a roster goes and what each kind of destination needs from a row;
//! - [`plan`]: splitting a roster into provider-sized batches;
//! - [`api`]: the proxy's own JSON API types (jobs, destinations, row states);
//! - [`problem`]: the bilingual problem type every validator returns;
//! - [`sync`]: continuous sync's API types and rules (sources, bounds, who a poll sends).
//!
//! No I/O, no clock, no randomness: callers pass `now` in.

pub mod api;
pub mod codes;
pub mod destination;
pub mod export;
pub mod plan;
pub mod problem;
pub mod providers;
pub mod roster;
pub mod sync;
pub mod text;

mod num_enum;

pub use codes::{ApiErrorCode, JobNote, OutcomeCode, ProblemCode};
pub use problem::Problem;
pub use text::Text;
