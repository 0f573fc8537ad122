//! Project automation, std only.
//!
//! - `cargo xtask demo`  — install what is missing, build the UI, run the proxy on the built-in
//!   sandbox providers with an embedded store; prints the URL.
//! - `cargo xtask test`  — install what is missing, then fmt, clippy, the wasm build of core,
//!   the trunk release build, every workspace test (browser tests included, PostgreSQL and
//!   nginx where they can be installed), the dist tarball unpacked and started, bundle budgets.
//! - `cargo xtask build-ui` — the trunk release build only.
//! - `cargo xtask sizes` — gzip sizes of the built UI against the budgets.
//! - `cargo xtask fuzz [--seconds N]` — every cargo-fuzz target for N seconds (default 60).
//! - `cargo xtask dist` — the release tarball (binary, UI, systemd unit, nginx snippet, example
//!   config), then unpacked to a temp dir and started as a check.
//! - `cargo xtask with-postgres CMD…` — CMD with `ROLLCALL_TEST_PG` set to a throwaway
//!   PostgreSQL cluster (e.g. the replica benchmarks).
//!
//! Every skipped step says why.

mod dist;
mod postgres;
mod split;
mod tools;

use std::env;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use tools::{ensure_chromium, ensure_nginx, path_with_tools, tools, tools_dir, Need};

/// What the first screen may load (gzip), and everything including workers. How each moved, with
/// the change that moved it: BENCHMARKS.md ("UI bundle").
const FIRST_SCREEN_BUDGET: u64 = 200 * 1024;
const TOTAL_BUDGET: u64 = 880 * 1024;

type Result<T = ()> = std::result::Result<T, String>;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

fn step(msg: &str) {
    println!("\n==> {msg}");
    let _ = std::io::stdout().flush();
}

fn run(cmd: &mut Command) -> Result {
    println!("    $ {cmd:?}");
    let status = cmd
        .status()
        .map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{cmd:?} failed with {status}"))
    }
}

fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn cargo() -> Command {
    let mut c = Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.current_dir(root());
    c
}

fn build_ui(with_opt: bool) -> Result {
    step("UI: trunk build --release (offline)");
    let mut cmd = Command::new("trunk");
    cmd.current_dir(root())
        .args(["build", "--release", "--offline"])
        .env("PATH", path_with_tools());
    if with_opt {
        run(&mut cmd)?;
        return split::split_app(true);
    }
    // Offline trunk refuses to run without wasm-opt when index.html asks for it: build a copy of
    // index.html with wasm-opt turned off, then put its output in place.
    println!("    note: building WITHOUT wasm-opt (npm missing); bundles will be larger");
    let html = std::fs::read_to_string(root().join("index.html")).map_err(|e| e.to_string())?;
    let noopt = root().join(".index-noopt.html");
    std::fs::write(
        &noopt,
        html.replace("data-wasm-opt=\"z\"", "data-wasm-opt=\"0\""),
    )
    .map_err(|e| e.to_string())?;
    cmd.arg(&noopt);
    let r = run(&mut cmd);
    let _ = std::fs::remove_file(&noopt);
    r?;
    std::fs::rename(
        root().join("dist/.index-noopt.html"),
        root().join("dist/index.html"),
    )
    .map_err(|e| e.to_string())?;
    split::split_app(false)
}

fn gzip_len(path: &Path) -> Result<u64> {
    // Measure with the system gzip -9 (what a server's static compression gives, roughly).
    let out = Command::new("gzip")
        .args(["-9", "-c"])
        .arg(path)
        .output()
        .map_err(|e| format!("gzip: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "gzip -9 {} failed with {}",
            path.display(),
            out.status
        ));
    }
    Ok(out.stdout.len() as u64)
}

/// Reports gzip sizes per asset and checks the budgets.
fn sizes() -> Result {
    step("UI bundle sizes (gzip -9)");
    let dist = root().join("dist");
    let mut entries: Vec<_> = std::fs::read_dir(&dist)
        .map_err(|e| format!("{}: {e} (build the UI first)", dist.display()))?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .collect();
    entries.sort();
    let (mut first, mut total) = (0u64, 0u64);
    for p in &entries {
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        let raw = std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        let gz = gzip_len(p)?;
        let worker = name.starts_with("worker");
        let screen = split::on_demand(&name);
        println!(
            "    {name:<48} {raw:>9} B raw {gz:>9} B gzip{}",
            if worker {
                "  (worker, loaded on demand)"
            } else if screen {
                "  (a screen, loaded when opened)"
            } else {
                ""
            }
        );
        total += gz;
        if !worker && !screen {
            first += gz;
        }
    }
    println!(
        "    first screen: {:.1} KiB gzip (budget {} KiB)",
        first as f64 / 1024.0,
        FIRST_SCREEN_BUDGET / 1024
    );
    println!(
        "    everything:   {:.1} KiB gzip (budget {} KiB)",
        total as f64 / 1024.0,
        TOTAL_BUDGET / 1024
    );
    if first > FIRST_SCREEN_BUDGET || total > TOTAL_BUDGET {
        return Err("the UI bundle is over budget".into());
    }
    Ok(())
}

fn demo(args: &[String]) -> Result {
    let opt = tools(Need::Optional)?;
    build_ui(opt)?;
    step("rollcall serve --sandbox");
    let mut cmd = cargo();
    cmd.args([
        "run",
        "--release",
        "-p",
        "rollcall",
        "--",
        "serve",
        "--sandbox",
        "--ui-dir",
    ])
    .arg(root().join("dist"))
    .args(args);
    run(&mut cmd)
}

fn test() -> Result {
    let opt = tools(Need::Required)?;
    ensure_chromium()?;
    tools::ensure_axe()?;
    ensure_nginx()?;
    let pg_bin = postgres::ensure()?;
    step("cargo fmt --check");
    run(cargo().args(["fmt", "--all", "--check"]))?;
    step("cargo clippy (native, all targets)");
    run(cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    step("cargo clippy (web, wasm32)");
    run(cargo().args([
        "clippy",
        "-p",
        "rollcall-web",
        "--target",
        "wasm32-unknown-unknown",
        "--",
        "-D",
        "warnings",
    ]))?;
    step("the fuzz targets compile (fuzz/, outside the workspace), so they cannot rot");
    run(cargo()
        .current_dir(root().join("fuzz"))
        .args(["check", "--locked", "--bins"]))?;
    step("core builds for wasm32 without native features (no tokio, no fs)");
    run(cargo().args([
        "build",
        "-p",
        "rollcall-core",
        "--no-default-features",
        "--target",
        "wasm32-unknown-unknown",
    ]))?;
    let tree = output(cargo().args([
        "tree",
        "-p",
        "rollcall-core",
        "--no-default-features",
        "--features",
        "xlsx",
        "--target",
        "wasm32-unknown-unknown",
        "-e",
        "normal",
        "--prefix",
        "none",
    ]))
    .ok_or("cargo tree failed: the wasm-clean check of core cannot run")?;
    for banned in ["tokio ", "reqwest ", "mio "] {
        if tree.lines().any(|l| l.starts_with(banned)) {
            return Err(format!("core depends on {banned}: it must stay wasm-clean"));
        }
    }
    build_ui(opt)?;
    // Stopped (and its directory removed) when this scope ends, whatever the tests did.
    let pg = postgres::TestPostgres::start(&pg_bin)?;
    step("cargo test --workspace (unit, property, integration, drills, replicas, browser)");
    let mut tests = cargo();
    tests
        .args(["test", "--workspace"])
        .env("ROLLCALL_BROWSER_TESTS", "1")
        .env("ROLLCALL_UI_DIR", root().join("dist"));
    // PostgreSQL is a requirement here: a test that finds no database fails instead of skipping.
    tests
        .env("ROLLCALL_TEST_PG", &pg.url)
        .env("ROLLCALL_REQUIRE_PG", "1");
    run(&mut tests)?;
    drop(pg);
    let tarball = dist::dist(true)?;
    dist::check(&tarball)?;
    sizes()
}

/// The cargo-fuzz targets in `fuzz/` (outside the workspace).
const FUZZ_TARGETS: [&str; 3] = ["roster", "wire", "validators"];

/// `cargo xtask fuzz [--seconds N]`: installs cargo-fuzz if missing, then runs every target for
/// N seconds (default 60) on one core each, one after the other. A crash fails the command and
/// leaves its reproducer under `fuzz/artifacts/`.
fn fuzz(args: &[String]) -> Result {
    let seconds: u64 = match args {
        [] => 60,
        [flag, n] if flag == "--seconds" => n
            .parse()
            .map_err(|_| format!("--seconds takes a whole number, not {n:?}"))?,
        _ => return Err("usage: cargo xtask fuzz [--seconds N]".into()),
    };
    step("cargo-fuzz");
    let have = output(
        Command::new("cargo")
            .args(["fuzz", "--version"])
            .env("PATH", path_with_tools()),
    );
    if have.is_none() {
        println!("    installing (a few minutes)");
        run(cargo().args(["install", "cargo-fuzz", "--locked"]))?;
    } else {
        println!("    present");
    }
    for target in FUZZ_TARGETS {
        step(&format!("fuzz {target} for {seconds} s"));
        run(cargo()
            .current_dir(root().join("fuzz"))
            .env("PATH", path_with_tools())
            // cargo-fuzz needs nightly flags; the stable toolchain accepts them with this.
            .env("RUSTC_BOOTSTRAP", "1")
            .args([
                "fuzz",
                "run",
                target,
                "--",
                &format!("-max_total_time={seconds}"),
                "-print_final_stats=1",
            ]))?;
    }
    Ok(())
}

/// `cargo xtask with-postgres CMD ARGS…`: runs CMD with `ROLLCALL_TEST_PG` pointing at a
/// throwaway cluster (the replica benchmarks use it), stopped afterwards.
fn with_postgres(args: &[String]) -> Result {
    let (cmd, rest) = args
        .split_first()
        .ok_or("usage: cargo xtask with-postgres CMD [ARGS…]")?;
    let bin = postgres::ensure()?;
    let pg = postgres::TestPostgres::start(&bin)?;
    run(Command::new(cmd)
        .args(rest)
        .current_dir(root())
        .env("ROLLCALL_TEST_PG", &pg.url))
}

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let r = match args.first().map(String::as_str) {
        Some("demo") => demo(&args[1..]),
        Some("test") => test(),
        Some("build-ui") => tools(Need::Optional).and_then(build_ui),
        Some("sizes") => sizes(),
        Some("tools") => tools(Need::Required).map(|_| ()),
        Some("fuzz") => fuzz(&args[1..]),
        Some("with-postgres") => with_postgres(&args[1..]),
        Some("dist") => dist::dist(false).and_then(|t| dist::check(&t)),
        _ => Err(
            "usage: cargo xtask demo|test|build-ui|sizes|tools|dist|fuzz [--seconds N]|with-postgres CMD…"
                .into(),
        ),
    };
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nxtask: {e}");
            ExitCode::FAILURE
        }
    }
}
