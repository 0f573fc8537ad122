//! Start-up: building provider clients from config (or the sandbox), binding, serving.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use tokio::net::TcpListener;

use crate::app::{Clients, Huiyi31, Metrics};
use crate::config::{AuthMode, Config};
use crate::jobs::retry::Pacers;
use crate::jobs::runner::Runner;
use crate::providers::{self, huiyi31, tencent_im, tencent_meeting, wecom};
use crate::sandbox::{self, demo, Accounts};
use crate::server::{self, AppState};

pub struct ServeArgs {
    pub config: Option<PathBuf>,
    pub sandbox: bool,
    pub bind: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
    pub ui_dir: Option<PathBuf>,
}

async fn shutdown_signal() {
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
async fn bind(addr: SocketAddr, what: &str) -> Result<(TcpListener, SocketAddr)> {
    let l = TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let local = l.local_addr()?;
    tracing::info!(%local, "{what} listening");
    Ok((l, local))
}

/// The accounts a sandbox accepts: those of a config (secrets from its env vars), else demo.
fn sandbox_accounts(cfg: Option<&Config>) -> Result<Accounts> {
    let mut a = Accounts::demo();
    if let Some(c) = cfg {
        if let Some(t) = &c.providers.tencent_meeting {
            a.tm_app_id = t.app_id.clone();
            a.tm_secret_id = t.secret_id.clone();
            a.tm_secret_key = t.secret()?;
        }
        if let Some(w) = &c.providers.wecom {
            a.wecom_corp_id = w.corp_id.clone();
            a.wecom_corp_secret = w.secret()?;
        }
        if let Some(i) = &c.providers.tencent_im {
            a.im_sdk_app_id = i.sdk_app_id;
            a.im_admin = i.admin_identifier.clone();
            a.im_secret_key = i.secret()?;
        }
    }
    Ok(a)
}

/// Accepts connections until a shutdown signal: at most `max_connections` open at once, and a
/// client that has not sent its request headers within `header_timeout` is disconnected (a
/// half-sent request cannot hold a connection). Each request sees its peer as `ConnectInfo`.
/// How connections are served.
#[derive(Clone)]
struct Listen {
    /// A connection that has not sent a whole request head by then is closed — whatever it
    /// speaks, including nothing at all or half an HTTP/2 preface.
    header_timeout: Duration,
    max_connections: usize,
    /// HTTP/2 as well as HTTP/1.1 (`server.http2`); off by default.
    http2: bool,
}

/// The HTTP/2 connection preface.
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// Waits, at most `limit`, until the connection has sent enough to choose its protocol: a first
/// byte for HTTP/1.1 only; with HTTP/2, the whole preface or a byte that departs from it.
/// `None`: closed, or nothing useful in time.
async fn first_bytes(stream: &tokio::net::TcpStream, limit: Duration, http2: bool) -> Option<()> {
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

async fn serve_connections(
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

/// `rollcall sandbox`'s arguments.
#[derive(Debug, clap::Args)]
pub struct SandboxArgs {
    #[arg(long, default_value = "127.0.0.1:9090")]
    pub bind: SocketAddr,
    /// Accept the provider credentials of this config (secrets from the same environment variables).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Fraction of calls that fail (502, lost response, rate limit, token expiry).
    #[arg(long, default_value_t = 0.0)]
    pub faults: f64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Multiplies every documented rate limit (1 = as documented; 0.01 makes them easy to
    /// reach in a test; a larger value models a raised quota).
    #[arg(long, default_value_t = 1.0)]
    pub rate_scale: f64,
    /// IM's per-request member cap (seed 003: 500; other versions of IM's pages: 300, 100,
    /// 20). A larger request is answered 10005.
    #[arg(long, default_value_t = 500)]
    pub im_max_members: usize,
    /// Lose the answers of the first N Tencent Meeting imports (applied, then the connection
    /// drops), to watch the reconciliation of rows imported by phone.
    #[arg(long, default_value_t = 0)]
    pub lose_tm_imports: u32,
    /// Lose the answers of the first N webinar creations (created, then the connection drops).
    #[arg(long, default_value_t = 0)]
    pub lose_tm_creates: u32,
    /// Listen on a non-loopback address and answer any Host (by default the sandbox binds
    /// loopback only and answers only loopback host names: a web page elsewhere cannot reach it
    /// through DNS rebinding).
    #[arg(long)]
    pub allow_network: bool,
}

/// The standalone sandbox answers loopback host names only (DNS rebinding).
async fn loopback_host_only(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let host = req
        .headers()
        .get(axum::http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let (name, _) = crate::util::split_host_port(host);
    if crate::util::is_loopback_name(name) {
        next.run(req).await
    } else {
        (
            axum::http::StatusCode::FORBIDDEN,
            "the sandbox answers loopback host names only (--allow-network to change it)",
        )
            .into_response()
    }
}

pub async fn sandbox(a: SandboxArgs) -> Result<()> {
    if !a.allow_network && !a.bind.ip().is_loopback() {
        anyhow::bail!(
            "rollcall sandbox listens on loopback only; {} is not (pass --allow-network to listen there)",
            a.bind
        );
    }
    let cfg = a.config.as_deref().map(Config::load).transpose()?;
    let sb = sandbox::Sandbox::new(sandbox_accounts(cfg.as_ref())?, a.faults, a.seed);
    sb.limits.set_scale(a.rate_scale);
    sb.im_max_members.store(
        a.im_max_members.max(1),
        std::sync::atomic::Ordering::Relaxed,
    );
    sb.lose_tm_imports
        .store(a.lose_tm_imports, std::sync::atomic::Ordering::Relaxed);
    sb.lose_tm_creates
        .store(a.lose_tm_creates, std::sync::atomic::Ordering::Relaxed);
    let (l, local) = bind(a.bind, "sandbox").await?;
    println!("sandbox listening on http://{local}");
    let app = sandbox::router(sb);
    let app = if a.allow_network {
        app
    } else {
        app.layer(axum::middleware::from_fn(loopback_host_only))
    };
    axum::serve(l, app)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    Ok(())
}

/// Provider clients from a config; secrets resolved from the environment or files.
fn clients_from_config(cfg: &Config) -> Result<Clients> {
    let http = providers::http_client(Duration::from_secs(cfg.providers.timeout_secs));
    let p = &cfg.providers;
    let mut endpoints = std::collections::BTreeMap::new();
    let tm = match &p.tencent_meeting {
        Some(t) => {
            endpoints.insert("tencent-meeting", t.base_url.clone());
            Some(tencent_meeting::Client::new(
                tencent_meeting::Config {
                    base_url: t.base_url.clone(),
                    app_id: t.app_id.clone(),
                    sdk_id: t.sdk_id.clone(),
                    secret_id: t.secret_id.clone(),
                    secret_key: t.secret()?,
                    edition: t.edition,
                    operator_userid: t.operator_userid.clone(),
                },
                http.clone(),
            ))
        }
        None => None,
    };
    let wc = match &p.wecom {
        Some(w) => {
            endpoints.insert("wecom", w.base_url.clone());
            Some(wecom::Client::new(
                wecom::Config {
                    base_url: w.base_url.clone(),
                    corp_id: w.corp_id.clone(),
                    corp_secret: w.secret()?,
                },
                http.clone(),
            ))
        }
        None => None,
    };
    let ti = match &p.tencent_im {
        Some(i) => {
            endpoints.insert("tencent-im", i.base_url.clone());
            Some(tencent_im::Client::new(
                tencent_im::Config {
                    base_url: i.base_url.clone(),
                    sdk_app_id: i.sdk_app_id,
                    admin_identifier: i.admin_identifier.clone(),
                    secret_key: i.secret()?,
                },
                http.clone(),
            ))
        }
        None => None,
    };
    let hy = p.huiyi31.as_ref().map(|h| {
        endpoints.insert("huiyi31", h.base_url.clone());
        Huiyi31 {
            client: huiyi31::Client::new(
                huiyi31::Config {
                    base_url: h.base_url.clone(),
                },
                http.clone(),
            ),
            default_attendee_type_id: h.default_attendee_type_id.clone(),
            default_item_sku_id: h.default_item_sku_id.clone(),
            default_item_sku_name: h.default_item_sku_name.clone(),
            tickets: h.tickets.clone(),
        }
    });
    Ok(Clients {
        tencent_meeting: tm,
        wecom: wc,
        tencent_im: ti,
        huiyi31: hy,
        endpoints,
    })
}

/// The config `serve --sandbox` uses: every provider pointing at the in-process sandbox, with
/// the documented demo credentials placed in this process's environment for the config to read.
fn sandbox_config(sandbox_url: &str) -> Config {
    std::env::set_var("ROLLCALL_DEMO_TM_SECRET_KEY", demo::TM_SECRET_KEY);
    std::env::set_var("ROLLCALL_DEMO_WECOM_SECRET", demo::WECOM_CORP_SECRET);
    std::env::set_var("ROLLCALL_DEMO_IM_SECRET_KEY", demo::IM_SECRET_KEY);
    let text = format!(
        r#"
[server]
bind = "127.0.0.1:8080"
[auth]
mode = "dev"
[jobs]
rate_limit_backoff_ms = 1000
[providers.tencent_meeting]
base_url = "{u}"
app_id = "{app}"
secret_id = "{sid}"
secret_key_env = "ROLLCALL_DEMO_TM_SECRET_KEY"
edition = "enterprise"
operator_userid = "{op}"
[providers.wecom]
base_url = "{u}"
corp_id = "{corp}"
corp_secret_env = "ROLLCALL_DEMO_WECOM_SECRET"
[providers.tencent_im]
base_url = "{u}"
sdk_app_id = {sdk}
admin_identifier = "{admin}"
secret_key_env = "ROLLCALL_DEMO_IM_SECRET_KEY"
[providers.huiyi31]
base_url = "{u}"
default_attendee_type_id = "{ht}"
default_item_sku_id = "{hs}"
default_item_sku_name = "嘉宾票"
[providers.huiyi31.tickets]
vip-ticket = "VIP 票"
"#,
        u = sandbox_url,
        app = demo::TM_APP_ID,
        sid = demo::TM_SECRET_ID,
        op = demo::TM_OPERATOR,
        corp = demo::WECOM_CORP_ID,
        sdk = demo::IM_SDK_APP_ID,
        admin = demo::IM_ADMIN,
        ht = demo::HUIYI_TYPE,
        hs = demo::HUIYI_TICKET,
    );
    Config::parse(&text).expect("the built-in sandbox config parses")
}

pub async fn serve(args: ServeArgs) -> Result<()> {
    let mut sandbox_task = None;
    let mut cfg = if args.sandbox {
        let sb = sandbox::Sandbox::new(Accounts::demo(), 0.0, 1);
        let (l, local) = bind("127.0.0.1:0".parse()?, "embedded sandbox").await?;
        sandbox_task = Some(tokio::spawn(async move {
            axum::serve(l, sandbox::router(sb)).await
        }));
        let mut c = sandbox_config(&format!("http://{local}"));
        if let Some(path) = &args.config {
            // A config may still set server/auth/jobs options for the sandbox run.
            let user = Config::load(path)?;
            c.server = user.server;
            c.jobs = user.jobs;
        }
        c
    } else {
        let path = args
            .config
            .as_deref()
            .context("give --config FILE, or --sandbox to run on the built-in sandbox providers")?;
        Config::load(path)?
    };
    if let Some(b) = args.bind {
        cfg.server.bind = b;
    }
    if let Some(d) = args.data_dir {
        cfg.server.data_dir = d;
    }
    if let Some(u) = args.ui_dir {
        cfg.server.ui_dir = u;
    }
    cfg.check()?;
    let clients = Arc::new(clients_from_config(&cfg)?);
    let store = crate::jobs::store::open(&cfg.store, &cfg.server.data_dir)?;
    let metrics = Arc::new(Metrics::default());
    let pacers = Pacers::from_config(&cfg, &store);
    let (l, local) = bind(cfg.server.bind, "proxy").await?;
    let replica = cfg.server.replica_id.clone().unwrap_or_else(|| {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|h| h.trim().to_string())
            .or_else(|_| std::env::var("HOSTNAME"))
            .unwrap_or_else(|_| "rollcall".into());
        format!("{host}:{}", local.port())
    });
    let runner = Runner::new(
        store,
        clients.clone(),
        cfg.jobs.clone(),
        pacers,
        metrics.clone(),
        replica.clone(),
    );
    let replica_name = replica;
    let resumed = tokio::task::block_in_place(|| runner.adopt_orphans())?;
    runner.watch_orphans();
    crate::jobs::retention::start(runner.store().clone(), cfg.retention.clone());
    let syncs = crate::sync::Syncs::new(
        runner.clone(),
        clients.clone(),
        replica_name,
        Duration::from_secs(cfg.jobs.lease_secs.max(1)),
        Duration::from_millis(cfg.jobs.sync_tick_ms.max(50)),
    );
    syncs.start();
    let state = Arc::new(AppState {
        cfg: cfg.clone(),
        clients,
        metrics,
        sandbox: args.sandbox,
        port: local.port(),
        progress: crate::server::progress::Progress::start(
            runner.store().clone(),
            runner.events.subscribe(),
        ),
        runner,
        proxy_secret: cfg.auth.proxy_secret()?,
        syncs,
    });
    let app = server::router(state.clone())?;
    let listen = Listen {
        header_timeout: Duration::from_secs(cfg.server.header_read_timeout_secs),
        max_connections: cfg.server.max_connections,
        http2: cfg.server.http2,
    };
    if let Some(addr) = cfg.server.metrics_addr()? {
        let (ml, maddr) = bind(addr, "metrics").await?;
        tracing::info!("metrics listening on {maddr}");
        let (router, listen) = (server::metrics_router(state), listen.clone());
        tokio::spawn(async move {
            if let Err(e) = serve_connections(ml, router, listen).await {
                tracing::error!(error = %e, "the metrics listener stopped");
            }
        });
    }
    let mode = if args.sandbox {
        " (sandbox providers, dev identity)"
    } else if cfg.auth.mode == AuthMode::Dev {
        " (dev identity)"
    } else {
        ""
    };
    println!(
        "Rollcall is running at http://{local}{}/{mode}",
        cfg.server.base_path
    );
    if resumed > 0 {
        println!("resumed {resumed} unfinished job(s)");
    }
    serve_connections(l, app, listen).await?;
    if let Some(t) = sandbox_task {
        t.abort();
    }
    Ok(())
}
