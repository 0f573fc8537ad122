//! Shared application state: configured provider clients, the journal, the runner, metrics.

use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::providers::{huiyi31, tencent_im, tencent_meeting, wecom};
use rollcall_core::Text;

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
    /// Ticket names by ticket id (`providers.huiyi31.tickets`).
    pub tickets: BTreeMap<String, String>,
}

impl Huiyi31 {
    /// The ticket a destination registers for, with its name: the one it names (its name from
    /// `tickets`, or the default's when it is the default ticket), else the configured default.
    /// `Err`: the reason the config cannot serve it.
    pub fn ticket(&self, named: Option<&str>) -> Result<(String, String), Text> {
        let sku = match named {
            Some(s) => s.to_string(),
            None => self.default_item_sku_id.clone().ok_or_else(|| Text::new(
                "缺少门票商品 ID（在导入目标中写明 huiyi31:会议:类别:门票，或配置 providers.huiyi31.default_item_sku_id）",
                "no ticket id (name it in the destination huiyi31:EVENT:TYPE:SKU, or set providers.huiyi31.default_item_sku_id)",
            ))?,
        };
        let name = self.tickets.get(&sku).cloned().or_else(|| {
            (self.default_item_sku_id.as_deref() == Some(sku.as_str()))
                .then(|| self.default_item_sku_name.clone())
                .flatten()
        });
        match name {
            Some(n) if !n.trim().is_empty() => Ok((sku, n)),
            _ => Err(Text::new(
                format!("门票 {sku} 没有配置名称（在 providers.huiyi31.tickets 中加入 \"{sku}\" = \"门票名称\"，名称见 31会议后台）"),
                format!("ticket {sku} has no name configured (add \"{sku}\" = \"ticket name\" under providers.huiyi31.tickets, as the 31huiyi console shows it)"),
            )),
        }
    }
}

/// Prometheus counters and gauges, kept as plain maps (label set → value). Whoever changes a
/// value sets it here (the runner, the request counter): `/metrics` only renders, it never
/// reads the journal.
#[derive(Default)]
pub struct Metrics {
    counters: Mutex<BTreeMap<(&'static str, String), u64>>,
    gauges: Mutex<BTreeMap<(&'static str, String), i64>>,
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

    pub fn set(&self, name: &'static str, labels: String, value: i64) {
        self.gauges
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert((name, labels), value);
    }

    pub fn render(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let counters = self.counters.lock().unwrap_or_else(|p| p.into_inner());
        let gauges = self.gauges.lock().unwrap_or_else(|p| p.into_inner());
        let series = counters
            .iter()
            .map(|(k, v)| (k, "counter", *v as i64))
            .chain(gauges.iter().map(|(k, v)| (k, "gauge", *v)));
        let mut last = "";
        for ((name, labels), kind, v) in series {
            if *name != last {
                let _ = writeln!(out, "# TYPE {name} {kind}");
                last = name;
            }
            if labels.is_empty() {
                let _ = writeln!(out, "{name} {v}");
            } else {
                let _ = writeln!(out, "{name}{{{labels}}} {v}");
            }
        }
        out
    }
}
