//! The 100,000-row roster every roster benchmark reads (native, CLI, browser): 7 columns, 6.9 MB
//! of UTF-8 CSV, every row valid. Included by path from the proxy's benches too.

pub const ROWS: usize = 100_000;

pub fn roster_100k() -> String {
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
