use rollcall_core::api::DestinationKind;
use rollcall_core::roster::*;
use std::time::Instant;
fn main() {
    let mut s = String::from("姓名,手机号,邮箱,公司,职位,IM账号,部门\n");
    for i in 0..100_000 {
        s.push_str(&format!(
            "参会者{i},+86 139-{:04}-{:04},user{i}@example.com,示例公司{},经理,member{i},市场部\n",
            i / 10_000,
            i % 10_000,
            i % 50
        ));
    }
    let b = s.into_bytes();
    for _ in 0..3 {
        let t = Instant::now();
        let sn = sniff(&b).unwrap();
        let t1 = t.elapsed();
        let Sniffed::Csv(enc) = sn else { panic!() };
        let (text, _) = decode(&b, enc);
        let t2 = t.elapsed();
        let table = read_csv_text(&text, enc).unwrap();
        let t3 = t.elapsed();
        let mut r = build_roster(table, &MappingOptions::default());
        let t4 = t.elapsed();
        r.check_destinations(&DestinationKind::ALL);
        let t5 = t.elapsed();
        println!(
            "sniff {:?} decode {:?} csv {:?} build {:?} dest {:?}",
            t1,
            t2 - t1,
            t3 - t2,
            t4 - t3,
            t5 - t4
        );
    }
}
