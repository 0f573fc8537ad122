//! 31huiyi (31会议) on-site registration: the documented rules, checked before anything is sent.

use super::*;
use crate::codes::ProblemCode;
use crate::problem::{Problem, Problems};

pub fn validate_register(req: &RegisterRequest) -> Vec<Problem> {
    let mut p = Problems::default();
    if req.bvent_id.trim().is_empty() {
        p.push(
            ProblemCode::Required,
            "bventId",
            "会议 ID 必填",
            "bventId (event id) is required",
        );
    }
    if req.attendee_type_id.trim().is_empty() {
        p.push(
            ProblemCode::Required,
            "AttendeeTypeId",
            "参会人类别 ID 必填",
            "AttendeeTypeId is required",
        );
    }
    let has = |n: &str| req.field(n).is_some_and(|v| !v.trim().is_empty());
    if !has(field_names::MOBILE) && !has(field_names::EMAIL) {
        p.push(
            ProblemCode::MobileOrEmailRequired,
            "Attendee.Fields",
            "手机或邮箱必须填写一个",
            "Mobile or Email is required",
        );
    }
    for (i, f) in req.attendee.fields.iter().enumerate() {
        if f.field_name.trim().is_empty() {
            p.push(
                ProblemCode::Required,
                &format!("Attendee.Fields[{i}].fieldName"),
                "字段名不能为空",
                "fieldName is required",
            );
        }
    }
    if req.items.is_empty() {
        p.push(
            ProblemCode::ItemsRequired,
            "Items",
            "门票商品必填",
            "Items (ticket) is required",
        );
    }
    for (i, it) in req.items.iter().enumerate() {
        if it.item_sku_id.trim().is_empty() {
            p.push(
                ProblemCode::Required,
                &format!("Items[{i}].ItemSkuId"),
                "商品 ID 必填",
                "ItemSkuId is required",
            );
        }
        if it.item_sku_name.trim().is_empty() {
            p.push(
                ProblemCode::Required,
                &format!("Items[{i}].ItemSkuName"),
                "商品名称必填（在 31会议后台查看门票名称）",
                "ItemSkuName is required (the ticket's name in the 31huiyi console)",
            );
        }
        if it.quantity == 0 {
            p.push(
                ProblemCode::Quantity,
                &format!("Items[{i}].Quantity"),
                "数量须大于 0",
                "Quantity must be at least 1",
            );
        }
    }
    p.into_vec()
}
