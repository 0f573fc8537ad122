//! Create a Tencent Meeting webinar: every field of the create API, validated live by core as
//! the user types; after creation, the meeting code and links with copy buttons.

use leptos::prelude::*;
use rollcall_core::providers::tencent_meeting::{
    self as tm, AdmissionType, CreateWebinarRequest, CreateWebinarResponse, Host, MediaSetting,
    WaterMarkType,
};

use crate::api;
use crate::i18n::{pick, tr};

fn parse_local(s: &str) -> u64 {
    let ms = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(s)).get_time();
    if ms.is_nan() {
        0
    } else {
        (ms / 1000.0) as u64
    }
}

fn local_in(hours: f64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(
        js_sys::Date::now() + hours * 3_600_000.0,
    ));
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes()
    )
}

/// `Some(v)` only when it differs from the provider's default.
fn flag(v: bool, default: bool) -> Option<bool> {
    (v != default).then_some(v)
}

#[component]
pub fn CreateWebinar() -> impl IntoView {
    let subject = RwSignal::new(String::new());
    let sponsor = RwSignal::new(String::new());
    let start = RwSignal::new(local_in(1.0));
    let end = RwSignal::new(local_in(2.0));
    let admission = RwSignal::new(0i64);
    let password = RwSignal::new(String::new());
    let hosts = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let cover = RwSignal::new(String::new());
    let words = RwSignal::new(String::new());
    let bools: Vec<(
        &'static str,
        &'static str,
        &'static str,
        bool,
        RwSignal<bool>,
    )> = [
        (
            "enable_guest_invite_link",
            "通过邀请链接自动成为嘉宾",
            "Guests join by invite link",
            false,
        ),
        ("enable_qa", "开启问答", "Q&A", true),
        (
            "enable_manual_check",
            "开启人工审核",
            "Manual review",
            false,
        ),
        ("activity_page", "开启活动页", "Activity page", true),
        (
            "display_number_of_participants",
            "活动页展示报名人数",
            "Show enrollment count",
            true,
        ),
        (
            "playback_for_audience",
            "允许观众观看回放",
            "Playback for the audience",
            false,
        ),
        ("sync_to_wework", "同步至企业微信", "Sync to WeCom", true),
        ("preparation_mode", "准备模式", "Preparation mode", false),
        ("mute_enable_join", "入会时静音", "Mute on join", true),
        (
            "allow_unmute_self",
            "允许参会者取消静音",
            "Let participants unmute",
            true,
        ),
        (
            "allow_in_before_host",
            "允许在主持人之前入会",
            "Join before host",
            true,
        ),
        (
            "allow_screen_shared_watermark",
            "屏幕共享水印",
            "Screen-share watermark",
            false,
        ),
        (
            "only_enterprise_user_allowed",
            "仅企业内部成员可入会",
            "Company members only",
            false,
        ),
        (
            "participant_join_auto_record",
            "成员入会即开始云录制",
            "Record when a participant joins",
            false,
        ),
        (
            "enable_host_pause_auto_record",
            "允许主持人暂停云录制",
            "Host may pause cloud recording",
            true,
        ),
    ]
    .into_iter()
    .map(|(k, zh, en, d)| (k, zh, en, d, RwSignal::new(d)))
    .collect();
    let watermark = RwSignal::new(String::new());
    let record = RwSignal::new("none".to_string());
    let created = RwSignal::new(None::<CreateWebinarResponse>);
    let error = RwSignal::new(None::<String>);
    let playback = bools
        .iter()
        .find(|x| x.0 == "playback_for_audience")
        .map(|x| x.4)
        .expect("the playback option is listed");
    let b = bools.clone();
    let get = move |k: &str| {
        b.iter()
            .find(|x| x.0 == k)
            .map(|x| (x.4.get(), x.3))
            .unwrap_or((false, false))
    };
    let request = Signal::derive(move || {
        let f = |k: &str| {
            let (v, d) = get(k);
            flag(v, d)
        };
        let opt = |s: String| (!s.trim().is_empty()).then(|| s.trim().to_string());
        let media = MediaSetting {
            mute_enable_join: f("mute_enable_join"),
            allow_unmute_self: f("allow_unmute_self"),
            allow_in_before_host: f("allow_in_before_host"),
            allow_screen_shared_watermark: f("allow_screen_shared_watermark"),
            water_mark_type: watermark
                .get()
                .parse::<i64>()
                .ok()
                .map(WaterMarkType::from_code),
            only_enterprise_user_allowed: f("only_enterprise_user_allowed"),
            auto_record_type: Some(record.get())
                .filter(|r| r != "none")
                .map(|r| tm::AutoRecordType::from(r.as_str())),
            participant_join_auto_record: f("participant_join_auto_record"),
            enable_host_pause_auto_record: f("enable_host_pause_auto_record"),
        };
        let host_list: Vec<Host> = hosts
            .get()
            .split([',', '，', ' '])
            .filter(|h| !h.trim().is_empty())
            .map(|h| Host {
                userid: Some(h.trim().to_string()),
                open_id: None,
            })
            .collect();
        CreateWebinarRequest {
            userid: String::new(),
            instanceid: tm::Instance::Pc,
            subject: subject.get(),
            sponsor: opt(sponsor.get()),
            start_time: parse_local(&start.get()),
            end_time: parse_local(&end.get()),
            admission_type: AdmissionType::from_code(admission.get()),
            hosts: (!host_list.is_empty()).then_some(host_list),
            password: opt(password.get()),
            cover_url: opt(cover.get()),
            description: opt(description.get()),
            enable_guest_invite_link: f("enable_guest_invite_link"),
            media_setting: (media != MediaSetting::default()).then_some(media),
            enable_qa: f("enable_qa"),
            sensitive_words: {
                let w: Vec<String> = words
                    .get()
                    .lines()
                    .map(str::trim)
                    .filter(|w| !w.is_empty())
                    .map(String::from)
                    .collect();
                (!w.is_empty()).then_some(w)
            },
            enable_manual_check: f("enable_manual_check"),
            activity_page: f("activity_page"),
            display_number_of_participants: f("display_number_of_participants").map(u8::from),
            playback_for_audience: playback.get(),
            sync_to_wework: f("sync_to_wework"),
            preparation_mode: f("preparation_mode"),
        }
    });
    let now = || (js_sys::Date::now() / 1000.0) as u64;
    // The same validator the proxy runs; userid is filled in by the proxy (operator).
    let problems = Signal::derive(move || {
        let mut r = request.get();
        r.userid = "operator".into();
        tm::validate_create_webinar(&r, now())
    });
    // Settings the provider would ignore: warnings, never errors; the proxy leaves them out.
    let warnings = Signal::derive(move || tm::drop_ineffective(&mut request.get()));
    let field_problems = move |field: &'static str| {
        let matches = move |p: &rollcall_core::problem::Problem| {
            p.field == field
                || p.field.starts_with(&format!("{field}["))
                || p.field.starts_with(&format!("{field}."))
        };
        move || {
            let errors = problems.get().into_iter().filter(matches).map(|p| view! { <span class="field-error" role="alert" data-code=p.code.as_str()>{pick(&p.message.zh, &p.message.en)}</span> });
            let notes = warnings.get().into_iter().filter(matches).map(|p| view! { <span class="field-warning" data-code=p.code.as_str()>{pick(&p.message.zh, &p.message.en)}</span> });
            (errors.collect_view(), notes.collect_view())
        }
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let req = request.get_untracked();
        error.set(None);
        leptos::task::spawn_local(async move {
            match api::post::<_, CreateWebinarResponse>("tencent-meeting/webinars", &req).await {
                Ok(r) => created.set(Some(r)),
                Err(e) => error.set(Some(api::describe(&e))),
            }
        });
    };
    let text = move |id: &'static str,
                     zh: &'static str,
                     en: &'static str,
                     sig: RwSignal<String>,
                     kind: &'static str| {
        view! {
            <label for=id>{tr(zh, en)}</label>
            <div>
                <input id=id type=kind prop:value=move || sig.get() on:input=move |ev| sig.set(event_target_value(&ev))/>
                {field_problems(id)}
            </div>
        }
    };
    view! {
        <section aria-labelledby="webinar-h">
            <h2 id="webinar-h">{tr("创建腾讯会议网络研讨会", "Create a Tencent Meeting webinar")}</h2>
            <form class="grid" on:submit=submit novalidate>
                {text("subject", "主题（1–255 字）", "Subject (1–255 chars)", subject, "text")}
                {text("sponsor", "主办方（1–40 字）", "Sponsor (1–40 chars)", sponsor, "text")}
                {text("start_time", "开始时间", "Start", start, "datetime-local")}
                {text("end_time", "结束时间", "End", end, "datetime-local")}
                <label for="admission_type">{tr("观看限制", "Audience access")}</label>
                <div>
                    <select id="admission_type" on:change=move |ev| admission.set(event_target_value(&ev).parse().unwrap_or(0))>
                        <option value="0">{tr("公开", "Public")}</option>
                        <option value="1">{tr("报名", "Enrollment")}</option>
                        <option value="2">{tr("密码", "Password")}</option>
                    </select>
                </div>
                {text("password", "观看密码（4–6 位数字）", "Password (4–6 digits)", password, "text")}
                {text("hosts", "主持人 userid（逗号分隔）", "Host userids (comma separated)", hosts, "text")}
                <label for="description">{tr("描述（1–5000 字，需开启活动页）", "Description (1–5000 chars, needs the activity page)")}</label>
                <div><textarea id="description" prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev))></textarea>{field_problems("description")}</div>
                {text("cover_url", "封面图片 URL（PNG/JPEG）", "Cover image URL (PNG/JPEG)", cover, "url")}
                <label for="sensitive_words">{tr("聊天敏感词（每行一个，最多 50 个，每个 ≤10 字）", "Chat sensitive words (one a line, ≤ 50, each ≤ 10 chars)")}</label>
                <div><textarea id="sensitive_words" prop:value=move || words.get() on:input=move |ev| words.set(event_target_value(&ev))></textarea>{field_problems("sensitive_words")}</div>
                <label for="auto_record_type">{tr("自动录制", "Auto recording")}</label>
                <div>
                    <select id="auto_record_type" prop:value=move || record.get() on:change=move |ev| {
                        let v = event_target_value(&ev);
                        // Audience playback needs cloud recording: leaving cloud turns it off.
                        if v != "cloud" {
                            playback.set(false);
                        }
                        record.set(v);
                    }>
                        <option value="none">{tr("不录制", "None")}</option>
                        <option value="local">{tr("本地录制", "Local")}</option>
                        <option value="cloud">{tr("云录制", "Cloud")}</option>
                    </select>
                    {field_problems("media_setting.auto_record_type")}
                    {move || playback.get().then(|| view! { <span class="field-hint" id="playback-hint">{tr("观众回放需要云录制：已选云录制", "Audience playback needs cloud recording: cloud is chosen")}</span> })}
                </div>
                <label for="water_mark_type">{tr("水印样式", "Watermark style")}</label>
                <div>
                    <select id="water_mark_type" on:change=move |ev| watermark.set(event_target_value(&ev))>
                        <option value="">{tr("默认", "Default")}</option>
                        <option value="0">{tr("单排", "Single row")}</option>
                        <option value="1">{tr("多排", "Multiple rows")}</option>
                    </select>
                    {field_problems("media_setting.water_mark_type")}
                </div>
                <fieldset class="flags">
                    <legend>{tr("选项", "Options")}</legend>
                    {bools.iter().map(|&(k, zh, en, _, sig)| view! {
                        <label><input type="checkbox" id=k prop:checked=move || sig.get() on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            sig.set(on);
                            // Playback needs cloud recording (seed 002): choose it rather than
                            // let the form block itself.
                            if k == "playback_for_audience" && on {
                                record.set("cloud".into());
                            }
                        }/>{tr(zh, en)}</label>
                    }).collect_view()}
                    {field_problems("playback_for_audience")}
                    {field_problems("activity_page")}
                    {field_problems("media_setting")}
                </fieldset>
                <p class="summary-problems" id="webinar-problems" aria-live="polite">{move || { let n = problems.get().len(); if n == 0 { tr("可以创建", "Ready to create")().to_string() } else { format!("{} {}", n, tr("个问题待修正", "problem(s) to fix")()) } }}</p>
                <button type="submit" class="primary" id="create-webinar" disabled=move || !problems.get().is_empty()>{tr("创建", "Create")}</button>
            </form>
            {move || error.get().map(|e| view! { <div class="banner error" role="alert">{e}</div> })}
            {move || created.get().map(|w| {
                let rows: Vec<(&'static str, &'static str, String)> = vec![
                    ("会议号", "Meeting code", w.meeting_code.clone()),
                    ("会议 ID", "Meeting id", w.meeting_id.clone()),
                    ("观众入会链接", "Audience link", w.audience_join_link.clone()),
                    ("嘉宾入会链接", "Guest link", w.guest_join_link.clone()),
                    ("人工审核链接", "Manual-check link", w.manual_check_link.clone()),
                    ("人工审核密码", "Manual-check password", w.manual_check_password.clone()),
                    ("观看密码", "Password", w.password.clone().unwrap_or_default()),
                ];
                view! {
                    <div class="created" id="webinar-created">
                        <h3>{tr("已创建", "Created")}</h3>
                        <dl>
                            {rows.into_iter().filter(|r| !r.2.is_empty()).map(|(zh, en, v)| view! {
                                <dt>{tr(zh, en)}</dt><dd><code>{v.clone()}</code>" "<super::CopyButton value=v label=en/></dd>
                            }).collect_view()}
                        </dl>
                    </div>
                }
            })}
        </section>
    }
}
