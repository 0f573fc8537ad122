//! The proxy's own JSON API: destinations, jobs, row states, identity, errors. Used by the proxy
//! (server side), the CLI and the web UI (client side).

use std::str::FromStr;

pub use crate::destination::{Destination, DestinationKind};
use crate::problem::Problem;
use crate::roster::{EditedCell, MappingOptions, TableRow};
use crate::Text;
use serde::{Deserialize, Serialize};

mod access;
mod jobs;
mod mappings;
mod provider_calls;
mod worker;

pub use access::*;
pub use jobs::*;
pub use mappings::*;
pub use provider_calls::*;
pub use worker::*;

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

/// The header every state-changing request must carry (CSRF defence, forces a preflight).
pub const CSRF_HEADER: &str = "x-rollcall-csrf";
