//! Jobs: the request that creates one, its summary, preview and per-row results.

use super::*;

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
    /// Cells the user changed in the preview before sending (their new values are in `rows`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub edited: Vec<EditedCell>,
}

impl CreateJobRequest {
    /// What is wrong with `edited`, if anything: it may only name rows of this job, each cell
    /// once (the proxy answers 422 `bad_edited` with it).
    pub fn edited_problem(&self) -> Option<Text> {
        let rows: std::collections::HashSet<u32> = self.rows.iter().map(|r| r.row).collect();
        let cells: std::collections::HashSet<(u32, &str)> = self
            .edited
            .iter()
            .map(|e| (e.row, e.column.as_str()))
            .collect();
        (cells.len() != self.edited.len() || self.edited.iter().any(|e| !rows.contains(&e.row)))
            .then(|| {
                Text::new(
                    "edited 只能列出本任务的行，每个单元格一次",
                    "edited may only name rows of this job, each cell once",
                )
            })
    }
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
    /// How many cells were changed in the preview before sending.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub edited_cells: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
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
