//! `cargo xtask dist`: one tarball with everything a deployment needs — the release binary, the
//! built UI, the systemd unit, the nginx SSO snippet, the example config and the docs — laid out
//! as the unit expects under /opt/rollcall. `check` unpacks it to a temp dir and starts it.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::tools::{tools, Need};
use crate::{build_ui, cargo, root, run, step, Result};

fn copy_dir(from: &Path, to: &Path) -> Result {
    std::fs::create_dir_all(to).map_err(|e| e.to_string())?;
    for e in std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let e = e.map_err(|e| e.to_string())?;
        let target = to.join(e.file_name());
        if e.file_type().map_err(|e| e.to_string())?.is_dir() {
            copy_dir(&e.path(), &target)?;
        } else {
            std::fs::copy(e.path(), &target).map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

/// Builds the tarball (and the UI first, unless `ui_built`); returns its path.
pub fn dist(ui_built: bool) -> Result<PathBuf> {
    if !ui_built {
        let opt = tools(Need::Required)?;
        build_ui(opt)?;
    }
    step("release build of the rollcall binary");
    run(cargo().args(["build", "--release", "-p", "rollcall", "--bin", "rollcall"]))?;
    let name = format!(
        "rollcall-{}-{}-linux",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::ARCH
    );
    let out = root().join("target/dist");
    let stage = out.join(&name);
    let _ = std::fs::remove_dir_all(&stage);
    step(&format!("assembling {}", stage.display()));
    std::fs::create_dir_all(stage.join("bin")).map_err(|e| e.to_string())?;
    std::fs::copy(
        root().join("target/release/rollcall"),
        stage.join("bin/rollcall"),
    )
    .map_err(|e| e.to_string())?;
    copy_dir(&root().join("dist"), &stage.join("ui"))?;
    copy_dir(&root().join("deploy"), &stage.join("deploy"))?;
    for f in ["rollcall.example.toml", "README.md", "ARCHITECTURE.md"] {
        std::fs::copy(root().join(f), stage.join(f)).map_err(|e| e.to_string())?;
    }
    let tarball = out.join(format!("{name}.tar.gz"));
    // Owned by root in the archive, whoever built it: unpacked as root under /opt, no file
    // belongs to the build user's uid.
    run(Command::new("tar")
        .args(["--owner=0", "--group=0", "--numeric-owner"])
        .arg("-czf")
        .arg(&tarball)
        .arg("-C")
        .arg(&out)
        .arg(&name))?;
    println!("    {}", tarball.display());
    Ok(tarball)
}

/// One HTTP/1.1 GET on loopback: (status, body).
fn get(addr: &str, path: &str) -> Result<(u16, String)> {
    let mut s = std::net::TcpStream::connect(addr).map_err(|e| format!("{addr}: {e}"))?;
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| e.to_string())?;
    let mut text = String::new();
    s.read_to_string(&mut text).map_err(|e| e.to_string())?;
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| format!("no HTTP answer from {addr}{path}"))?;
    let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    Ok((status, body.to_string()))
}

/// Unpacks the tarball into a temp dir, checks its contents, starts the binary from there on the
/// built-in sandbox with the packaged UI, and asks it for the UI and /readyz.
pub fn check(tarball: &Path) -> Result {
    step("dist: unpack the tarball and start it");
    let dir = std::env::temp_dir().join(format!("rollcall-dist-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let result = check_in(tarball, &dir);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn check_in(tarball: &Path, dir: &Path) -> Result {
    run(Command::new("tar")
        .arg("-xzf")
        .arg(tarball)
        .arg("-C")
        .arg(dir))?;
    let top = std::fs::read_dir(dir)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .next()
        .ok_or("the tarball is empty")?;
    for f in [
        "bin/rollcall",
        "ui/index.html",
        "deploy/rollcall.service",
        "deploy/nginx-sso.conf",
        "deploy/oauth2-proxy.cfg",
        "rollcall.example.toml",
        "README.md",
    ] {
        if !top.join(f).exists() {
            return Err(format!("the tarball lacks {f}"));
        }
    }
    // Every entry owned by root (uid/gid 0), as packed.
    let listing = Command::new("tar")
        .args(["--numeric-owner", "-tvzf"])
        .arg(tarball)
        .output()
        .map_err(|e| e.to_string())?;
    let listing = String::from_utf8_lossy(&listing.stdout);
    if let Some(l) = listing
        .lines()
        .find(|l| l.split_whitespace().nth(1) != Some("0/0"))
    {
        return Err(format!("an entry not owned by root: {l}"));
    }
    let unit =
        std::fs::read_to_string(top.join("deploy/rollcall.service")).map_err(|e| e.to_string())?;
    for setting in [
        "DynamicUser=yes",
        "StateDirectory=rollcall",
        "ProtectSystem=strict",
        "LoadCredential=",
        "LoadCredential=ROLLCALL_PROXY_SECRET:",
        "MemoryMax=",
        "TasksMax=",
        "LimitNOFILE=",
        "IPAddressDeny=any",
        "ExecStart=/opt/rollcall/bin/rollcall serve",
        "--ui-dir /opt/rollcall/ui",
    ] {
        if !unit.contains(setting) {
            return Err(format!("the systemd unit lacks {setting}"));
        }
    }
    let mut child = Command::new(top.join("bin/rollcall"))
        .args(["serve", "--sandbox", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(dir.join("data"))
        .arg("--ui-dir")
        .arg(top.join("ui"))
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start the packaged binary: {e}"))?;
    let out = child.stdout.take().ok_or("no stdout")?;
    let result = (|| {
        let line = BufReader::new(out)
            .lines()
            .map_while(|l| l.ok())
            .find(|l| l.contains("Rollcall is running at"))
            .ok_or("the packaged binary did not start")?;
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .ok_or("no address in the start-up line")?
            .to_string();
        let (status, body) = get(&addr, "/")?;
        if status != 200 || !body.contains("rollcall-web") {
            return Err(format!("the packaged UI is not served at / ({status})"));
        }
        let (status, _) = get(&addr, "/readyz")?;
        if status != 200 {
            return Err(format!("/readyz answered {status}"));
        }
        println!("    started from the tarball at http://{addr}/: UI and /readyz answer");
        Ok(())
    })();
    let _ = child.kill();
    let _ = child.wait();
    result
}
