//! Single registration on 31huiyi with the event's dynamic fields; shows the check-in code.

use leptos::prelude::*;
use rollcall_core::providers::huiyi31::{
    self as h, field_names as n, RegisterRequest, RegisterResponse,
};

use crate::api;
use crate::i18n::{pick, tr};

#[component]
pub fn Register() -> impl IntoView {
    let event = RwSignal::new(String::new());
    let type_id = RwSignal::new(String::new());
    let sku = RwSignal::new(String::new());
    let sku_name = RwSignal::new(String::new());
    // The suggested 31huiyi destination is `EVENT:TYPE:SKU`; the ticket's name comes from the config.
    crate::session::suggest(event, |s| s.huiyi31.clone());
    crate::session::suggest(sku_name, |s| s.huiyi31_ticket_name.clone());
    Effect::new(move || {
        // Split a suggested `EVENT:TYPE:SKU` into its three fields.
        let v = event.get();
        if let Some((e, rest)) = v.split_once(':') {
            if let Some((t, k)) = rest.split_once(':') {
                type_id.set(t.to_string());
                sku.set(k.to_string());
                event.set(e.to_string());
            }
        }
    });
    let builtins: Vec<(&'static str, &'static str, &'static str, RwSignal<String>)> = vec![
        (
            n::FULL_NAME,
            "姓名",
            "Full name",
            RwSignal::new(String::new()),
        ),
        (n::MOBILE, "手机", "Mobile", RwSignal::new(String::new())),
        (n::EMAIL, "邮箱", "Email", RwSignal::new(String::new())),
        (n::COMPANY, "公司", "Company", RwSignal::new(String::new())),
        (
            n::POSITION,
            "职位",
            "Position",
            RwSignal::new(String::new()),
        ),
    ];
    let custom = RwSignal::new(Vec::<(RwSignal<String>, RwSignal<String>)>::new());
    let result = RwSignal::new(None::<RegisterResponse>);
    let error = RwSignal::new(None::<String>);
    let b2 = builtins.clone();
    let request = move || RegisterRequest {
        invitation_code: None,
        bvent_id: event.get().trim().to_string(),
        attendee_type_id: type_id.get().trim().to_string(),
        attendee: h::AttendeeFields {
            fields: b2
                .iter()
                .filter(|(_, _, _, v)| !v.get().trim().is_empty())
                .map(|(name, _, _, v)| h::Field {
                    field_name: name.to_string(),
                    field_value: v.get().trim().to_string(),
                })
                .chain(
                    custom
                        .get()
                        .iter()
                        .filter(|(k, _)| !k.get().trim().is_empty())
                        .map(|(k, v)| h::Field {
                            field_name: k.get().trim().to_string(),
                            field_value: v.get(),
                        }),
                )
                .collect(),
        },
        purchaser: None,
        items: if sku.get().trim().is_empty() {
            vec![]
        } else {
            vec![h::Item {
                item_sku_id: sku.get().trim().to_string(),
                item_sku_name: sku_name.get().trim().to_string(),
                quantity: 1,
            }]
        },
        agendas: None,
    };
    let request = Signal::derive(request);
    let problems = Signal::derive(move || h::validate_register(&request.get()));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let req = request.get_untracked();
        result.set(None);
        error.set(None);
        leptos::task::spawn_local(async move {
            match api::post::<_, RegisterResponse>("huiyi31/register", &req).await {
                Ok(r) => result.set(Some(r)),
                Err(e) => error.set(Some(api::describe(&e))),
            }
        });
    };
    let text = move |id: &'static str,
                     label: (&'static str, &'static str),
                     sig: RwSignal<String>| {
        view! { <label for=id>{tr(label.0, label.1)}</label><input id=id type="text" prop:value=move || sig.get() on:input=move |ev| sig.set(event_target_value(&ev))/> }
    };
    view! {
        <section aria-labelledby="reg-h">
            <h2 id="reg-h">{tr("31会议单个报名", "Single 31huiyi registration")}</h2>
            <form class="grid" on:submit=submit>
                {text("reg-event", ("活动 ID (bventId)", "Event id (bventId)"), event)}
                {text("reg-type", ("参会人类别 ID", "Attendee type id"), type_id)}
                {text("reg-sku", ("门票商品 ID", "Ticket item id"), sku)}
                {text("reg-sku-name", ("门票商品名称（与 31会议后台一致）", "Ticket name (as in the 31huiyi console)"), sku_name)}
                {builtins.iter().map(|&(name, zh, en, sig)| view! {
                    <label for=format!("reg-{name}")>{tr(zh, en)}</label>
                    <input id=format!("reg-{name}") type="text" prop:value=move || sig.get() on:input=move |ev| sig.set(event_target_value(&ev))/>
                }).collect_view()}
                <fieldset class="custom">
                    <legend>{tr("动态字段（字段名 = 值；选项型字段填选项代码）", "Dynamic fields (name = value; option fields take the option code)")}</legend>
                    {move || custom.get().into_iter().enumerate().map(|(i, (k, v))| view! {
                        <div class="pair">
                            <input aria-label=format!("field name {}", i + 1) type="text" prop:value=move || k.get() on:input=move |ev| k.set(event_target_value(&ev))/>
                            " = "
                            <input aria-label=format!("field value {}", i + 1) type="text" prop:value=move || v.get() on:input=move |ev| v.set(event_target_value(&ev))/>
                        </div>
                    }).collect_view()}
                    <button type="button" on:click=move |_| custom.update(|c| c.push((RwSignal::new(String::new()), RwSignal::new(String::new()))))>{tr("添加字段", "Add a field")}</button>
                </fieldset>
                <ul class="problems" aria-live="polite">
                    {move || problems.get().into_iter().map(|p| view! { <li class="err" data-code=p.code.as_str()>{pick(&p.message.zh, &p.message.en)}</li> }).collect_view()}
                </ul>
                <button type="submit" class="primary" disabled=move || !problems.get().is_empty()>{tr("报名", "Register")}</button>
            </form>
            {move || error.get().map(|e| view! { <div class="banner error" role="alert">{e}</div> })}
            {move || result.get().and_then(|r| r.data).map(|d| {
                let code = d.checkin_code().unwrap_or_default().to_string();
                view! {
                    <div class="created" id="register-result">
                        <p>{tr("报名成功，订单号", "Registered; order no.")}" "{d.order_no.clone()}</p>
                        <p>{tr("签到码", "Check-in code")}": "<b id="checkin-code">{code.clone()}</b>" "<super::CopyButton value=code label="copy check-in code"/></p>
                    </div>
                }
            })}
        </section>
    }
}
