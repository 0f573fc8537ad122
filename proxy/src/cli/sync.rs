//! `rollcall sync create|list|show|pause|resume|stop`: continuous syncs on a running proxy.

use anyhow::Result;
use clap::Subcommand;
use rollcall_core::api::Destination;
use rollcall_core::export::utc_timestamp;
use rollcall_core::sync::{CreateSyncRequest, SyncSummary};

use super::jobs::print_counts;
use super::{emit, Api};

#[derive(Subcommand)]
pub enum SyncCommand {
    /// Start a sync: every `--every` seconds, the source's people not yet handled go to every
    /// destination (each person once). Prints the sync with its `id`.
    Create {
        #[arg(long, env = "ROLLCALL_SERVER")]
        server: String,
        /// `wecom:MEETINGID` or `tencent-meeting:MEETING_ID`.
        #[arg(long)]
        from: String,
        /// WeCom only: 0 all, 1 pending, 2 rejected, 3 approved (the default).
        #[arg(long)]
        status: Option<u8>,
        /// Destinations, as `import --to` takes them.
        #[arg(long = "to", required = true)]
        to: Vec<Destination>,
        /// Seconds between two polls.
        #[arg(long)]
        every: u64,
        /// SSO groups that may read the trail besides you and admins.
        #[arg(long = "share-with")]
        share_with: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    List {
        #[arg(long, env = "ROLLCALL_SERVER")]
        server: String,
        #[arg(long)]
        json: bool,
    },
    Show {
        id: String,
        #[arg(long, env = "ROLLCALL_SERVER")]
        server: String,
        #[arg(long)]
        json: bool,
    },
    /// No poll until resumed.
    Pause {
        id: String,
        #[arg(long, env = "ROLLCALL_SERVER")]
        server: String,
        #[arg(long)]
        json: bool,
    },
    Resume {
        id: String,
        #[arg(long, env = "ROLLCALL_SERVER")]
        server: String,
        #[arg(long)]
        json: bool,
    },
    /// Stop for good (the trail stays).
    Stop {
        id: String,
        #[arg(long, env = "ROLLCALL_SERVER")]
        server: String,
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(cmd: SyncCommand) -> Result<u8> {
    let change = |server: &str, id: &str, verb: &str| {
        let (api, path) = (Api::new(server), format!("/syncs/{id}/{verb}"));
        async move {
            api.post::<_, SyncSummary>(&path, &serde_json::json!({}))
                .await
        }
    };
    let (one, json): (SyncSummary, bool) = match cmd {
        SyncCommand::Create {
            server,
            from,
            status,
            to,
            every,
            share_with,
            json,
        } => {
            let req = CreateSyncRequest {
                from,
                status,
                destinations: to,
                mapping: Default::default(),
                every_secs: every,
                share_with,
            };
            (Api::new(&server).post("/syncs", &req).await?, json)
        }
        SyncCommand::List { server, json } => {
            let all: Vec<SyncSummary> = Api::new(&server).get("/syncs").await?;
            emit(json, &all, |all| {
                all.iter().for_each(print_sync);
            })?;
            return Ok(0);
        }
        SyncCommand::Show { id, server, json } => {
            (Api::new(&server).get(&format!("/syncs/{id}")).await?, json)
        }
        SyncCommand::Pause { id, server, json } => (change(&server, &id, "pause").await?, json),
        SyncCommand::Resume { id, server, json } => (change(&server, &id, "resume").await?, json),
        SyncCommand::Stop { id, server, json } => (change(&server, &id, "stop").await?, json),
    };
    emit(json, &one, |one| {
        print_sync(one);
    })?;
    Ok(0)
}

fn print_sync(s: &SyncSummary) {
    let when = |t: Option<i64>| t.map_or("—".to_string(), utc_timestamp);
    println!(
        "{}  {}  from {}{}  every {} s  people {}  polls {}  last {}  next {}",
        s.id,
        s.state.label().1,
        s.from,
        s.status
            .map(|n| format!(" (status {n})"))
            .unwrap_or_default(),
        s.every_secs,
        s.people,
        s.polls,
        when(s.last_poll_at),
        when(s.next_poll_at),
    );
    if let Some(e) = &s.last_error {
        println!("  last error: {e}");
    }
    for d in &s.destinations {
        print_counts(&d.destination, &d.counts);
    }
}
