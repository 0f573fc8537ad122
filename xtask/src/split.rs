//! The first screen's bundle split at its `#[lazy]` screens (`web/src/pages/mod.rs`): after trunk
//! has built the UI, the app's wasm as cargo linked it (with `--emit-relocs`, `web/build.rs`)
//! goes through `wasm-split-cli` (the splitter Leptos' `#[lazy]` is made
//! for), then wasm-bindgen and wasm-opt, and replaces what trunk made of it in `dist/`. The main
//! module keeps the shell and the import wizard; each other screen is a `split_*.wasm` (and code
//! two screens share a `chunk_*.wasm`), fetched by `__wasm_split.js` the first time the screen
//! opens. trunk 0.21 (the newest this rustc builds) cannot split by itself.

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine;
use sha2::{Digest, Sha384};

use crate::{path_with_tools, root, run, step, tools_dir, Result};

/// The splitter, at the version whose protocol matches Leptos' `wasm_split_helpers` 0.2.
const WASM_SPLIT_VERSION: &str = "0.2.4";

/// Files the split makes that the first screen does not load.
pub fn on_demand(name: &str) -> bool {
    (name.starts_with("split_") || name.starts_with("chunk_")) && name.ends_with(".wasm")
}

pub fn ensure() -> Result {
    crate::tools::cargo_install(
        "wasm_split_cli_support",
        WASM_SPLIT_VERSION,
        &["wasm-split-cli", "--help"],
        None,
        &["--features", "build-binary", "--locked"],
    )
}

/// Splits the app trunk built into `dist`, in place. `with_opt`: wasm-opt the outputs as trunk
/// did its own.
pub fn split_app(with_opt: bool) -> Result {
    step("UI: the first bundle split at its lazy screens (wasm-split, wasm-bindgen, wasm-opt)");
    let dist = root().join("dist");
    let stem = app_stem(&dist)?;
    let raw = root().join("target/wasm32-unknown-unknown/wasm-release/rollcall-web.wasm");
    let work = root().join("target/wasm-split");
    let _ = std::fs::remove_dir_all(&work);
    let bindgen = work.join("bindgen");
    std::fs::create_dir_all(&bindgen).map_err(|e| e.to_string())?;
    run(Command::new("wasm-split-cli")
        .env("PATH", path_with_tools())
        .arg(&raw)
        .arg(&work)
        .args(["--target", "web", "--out-name", &stem]))?;
    run(Command::new("wasm-bindgen")
        .env("PATH", path_with_tools())
        .args(["--target", "web", "--keep-lld-exports", "--no-typescript"])
        .args(["--out-name", &stem])
        .arg("--out-dir")
        .arg(&bindgen)
        .arg(work.join(format!("{stem}.wasm"))))?;
    let mut wasm = vec![bindgen.join(format!("{stem}_bg.wasm"))];
    let mut link = vec![
        bindgen.join(format!("{stem}.js")),
        work.join("__wasm_split.js"),
    ];
    for entry in std::fs::read_dir(&work).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(on_demand)
        {
            wasm.push(path);
        }
    }
    if wasm.len() == 1 {
        return Err("wasm-split found no lazy screen to split off (did web/build.rs link the app with `--emit-relocs`?)".into());
    }
    for w in &wasm {
        if with_opt {
            let opt = w.with_extension("opt.wasm");
            run(Command::new(tools_dir().join("node_modules/.bin/wasm-opt"))
                .arg("-Oz")
                .arg(w)
                .arg("-o")
                .arg(&opt))?;
            std::fs::rename(&opt, w).map_err(|e| e.to_string())?;
        }
    }
    link.append(&mut wasm);
    for f in &link {
        let name = f.file_name().ok_or("no file name")?;
        std::fs::copy(f, dist.join(name)).map_err(|e| format!("{}: {e}", f.display()))?;
    }
    // trunk's index.html pins the two files it made by their digests: pin the new ones.
    let index = dist.join("index.html");
    let mut html = std::fs::read_to_string(&index).map_err(|e| e.to_string())?;
    for name in [format!("{stem}.js"), format!("{stem}_bg.wasm")] {
        html = repin(&html, &name, &dist.join(&name))?;
    }
    std::fs::write(&index, html).map_err(|e| e.to_string())
}

/// `rollcall-web-HASH`, the name trunk gave the app's files.
fn app_stem(dist: &Path) -> Result<String> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dist)
        .map_err(|e| format!("{}: {e}", dist.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("rollcall-web-") && n.ends_with("_bg.wasm"))
        })
        .collect();
    match (found.pop(), found.is_empty()) {
        (Some(p), true) => Ok(p
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .trim_end_matches("_bg.wasm")
            .to_string()),
        _ => Err(format!(
            "expected one rollcall-web-*_bg.wasm in {}",
            dist.display()
        )),
    }
}

/// The `integrity` of the tag that names `name` in `html`, recomputed from `file` (sha384).
fn repin(html: &str, name: &str, file: &Path) -> Result<String> {
    let bytes = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let digest = base64::engine::general_purpose::STANDARD.encode(Sha384::digest(&bytes));
    let at = html
        .find(&format!("href=\"./{name}\""))
        .ok_or_else(|| format!("index.html does not name {name}"))?;
    let tag_end = at + html[at..].find('>').ok_or("unterminated tag")?;
    let tag = &html[at..tag_end];
    let Some(i) = tag.find("integrity=\"sha384-") else {
        return Ok(html.to_string());
    };
    let start = at + i + "integrity=\"sha384-".len();
    let end = start + html[start..].find('"').ok_or("unterminated integrity")?;
    Ok(format!("{}{digest}{}", &html[..start], &html[end..]))
}
