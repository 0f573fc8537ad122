//! The command-line tools, run as a user runs them.

mod common;

use std::process::Command;

use common::*;
use serde_json::Value;

fn run(args: &[&str], envs: &[(&str, &str)]) -> (i32, String, String) {
    let out = Command::new(bin())
        .args(args)
        .envs(envs.iter().copied())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn roster_check_json_and_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("r.csv");
    std::fs::write(&good, "姓名,手机号,邮箱,IM账号\n张三,13800138000,a@b.cn,zs\n李四,12345,bad,\n王五,13800138000,c@d.cn,ww\n").unwrap();
    let (code, out, _) = run(
        &[
            "roster",
            "check",
            good.to_str().unwrap(),
            "--to",
            "tencent-meeting",
            "--to",
            "tencent-im",
            "--json",
        ],
        &[],
    );
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (
            v["rows"].as_u64(),
            v["valid"].as_u64(),
            v["invalid"].as_u64(),
            v["duplicates"].as_u64()
        ),
        (Some(3), Some(1), Some(2), Some(1))
    );
    assert_eq!(v["encoding"], "utf-8");
    assert_eq!(v["columns"]["手机号"], "phone");
    let p = &v["problems"].as_array().unwrap()[0];
    assert!(
        p["row"].is_u64()
            && p["column"].is_string()
            && p["code"].is_string()
            && p["message"]["zh"].is_string()
            && p["message"]["en"].is_string()
    );
    // Readable table without --json.
    let (code, out, _) = run(&["roster", "check", good.to_str().unwrap()], &[]);
    assert_eq!(code, 0);
    assert!(
        out.contains("duplicate") && out.contains("phone_area_missing"),
        "{out}"
    );
    // Unreadable files: exit 2 with one line.
    for (name, bytes) in [
        ("empty.csv", b"".to_vec()),
        ("bin.csv", vec![0u8, 1, 2, 3, 0, 255]),
        ("old.xls", vec![0xD0, 0xCF, 0x11, 0xE0, 1, 2]),
    ] {
        let f = dir.path().join(name);
        std::fs::write(&f, bytes).unwrap();
        let (code, out, err) = run(&["roster", "check", f.to_str().unwrap(), "--json"], &[]);
        assert_eq!(code, 2, "{name}");
        assert!(out.is_empty());
        assert_eq!(err.trim().lines().count(), 1, "{err}");
    }
    let (code, _, err) = run(&["roster", "check", "/nonexistent/file.csv"], &[]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read"));
}

#[test]
fn sign_and_usersig_diagnostics_match_the_vectors() {
    let v: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/vectors/tencent_meeting_signature.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let vec = &v["vectors"][1];
    let i = &vec["inputs"];
    let dir = tempfile::tempdir().unwrap();
    let body = dir.path().join("body.json");
    std::fs::write(&body, i["body_utf8"].as_str().unwrap()).unwrap();
    let (code, out, _) = run(
        &[
            "sign",
            "tencent-meeting",
            "--method",
            i["method"].as_str().unwrap(),
            "--uri",
            i["uri_signed"].as_str().unwrap(),
            "--body-file",
            body.to_str().unwrap(),
            "--nonce",
            i["nonce"].as_str().unwrap(),
            "--timestamp",
            i["timestamp"].as_str().unwrap(),
            "--json",
        ],
        &[
            ("ROLLCALL_TM_SECRET_ID", i["secret_id"].as_str().unwrap()),
            ("ROLLCALL_TM_SECRET_KEY", i["secret_key"].as_str().unwrap()),
        ],
    );
    assert_eq!(code, 0);
    let o: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(o["signature"], vec["expected"]["x_tc_signature"]);
    assert_eq!(o["string_to_sign"], vec["intermediate"]["string_to_sign"]);

    let u: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/vectors/tls_sig_api_v2_usersig.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let t = &u["vectors"][0];
    let ti = &t["inputs"];
    let (code, out, _) = run(
        &[
            "usersig",
            "--sdkappid",
            &ti["sdkappid"].to_string(),
            "--identifier",
            ti["identifier"].as_str().unwrap(),
            "--expire",
            &ti["expire"].to_string(),
            "--time",
            &ti["curr_time_used"].to_string(),
        ],
        &[("ROLLCALL_IM_SECRET_KEY", ti["key"].as_str().unwrap())],
    );
    assert_eq!(code, 0);
    let sig = out.trim();
    assert_eq!(out.lines().count(), 1);
    let decoded = Value::Object(rollcall::providers::tencent_im::decode_usersig(sig).unwrap());
    assert_eq!(decoded, t["expected"]["decoded_document"]);
    // Without the secret in the environment: a clear error, not a panic.
    let (code, _, err) = run(
        &[
            "usersig",
            "--sdkappid",
            "1",
            "--identifier",
            "a",
            "--expire",
            "10",
        ],
        &[],
    );
    assert_eq!(code, 1);
    assert!(err.contains("ROLLCALL_IM_SECRET_KEY"));
}

#[test]
fn import_wait_json_and_jobs_commands() {
    let stack = Stack::start(0.0);
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("people.csv");
    std::fs::write(
        &f,
        "姓名,手机号,邮箱,IM账号\n张三,13800138000,a@b.cn,zs\n李四,12345,bad,ls\n",
    )
    .unwrap();
    // The CLI talks to the proxy as a trusted SSO peer would not: use a dev-mode proxy.
    let dev = serve_sandbox(dir.path(), "dev.log", &[]);
    let (code, out, _) = run(
        &[
            "import",
            f.to_str().unwrap(),
            "--server",
            &dev.url,
            "--to",
            "tencent-im:@TGS#2J4SZEAEL",
            "--to",
            "huiyi31:demo-event:demo-type:demo-ticket",
            "--wait",
            "--json",
        ],
        &[],
    );
    assert_eq!(code, 0);
    let j: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(j["state"], "completed");
    assert_eq!(j["rows"], 2);
    let dests = j["destinations"].as_array().unwrap();
    assert_eq!(dests[0]["destination"], "tencent-im:@TGS#2J4SZEAEL");
    // Row 3's phone is malformed: the row is invalid everywhere, never sent.
    for d in dests {
        assert_eq!(d["counts"]["imported"], 1, "{d}");
        assert_eq!(d["counts"]["invalid"], 1, "{d}");
    }
    for k in [
        "imported",
        "already_present",
        "rejected",
        "invalid",
        "unknown",
        "skipped",
        "pending",
    ] {
        assert!(dests[0]["counts"][k].is_u64(), "{k}");
    }
    let id = j["id"].as_str().unwrap();
    let (code, out, _) = run(&["jobs", "show", id, "--server", &dev.url, "--json"], &[]);
    assert_eq!(code, 0);
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap()["id"], id);
    let (_, out, _) = run(&["jobs", "list", "--server", &dev.url, "--json"], &[]);
    assert_eq!(
        serde_json::from_str::<Value>(&out)
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let (_, out, _) = run(
        &["jobs", "results", id, "--server", &dev.url, "--json"],
        &[],
    );
    assert_eq!(
        serde_json::from_str::<Value>(&out).unwrap()["rows"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // A proxy behind SSO refuses the CLI without identity headers: a clear error, exit 1.
    let (code, _, err) = run(&["jobs", "list", "--server", &stack.proxy.url], &[]);
    assert_eq!(code, 1);
    assert!(err.contains("401"), "{err}");
}

/// A dev-identity proxy (the CLI sends no SSO headers) on a standalone sandbox whose calls the
/// test can count.
fn dev_proxy_on_sandbox(dir: &std::path::Path) -> (Proc, Proc) {
    let sandbox = standalone_sandbox(dir, &[]);
    let config = write_config(dir, &sandbox.url, "");
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace("mode = \"trusted-header\"", "mode = \"dev\"");
    std::fs::write(&config, text).unwrap();
    let proxy = spawn(
        &["serve", "--config", config.to_str().unwrap()],
        &dir.join("proxy.log"),
        "Rollcall is running",
    );
    (sandbox, proxy)
}

fn writes(sandbox: &Proc) -> u64 {
    sandbox_state(sandbox)["calls"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(path, _)| {
            ["import_group_member", "enroll/import", "Register"]
                .iter()
                .any(|w| path.contains(w))
        })
        .map(|(_, n)| n.as_u64().unwrap())
        .sum()
}

#[test]
fn dry_run_sends_nothing_and_predicts_the_job() {
    let dir = tempfile::tempdir().unwrap();
    let (sandbox, proxy) = dev_proxy_on_sandbox(dir.path());
    let f = dir.path().join("people.csv");
    // Two people already in the IM group after a first job, one new, one invalid.
    std::fs::write(
        &f,
        "姓名,手机号,IM账号\n张三,13800138000,zs\n李四,13900139000,ls\n",
    )
    .unwrap();
    let to = [
        "--to",
        "tencent-im:@TGS#2J4SZEAEL",
        "--to",
        "tencent-meeting:17305428542504531991",
    ];
    let import = |file: &std::path::Path, extra: &[&str]| {
        let mut args = vec!["import", file.to_str().unwrap(), "--server", &proxy.url];
        args.extend_from_slice(&to);
        args.extend_from_slice(extra);
        run(&args, &[])
    };
    let (code, _, _) = import(&f, &["--wait", "--json"]);
    assert_eq!(code, 0);
    let before = writes(&sandbox);
    std::fs::write(
        &f,
        "姓名,手机号,IM账号\n张三,13800138000,zs\n李四,13900139000,ls\n王五,13700137000,ww\n赵六,12345,zl\n",
    )
    .unwrap();
    let (code, out, err) = import(&f, &["--dry-run", "--json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(writes(&sandbox), before, "a dry run sends nothing");
    let p: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(p["rows"], 4);
    let im = &p["destinations"][0];
    assert_eq!(im["destination"], "tencent-im:@TGS#2J4SZEAEL");
    assert_eq!(
        (
            im["invalid"].as_u64(),
            im["already_present"].as_u64(),
            im["to_send"].as_u64()
        ),
        (Some(1), Some(2), Some(1)),
        "{im}"
    );
    // The human form is aligned by display width and says nothing was sent.
    let (code, out, _) = import(&f, &["--dry-run"]);
    assert_eq!(code, 0);
    assert!(out.contains("nothing was sent"), "{out}");
    let widths: Vec<usize> = out
        .lines()
        .take(3)
        .map(unicode_width::UnicodeWidthStr::width)
        .collect();
    assert!(
        widths.windows(2).all(|w| w[0] == w[1]),
        "columns line up: {widths:?}\n{out}"
    );
    // The job then does exactly what the preview said.
    let (code, out, _) = import(&f, &["--wait", "--json"]);
    assert_eq!(code, 0);
    let j: Value = serde_json::from_str(&out).unwrap();
    for (d, preview) in j["destinations"]
        .as_array()
        .unwrap()
        .iter()
        .zip(p["destinations"].as_array().unwrap())
    {
        let c = &d["counts"];
        assert_eq!(c["imported"], preview["to_send"], "{d} vs {preview}");
        assert_eq!(
            c["already_present"], preview["already_present"],
            "{d} vs {preview}"
        );
        assert_eq!(
            c["invalid"].as_u64().unwrap(),
            preview["invalid"].as_u64().unwrap() + preview["over_cap"].as_u64().unwrap(),
            "{d} vs {preview}"
        );
    }
    // The destinations used are offered by name next time.
    let (code, out, _) = run(&["destinations", "--server", &proxy.url, "--json"], &[]);
    assert_eq!(code, 0);
    let known: Value = serde_json::from_str(&out).unwrap();
    let ids: Vec<&str> = known
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["destination"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"tencent-im:@TGS#2J4SZEAEL")
            && ids.contains(&"tencent-meeting:17305428542504531991"),
        "{ids:?}"
    );
    // A destination that does not exist fails at the check, before any job.
    let (code, _, err) = run(
        &[
            "import",
            f.to_str().unwrap(),
            "--server",
            &proxy.url,
            "--to",
            "tencent-im:@TGS#NOSUCHGROUP",
            "--dry-run",
        ],
        &[],
    );
    assert_eq!(code, 1);
    assert!(err.contains("destination_unavailable"), "{err}");
}

#[test]
fn import_from_wecom_enrollments() {
    let dir = tempfile::tempdir().unwrap();
    let (sandbox, proxy) = dev_proxy_on_sandbox(dir.path());
    let from_to = |to: &str, extra: &[&str]| {
        let mut args = vec![
            "import",
            "--from",
            "wecom:MEETINGID1",
            "--status",
            "3",
            "--server",
            &proxy.url,
            "--to",
            to,
        ];
        args.extend_from_slice(extra);
        run(&args, &[])
    };
    let from = |extra: &[&str]| from_to("tencent-im:@TGS#2J4SZEAEL", extra);
    let (code, out, err) = from(&["--dry-run", "--json"]);
    assert_eq!(code, 0, "{err}");
    let p: Value = serde_json::from_str(&out).unwrap();
    let approved = p["rows"].as_u64().unwrap();
    assert!(
        approved > 0,
        "the sandbox's webinar has approved enrollees: {p}"
    );
    assert!(err.contains("wecom:MEETINGID1 (status 3)"), "{err}");
    let (code, out, _) = from(&["--wait", "--json"]);
    assert_eq!(code, 0);
    let j: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(j["state"], "completed");
    assert_eq!(
        j["rows"].as_u64(),
        Some(approved),
        "only the approved enrollees"
    );
    assert_eq!(
        j["file_name"], "wecom:MEETINGID1 (status 3)",
        "the job records its source"
    );
    let c = &j["destinations"][0]["counts"];
    assert_eq!(c["imported"], p["destinations"][0]["to_send"]);
    // Enrollees WeCom lists with a userid become members under it; the others cannot be
    // members (no IM account) and say so.
    let members = im_members(&sandbox_state(&sandbox)).len() as u64;
    assert_eq!(members, 1 + c["imported"].as_u64().unwrap());
    // The questionnaire's phone answer (special_type 2) travels with each enrollee: every
    // approved one, userid or not, can go to a Tencent Meeting webinar by phone.
    let (code, out, err) = from_to(
        "tencent-meeting:17305428542504531991",
        &["--dry-run", "--json"],
    );
    assert_eq!(code, 0, "{err}");
    let tm: Value = serde_json::from_str(&out).unwrap();
    let d = &tm["destinations"][0];
    assert_eq!(d["invalid"], 0, "{tm}");
    assert_eq!(
        d["to_send"].as_u64().unwrap() + d["already_present"].as_u64().unwrap(),
        approved,
        "{tm}"
    );
    // --status without --from, and a file with --from, are refused by the argument parser.
    let (code, _, err) = run(
        &[
            "import",
            "x.csv",
            "--status",
            "3",
            "--server",
            &proxy.url,
            "--to",
            "tencent-im:@TGS#2J4SZEAEL",
        ],
        &[],
    );
    assert_ne!(code, 0);
    assert!(err.contains("--from"), "{err}");
}

#[test]
fn roster_check_table_lines_up_chinese_headers() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("名单.csv");
    std::fs::write(
        &f,
        "姓名,手机号码,电子邮箱\n张三,12345,bad\n李四,13800138000,x@\n",
    )
    .unwrap();
    let (code, out, _) = run(&["roster", "check", f.to_str().unwrap()], &[]);
    assert_eq!(code, 0);
    // Where the third field (the code) starts, in terminal columns, on the header and every
    // problem line; and where the arrow is in the columns table.
    let width = |l: &str, byte: usize| unicode_width::UnicodeWidthStr::width(&l[..byte]);
    let third = |l: &str| {
        let mut seen = 0;
        let mut prev_space = true;
        for (i, c) in l.char_indices() {
            if !c.is_whitespace() && prev_space {
                seen += 1;
                if seen == 3 {
                    return width(l, i);
                }
            }
            prev_space = c.is_whitespace();
        }
        0
    };
    let starts: Vec<usize> = out
        .lines()
        .skip_while(|l| *l != "problems")
        .skip(1)
        .map(third)
        .collect();
    assert!(starts.len() >= 4, "{out}");
    assert!(
        starts.windows(2).all(|w| w[0] == w[1]),
        "code column drifts: {starts:?}\n{out}"
    );
    let arrows: Vec<usize> = out
        .lines()
        .filter_map(|l| l.find('→').map(|i| width(l, i)))
        .collect();
    assert_eq!(arrows.len(), 3, "{out}");
    assert!(
        arrows.windows(2).all(|w| w[0] == w[1]),
        "mapping arrows drift: {arrows:?}\n{out}"
    );
}

/// `import --wait` exits 3 when the job failed (the reason printed) and 4 when it was cancelled,
/// as the README says.
#[test]
fn import_wait_exit_codes_say_failed_and_cancelled() {
    let dir = tempfile::tempdir().unwrap();
    let (_sandbox, proxy) = dev_proxy_on_sandbox(dir.path());
    let f = dir.path().join("people.csv");
    let mut csv = String::from("姓名,手机号,邮箱\n");
    for i in 0..60 {
        csv.push_str(&format!("参会者{i},139{i:08},p{i}@example.com\n"));
    }
    std::fs::write(&f, csv).unwrap();
    let server = ["--server", proxy.url.as_str()];

    // A webinar the provider does not know: its list cannot be read, the job fails.
    let mut args = vec!["import", f.to_str().unwrap(), "--wait"];
    args.extend_from_slice(&server);
    args.extend_from_slice(&["--to", "tencent-meeting:99999999999999999"]);
    let (code, out, err) = run(&args, &[]);
    assert_eq!(code, 3, "a failed job exits 3\n{out}\n{err}");
    assert!(out.contains("failed"), "the state is printed: {out}");

    // 31huiyi at its default pace (5 a second): a 60-row job runs long enough to be cancelled
    // while `--wait` follows it.
    let mut args = vec!["import", f.to_str().unwrap(), "--wait"];
    args.extend_from_slice(&server);
    args.extend_from_slice(&["--to", "huiyi31:demo-event:demo-type:demo-ticket"]);
    let mut child = Command::new(bin())
        .args(&args)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let c = Client::new(&proxy.url, None);
    let running = eventually(std::time::Duration::from_secs(30), || {
        let jobs = c.get("/api/jobs").json();
        jobs.as_array()?
            .iter()
            .find(|j| j["state"] == "running")
            .and_then(|j| j["id"].as_str().map(String::from))
    })
    .expect("the job appears as running");
    let r = c.post(
        &format!("/api/jobs/{running}/cancel"),
        &serde_json::json!({}),
    );
    assert!(r.status < 300, "cancelled: {} {}", r.status, r.body);
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(4), "a cancelled job exits 4");
}

/// `roster check` on a workbook as organizers get it: a merged title, a notes row, the header on
/// row 3, a second sheet of notes. The sheet and header are found (or taken from `--sheet` /
/// `--header-row`), and the row numbers are the spreadsheet's.
#[test]
fn roster_check_finds_the_sheet_and_header_or_takes_them_as_told() {
    use rust_xlsxwriter::{Format, Workbook};
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("报名表.xlsx");
    let mut wb = Workbook::new();
    let notes = wb.add_worksheet();
    notes.set_name("填写说明").unwrap();
    notes.write_string(0, 0, "请勿修改表头").unwrap();
    let form = wb.add_worksheet();
    form.set_name("报名表").unwrap();
    form.merge_range(0, 0, 0, 2, "2026 年度客户大会报名表", &Format::new())
        .unwrap();
    form.write_string(1, 0, "说明：带 * 的为必填项").unwrap();
    for (c, h) in ["姓名", "手机号", "邮箱"].iter().enumerate() {
        form.write_string(2, c as u16, *h).unwrap();
    }
    form.write_string(3, 0, "张三").unwrap();
    form.write_string(3, 1, "13800138000").unwrap();
    form.write_string(3, 2, "zs@example.com").unwrap();
    form.write_string(4, 0, "李四").unwrap();
    form.write_string(4, 1, "12345").unwrap();
    wb.save(&file).unwrap();
    let f = file.to_str().unwrap();

    let (code, out, err) = run(&["roster", "check", f, "--json"], &[]);
    assert_eq!(code, 0, "{err}");
    let s: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(s["sheet"]["name"], "报名表");
    assert_eq!(s["sheet"]["header_row"], 3);
    assert_eq!(
        (s["rows"].as_u64(), s["invalid"].as_u64()),
        (Some(2), Some(1))
    );
    // The bad phone is on row 5, as the spreadsheet shows it.
    assert!(
        s["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["row"] == 5 && p["column"] == "手机号"),
        "{s}"
    );
    // The human form says which sheet and where the header is.
    let (_, out, _) = run(&["roster", "check", f], &[]);
    assert!(out.contains("header on row 3"), "{out}");

    // As told: the header row, the other sheet, a sheet that is not there.
    let (code, out, _) = run(&["roster", "check", f, "--header-row", "3", "--json"], &[]);
    assert_eq!(code, 0);
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap()["rows"], 2);
    let (code, out, _) = run(
        &["roster", "check", f, "--sheet", "填写说明", "--json"],
        &[],
    );
    assert_eq!(code, 0);
    assert_eq!(
        serde_json::from_str::<Value>(&out).unwrap()["sheet"]["name"],
        "填写说明"
    );
    let (code, _, err) = run(&["roster", "check", f, "--sheet", "Sheet9"], &[]);
    assert_eq!(code, 2, "a sheet that is not there cannot be read");
    assert!(err.contains("报名表"), "the sheets that are there: {err}");
}
