//! `rollcall sign` and `rollcall usersig`: the providers' signatures, computed locally (for
//! checking against a provider's own tool).

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};

use crate::providers::{tencent_im, tencent_meeting};

#[derive(Subcommand)]
pub enum SignCommand {
    /// Sign a Tencent Meeting request; prints the string to sign and X-TC-Signature.
    TencentMeeting {
        #[arg(long)]
        method: String,
        /// The request target exactly as sent: path plus `?query`, already percent-encoded.
        #[arg(long)]
        uri: String,
        #[arg(long)]
        body_file: Option<PathBuf>,
        #[arg(long)]
        nonce: String,
        #[arg(long)]
        timestamp: String,
        #[arg(long)]
        json: bool,
    },
}

fn env_secret(name: &str) -> Result<String> {
    std::env::var(name).with_context(|| format!("set {name} in the environment"))
}

pub fn sign(cmd: SignCommand) -> Result<u8> {
    let SignCommand::TencentMeeting {
        method,
        uri,
        body_file,
        nonce,
        timestamp,
        json,
    } = cmd;
    let id = env_secret("ROLLCALL_TM_SECRET_ID")?;
    let key = env_secret("ROLLCALL_TM_SECRET_KEY")?;
    let body = match body_file {
        Some(p) => std::fs::read(&p).with_context(|| format!("cannot read {}", p.display()))?,
        None => Vec::new(),
    };
    let sts = tencent_meeting::string_to_sign(&method, &uri, &body, &nonce, &timestamp, &id);
    let sig = tencent_meeting::signature(&sts, &key);
    let sts = String::from_utf8_lossy(&sts).into_owned();
    if json {
        println!(
            "{}",
            serde_json::json!({"string_to_sign": sts, "signature": sig})
        );
    } else {
        println!("string to sign:\n{sts}\n\nX-TC-Signature: {sig}");
    }
    Ok(0)
}

#[derive(Args)]
pub struct UsersigArgs {
    #[arg(long)]
    pub sdkappid: u64,
    #[arg(long)]
    pub identifier: String,
    #[arg(long)]
    pub expire: u64,
    /// Issue time (Unix seconds); default now.
    #[arg(long)]
    pub time: Option<u64>,
    #[arg(long)]
    pub userbuf_hex: Option<String>,
}

pub fn usersig(a: UsersigArgs) -> Result<u8> {
    let key = env_secret("ROLLCALL_IM_SECRET_KEY")?;
    let userbuf = a
        .userbuf_hex
        .as_deref()
        .map(hex::decode)
        .transpose()
        .context("--userbuf-hex is not hex")?;
    let time = a.time.unwrap_or_else(crate::util::unix_now);
    println!(
        "{}",
        tencent_im::gen_usersig(
            a.sdkappid,
            &key,
            &a.identifier,
            a.expire,
            time,
            userbuf.as_deref()
        )
    );
    Ok(0)
}
