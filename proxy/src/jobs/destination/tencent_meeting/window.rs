//! Rows imported by phone whose answer was lost: the list carries no phone, so they are settled
//! by comparing the list with the round's "before" (docs/providers.md, "Tencent Meeting").

use std::collections::{HashMap, HashSet};

use rollcall_core::Text;
use tracing::warn;

use super::{Enrolled, TencentMeeting};
use crate::jobs::context::{Ctx, Fatal};
use crate::jobs::destination::{Found, InFlight};
use crate::jobs::store::{Outcome, RowIdx};
use rollcall_core::codes::JobNote;

/// The "before" side of the batches sent in the current round: the enroll ids the round's list
/// held, and the ids answers have named since (each matched to the row it answers). Journaled as
/// the destination's memo at every change, so a restart or another replica settles the batches
/// this one left in flight the same way.
#[derive(Default, Clone, serde::Serialize, serde::Deserialize)]
pub(super) struct Window {
    pub(super) before: Option<HashSet<String>>,
    #[serde(default)]
    pub(super) answered: HashSet<String>,
}

impl TencentMeeting {
    /// Journals the window (see [`Ctx::save_memo`]).
    pub(super) async fn save_window(&self, ctx: &Ctx) -> Result<(), Fatal> {
        // Taken and written under one lock: an older snapshot never lands after a newer one.
        let _order = self.saving.lock().await;
        let memo = serde_json::to_string(&*self.window()).map_err(|e| {
            Fatal(Text::new(
                format!("无法记录报名列表：{e}"),
                format!("cannot record the enrollment list: {e}"),
            ))
        })?;
        ctx.save_memo(&memo).await
    }

    /// This process's window, else the one journaled by whoever ran the job before.
    pub(super) async fn current_window(&self, ctx: &Ctx) -> Result<Window, Fatal> {
        let here = self.window().clone();
        if here.before.is_some() {
            return Ok(here);
        }
        Ok(match ctx.load_memo().await? {
            Some(m) => serde_json::from_str(&m).unwrap_or_else(|e| {
                warn!(error = %e, "the journaled enrollment list cannot be read; rows left in flight end unknown");
                Window::default()
            }),
            None => Window::default(),
        })
    }
}

/// A row's verdict when the list can prove nothing about it.
fn unverifiable(why_zh: &str, why_en: &str) -> InFlight {
    InFlight::Unknown(Outcome::note(
        JobNote::Unverifiable,
        Text::new(
            format!("{why_zh}；腾讯会议的报名列表不含手机号，无法确认此行是否已导入。请在腾讯会议后台的报名列表中核对，确认缺失后再单独导入"),
            format!("{why_en}; Tencent Meeting's enrollment list carries no phone, so whether this row was imported cannot be proven. Check the webinar's enrollments in the Tencent Meeting console and import it again only if it is missing"),
        ),
    ))
}

/// Verdicts for the in-flight rows `verdicts` left open (rows sent by phone): each entry that
/// appeared (an `enroll_id` neither in the window's "before" nor named by an answer) is claimed
/// by the one open row whose nick name it carries (no claims at all when an open row was sent
/// without a nick: the provider names such entries itself); rows left over are absent only when
/// every entry that appeared is claimed and every open row sent a nick, `unknown` otherwise.
pub(super) fn settle_phone_rows(
    w: &Window,
    held: &Enrolled,
    rows: &[RowIdx],
    mut verdicts: Vec<Option<InFlight>>,
) -> Vec<InFlight> {
    let Some(before) = w.before.as_ref() else {
        return verdicts
            .into_iter()
            .map(|v| {
                v.unwrap_or_else(|| {
                    unverifiable(
                        "批次结果丢失，且发送前的报名列表没有记录",
                        "the batch's answer was lost and the list from before it was not recorded",
                    )
                })
            })
            .collect();
    };
    // The entries that appeared since the round's list and no answer accounts for.
    let mut fresh: HashMap<&str, Vec<usize>> = HashMap::new();
    // Entries that appeared and no open row has claimed yet (an entry without an id cannot be
    // told old from new: it is never claimed).
    let mut unclaimed = 0usize;
    for (i, e) in held.entries.iter().enumerate() {
        let Some(id) = e.enroll_id.as_ref().map(|x| x.as_string()) else {
            unclaimed += 1;
            continue;
        };
        if before.contains(&id) || w.answered.contains(&id) || e.enroll_source_type == 1 {
            continue;
        }
        fresh.entry(e.nick_name.trim()).or_default().push(i);
        unclaimed += 1;
    }
    // Nick names sent by the phone rows still open (a nick two rows share claims nothing).
    let nick_of = |r: RowIdx| {
        held.input
            .attendee(r)
            .to_enroll_entry()
            .nick_name
            .unwrap_or_default()
            .trim()
            .to_string()
    };
    let mut nicks: HashMap<String, usize> = HashMap::new();
    for (k, &r) in rows.iter().enumerate() {
        if verdicts[k].is_none() {
            *nicks.entry(nick_of(r)).or_default() += 1;
        }
    }
    // A row sent without a nick gets one from the provider (its directory's, or the phone):
    // any entry may then be that row's, and no nick proves anything.
    let claims = !nicks.contains_key("");
    for (k, &r) in rows.iter().enumerate() {
        if !claims || verdicts[k].is_some() {
            continue;
        }
        let nick = nick_of(r);
        if nicks.get(&nick) != Some(&1) {
            continue;
        }
        if let Some([i]) = fresh.get(nick.as_str()).map(Vec::as_slice) {
            let e = &held.entries[*i];
            verdicts[k] = Some(InFlight::Present(Found {
                reference: e.enroll_id.as_ref().map(|x| x.to_string()),
                attendee_code: e.enroll_code.clone(),
            }));
            unclaimed -= 1;
        }
    }
    verdicts
            .into_iter()
            .map(|v| {
                v.unwrap_or_else(|| {
                    if unclaimed == 0 && claims {
                        // Every entry that appeared is another row's, and every open row sent
                        // its own nick: no entry can be this row's. It was not imported.
                        InFlight::Absent
                    } else {
                        unverifiable(
                            "批次结果丢失，且报名列表中新增的条目无法与此行一一对应",
                            "the batch's answer was lost and the entries that appeared in the list cannot be matched to this row",
                        )
                    }
                })
            })
            .collect()
}
