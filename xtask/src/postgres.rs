//! A throwaway PostgreSQL cluster for one test run: Debian's `postgresql` (installed when root
//! and missing), `initdb` in a temp dir (as the package's `postgres` user when root: initdb
//! refuses root), listening on a free loopback port with its socket in the temp dir, stopped and
//! removed when the guard drops. The tests find it in `ROLLCALL_TEST_PG`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::tools::is_root;
use crate::{run, step, Result};

pub struct TestPostgres {
    dir: PathBuf,
    bin: PathBuf,
    server: Child,
    pub url: String,
}

/// The newest installed server's `bin` directory.
fn bin_dir() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| {
            let e = e.ok()?;
            let v = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, b)| b)
}

pub fn ensure() -> Result<PathBuf> {
    step("PostgreSQL (the multi-replica store tests)");
    if let Some(b) = bin_dir() {
        println!("    present: {}", b.display());
        return Ok(b);
    }
    crate::tools::apt_install("PostgreSQL", &["postgresql"])?;
    bin_dir().ok_or_else(|| {
        "PostgreSQL was installed but its binaries (initdb, postgres) are not found".into()
    })
}

/// `cmd` as the `postgres` user when root.
fn as_pg_user(program: &Path) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

impl TestPostgres {
    pub fn start(bin: &Path) -> Result<TestPostgres> {
        step("starting a throwaway PostgreSQL cluster");
        let dir = std::env::temp_dir().join(format!("rollcall-pg-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        if is_root() {
            run(Command::new("chown").arg("postgres:postgres").arg(&dir))?;
        }
        let data = dir.join("data");
        run(as_pg_user(&bin.join("initdb"))
            .arg("-D")
            .arg(&data)
            .args([
                "-U",
                "rollcall",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ])
            .stdout(Stdio::null()))?;
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let log = std::fs::File::create(
            std::env::temp_dir().join(format!("rollcall-pg-{}.log", std::process::id())),
        )
        .map_err(|e| e.to_string())?;
        let server = as_pg_user(&bin.join("postgres"))
            .arg("-D")
            .arg(&data)
            .args(["-p", &port.to_string(), "-k"])
            .arg(&dir)
            .args([
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "fsync=off",
                "-c",
                "max_connections=300",
            ])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot start postgres: {e}"))?;
        let pg = TestPostgres {
            dir,
            bin: bin.to_path_buf(),
            server,
            url: format!("postgres://rollcall@127.0.0.1:{port}/postgres"),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ready = Command::new(pg.bin.join("pg_isready"))
                .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-q"])
                .status()
                .is_ok_and(|s| s.success());
            if ready {
                println!("    listening on 127.0.0.1:{port}");
                return Ok(pg);
            }
            if Instant::now() > deadline {
                return Err("PostgreSQL did not become ready in 30 s".into());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for TestPostgres {
    fn drop(&mut self) {
        let _ = as_pg_user(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["stop", "-m", "immediate", "-s"])
            .status();
        let _ = self.server.kill();
        let _ = self.server.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
