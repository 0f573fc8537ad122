//! Every tool the commands need, each installed the same way when missing: a pinned crate with
//! `cargo install` ([`cargo_install`]), a Debian package with `apt-get` as root ([`apt_install`]),
//! npm's binaryen under `.tools/`. A tool the tests need and cannot install fails the command;
//! only `demo` and `build-ui` may go on without wasm-opt (bigger bundles, said out loud).

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{cargo, output, root, run, step, Result};

pub const TRUNK_VERSION: &str = "0.21.14";
pub const BINARYEN_VERSION: &str = "132.0.0";
/// The accessibility engine the browser tests inject.
const AXE_VERSION: &str = "4.10.3";

/// Whether a missing optional tool fails the command (tests) or is only reported (demo).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Need {
    Required,
    Optional,
}

pub fn tools_dir() -> PathBuf {
    root().join(".tools")
}

/// PATH with the project's tool dirs first (npm's binaryen, cargo's bin).
pub fn path_with_tools() -> String {
    let mut parts = vec![tools_dir().join("node_modules/.bin").display().to_string()];
    if let Some(home) = env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
    {
        parts.push(home.join("bin").display().to_string());
    }
    parts.push(env::var("PATH").unwrap_or_default());
    parts.join(":")
}

pub fn lock_version(name: &str) -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("reading Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(l) = lines.next() {
        if l == format!("name = \"{name}\"") {
            if let Some(v) = lines
                .next()
                .and_then(|v| v.strip_prefix("version = \""))
                .map(|v| v.trim_end_matches('"'))
            {
                return Ok(v.to_string());
            }
        }
    }
    Err(format!("{name} is not in Cargo.lock"))
}

pub fn is_root() -> bool {
    output(Command::new("id").arg("-u")).as_deref() == Some("0")
}

/// `packages` from Debian with `apt-get` (as root; otherwise an error naming them).
pub fn apt_install(what: &str, packages: &[&str]) -> Result {
    if !is_root() {
        return Err(format!(
            "{what} is missing and this is not root: install Debian's {} package(s)",
            packages.join(", ")
        ));
    }
    run(Command::new("apt-get")
        .arg("update")
        .env("DEBIAN_FRONTEND", "noninteractive"))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "--no-install-recommends"])
        .args(packages)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

/// `cargo install CRATE --version =VERSION [extra…]`, unless `probe` (run with the tools' PATH)
/// already answers with `VERSION` in its output (`None`: any answer will do).
pub fn cargo_install(
    krate: &str,
    version: &str,
    probe: &[&str],
    expect: Option<&str>,
    extra: &[&str],
) -> Result {
    step(&format!("{krate} {version}"));
    let have = output(
        Command::new(probe[0])
            .args(&probe[1..])
            .env("PATH", path_with_tools()),
    );
    if let Some(h) = have.filter(|h| expect.is_none_or(|v| h.contains(v))) {
        println!("    present ({})", h.lines().next().unwrap_or(""));
        return Ok(());
    }
    println!("    installing");
    run(cargo()
        .args(["install", krate, "--version", &format!("={version}")])
        .args(extra))
}

fn ensure_wasm_target() -> Result {
    step("wasm32-unknown-unknown target");
    let installed =
        output(Command::new("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        println!("    present");
        return Ok(());
    }
    run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

/// wasm-opt from npm's binaryen (Debian's 108 breaks the app at start-up), npm itself from
/// Debian when missing. `Ok(false)`: not installable and not required — the UI is built without
/// it, and we say so.
fn ensure_wasm_opt(need: Need) -> Result<bool> {
    step(&format!("wasm-opt (npm binaryen {BINARYEN_VERSION})"));
    let bin = tools_dir().join("node_modules/.bin/wasm-opt");
    if bin.exists() {
        println!(
            "    present ({})",
            output(Command::new(&bin).arg("--version")).unwrap_or_default()
        );
        return Ok(true);
    }
    if output(Command::new("npm").arg("--version")).is_none() {
        match apt_install("npm", &["npm"]) {
            Ok(()) => {}
            Err(e) if need == Need::Optional => {
                println!(
                    "    NOT INSTALLED ({e}): the UI is built without wasm-opt (bigger bundles)"
                );
                return Ok(false);
            }
            Err(e) => return Err(e),
        }
    }
    std::fs::create_dir_all(tools_dir()).map_err(|e| e.to_string())?;
    run(Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--prefix"])
        .arg(tools_dir())
        .arg(format!("binaryen@{BINARYEN_VERSION}")))?;
    Ok(true)
}

/// Everything the UI build needs. `Ok(false)`: wasm-opt is missing (only when `need` allows).
pub fn tools(need: Need) -> Result<bool> {
    ensure_wasm_target()?;
    // trunk 0.22 needs a newer rustc than this project's.
    cargo_install(
        "trunk",
        TRUNK_VERSION,
        &["trunk", "--version"],
        Some(TRUNK_VERSION),
        &["--locked"],
    )?;
    let v = lock_version("wasm-bindgen")?;
    // The Cargo.lock version, not --locked: its locked webpki-roots is not on the registry.
    cargo_install(
        "wasm-bindgen-cli",
        &v,
        &["wasm-bindgen", "--version"],
        Some(&v),
        &[],
    )?;
    crate::split::ensure()?;
    ensure_wasm_opt(need)
}

/// axe-core from npm, injected by the browser tests into every screen (no serious or critical
/// accessibility violation may pass).
pub fn ensure_axe() -> Result {
    step(&format!(
        "axe-core {AXE_VERSION} (npm; the browser tests' accessibility check)"
    ));
    if tools_dir()
        .join("node_modules/axe-core/axe.min.js")
        .exists()
    {
        println!("    present");
        return Ok(());
    }
    if output(Command::new("npm").arg("--version")).is_none() {
        apt_install("npm", &["npm"])?;
    }
    std::fs::create_dir_all(tools_dir()).map_err(|e| e.to_string())?;
    run(Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--prefix"])
        .arg(tools_dir())
        .arg(format!("axe-core@{AXE_VERSION}")))
}

pub fn ensure_chromium() -> Result {
    step("chromium + chromedriver + CJK fonts (browser tests and their screenshots)");
    let fonts = Path::new("/usr/share/fonts/opentype/noto").exists()
        || Path::new("/usr/share/fonts/truetype/wqy").exists();
    if Path::new("/usr/bin/chromium").exists()
        && Path::new("/usr/bin/chromedriver").exists()
        && fonts
    {
        println!("    present");
        return Ok(());
    }
    apt_install(
        "chromium and chromedriver",
        &["chromium", "chromium-driver", "fonts-noto-cjk"],
    )
}

pub fn ensure_nginx() -> Result {
    step("nginx (the SSO front of the deployment tests)");
    if Path::new("/usr/sbin/nginx").exists() {
        println!("    present");
        return Ok(());
    }
    apt_install("nginx", &["nginx"])
}
