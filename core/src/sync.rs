//! Continuous sync: the people who enroll in one webinar reach other destinations while
//! enrollment is open. The API's types and the rules both the proxy and the UI apply: the source's
//! text form, the request's bounds, and which people a poll may send.
//!
//! A sync polls its source's whole list every `every_secs`; people not yet handled become a job
//! (the same job a spreadsheet makes: reconciliation, caps, pacing, the journal), and the sync
//! keeps a trail per person and destination.

use serde::{Deserialize, Serialize};

use crate::api::{Counts, Destination, RowState};
use crate::roster::MappingOptions;
use crate::Text;

/// Shortest and longest poll interval.
pub const MIN_EVERY_SECS: u64 = 1;
pub const MAX_EVERY_SECS: u64 = 86_400;

/// Where a sync reads people from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncSource {
    /// A WeCom webinar's enrollments (seed 001), those in `status` (0 every status, 1 pending,
    /// 2 rejected, 3 approved).
    Wecom { meetingid: String, status: u8 },
    /// A Tencent Meeting webinar's enrollment list (every entry; it has no status filter).
    TencentMeeting { meeting_id: String },
}

impl SyncSource {
    /// Reads `wecom:MEETINGID` or `tencent-meeting:MEETING_ID`; `status` applies to WeCom only
    /// (approved, 3, when not given).
    pub fn parse(from: &str, status: Option<u8>) -> Result<SyncSource, Text> {
        let bad = || {
            Text::new(
                format!("同步来源应为 wecom:会议ID 或 tencent-meeting:会议ID，而不是 “{from}”"),
                format!("a sync's source is wecom:MEETINGID or tencent-meeting:MEETING_ID, not “{from}”"),
            )
        };
        let (kind, id) = from.split_once(':').ok_or_else(bad)?;
        if !crate::destination::is_provider_id(id) {
            return Err(bad());
        }
        match kind {
            "wecom" => {
                let status = status.unwrap_or(3);
                if status > 3 {
                    return Err(Text::new(
                        "报名状态应为 0（全部）、1（待审核）、2（已拒绝）或 3（已通过）",
                        "status is 0 (all), 1 (pending), 2 (rejected) or 3 (approved)",
                    ));
                }
                Ok(SyncSource::Wecom {
                    meetingid: id.to_string(),
                    status,
                })
            }
            "tencent-meeting" if status.is_none() => Ok(SyncSource::TencentMeeting {
                meeting_id: id.to_string(),
            }),
            "tencent-meeting" => Err(Text::new(
                "腾讯会议的报名列表没有审核状态可筛选，请去掉 status",
                "Tencent Meeting's enrollment list has no status to filter by; leave status out",
            )),
            _ => Err(bad()),
        }
    }

    /// Whether a person in the source's list with this status is one the sync sends.
    pub fn wants(&self, status: Option<u8>) -> bool {
        match self {
            SyncSource::Wecom { status: 0, .. } | SyncSource::TencentMeeting { .. } => true,
            SyncSource::Wecom { status: want, .. } => status == Some(*want),
        }
    }

    /// The text form (`wecom:ID`, `tencent-meeting:ID`).
    pub fn text(&self) -> String {
        match self {
            SyncSource::Wecom { meetingid, .. } => format!("wecom:{meetingid}"),
            SyncSource::TencentMeeting { meeting_id } => format!("tencent-meeting:{meeting_id}"),
        }
    }
}

/// `POST /api/syncs`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateSyncRequest {
    /// `wecom:MEETINGID` or `tencent-meeting:MEETING_ID`.
    pub from: String,
    /// WeCom only: 0 all, 1 pending, 2 rejected, 3 approved (the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u8>,
    /// Destinations in the same text form a job takes.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub destinations: Vec<Destination>,
    /// The column mapping, as a job's.
    #[serde(default)]
    pub mapping: MappingOptions,
    /// Seconds between two polls of the source.
    pub every_secs: u64,
    /// SSO groups that may read the trail besides its creator and admins.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub share_with: Vec<String>,
}

impl CreateSyncRequest {
    /// The request's own bounds (the proxy also checks that it can serve each destination).
    pub fn check(&self, max_destinations: usize) -> Result<SyncSource, Text> {
        let source = SyncSource::parse(&self.from, self.status)?;
        if self.destinations.is_empty() {
            return Err(Text::new(
                "请至少选择一个同步目标",
                "choose at least one destination",
            ));
        }
        if self.destinations.len() > max_destinations {
            return Err(Text::new(
                format!("一个同步最多 {max_destinations} 个目标"),
                format!("at most {max_destinations} destinations per sync"),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(d) = self
            .destinations
            .iter()
            .find(|d| !seen.insert(d.to_string()))
        {
            return Err(Text::new(
                format!("目标重复：{d}"),
                format!("destination listed twice: {d}"),
            ));
        }
        if !(MIN_EVERY_SECS..=MAX_EVERY_SECS).contains(&self.every_secs) {
            return Err(Text::new(
                format!("同步间隔应在 {MIN_EVERY_SECS}–{MAX_EVERY_SECS} 秒之间"),
                format!("the interval is {MIN_EVERY_SECS}–{MAX_EVERY_SECS} seconds"),
            ));
        }
        Ok(source)
    }
}

/// A sync's state.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncState {
    Active,
    Paused,
    Stopped,
}

impl SyncState {
    /// (zh, en) for people.
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            SyncState::Active => ("同步中", "active"),
            SyncState::Paused => ("已暂停", "paused"),
            SyncState::Stopped => ("已停止", "stopped"),
        }
    }
}

/// Per destination: how its people stand (the same counts a job has, one per person).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncDestination {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub destination: Destination,
    pub counts: Counts,
}

/// `GET /api/syncs/{id}`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncSummary {
    pub id: String,
    pub from: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u8>,
    pub destinations: Vec<SyncDestination>,
    pub every_secs: u64,
    pub state: SyncState,
    pub created_by: String,
    pub created_at: i64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub share_with: Vec<String>,
    /// When the source was last read (unix seconds).
    pub last_poll_at: Option<i64>,
    /// When it is read next; none once stopped.
    pub next_poll_at: Option<i64>,
    /// Why the last poll failed, in words; none after a poll that worked.
    pub last_error: Option<Text>,
    pub polls: u64,
    /// People the sync has seen in the source (whatever their status).
    pub people: u64,
    /// The jobs the polls made, oldest first.
    pub jobs: Vec<String>,
    /// The column mapping its jobs use.
    #[serde(default)]
    pub mapping: MappingOptions,
    /// When the people's names and identities were removed (retention after the sync stopped).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shredded_at: Option<i64>,
}

/// One person and destination on the trail.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncDelivery {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub destination: Destination,
    /// None: not sent (not wanted at the source, or the same person as another enrollee).
    pub state: Option<RowState>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub code: Option<crate::OutcomeCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Text>,
    /// The provider's id for the person there (enroll code, order number…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<String>,
    /// When it was handed to a job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<i64>,
}

/// `GET /api/syncs/{id}/people`: a person's trail.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncPerson {
    /// The source's enroll id.
    pub key: String,
    pub name: String,
    pub first_seen: i64,
    /// The person's status at the source when last read (WeCom: 1 pending, 2 rejected, 3
    /// approved); none when the list has none or no longer lists them.
    pub source_status: Option<u8>,
    /// What changed at the source after delivery, or why the person was not sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<Text>,
    pub deliveries: Vec<SyncDelivery>,
}

/// `?q=` on the trail: a person matches when the text is in their name, key or an identity.
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams, utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncPeopleQuery {
    #[serde(default)]
    pub q: Option<String>,
}

/// The note on a person delivered while wanted whom the source no longer lists as wanted.
pub fn no_longer_wanted() -> Text {
    Text::new(
        "来源处已不再是“已通过”（已送达的目标不会撤回）",
        "no longer approved at the source (deliveries already made stay)",
    )
}

/// The note on an enrollee who is the same person as one already handled.
pub fn same_person_as(key: &str) -> Text {
    Text::new(
        format!("与报名 {key} 是同一人，不再发送"),
        format!("the same person as enrollment {key}; not sent again"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_read_as_documented() {
        assert_eq!(
            SyncSource::parse("wecom:MEETINGID1", None).unwrap(),
            SyncSource::Wecom {
                meetingid: "MEETINGID1".into(),
                status: 3
            }
        );
        assert_eq!(
            SyncSource::parse("tencent-meeting:173", None)
                .unwrap()
                .text(),
            "tencent-meeting:173"
        );
        for bad in [
            "wecom:",
            "wecom:..",
            "wecom:a/b",
            "zoom:1",
            "wecom",
            "wecom:a%0A",
        ] {
            assert!(SyncSource::parse(bad, None).is_err(), "{bad}");
        }
        assert!(SyncSource::parse("wecom:M", Some(4)).is_err());
        assert!(SyncSource::parse("tencent-meeting:1", Some(3)).is_err());
        let approved = SyncSource::parse("wecom:M", None).unwrap();
        assert!(approved.wants(Some(3)));
        assert!(!approved.wants(Some(1)));
        assert!(!approved.wants(None));
        assert!(SyncSource::parse("wecom:M", Some(0))
            .unwrap()
            .wants(Some(1)));
    }

    #[test]
    fn a_request_is_bounded() {
        let req = |every_secs, dests: &[&str]| CreateSyncRequest {
            from: "wecom:M".into(),
            status: None,
            destinations: dests.iter().map(|d| d.parse().unwrap()).collect(),
            mapping: Default::default(),
            every_secs,
            share_with: vec![],
        };
        assert!(req(10, &["tencent-im:@TGS#G"]).check(20).is_ok());
        assert!(req(0, &["tencent-im:@TGS#G"]).check(20).is_err());
        assert!(req(10, &[]).check(20).is_err());
        assert!(req(10, &["tencent-im:@TGS#G", "tencent-im:@TGS#G"])
            .check(20)
            .is_err());
        assert!(req(10, &["tencent-im:@TGS#G", "tencent-im:@TGS#H"])
            .check(1)
            .is_err());
    }
}
