//! The 100,000-row rosters every roster benchmark reads (native, CLI, browser), so that no
//! speed is tuned to one file. Included by path from the proxy's benches too.
//!
//! - `bench7`: the original fixture — 7 columns, `+86 139-…` phones, every row valid.
//! - `newcomer`: what a new user tried (`姓名,手机号,邮箱,公司,职位,userid,IM账号`, eleven-digit
//!   phones, every row valid).
//! - `quoted`: every company and position quoted, holding commas, quotes and line breaks.
//! - `realistic`: 5 % duplicates (the same phone again) and 5 % problem rows (a bad phone or
//!   e-mail), mixed through the file.
//! - `cjk`: long Chinese names, companies, positions and departments.

#![allow(dead_code)] // each bench uses part of it

pub const ROWS: usize = 100_000;

/// (name, whether every row is valid — the ≤ 1.5× goal — or realistic — ≤ 2.5×, the CSV).
pub fn all() -> Vec<(&'static str, bool, String)> {
    vec![
        ("bench7", true, bench7()),
        ("newcomer", true, newcomer()),
        ("quoted", true, quoted()),
        ("cjk", true, cjk()),
        ("realistic", false, realistic()),
    ]
}

/// Whether the CLI bench times `name` against the ≤ 1.5× goal (clean) or ≤ 2.5× (realistic).
pub fn goal(clean: bool) -> f64 {
    if clean {
        1.5
    } else {
        2.5
    }
}

pub fn bench7() -> String {
    let mut s = String::from("姓名,手机号,邮箱,公司,职位,IM账号,部门\n");
    for i in 0..ROWS {
        s.push_str(&format!(
            "参会者{i},+86 139-{:04}-{:04},user{i}@example.com,示例公司{},经理,member{i},市场部\n",
            i / 10_000,
            i % 10_000,
            i % 50
        ));
    }
    s
}

pub fn newcomer() -> String {
    let mut s = String::from("姓名,手机号,邮箱,公司,职位,userid,IM账号\n");
    for i in 0..ROWS {
        s.push_str(&format!(
            "张{i},138{i:08},zhang{i}@example.com,示例公司{},工程师,u{i},im{i}\n",
            i % 97
        ));
    }
    s
}

pub fn quoted() -> String {
    let mut s = String::from("姓名,手机号,邮箱,公司,职位\n");
    for i in 0..ROWS {
        s.push_str(&format!(
            "李{i},137{i:08},li{i}@example.com,\"示例公司, 第{}分部\",\"高级经理\n\"\"华东\"\"区\"\n",
            i % 31
        ));
    }
    s
}

pub fn cjk() -> String {
    let mut s = String::from("姓名,手机号,邮箱,公司,职位,部门\n");
    for i in 0..ROWS {
        s.push_str(&format!(
            "欧阳明月{i},136{i:08},oy{i}@example.com,深圳市示例科技股份有限公司第{}分公司,高级产品经理兼区域负责人,华南大区市场营销与客户关系部\n",
            i % 73
        ));
    }
    s
}

pub fn realistic() -> String {
    let mut s = String::from("姓名,手机号,邮箱,公司,职位,userid\n");
    for i in 0..ROWS {
        let phone = match i % 20 {
            // 5 %: the phone of an earlier row (a duplicate).
            7 if i > 20 => format!("135{:08}", i - 20),
            // 5 %: a phone with too few digits, or an e-mail without a domain.
            13 => format!("135{:05}", i % 100_000),
            _ => format!("135{i:08}"),
        };
        let email = if i % 40 == 17 {
            format!("wang{i}@")
        } else {
            format!("wang{i}@example.com")
        };
        s.push_str(&format!(
            "王{i},{phone},{email},\"示例公司 {}\",经理,w{i}\n",
            i % 41
        ));
    }
    s
}
