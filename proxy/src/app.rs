//! Shared application state: configured provider clients, the journal, the runner, metrics.

use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::providers::{huiyi31, tencent_im, tencent_meeting, wecom};

/// The provider clients that are configured (a missing one means "not configured").
pub struct Clients {
    pub tencent_meeting: Option<tencent_meeting::Client>,
    pub wecom: Option<wecom::Client>,
    pub tencent_im: Option<tencent_im::Client>,
    pub huiyi31: Option<Huiyi31>,
    /// Human-readable endpoints (hosts only) for the status page.
    pub endpoints: BTreeMap<&'static str, String>,
}

pub struct Huiyi31 {
    pub client: huiyi31::Client,
    pub default_attendee_type_id: Option<String>,
    pub default_item_sku_id: Option<String>,
    pub default_item_sku_name: Option<String>,
}

/// Prometheus counters, kept as plain maps (label set → value).
#[derive(Default)]
pub struct Metrics {
    counters: Mutex<BTreeMap<(&'static str, String), u64>>,
}

impl Metrics {
    pub fn inc(&self, name: &'static str, labels: String) {
        *self
            .counters
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry((name, labels))
            .or_default() += 1;
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        let mut last = "";
        for ((name, labels), v) in self
            .counters
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
        {
            if *name != last {
                out.push_str(&format!("# TYPE {name} counter\n"));
                last = name;
            }
            out.push_str(&format!("{name}{{{labels}}} {v}\n"));
        }
        out
    }
}
