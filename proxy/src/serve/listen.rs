//! Accepting connections: the listener, the header timeout for every protocol (HTTP/1 and the
//! HTTP/2 preface), accept errors backed off, and shutdown on a signal.

use super::*;

pub(super) async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

/// Binds and prints the real address (port 0 picks a free one) on stdout, for people and tests.
pub(super) async fn bind(addr: SocketAddr, what: &str) -> Result<(TcpListener, SocketAddr)> {
    let l = TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let local = l.local_addr()?;
    tracing::info!(%local, "{what} listening");
    Ok((l, local))
}

/// Accepts connections until a shutdown signal: at most `max_connections` open at once, and a
/// client that has not sent its request headers within `header_timeout` is disconnected (a
/// half-sent request cannot hold a connection). Each request sees its peer as `ConnectInfo`.
/// How connections are served.
#[derive(Clone)]
pub(super) struct Listen {
    /// A connection that has not sent a whole request head by then is closed — whatever it
    /// speaks, including nothing at all or half an HTTP/2 preface.
    pub(super) header_timeout: Duration,
    pub(super) max_connections: usize,
    /// HTTP/2 as well as HTTP/1.1 (`server.http2`); off by default.
    pub(super) http2: bool,
}

/// The HTTP/2 connection preface.
pub(super) const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// Waits, at most `limit`, until the connection has sent enough to choose its protocol: a first
/// byte for HTTP/1.1 only; with HTTP/2, the whole preface or a byte that departs from it.
/// `None`: closed, or nothing useful in time.
pub(super) async fn first_bytes(
    stream: &tokio::net::TcpStream,
    limit: Duration,
    http2: bool,
) -> Option<()> {
    let wait = async {
        let mut buf = [0u8; 24];
        loop {
            let n = stream.peek(&mut buf).await.ok()?;
            if n == 0 {
                return None;
            }
            if !http2 || n >= H2_PREFACE.len() || buf[..n] != H2_PREFACE[..n] {
                return Some(());
            }
            // A partial preface: wait for more (peek returns at once while data is buffered).
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(limit, wait).await.ok().flatten()
}

pub(super) async fn serve_connections(
    l: tokio::net::TcpListener,
    app: axum::Router,
    cfg: Listen,
) -> Result<()> {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    use hyper_util::server::conn::auto::Builder;
    use tower::Service;
    let slots = Arc::new(tokio::sync::Semaphore::new(cfg.max_connections.max(1)));
    let mut make = app.into_make_service_with_connect_info::<SocketAddr>();
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    let mut open = tokio::task::JoinSet::new();
    // After an accept error (out of file descriptors…), wait before the next: 10 ms doubling
    // to 1 s, back to 10 ms after a success.
    let mut backoff = Duration::from_millis(10);
    loop {
        let slot = tokio::select! {
            s = slots.clone().acquire_owned() => s?,
            _ = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            r = l.accept() => match r {
                Ok(x) => {
                    backoff = Duration::from_millis(10);
                    x
                }
                Err(e) => {
                    tracing::warn!(error = %e, wait_ms = backoff.as_millis() as u64, "accept failed");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(1));
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let svc = make.call(peer).await.unwrap_or_else(|e| match e {});
        let svc = hyper_util::service::TowerToHyperService::new(svc);
        let cfg = cfg.clone();
        open.spawn(async move {
            let _slot = slot;
            if first_bytes(&stream, cfg.header_timeout, cfg.http2)
                .await
                .is_none()
            {
                return;
            }
            let io = TokioIo::new(stream);
            if cfg.http2 {
                let mut b = Builder::new(TokioExecutor::new());
                b.http1()
                    .timer(TokioTimer::new())
                    .header_read_timeout(cfg.header_timeout);
                b.http2()
                    .timer(TokioTimer::new())
                    .keep_alive_interval(Some(cfg.header_timeout));
                let _ = b.serve_connection_with_upgrades(io, svc).await;
            } else {
                let mut b = hyper::server::conn::http1::Builder::new();
                b.timer(TokioTimer::new())
                    .header_read_timeout(cfg.header_timeout);
                let _ = b.serve_connection(io, svc).with_upgrades().await;
            }
        });
        while open.try_join_next().is_some() {}
    }
    // Let requests under way finish (briefly), as axum's graceful shutdown did.
    let _ = tokio::time::timeout(Duration::from_secs(5), async {
        while open.join_next().await.is_some() {}
    })
    .await;
    Ok(())
}
