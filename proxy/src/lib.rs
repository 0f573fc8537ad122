//! The Rollcall proxy as a library: the binary (`main.rs`) and the integration tests use it.
//!
//! - [`providers`]: signed clients for the four providers (one module each);
//! - [`sandbox`]: fake providers faithful to the docs (one module each, mirroring `providers`);
//! - [`server`]: the HTTP API, SSO identity, CSRF, UI serving;
//! - [`jobs`]: the import-job journal and runner;
//! - [`sync`]: continuous sync (a webinar's new enrollees to other destinations);
//! - [`config`]: the TOML file and the environment; [`app`]: the clients and metrics shared by
//!   the server, the runner and the syncs;
//! - [`cli`]: the command-line tools; [`serve`]: start-up; [`util`]: small shared helpers.

// Error types here are HTTP responses (`Rejection`, axum `Response`), built on the error path only;
// boxing them would add noise without a measurable gain.
#![allow(clippy::result_large_err)]

pub mod app;
pub mod cli;
pub mod config;
pub mod jobs;
pub mod providers;
pub mod sandbox;
pub mod serve;
pub mod server;
pub mod sync;
pub mod util;
