//! Who is asking (roles, `Me`) and the audit log of who did what.

use super::*;

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
