//! Start-up: building provider clients from config (or the sandbox), binding, serving.

use std::net::SocketAddr;

use crate::app::{Clients, Huiyi31, Metrics};
use crate::config::{AuthMode, Config};
use crate::jobs::retry::Pacers;
use crate::jobs::runner::Runner;
use crate::providers::{self, huiyi31, tencent_im, tencent_meeting, wecom};
use crate::sandbox::{self, demo, Accounts};
use crate::server::{self, AppState};
use anyhow::{Context, Result};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

mod listen;
mod run_sandbox;

use listen::*;
pub use run_sandbox::*;

pub struct ServeArgs {
    pub config: Option<PathBuf>,
    pub sandbox: bool,
    pub bind: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
    pub ui_dir: Option<PathBuf>,
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
            cfg.limits.max_streams_total,
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
