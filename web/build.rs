//! The app's bundle keeps its relocations (`--emit-relocs`) for wasm-split, which cuts it at the
//! lazy screens after trunk has built it (xtask/src/split.rs). The worker does not need them:
//! linked without, it carries no relocation sections.

fn main() {
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo:rustc-link-arg-bin=rollcall-web=--emit-relocs");
    }
}
