//! Command-line tools: `roster check`, `import`, `jobs`, `sync` (`sync.rs`), `sign`, `usersig`.

pub mod sync;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use rollcall_core::api::{
    CreateJobRequest, Destination, DestinationKind, JobPreview, JobResults, JobState, JobSummary,
    KnownDestination, WecomEnrollmentsQuery, CSRF_HEADER,
};
use rollcall_core::providers::tencent_meeting::ApprovalEntry;
use rollcall_core::providers::wecom::{EnrollListResponse, StatusFilter};
use rollcall_core::providers::Lenient;
use rollcall_core::roster::{self, MappingOptions, TableRow};
use unicode_width::UnicodeWidthStr;

use crate::providers::{tencent_im, tencent_meeting};

#[derive(Clone, Copy, ValueEnum)]
pub enum Kind {
    TencentMeeting,
    TencentIm,
    Huiyi31,
}

impl From<Kind> for DestinationKind {
    fn from(k: Kind) -> Self {
        match k {
            Kind::TencentMeeting => DestinationKind::TencentMeeting,
            Kind::TencentIm => DestinationKind::TencentIm,
            Kind::Huiyi31 => DestinationKind::Huiyi31,
        }
    }
}

#[derive(Subcommand)]
pub enum RosterCommand {
    /// Parse and validate a roster file; print every problem. Exit 0 when the file could be
    /// read (invalid rows are a result), 2 when it cannot be read at all.
    Check {
        file: PathBuf,
        /// Also check what each destination needs from a row.
        #[arg(long = "to", value_enum)]
        to: Vec<Kind>,
        #[arg(long)]
        json: bool,
    },
}

pub fn roster(cmd: RosterCommand) -> Result<u8> {
    let RosterCommand::Check { file, to, json } = cmd;
    let bytes = match std::fs::read(&file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("rollcall: cannot read {}: {e}", file.display());
            return Ok(2);
        }
    };
    let mut r = match roster::parse_roster(&bytes, &MappingOptions::default()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("rollcall: {}: {}", file.display(), e.message);
            return Ok(2);
        }
    };
    let kinds: Vec<DestinationKind> = to.into_iter().map(Into::into).collect();
    r.check_destinations(&kinds);
    let s = r.summary(&kinds);
    if json {
        println!("{}", serde_json::to_string(&s)?);
        return Ok(0);
    }
    println!("file      {}", file.display());
    println!("encoding  {}", s.encoding);
    println!(
        "rows      {}   valid {}   invalid {}   duplicates {}",
        s.rows, s.valid, s.invalid, s.duplicates
    );
    for (k, n) in &s.destinations {
        println!("  → {k:<16} {n} rows can go");
    }
    println!("columns");
    for c in &r.columns {
        println!(
            "  {} → {}{}",
            pad(&c.header, 20),
            c.field.as_str(),
            if c.auto { "" } else { " (explicit)" }
        );
    }
    if !s.problems.is_empty() {
        println!("problems");
        println!(
            "  {:>6}  {} {} message",
            "row",
            pad("column", 16),
            pad("code", 26)
        );
        for p in &s.problems {
            // Padded by display width: a Chinese header takes two columns per character.
            println!(
                "  {:>6}  {} {} {}",
                p.row,
                pad(p.column.as_deref().unwrap_or("-"), 16),
                pad(p.code.as_str(), 26),
                p.message
            );
        }
    }
    Ok(0)
}

/// `text` padded with spaces to `width` terminal columns (a CJK character takes two).
fn pad(text: &str, width: usize) -> String {
    let w = UnicodeWidthStr::width(text);
    format!("{text}{}", " ".repeat(width.saturating_sub(w)))
}

/// `text` right-aligned in `width` terminal columns.
fn pad_left(text: &str, width: usize) -> String {
    let w = UnicodeWidthStr::width(text);
    format!("{}{text}", " ".repeat(width.saturating_sub(w)))
}

/// Where people come from instead of a file: `wecom:MEETINGID` (a WeCom webinar's enrollments)
/// or `tencent-meeting:MEETING_ID` (a Tencent Meeting webinar's).
#[derive(Clone, Debug)]
pub enum Source {
    Wecom(String),
    TencentMeeting(String),
}

impl std::str::FromStr for Source {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.split_once(':') {
            Some(("wecom", id)) if !id.is_empty() => Ok(Source::Wecom(id.into())),
            Some(("tencent-meeting", id)) if !id.is_empty() => {
                Ok(Source::TencentMeeting(id.into()))
            }
            _ => Err(format!(
                "{s:?}: use wecom:MEETINGID or tencent-meeting:MEETING_ID"
            )),
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

#[derive(Subcommand)]
pub enum JobsCommand {
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
    Results {
        id: String,
        #[arg(long, env = "ROLLCALL_SERVER")]
        server: String,
        #[arg(long)]
        json: bool,
    },
    /// Remove a finished job's personal data now (creator or admin): every row's cells;
    /// counts, outcome codes, provider ids and the audit log stay.
    Shred {
        id: String,
        #[arg(long, env = "ROLLCALL_SERVER")]
        server: String,
        #[arg(long)]
        json: bool,
    },
}

struct Api {
    base: String,
    http: reqwest::Client,
}

impl Api {
    fn new(server: &str) -> Self {
        Api {
            base: format!("{}/api", server.trim_end_matches('/')),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(120))
                .build()
                .expect("HTTP client"),
        }
    }

    async fn check(resp: reqwest::Response) -> Result<reqwest::Response> {
        if resp.status().is_success() {
            return Ok(resp);
        }
        let status = resp.status();
        let body = resp.text().await.unwrap_or_default();
        match serde_json::from_str::<rollcall_core::api::ApiError>(&body) {
            Ok(e) => {
                let mut msg = format!("{} ({})", e.message, e.code);
                for p in e.problems.iter().take(20) {
                    msg.push_str(&format!("\n  {}: {} ({})", p.field, p.message, p.code));
                }
                bail!("the proxy answered {status}: {msg}")
            }
            Err(_) => bail!(
                "the proxy answered {status}: {}",
                body.chars().take(300).collect::<String>()
            ),
        }
    }

    async fn get<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<T> {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .with_context(|| format!("cannot reach {}", self.base))?;
        Ok(Self::check(r).await?.json().await?)
    }

    async fn post<B: serde::Serialize, T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T> {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header(CSRF_HEADER, "1")
            .json(body)
            .send()
            .await
            .with_context(|| format!("cannot reach {}", self.base))?;
        Ok(Self::check(r).await?.json().await?)
    }
}

/// One destination's counts on a line (jobs and syncs alike).
fn print_counts(destination: &Destination, c: &rollcall_core::api::Counts) {
    println!(
        "  {:<40} imported {} · already {} · rejected {} · invalid {} · unknown {} · skipped {} · pending {}",
        destination.to_string(),
        c.imported,
        c.already_present,
        c.rejected,
        c.invalid,
        c.unknown,
        c.skipped,
        c.pending
    );
}

fn print_summary(j: &JobSummary) {
    println!(
        "{}  {}  rows {}  by {}{}",
        j.id,
        j.state.as_str(),
        j.rows,
        j.created_by,
        j.reason
            .as_ref()
            .map(|r| format!("  ({r})"))
            .unwrap_or_default()
    );
    for d in &j.destinations {
        print_counts(&d.destination, &d.counts);
    }
    if let Some(at) = j.shredded_at {
        println!(
            "  personal data removed {} UTC",
            rollcall_core::export::utc_timestamp(at)
        );
    }
}

fn exit_code(j: &JobSummary) -> u8 {
    match j.state {
        JobState::Completed | JobState::Running => 0,
        JobState::Failed => 3,
        JobState::Cancelled => 4,
    }
}

/// A path segment, percent-encoded (ids are the organizer's input).
fn segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
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
            let (headers, rows) =
                roster::sources::from_wecom(list.enroll_list.iter().filter_map(Lenient::ok));
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
            let (headers, rows) =
                roster::sources::from_tencent_meeting(list.iter().filter_map(Lenient::ok));
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
            let table = match roster::read_table(&bytes) {
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
    let table = roster::Table {
        format: roster::SourceFormat::Csv,
        encoding: None,
        delimiter: None,
        headers,
        rows,
        problems: vec![],
    };
    let mut check = roster::build_roster(table.clone(), &MappingOptions::default());
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
    };
    if a.dry_run {
        let preview: JobPreview = api.post("/jobs/preview", &req).await?;
        if a.json {
            println!("{}", serde_json::to_string(&preview)?);
        } else {
            print_preview(&preview);
        }
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
    if a.json {
        println!("{}", serde_json::to_string(&job)?);
    } else {
        print_summary(&job);
    }
    Ok(exit_code(&job))
}

/// `rollcall destinations`: what the proxy has seen, to pick instead of typing ids.
pub async fn destinations(server: &str, json: bool) -> Result<u8> {
    let known: Vec<KnownDestination> = Api::new(server).get("/destinations").await?;
    if json {
        println!("{}", serde_json::to_string(&known)?);
    } else {
        for d in &known {
            println!(
                "{}  {}",
                pad(&d.destination.to_string(), 44),
                d.label.as_deref().unwrap_or("")
            );
        }
    }
    Ok(0)
}

pub async fn jobs(cmd: JobsCommand) -> Result<u8> {
    match cmd {
        JobsCommand::List { server, json } => {
            let list: Vec<JobSummary> = Api::new(&server).get("/jobs").await?;
            if json {
                println!("{}", serde_json::to_string(&list)?);
            } else {
                list.iter().for_each(print_summary);
            }
            Ok(0)
        }
        JobsCommand::Show { id, server, json } => {
            let j: JobSummary = Api::new(&server).get(&format!("/jobs/{id}")).await?;
            if json {
                println!("{}", serde_json::to_string(&j)?);
            } else {
                print_summary(&j);
            }
            Ok(0)
        }
        JobsCommand::Shred { id, server, json } => {
            let j: JobSummary = Api::new(&server)
                .post(&format!("/jobs/{id}/shred"), &serde_json::json!({}))
                .await?;
            if json {
                println!("{}", serde_json::to_string(&j)?);
            } else {
                print_summary(&j);
            }
            Ok(0)
        }
        JobsCommand::Results { id, server, json } => {
            let r: JobResults = Api::new(&server)
                .get(&format!("/jobs/{id}/results"))
                .await?;
            if json {
                println!("{}", serde_json::to_string(&r)?);
            } else {
                for row in &r.rows {
                    let states: Vec<String> = row
                        .outcomes
                        .iter()
                        .map(|o| {
                            format!(
                                "{}={}{}",
                                o.destination,
                                o.state.as_str(),
                                o.code
                                    .as_ref()
                                    .map(|c| format!("({c})"))
                                    .unwrap_or_default()
                            )
                        })
                        .collect();
                    println!("{:>6}  {}", row.row, states.join("  "));
                }
            }
            Ok(0)
        }
    }
}

#[derive(Subcommand)]
pub enum SignCommand {
    /// Sign a Tencent Meeting request; prints the string to sign and X-TC-Signature.
    TencentMeeting {
        #[arg(long)]
        method: String,
        /// The request target exactly as sent: path plus `?query`, already percent-encoded.
        #[arg(long)]
        uri: String,
        #[arg(long)]
        body_file: Option<PathBuf>,
        #[arg(long)]
        nonce: String,
        #[arg(long)]
        timestamp: String,
        #[arg(long)]
        json: bool,
    },
}

fn env_secret(name: &str) -> Result<String> {
    std::env::var(name).with_context(|| format!("set {name} in the environment"))
}

pub fn sign(cmd: SignCommand) -> Result<u8> {
    let SignCommand::TencentMeeting {
        method,
        uri,
        body_file,
        nonce,
        timestamp,
        json,
    } = cmd;
    let id = env_secret("ROLLCALL_TM_SECRET_ID")?;
    let key = env_secret("ROLLCALL_TM_SECRET_KEY")?;
    let body = match body_file {
        Some(p) => std::fs::read(&p).with_context(|| format!("cannot read {}", p.display()))?,
        None => Vec::new(),
    };
    let sts = tencent_meeting::string_to_sign(&method, &uri, &body, &nonce, &timestamp, &id);
    let sig = tencent_meeting::signature(&sts, &key);
    let sts = String::from_utf8_lossy(&sts).into_owned();
    if json {
        println!(
            "{}",
            serde_json::json!({"string_to_sign": sts, "signature": sig})
        );
    } else {
        println!("string to sign:\n{sts}\n\nX-TC-Signature: {sig}");
    }
    Ok(0)
}

#[derive(Args)]
pub struct UsersigArgs {
    #[arg(long)]
    pub sdkappid: u64,
    #[arg(long)]
    pub identifier: String,
    #[arg(long)]
    pub expire: u64,
    /// Issue time (Unix seconds); default now.
    #[arg(long)]
    pub time: Option<u64>,
    #[arg(long)]
    pub userbuf_hex: Option<String>,
}

pub fn usersig(a: UsersigArgs) -> Result<u8> {
    let key = env_secret("ROLLCALL_IM_SECRET_KEY")?;
    let userbuf = a
        .userbuf_hex
        .as_deref()
        .map(hex::decode)
        .transpose()
        .context("--userbuf-hex is not hex")?;
    let time = a.time.unwrap_or_else(crate::util::unix_now);
    println!(
        "{}",
        tencent_im::gen_usersig(
            a.sdkappid,
            &key,
            &a.identifier,
            a.expire,
            time,
            userbuf.as_deref()
        )
    );
    Ok(0)
}
