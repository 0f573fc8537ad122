//! WeCom (企业微信) webinar enrollments: the documented rules, checked before anything is sent.

use super::*;
use crate::codes::ProblemCode;
use crate::problem::{Problem, Problems};

pub fn validate_enroll_list(req: &EnrollListRequest) -> Vec<Problem> {
    let mut p = Problems::default();
    if req.meetingid.trim().is_empty() {
        p.push(
            ProblemCode::Required,
            "meetingid",
            "网络研讨会 ID 必填",
            "meetingid is required",
        );
    }
    if let Some(s) = req.status {
        if !s.is_known() {
            p.push(
                ProblemCode::InvalidEnum,
                "status",
                "审批状态只能是 0–3",
                "status must be 0–3",
            );
        }
    }
    if let Some(l) = req.limit {
        if l == 0 || l > MAX_LIMIT {
            p.push(
                ProblemCode::LimitOutOfRange,
                "limit",
                format!("分页大小须为 1–{MAX_LIMIT}"),
                format!("limit must be 1–{MAX_LIMIT}"),
            );
        }
    }
    p.into_vec()
}
