//! Tencent Cloud IM (腾讯云 IM) groups: the documented rules, checked before anything is sent.

use super::*;
use crate::codes::ProblemCode;
use crate::problem::{Problem, Problems};

/// Checks an IM account id: non-empty, ≤ 32 bytes, printable ASCII.
pub fn validate_account(account: &str, field: &str) -> Vec<Problem> {
    let mut p = Problems::default();
    if account.is_empty() {
        p.push(
            ProblemCode::ImAccountRequired,
            field,
            "IM 账号不能为空",
            "IM account is required",
        );
    } else if account.len() > MAX_ACCOUNT_BYTES {
        p.push(
            ProblemCode::ImAccountTooLong,
            field,
            "IM 账号最长 32 字节",
            "IM account is at most 32 bytes",
        );
    } else if !account.bytes().all(|b| b.is_ascii_graphic()) {
        p.push(
            ProblemCode::ImAccountCharset,
            field,
            "IM 账号只能包含可打印 ASCII 字符",
            "IM account must be printable ASCII",
        );
    }
    p.into_vec()
}

/// Checks one member: account, Role (only `Admin`), JoinTime in (group creation, now).
pub fn validate_member(
    m: &ImportMember,
    group_created_at: Option<i64>,
    now: i64,
    field: &str,
) -> Vec<Problem> {
    let mut p = Problems(validate_account(&m.member_account, field));
    if let Some(role) = &m.role {
        if !role.is_known() {
            p.push(
                ProblemCode::ImRole,
                field,
                "角色只能填 Admin（普通成员不填）",
                "Role may only be Admin (omit for a normal member)",
            );
        }
    }
    if let Some(t) = m.join_time {
        if t >= now {
            p.push(
                ProblemCode::JoinTimeFuture,
                field,
                "入群时间须早于当前时间",
                "JoinTime must be before now",
            );
        }
        if let Some(c) = group_created_at {
            if t <= c {
                p.push(
                    ProblemCode::JoinTimeBeforeGroup,
                    field,
                    "入群时间须晚于群创建时间",
                    "JoinTime must be after the group was created",
                );
            }
        }
    }
    p.into_vec()
}

pub fn validate_import(
    req: &ImportGroupMemberRequest,
    group_created_at: Option<i64>,
    now: i64,
) -> Vec<Problem> {
    let mut p = Problems::default();
    if req.group_id.trim().is_empty() {
        p.push(
            ProblemCode::Required,
            "GroupId",
            "群组 ID 必填",
            "GroupId is required",
        );
    }
    if req.member_list.is_empty() {
        p.push(
            ProblemCode::Required,
            "MemberList",
            "成员列表不能为空",
            "MemberList must not be empty",
        );
    }
    if req.member_list.len() > MAX_MEMBERS_PER_REQUEST {
        p.push(
            ProblemCode::BatchTooLarge,
            "MemberList",
            format!("每次最多导入 {MAX_MEMBERS_PER_REQUEST} 个成员"),
            format!("at most {MAX_MEMBERS_PER_REQUEST} members per request"),
        );
    }
    for (i, m) in req.member_list.iter().enumerate() {
        p.0.extend(validate_member(
            m,
            group_created_at,
            now,
            &format!("MemberList[{i}]"),
        ));
    }
    p.into_vec()
}
