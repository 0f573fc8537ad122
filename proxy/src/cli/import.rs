//! `rollcall import` (a file or a WeCom / Tencent Meeting list → a job on the proxy) and
//! `rollcall destinations`.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::Args;
use rollcall_core::api::{
    CreateJobRequest, Destination, DestinationKind, JobPreview, JobState, JobSummary,
    KnownDestination, WecomEnrollmentsQuery,
};
use rollcall_core::providers::tencent_meeting::ApprovalEntry;
use rollcall_core::providers::wecom::{EnrollListResponse, StatusFilter};
use rollcall_core::providers::Lenient;
use rollcall_core::roster::{MappingOptions, TableRow};

use super::*;

/// Where people come from instead of a file: `wecom:MEETINGID` (a WeCom webinar's enrollments)
/// or `tencent-meeting:MEETING_ID` (a Tencent Meeting webinar's).
#[derive(Clone, Debug)]
pub enum Source {
    Wecom(String),
    TencentMeeting(String),
}

/// Read by core's rule for a source (`SyncSource::parse`: the same ids a sync takes); the status
/// is the CLI's own `--status` (every status when it is not given).
impl std::str::FromStr for Source {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match rollcall_core::sync::SyncSource::parse(s, None) {
            Ok(rollcall_core::sync::SyncSource::Wecom { meetingid, .. }) => {
                Ok(Source::Wecom(meetingid))
            }
            Ok(rollcall_core::sync::SyncSource::TencentMeeting { meeting_id }) => {
                Ok(Source::TencentMeeting(meeting_id))
            }
            Err(t) => Err(t.en),
        }
    }
}

#[derive(Args)]
pub struct ImportArgs {
    /// A CSV or XLSX roster (or give --from).
    #[arg(required_unless_present = "from", conflicts_with = "from")]
    pub file: Option<PathBuf>,
    /// Take the people who enrolled somewhere instead of a file: wecom:MEETINGID or
    /// tencent-meeting:MEETING_ID.
    #[arg(long)]
    pub from: Option<Source>,
    /// With --from wecom:…: only this approval status (0 all, 1 pending, 2 rejected, 3 approved).
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=3))]
    pub status: Option<u8>,
    /// Ask each destination what it holds and print what the job would do; send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Proxy URL, e.g. http://127.0.0.1:8080 (with its base path, if any).
    #[arg(long, env = "ROLLCALL_SERVER")]
    pub server: String,
    /// Destination: tencent-meeting:MEETING_ID, tencent-im:GROUP_ID, huiyi31:EVENT_ID[:TYPE:SKU].
    #[arg(long = "to", required = true)]
    pub to: Vec<Destination>,
    /// Follow the job to the end.
    #[arg(long)]
    pub wait: bool,
    /// An SSO group that may read the job's rows besides you and admins (repeat for several).
    #[arg(long = "share-with")]
    pub share_with: Vec<String>,
    #[arg(long)]
    pub json: bool,
}

/// The enrollees of `source` as roster rows, through the proxy (its pacing, its audit).
async fn enrollees(
    api: &Api,
    source: &Source,
    status: Option<u8>,
) -> Result<(String, Vec<String>, Vec<TableRow>)> {
    match source {
        Source::Wecom(id) => {
            let q = WecomEnrollmentsQuery {
                all: true,
                status: status.map(|s| StatusFilter::from_code(i64::from(s))),
                ..Default::default()
            };
            let list: EnrollListResponse = api
                .post(&format!("/wecom/webinars/{}/enrollments", segment(id)), &q)
                .await?;
            let unreadable = list.enroll_list.iter().filter(|e| e.ok().is_none()).count();
            if unreadable > 0 {
                eprintln!("{unreadable} enrollment(s) arrived in a shape that cannot be read and are left out");
            }
            let (headers, rows) = rollcall_core::roster::sources::from_wecom(
                list.enroll_list.iter().filter_map(Lenient::ok),
            );
            let name = match status {
                Some(s) => format!("wecom:{id} (status {s})"),
                None => format!("wecom:{id}"),
            };
            Ok((name, headers, rows))
        }
        Source::TencentMeeting(id) => {
            if status.is_some() {
                bail!("--status filters WeCom enrollments only");
            }
            let list: Vec<Lenient<ApprovalEntry>> = api
                .get(&format!(
                    "/tencent-meeting/webinars/{}/enrollments",
                    segment(id)
                ))
                .await?;
            let (headers, rows) = rollcall_core::roster::sources::from_tencent_meeting(
                list.iter().filter_map(Lenient::ok),
            );
            Ok((format!("tencent-meeting:{id}"), headers, rows))
        }
    }
}

/// What `--dry-run` prints: one line per destination, aligned.
fn print_preview(p: &JobPreview) {
    println!(
        "{}  {}  {}  {}  {}",
        pad("destination / 导入目标", 44),
        pad_left("invalid 无效", 12),
        pad_left("present 已存在", 14),
        pad_left("to send 将发送", 14),
        pad_left("over cap 超上限", 15)
    );
    for d in &p.destinations {
        println!(
            "{}  {}  {}  {}  {}",
            pad(&d.destination.to_string(), 44),
            pad_left(&d.invalid.to_string(), 12),
            pad_left(&d.already_present.map_or("?".into(), |n| n.to_string()), 14),
            pad_left(&d.to_send.to_string(), 14),
            pad_left(&d.over_cap.to_string(), 15)
        );
    }
    println!(
        "{} rows; nothing was sent (? = the destination cannot say what it holds)",
        p.rows
    );
}

pub async fn import(a: ImportArgs) -> Result<u8> {
    if a.status.is_some() && a.from.is_none() {
        bail!("--status filters the enrollees of --from wecom:MEETINGID; it needs --from");
    }
    let api = Api::new(&a.server);
    let (name, headers, rows) = match (&a.file, &a.from) {
        (Some(file), _) => {
            let bytes =
                std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
            let table = match rollcall_core::roster::read_table(&bytes) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("rollcall: {}: {}", file.display(), e.message);
                    return Ok(2);
                }
            };
            let name = file.file_name().map_or_else(
                || file.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            (name, table.headers, table.rows)
        }
        (None, Some(source)) => enrollees(&api, source, a.status).await?,
        (None, None) => bail!("give a roster FILE or --from SOURCE"),
    };
    let table = rollcall_core::roster::Table {
        format: rollcall_core::roster::SourceFormat::Csv,
        encoding: None,
        delimiter: None,
        headers,
        rows,
        problems: vec![],
        sheet: None,
    };
    let mut check = rollcall_core::roster::build_roster(table.clone(), &MappingOptions::default());
    let kinds: Vec<DestinationKind> = a.to.iter().map(|d| d.kind()).collect();
    check.check_destinations(&kinds);
    let s = check.summary(&kinds);
    eprintln!(
        "{name}: {} rows, {} with problems (they will end `invalid`, never sent)",
        s.rows, s.invalid
    );
    let req = CreateJobRequest {
        file_name: Some(name),
        headers: table.headers,
        rows: table.rows,
        mapping: MappingOptions::default(),
        destinations: a.to,
        share_with: a.share_with,
        edited: Vec::new(),
    };
    if a.dry_run {
        let preview: JobPreview = api.post("/jobs/preview", &req).await?;
        emit(a.json, &preview, print_preview)?;
        return Ok(0);
    }
    let mut job: JobSummary = api.post("/jobs", &req).await?;
    if a.wait {
        let tty = std::io::stderr().is_terminal() && !a.json;
        while job.state == JobState::Running {
            tokio::time::sleep(Duration::from_millis(500)).await;
            job = api.get(&format!("/jobs/{}", job.id)).await?;
            if tty {
                let total: u64 = job.destinations.iter().map(|d| d.counts.total()).sum();
                let done: u64 = job.destinations.iter().map(|d| d.counts.done()).sum();
                let pct = (done * 100).checked_div(total).unwrap_or(100);
                let bar = "#".repeat((pct / 4) as usize);
                eprint!("\r[{bar:<25}] {pct:>3}%  {done}/{total}");
            }
        }
        if tty {
            eprintln!();
        }
    }
    emit(a.json, &job, print_summary)?;
    Ok(exit_code(&job))
}

/// `rollcall destinations`: what the proxy has seen, to pick instead of typing ids.
pub async fn destinations(server: &str, json: bool) -> Result<u8> {
    let known: Vec<KnownDestination> = Api::new(server).get("/destinations").await?;
    emit(json, &known, |known| {
        for d in known {
            println!(
                "{}  {}",
                pad(&d.destination.to_string(), 44),
                d.label.as_deref().unwrap_or("")
            );
        }
    })?;
    Ok(0)
}
