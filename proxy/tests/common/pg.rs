//! A fresh database on the test run's PostgreSQL. Also used by the replica benchmark
//! (`benches/proxy.rs` includes this file).

/// A fresh, empty database on the test run's PostgreSQL (`ROLLCALL_TEST_PG`, a throwaway cluster
/// `cargo xtask test` starts and stops), or `None` — the caller says it skips.
pub fn pg_database(test: &str) -> Option<String> {
    let Ok(base) = std::env::var("ROLLCALL_TEST_PG") else {
        // Under `cargo xtask test` (and CI) PostgreSQL is installed and started: its absence is
        // a failure, never a silent pass.
        assert!(
            std::env::var("ROLLCALL_REQUIRE_PG").is_err(),
            "{test}: PostgreSQL is required by `cargo xtask test` (ROLLCALL_REQUIRE_PG) but ROLLCALL_TEST_PG is not set"
        );
        eprintln!("{test}: skipped — no PostgreSQL (ROLLCALL_TEST_PG is set by `cargo xtask test` where PostgreSQL can be installed)");
        return None;
    };
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let (client, conn) = tokio_postgres::connect(&base, tokio_postgres::NoTls)
            .await
            .expect("connect to the test PostgreSQL");
        tokio::spawn(conn);
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
    });
    let (server, _) = base.rsplit_once('/').unwrap();
    Some(format!("{server}/{name}"))
}
