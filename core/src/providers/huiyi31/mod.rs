//! 31huiyi (31会议) attendee registration (seed 004).
//!
//! The request is sent in the example's exact shape (`bventId`, `fieldName`, `fieldValue`,
//! numeric `Quantity`); the table's spellings (`BventId`, `FieldName`, string quantity) are
//! accepted on input.
//!
//! `codes.rs` holds the error codes and what each means, `validate.rs` the documented rules.

use super::{flex, null_default, Lenient};
use serde::{Deserialize, Deserializer, Serialize};

/// Calls per second by default. Seed 004 documents no rate limit: a gentle pace, which the
/// operator may raise (`providers.huiyi31.requests_per_second`).
pub const REQUESTS_PER_SECOND: u32 = 5;

pub mod codes;
mod validate;

pub use codes::{classify, is_rate_limit, stops_destination};
pub use validate::*;

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
