//! 31huiyi (31会议) attendee registration (seed 004).
//!
//! The request is sent in the example's exact shape (`bventId`, `fieldName`, `fieldValue`,
//! numeric `Quantity`); the table's spellings (`BventId`, `FieldName`, string quantity) are
//! accepted on input.

use serde::{Deserialize, Deserializer, Serialize};

use super::{flex, null_default, ErrorClass, Lenient};
use crate::problem::{Problem, Problems};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    #[serde(rename = "fieldName", alias = "FieldName")]
    pub field_name: String,
    #[serde(rename = "fieldValue", alias = "FieldValue")]
    pub field_value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
/// The `Attendee` object of a Register body: its dynamic fields (named apart from the roster's
/// `Attendee`, the person a row describes).
pub struct AttendeeFields {
    #[serde(rename = "Fields", alias = "fields", default)]
    pub fields: Vec<Field>,
}

fn quantity<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    crate::providers::string_u64::deserialize(d)
        .and_then(|n| u32::try_from(n).map_err(serde::de::Error::custom))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    #[serde(rename = "ItemSkuId")]
    pub item_sku_id: String,
    #[serde(rename = "ItemSkuName", default)]
    pub item_sku_name: String,
    #[serde(rename = "Quantity", deserialize_with = "quantity")]
    pub quantity: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Purchaser {
    #[serde(rename = "Name", skip_serializing_if = "Option::is_none", default)]
    pub name: Option<String>,
    #[serde(rename = "AreaCode", skip_serializing_if = "Option::is_none", default)]
    pub area_code: Option<String>,
    #[serde(rename = "Mobile", skip_serializing_if = "Option::is_none", default)]
    pub mobile: Option<String>,
    #[serde(rename = "Company", skip_serializing_if = "Option::is_none", default)]
    pub company: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Agenda {
    #[serde(rename = "AgendaId", skip_serializing_if = "Option::is_none", default)]
    pub agenda_id: Option<String>,
    #[serde(
        rename = "ParentSkuId",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub parent_sku_id: Option<String>,
}

/// `POST /op/notoken/api/Attendee/v1/Register` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterRequest {
    #[serde(
        rename = "InvitationCode",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub invitation_code: Option<String>,
    #[serde(rename = "bventId", alias = "BventId")]
    pub bvent_id: String,
    #[serde(rename = "AttendeeTypeId")]
    pub attendee_type_id: String,
    #[serde(rename = "Attendee")]
    pub attendee: AttendeeFields,
    #[serde(rename = "Purchaser", skip_serializing_if = "Option::is_none", default)]
    pub purchaser: Option<Purchaser>,
    #[serde(rename = "Items", default)]
    pub items: Vec<Item>,
    #[serde(rename = "Agendas", skip_serializing_if = "Option::is_none", default)]
    pub agendas: Option<Vec<Agenda>>,
}

impl RegisterRequest {
    /// The value of a dynamic field, matched case-insensitively by name.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.attendee
            .fields
            .iter()
            .find(|f| f.field_name.eq_ignore_ascii_case(name))
            .map(|f| f.field_value.as_str())
    }
}

/// One attendee of the order. The answer table marks every field 非必须: all optional, `null`
/// accepted wherever a string is expected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct OrderAttendee {
    #[serde(rename = "attendeeId", default, deserialize_with = "flex::or_default")]
    pub attendee_id: String,
    #[serde(
        rename = "attendeeAbstractType",
        skip_serializing_if = "Option::is_none",
        default,
        deserialize_with = "flex::opt"
    )]
    pub attendee_abstract_type: Option<i64>,
    #[serde(default, deserialize_with = "flex::or_default")]
    pub name: String,
    #[serde(default, deserialize_with = "flex::or_default")]
    pub mobile: String,
    #[serde(default, deserialize_with = "flex::or_default")]
    pub status: String,
    #[serde(
        rename = "checkinCode",
        skip_serializing_if = "Option::is_none",
        default,
        deserialize_with = "flex::opt"
    )]
    pub checkin_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct RegisterData {
    #[serde(default, deserialize_with = "flex::or_default")]
    pub status: i64,
    #[serde(rename = "orderId", default, deserialize_with = "flex::or_default")]
    pub order_id: String,
    #[serde(rename = "orderNo", default, deserialize_with = "flex::or_default")]
    pub order_no: String,
    #[serde(rename = "orderStatus", default, deserialize_with = "flex::or_default")]
    pub order_status: String,
    #[serde(
        rename = "orderAmount",
        skip_serializing_if = "Option::is_none",
        default,
        deserialize_with = "flex::opt"
    )]
    pub order_amount: Option<f64>,
    #[serde(rename = "orderType", default, deserialize_with = "flex::or_default")]
    pub order_type: String,
    #[serde(rename = "orderAttendees", default, deserialize_with = "null_default")]
    pub order_attendees: Vec<Lenient<OrderAttendee>>,
}

impl RegisterData {
    /// The check-in code of the (first) attendee the order carries.
    pub fn checkin_code(&self) -> Option<&str> {
        self.order_attendees
            .iter()
            .filter_map(Lenient::ok)
            .find_map(|a| a.checkin_code.as_deref().filter(|c| !c.is_empty()))
    }
}

/// `Register` answer. `businessCode` is 非必须 (0 = success): an answer without it but with the
/// order data is a success, never an ambiguous one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct RegisterResponse {
    #[serde(
        rename = "businessMessage",
        default,
        deserialize_with = "flex::or_default"
    )]
    pub business_message: String,
    #[serde(
        rename = "businessCode",
        skip_serializing_if = "Option::is_none",
        default,
        deserialize_with = "flex::opt"
    )]
    pub business_code: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub data: Option<RegisterData>,
}

impl RegisterResponse {
    /// The provider's refusal code, if the answer is one (`businessCode` present and not 0).
    pub fn refusal(&self) -> Option<i64> {
        self.business_code.filter(|&c| c != 0)
    }
}

/// Codes the sandbox uses for its own refusals. The seed documents no error codes: none of these
/// is retried, and only the missing event stops a destination.
pub mod codes {
    pub const EVENT_NOT_FOUND: i64 = 404;
    pub const INVALID: i64 = 400;
}

/// The seed lists no codes: every refusal is permanent (Register is not idempotent, so only a
/// request that certainly never reached the provider is retried — decided by the transport).
pub fn classify(_code: i64) -> ErrorClass {
    ErrorClass::Permanent
}

/// Whether a refusal means no row can be registered at this destination.
pub fn stops_destination(code: i64) -> bool {
    code == codes::EVENT_NOT_FOUND
}

/// Dynamic field names the roster maps to (31huiyi's built-in field codes).
pub mod field_names {
    pub const FULL_NAME: &str = "FullName";
    pub const MOBILE: &str = "Mobile";
    pub const EMAIL: &str = "Email";
    pub const COMPANY: &str = "Company";
    pub const POSITION: &str = "Position";
    /// The phone's country code, as the seed writes it for the purchaser ("手机区号(例如+86)"):
    /// sent for a phone outside mainland China, whose `Mobile` alone would be read as +86.
    pub const AREA_CODE: &str = "AreaCode";
}

pub fn validate_register(req: &RegisterRequest) -> Vec<Problem> {
    let mut p = Problems::default();
    if req.bvent_id.trim().is_empty() {
        p.push(
            "required",
            "bventId",
            "会议 ID 必填",
            "bventId (event id) is required",
        );
    }
    if req.attendee_type_id.trim().is_empty() {
        p.push(
            "required",
            "AttendeeTypeId",
            "参会人类别 ID 必填",
            "AttendeeTypeId is required",
        );
    }
    let has = |n: &str| req.field(n).is_some_and(|v| !v.trim().is_empty());
    if !has(field_names::MOBILE) && !has(field_names::EMAIL) {
        p.push(
            "mobile_or_email_required",
            "Attendee.Fields",
            "手机或邮箱必须填写一个",
            "Mobile or Email is required",
        );
    }
    for (i, f) in req.attendee.fields.iter().enumerate() {
        if f.field_name.trim().is_empty() {
            p.push(
                "required",
                &format!("Attendee.Fields[{i}].fieldName"),
                "字段名不能为空",
                "fieldName is required",
            );
        }
    }
    if req.items.is_empty() {
        p.push(
            "items_required",
            "Items",
            "门票商品必填",
            "Items (ticket) is required",
        );
    }
    for (i, it) in req.items.iter().enumerate() {
        if it.item_sku_id.trim().is_empty() {
            p.push(
                "required",
                &format!("Items[{i}].ItemSkuId"),
                "商品 ID 必填",
                "ItemSkuId is required",
            );
        }
        if it.item_sku_name.trim().is_empty() {
            p.push(
                "required",
                &format!("Items[{i}].ItemSkuName"),
                "商品名称必填（在 31会议后台查看门票名称）",
                "ItemSkuName is required (the ticket's name in the 31huiyi console)",
            );
        }
        if it.quantity == 0 {
            p.push(
                "quantity",
                &format!("Items[{i}].Quantity"),
                "数量须大于 0",
                "Quantity must be at least 1",
            );
        }
    }
    p.into_vec()
}
