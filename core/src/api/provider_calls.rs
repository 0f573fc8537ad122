//! Bodies and queries of the single provider calls the proxy forwards.

use super::*;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderStatus {
    pub provider: crate::providers::Provider,
    pub configured: bool,
    /// Base URL host (never credentials).
    pub endpoint: String,
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

/// `POST /api/tencent-im/groups/{id}/members` body (the group is the path's).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImGroupImport {
    /// IM `import_group_member` members (Member_Account, Role, JoinTime…).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub members: Vec<crate::providers::tencent_im::ImportMember>,
}
