//! The proxy's own JSON API: destinations, jobs, row states, identity, errors. Used by the proxy
//! (server side), the CLI and the web UI (client side).

use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::problem::Problem;
use crate::roster::{MappingOptions, TableRow};
use crate::Text;

pub use crate::destination::{Destination, DestinationKind};

/// The one final (or pending) state of a row for one destination.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowState {
    Pending,
    Imported,
    AlreadyPresent,
    Rejected,
    Invalid,
    Unknown,
    Skipped,
}

impl RowState {
    pub const ALL: [RowState; 7] = [
        RowState::Imported,
        RowState::AlreadyPresent,
        RowState::Rejected,
        RowState::Invalid,
        RowState::Unknown,
        RowState::Skipped,
        RowState::Pending,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            RowState::Pending => "pending",
            RowState::Imported => "imported",
            RowState::AlreadyPresent => "already_present",
            RowState::Rejected => "rejected",
            RowState::Invalid => "invalid",
            RowState::Unknown => "unknown",
            RowState::Skipped => "skipped",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            RowState::Pending => "待处理",
            RowState::Imported => "已导入",
            RowState::AlreadyPresent => "已存在",
            RowState::Rejected => "被拒绝",
            RowState::Invalid => "数据无效",
            RowState::Unknown => "结果未知",
            RowState::Skipped => "已跳过",
        }
    }
    pub fn is_final(self) -> bool {
        self != RowState::Pending
    }
    /// States that belong in the "failed rows" CSV.
    pub fn is_failure(self) -> bool {
        matches!(
            self,
            RowState::Rejected | RowState::Invalid | RowState::Unknown | RowState::Skipped
        )
    }
}

impl FromStr for RowState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        RowState::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown row state {s:?}"))
    }
}

/// Counts per row state for one destination.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Counts {
    pub imported: u64,
    pub already_present: u64,
    pub rejected: u64,
    pub invalid: u64,
    pub unknown: u64,
    pub skipped: u64,
    pub pending: u64,
}

impl Counts {
    pub fn add(&mut self, state: RowState, n: u64) {
        *self.slot(state) += n;
    }
    pub fn get(&self, state: RowState) -> u64 {
        match state {
            RowState::Pending => self.pending,
            RowState::Imported => self.imported,
            RowState::AlreadyPresent => self.already_present,
            RowState::Rejected => self.rejected,
            RowState::Invalid => self.invalid,
            RowState::Unknown => self.unknown,
            RowState::Skipped => self.skipped,
        }
    }
    /// Rows that failed here (`RowState::is_failure`).
    pub fn failures(&self) -> u64 {
        self.rejected + self.invalid + self.unknown + self.skipped
    }
    fn slot(&mut self, state: RowState) -> &mut u64 {
        match state {
            RowState::Pending => &mut self.pending,
            RowState::Imported => &mut self.imported,
            RowState::AlreadyPresent => &mut self.already_present,
            RowState::Rejected => &mut self.rejected,
            RowState::Invalid => &mut self.invalid,
            RowState::Unknown => &mut self.unknown,
            RowState::Skipped => &mut self.skipped,
        }
    }
    pub fn total(&self) -> u64 {
        RowState::ALL.iter().map(|s| self.get(*s)).sum()
    }
    /// Rows that reached a final state.
    pub fn done(&self) -> u64 {
        self.total() - self.pending
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    Running,
    Completed,
    Failed,
    Cancelled,
}

impl JobState {
    /// The state for people: (zh, en).
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            JobState::Running => ("进行中", "running"),
            JobState::Completed => ("已完成", "completed"),
            JobState::Failed => ("失败", "failed"),
            JobState::Cancelled => ("已取消", "cancelled"),
        }
    }
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Running => "running",
            JobState::Completed => "completed",
            JobState::Failed => "failed",
            JobState::Cancelled => "cancelled",
        }
    }
}

impl FromStr for JobState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        [
            JobState::Running,
            JobState::Completed,
            JobState::Failed,
            JobState::Cancelled,
        ]
        .into_iter()
        .find(|j| j.as_str() == s)
        .ok_or_else(|| format!("unknown job state {s:?}"))
    }
}

/// `POST /api/jobs` body: the table as read (headers + the rows the organizer kept), how to map
/// it, and where to send it. The proxy rebuilds and re-validates the roster from this.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateJobRequest {
    #[serde(default)]
    pub file_name: Option<String>,
    pub headers: Vec<String>,
    pub rows: Vec<TableRow>,
    #[serde(default)]
    pub mapping: MappingOptions,
    /// Destinations in their text form: `tencent-meeting:MEETING_ID`, `tencent-im:GROUP_ID`,
    /// `huiyi31:EVENT[:TYPE:SKU]`.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub destinations: Vec<Destination>,
    /// SSO groups that may read the job's rows besides its creator and admins.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub share_with: Vec<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DestinationSummary {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub destination: Destination,
    pub counts: Counts,
}

/// A job as the API and the CLI's `--json` show it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobSummary {
    pub id: String,
    pub state: JobState,
    pub rows: u64,
    pub destinations: Vec<DestinationSummary>,
    #[serde(default)]
    pub created_by: String,
    #[serde(default)]
    pub created_at: i64,
    #[serde(default)]
    pub file_name: Option<String>,
    /// Why the job failed (only for `failed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Text>,
    /// Groups that may read the rows besides the creator and admins.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub share_with: Vec<String>,
    /// When the job ended (unix seconds); the retention period runs from here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<i64>,
    /// When its personal cells were removed (retention or `shred`); counts, outcome codes and
    /// provider ids stay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shredded_at: Option<i64>,
}

/// What a job would do at one destination, asked before anything is sent
/// (`POST /api/jobs/preview`, `rollcall import --dry-run`): from the same roster rules and the
/// same decision (already there, cap, batches) the job makes, against what the destination holds
/// now.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DestinationPreview {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub destination: Destination,
    /// Rows the roster rules keep from this destination (`invalid` in the job).
    pub invalid: u64,
    /// Rows the destination holds already; `null` where it cannot be asked (31huiyi has no list
    /// API: its duplicates are not known before sending).
    pub already_present: Option<u64>,
    /// Rows that would be sent.
    pub to_send: u64,
    /// Rows beyond the destination's cap (never sent; `invalid` in the job).
    pub over_cap: u64,
}

/// `POST /api/jobs/preview`: the roster's rows and, per destination, what a job would do.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobPreview {
    pub rows: u64,
    pub destinations: Vec<DestinationPreview>,
}

/// A destination the proxy has seen (`GET /api/destinations`): webinars created through
/// Rollcall, groups and events used in jobs — offered by name instead of typed ids.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownDestination {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub destination: Destination,
    /// What people call it (a webinar's subject, time and meeting code); `None` when only its id
    /// is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// When it was last created or used (unix seconds).
    pub last_used: i64,
}

/// One row's outcome for one destination.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowOutcome {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub destination: Destination,
    pub state: RowState,
    /// Machine code: Rollcall's note, a core validation code or the provider's error code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub code: Option<crate::OutcomeCode>,
    /// Why, in both languages (the UI shows the reader's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<crate::Text>,
    /// Provider reference: enroll_id, order id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Enroll code / check-in code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attendee_code: Option<String>,
}

/// One input row with its outcomes.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowResult {
    pub row: u32,
    pub cells: Vec<String>,
    pub outcomes: Vec<RowOutcome>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobResults {
    pub id: String,
    pub headers: Vec<String>,
    pub rows: Vec<RowResult>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Viewer,
    Organizer,
}

/// `GET /api/me`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub user: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub groups: Vec<String>,
    pub role: Role,
    /// In one of `auth.admin_groups`: reads every job's rows and the audit log.
    #[serde(default)]
    pub admin: bool,
}

impl Me {
    /// Whether this caller may read a job's rows (results, exports, the per-row view): its
    /// creator, an admin, or a member of a group the job was shared with. Everyone else sees the
    /// job's counts only. The proxy enforces it; the UI hides what it would refuse.
    pub fn may_read_rows(&self, job: &JobSummary) -> bool {
        self.may_read(&job.created_by, &job.share_with)
    }

    /// Whether this caller may cancel, resume or shred a job: its creator or an admin.
    pub fn may_manage(&self, job: &JobSummary) -> bool {
        self.may_change(&job.created_by)
    }

    /// The rule for anything holding people (a job's rows, a sync's trail): its creator,
    /// admins, and the groups it was shared with.
    pub fn may_read(&self, created_by: &str, share_with: &[String]) -> bool {
        self.may_change(created_by) || self.groups.iter().any(|g| share_with.contains(g))
    }

    /// Whether this caller may change what `created_by` made: its creator or an admin.
    pub fn may_change(&self, created_by: &str) -> bool {
        self.admin || self.user == created_by
    }
}

/// One line of the audit log (`GET /api/audit`): a read or export of personal data, or a write
/// to a provider.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Unix seconds.
    pub ts: i64,
    pub user: String,
    /// What was done: `job.results`, `job.results_csv`, `job.shred`, `tencent_meeting.import`…
    pub action: String,
    /// The job or destination it was done to.
    pub target: String,
    /// How many rows (people) it touched.
    pub rows: u64,
    pub outcome: String,
}

/// The filter of `GET /api/audit` (every field optional; `limit` at most [`AuditQuery::MAX`]).
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditQuery {
    /// Exactly this user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Actions starting with this (`job.` for every job action).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// Exactly this job or destination.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// From this unix second on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<i64>,
    /// Before this unix second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<i64>,
    /// Newest first, at most this many (default and maximum [`AuditQuery::MAX`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

impl AuditQuery {
    pub const MAX: u32 = 5_000;

    pub fn limit(&self) -> u32 {
        self.limit.unwrap_or(Self::MAX).clamp(1, Self::MAX)
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderStatus {
    pub provider: crate::providers::Provider,
    pub configured: bool,
    /// Base URL host (never credentials).
    pub endpoint: String,
}

/// `GET /api/status`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    pub version: String,
    pub sandbox: bool,
    pub providers: Vec<ProviderStatus>,
    /// What the UI may pre-fill.
    #[serde(default)]
    pub suggestions: Suggestions,
}

/// Targets the UI may pre-fill: the sandbox's demo ids, or what the config names. On a real
/// deployment without such defaults every field is empty: nothing is guessed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestions {
    /// The id part of a destination of each kind (`huiyi31`: `EVENT:TYPE:SKU`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tencent_meeting: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tencent_im: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub huiyi31: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wecom_webinar: Option<String>,
    /// The 31huiyi ticket's name (`ItemSkuName`) from the config.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub huiyi31_ticket_name: Option<String>,
}

impl Suggestions {
    pub fn destination(&self, kind: DestinationKind) -> Option<&str> {
        match kind {
            DestinationKind::TencentMeeting => self.tencent_meeting.as_deref(),
            DestinationKind::TencentIm => self.tencent_im.as_deref(),
            DestinationKind::Huiyi31 => self.huiyi31.as_deref(),
        }
    }
}

/// Every error the API returns: a stable code, a bilingual message, the provider's code when
/// the provider refused, and validation problems when the input was invalid.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub code: crate::ApiErrorCode,
    pub message: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<crate::providers::Provider>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_code: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_message: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Problem>,
}

impl ApiError {
    pub fn new(code: crate::ApiErrorCode, zh: impl Into<String>, en: impl Into<String>) -> Self {
        ApiError {
            code,
            message: Text::new(zh, en),
            provider: None,
            provider_code: None,
            provider_message: None,
            problems: vec![],
        }
    }
}

/// `POST /api/tencent-meeting/webinars/{id}/enroll/import` body (the proxy adds the operator).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollImportBody {
    /// Tencent Meeting's `enroll_list` entries (seed 000: userid / phone, area, nick_name…).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub enroll_list: Vec<crate::providers::tencent_meeting::EnrollEntry>,
}

/// `POST /api/wecom/webinars/{id}/enrollments` body.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WecomEnrollmentsQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// WeCom's approval status filter: 0 all, 1 pending, 2 rejected, 3 approved (seed 001).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u8>))]
    pub status: Option<crate::providers::wecom::StatusFilter>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Follow every page and return them as one list.
    #[serde(default)]
    pub all: bool,
}

/// `POST /api/tencent-im/import` body.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImGroupImport {
    pub group_id: String,
    /// IM `import_group_member` members (Member_Account, Role, JoinTime…).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub members: Vec<crate::providers::tencent_im::ImportMember>,
}

/// The header every state-changing request must carry (CSRF defence, forces a preflight).
pub const CSRF_HEADER: &str = "x-rollcall-csrf";

/// What the roster worker tells the page, one JSON string per message (the worker and the page
/// both use this type; externally tagged, so the page parses it in one pass).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkerReply {
    /// Loaded and listening.
    Ready,
    /// Rows validated so far.
    Progress { done: usize, total: usize },
    /// The roster, and how long reading and validating took.
    Done {
        roster: crate::roster::Roster,
        elapsed_ms: f64,
    },
    /// The file could not be read at all.
    Error { error: crate::roster::RosterError },
}
