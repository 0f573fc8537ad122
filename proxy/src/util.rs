//! Small helpers several layers share: the clock, host and port text, a URL path segment.

/// Seconds since the Unix epoch (0 if the clock is before it).
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// `host:port`, `[v6]:port`, or a name alone → (host without brackets, port text if any).
pub fn split_host_port(authority: &str) -> (&str, Option<&str>) {
    let (name, port) = match authority.rsplit_once(':') {
        Some((n, p)) if !n.ends_with(':') && !p.contains(']') => (n, Some(p)),
        _ => (authority, None),
    };
    (name.trim_start_matches('[').trim_end_matches(']'), port)
}

/// `localhost` or a loopback address (127.x.x.x, ::1).
pub fn is_loopback_name(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Percent-encodes an id for a URL path or query (RFC 3986 unreserved characters kept): the one
/// encoder the provider clients and the CLI use.
pub fn url_segment(s: &str) -> String {
    use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
    const RESERVED: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    utf8_percent_encode(s, RESERVED).to_string()
}
