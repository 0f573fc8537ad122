//! How PostgreSQL's errors read to the journal's callers: an outage (wait and retry) or a
//! fault of the data, with their causes spelled out.

use crate::jobs::store::StoreError;

/// Whether the error means the database could not be reached (nothing was decided).
pub fn is_connection_error(e: &tokio_postgres::Error) -> bool {
    if e.is_closed() {
        return true;
    }
    if let Some(code) = e.code() {
        // 08: connection exception; 57P01..03: shutting down / cannot connect now.
        let c = code.code();
        return c.starts_with("08") || matches!(c, "57P01" | "57P02" | "57P03");
    }
    std::error::Error::source(e).is_some_and(|s| s.is::<std::io::Error>())
}

pub(super) fn pool_error(e: deadpool_postgres::PoolError) -> StoreError {
    match e {
        deadpool_postgres::PoolError::Backend(e) if !is_connection_error(&e) => {
            StoreError::Postgres(e)
        }
        other => StoreError::Unavailable(with_causes(&other)),
    }
}

/// An error and its causes, so an operator reads "error performing TLS handshake: invalid peer
/// certificate: UnknownIssuer" rather than only the first line.
pub(super) fn with_causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let more = c.to_string();
        if !text.contains(&more) {
            text = format!("{text}: {more}");
        }
        cause = c.source();
    }
    text
}
