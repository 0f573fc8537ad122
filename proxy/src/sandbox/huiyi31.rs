//! Fake 31huiyi: register creates an order every time (no idempotency), checks the event,
//! attendee type and ticket item, requires Mobile or Email, returns a check-in code.

use std::sync::Arc;

use axum::extract::State as Ax;
use axum::response::{IntoResponse, Response};
use axum::Json;
use bytes::Bytes;
use rollcall_core::providers::huiyi31::{
    codes, field_names, OrderAttendee, RegisterData, RegisterRequest, RegisterResponse,
};
use serde_json::json;

use super::{Fault, Sandbox};

pub struct Order {
    /// The dynamic fields beyond the built-in ones, as sent (field code → value).
    pub custom: Vec<(String, String)>,
    pub order_id: String,
    pub order_no: String,
    pub name: String,
    pub mobile: String,
    pub email: String,
    pub attendee_type_id: String,
    pub checkin_code: String,
}

pub struct Event {
    pub event_id: String,
    pub attendee_types: Vec<(String, String)>,
    pub items: Vec<(String, String)>,
    pub orders: Vec<Order>,
}

pub struct State {
    pub events: Vec<Event>,
    seq: u64,
}

impl State {
    pub fn seeded() -> Self {
        State {
            events: vec![Event {
                event_id: super::demo::HUIYI_EVENT.into(),
                attendee_types: vec![
                    (super::demo::HUIYI_TYPE.into(), "嘉宾".into()),
                    ("vip-type".into(), "VIP".into()),
                ],
                items: vec![
                    (super::demo::HUIYI_TICKET.into(), "嘉宾票".into()),
                    ("vip-ticket".into(), "VIP 票".into()),
                ],
                orders: vec![],
            }],
            seq: 0,
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        json!({"events": self.events.iter().map(|e| json!({
            "event_id": e.event_id,
            "attendee_types": e.attendee_types.iter().map(|(id, n)| json!({"id": id, "name": n})).collect::<Vec<_>>(),
            "items": e.items.iter().map(|(id, n)| json!({"id": id, "name": n})).collect::<Vec<_>>(),
            "orders": e.orders.iter().map(|o| json!({
                "order_id": o.order_id, "order_no": o.order_no, "mobile": o.mobile, "email": o.email, "name": o.name,
                "attendee_type_id": o.attendee_type_id, "checkin_code": o.checkin_code,
                "custom": o.custom.iter().map(|(k, v)| json!({"field": k, "value": v})).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>()})
    }
}

fn business(code: i64, msg: &str) -> Response {
    Json(RegisterResponse {
        business_message: msg.into(),
        business_code: Some(code),
        data: None,
    })
    .into_response()
}

pub async fn register(Ax(sb): Ax<Arc<Sandbox>>, body: Bytes) -> Response {
    let fault = sb.faults.roll();
    match fault {
        Some(Fault::GatewayBefore) => return super::bad_gateway(),
        // The seed documents no rate-limit or auth codes for this endpoint: a gateway in front
        // answers them with its own HTML page before anything is applied.
        Some(Fault::RateLimit) => return super::html_status(429),
        Some(Fault::AuthExpired) => return super::html_status(403),
        _ => {}
    }
    // Checked as seed 004's table says, on the body as it came (not by core's validators).
    let raw: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return business(codes::INVALID, &format!("参数错误: {e}")),
    };
    if let Err(m) = super::rules::huiyi31_register(&raw) {
        return business(codes::INVALID, &m);
    }
    let req: RegisterRequest = match serde_json::from_value(raw) {
        Ok(r) => r,
        Err(e) => return business(codes::INVALID, &format!("参数错误: {e}")),
    };
    let mut st = sb.huiyi.lock().expect("huiyi state");
    st.seq += 1;
    let seq = st.seq;
    let Some(ev) = st.events.iter_mut().find(|e| e.event_id == req.bvent_id) else {
        return business(codes::EVENT_NOT_FOUND, "会议不存在");
    };
    if !ev
        .attendee_types
        .iter()
        .any(|(id, _)| *id == req.attendee_type_id)
    {
        return business(codes::INVALID, "参会人类别不存在");
    }
    if let Some(bad) = req
        .items
        .iter()
        .find(|i| !ev.items.iter().any(|(id, _)| *id == i.item_sku_id))
    {
        return business(
            codes::INVALID,
            &format!("门票商品不存在: {}", bad.item_sku_id),
        );
    }
    // The name travels with its id: another ticket's name is refused.
    if let Some(bad) = req.items.iter().find(|i| {
        !ev.items
            .iter()
            .any(|(id, name)| *id == i.item_sku_id && *name == i.item_sku_name)
    }) {
        return business(
            codes::INVALID,
            &format!(
                "门票商品名称与商品 {} 不符: {}",
                bad.item_sku_id, bad.item_sku_name
            ),
        );
    }
    let field = |n: &str| req.field(n).unwrap_or("").to_string();
    const BUILT_IN: [&str; 6] = [
        field_names::FULL_NAME,
        field_names::MOBILE,
        field_names::EMAIL,
        field_names::COMPANY,
        field_names::POSITION,
        field_names::AREA_CODE,
    ];
    let order = Order {
        custom: req
            .attendee
            .fields
            .iter()
            .filter(|f| !BUILT_IN.contains(&f.field_name.as_str()))
            .map(|f| (f.field_name.clone(), f.field_value.clone()))
            .collect(),
        order_id: format!("b0e50000-6b13-9276-{:04x}-{:012x}", seq % 0xffff, seq),
        order_no: format!("2611{:015}", seq),
        name: field(field_names::FULL_NAME),
        mobile: field(field_names::MOBILE),
        email: field(field_names::EMAIL),
        attendee_type_id: req.attendee_type_id.clone(),
        checkin_code: format!("1475{:015}", seq * 7919 % 1_000_000_000_000_000),
    };
    let data = RegisterData {
        status: 0,
        order_id: order.order_id.clone(),
        order_no: order.order_no.clone(),
        order_status: "Paid".into(),
        order_amount: Some(0.0),
        order_type: "Main".into(),
        order_attendees: vec![OrderAttendee {
            attendee_id: format!("b0e50000-6b13-9276-9e9a-{:012x}", seq),
            attendee_abstract_type: Some(0),
            name: order.name.clone(),
            mobile: order.mobile.clone(),
            status: String::new(),
            checkin_code: Some(order.checkin_code.clone()),
        }
        .into()],
    };
    let person = format!("m:{}", order.mobile);
    ev.orders.push(order);
    drop(st);
    sb.sends.lock().expect("sends").record(
        "huiyi31",
        [person.as_str()],
        fault == Some(Fault::LostAfter),
    );
    if fault == Some(Fault::LostAfter) {
        return super::lost_response();
    }
    // The answer table marks every field 非必须: half the successes leave `businessCode` out and
    // put `null` where the seed shows empty strings, as a provider may.
    let mut body = serde_json::to_value(RegisterResponse {
        business_message: String::new(),
        business_code: Some(0),
        data: Some(data),
    })
    .expect("serialising a wire type");
    match sb.faults.next_u64() % 3 {
        0 => {
            body.as_object_mut().map(|o| o.remove("businessCode"));
            body["businessMessage"] = serde_json::Value::Null;
            body["data"]["orderAttendees"][0]["status"] = serde_json::Value::Null;
        }
        // Types drift: numbers as strings, a decimal string where an integer is printed.
        1 => {
            body["businessCode"] = json!("0");
            body["data"]["status"] = json!("0");
            body["data"]["orderAmount"] = json!("0.00");
            body["data"]["orderAttendees"][0]["attendeeAbstractType"] = json!("0");
        }
        _ => {}
    }
    Json(body).into_response()
}
