//! Tencent Meeting webinar enrollments (seed 000): list `enroll/approvals`, import in batches,
//! match answers and list entries on every identity a person carries, cap per edition.
//!
//! The list carries no phone (docs/providers.md, "Tencent Meeting"): a row imported by
//! phone whose answer was lost cannot be found in it by who it is. Such a row is settled by
//! comparing the list before and after its batch — the entries that appeared (new `enroll_id`s,
//! imported, not named by any answer) matched on the nick names sent — and where that proves
//! neither presence nor absence the row ends `unknown` with "check in the console": it is never
//! re-sent on a guess.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use rollcall_core::api::{DestinationKind, RowState};
use rollcall_core::providers::tencent_meeting::{self as tm, EnrollImportRequest};
use rollcall_core::providers::Lenient;
use rollcall_core::Text;
use tracing::warn;

use super::{list_failed, Cap, Found, Holdings, InFlight, Reconcilable};
use crate::jobs::context::{Ctx, Fatal};
use crate::jobs::retry::Pacer;
use crate::jobs::store::{JobInput, Outcome, RowIdx, StateOutcome};
use crate::providers::tencent_meeting::Client;
use crate::providers::ProviderError;

pub struct TencentMeeting {
    pub client: Client,
    pub meeting_id: String,
    pub pacer: Arc<Pacer>,
    /// What this process knows of the round under way (see [`Window`]).
    window: Mutex<Window>,
}

impl TencentMeeting {
    pub fn new(client: Client, meeting_id: String, pacer: Arc<Pacer>) -> Self {
        TencentMeeting {
            client,
            meeting_id,
            pacer,
            window: Mutex::new(Window::default()),
        }
    }

    fn window(&self) -> std::sync::MutexGuard<'_, Window> {
        self.window.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The "before" side of the batches sent in the current round: the enroll ids the round's list
/// held, and the ids answers have named since (each matched to the row it answers). Journaled as
/// the destination's memo at every change, so a restart or another replica settles the batches
/// this one left in flight the same way.
#[derive(Default, Clone, serde::Serialize, serde::Deserialize)]
struct Window {
    before: Option<HashSet<String>>,
    #[serde(default)]
    answered: HashSet<String>,
}

impl TencentMeeting {
    /// Journals the window (see [`Ctx::save_memo`]).
    async fn save_window(&self, ctx: &Ctx) -> Result<(), Fatal> {
        let memo = serde_json::to_string(&*self.window())
            .map_err(|e| Fatal(format!("cannot record the enrollment list: {e}")))?;
        ctx.save_memo(&memo).await
    }

    /// This process's window, else the one journaled by whoever ran the job before.
    async fn current_window(&self, ctx: &Ctx) -> Result<Window, Fatal> {
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
        "unverifiable",
        Text::new(
            format!("{why_zh}；腾讯会议的报名列表不含手机号，无法确认此行是否已导入。请在腾讯会议后台的报名列表中核对，确认缺失后再单独导入"),
            format!("{why_en}; Tencent Meeting's enrollment list carries no phone, so whether this row was imported cannot be proven. Check the webinar's enrollments in the Tencent Meeting console and import it again only if it is missing"),
        ),
    ))
}

/// The webinar's enrollments, indexed by identity.
pub struct Enrolled {
    entries: Vec<tm::ApprovalEntry>,
    index: tm::IdentityIndex,
    input: Arc<JobInput>,
    cap: usize,
    imported: usize,
}

impl Holdings for Enrolled {
    fn find(&self, row: RowIdx) -> Option<Found> {
        let who = self.input.attendee(row).tencent_meeting_identity();
        let e = &self.entries[self.index.find(&who)?];
        Some(Found {
            reference: e.enroll_id.as_ref().map(|i| i.to_string()),
            attendee_code: e.enroll_code.clone(),
        })
    }

    fn cap(&self) -> Option<Cap> {
        let (cap, imported) = (self.cap, self.imported);
        Some(Cap {
            room: cap.saturating_sub(imported),
            message: Text::new(
                format!("超出单场导入上限 {cap} 条（已导入 {imported}）"),
                format!("over the webinar's import cap of {cap} (already imported {imported})"),
            ),
        })
    }
}

impl Reconcilable for TencentMeeting {
    type Held = Enrolled;
    const KIND: DestinationKind = DestinationKind::TencentMeeting;
    const CONFIRMED: (&'static str, &'static str) =
        ("对账确认已导入", "confirmed by reconciliation");
    const PRESENT: (&'static str, &'static str) = ("已在报名列表中", "already enrolled");

    /// Every page of the webinar's enrollments; an entry that does not parse identifies nobody.
    async fn list(&self, ctx: &Ctx) -> Result<Enrolled, Fatal> {
        let mut entries = Vec::new();
        for page in 1.. {
            let r = ctx
                .call(&self.pacer, true, || {
                    self.client.list_enrollments(
                        &self.meeting_id,
                        page,
                        tm::MAX_APPROVALS_PAGE_SIZE,
                    )
                })
                .await
                .map_err(|e| list_failed(&e, ("无法读取报名列表", "cannot list enrollments")))?;
            let more = r.has_more(page, tm::MAX_APPROVALS_PAGE_SIZE);
            for e in r.enroll_list {
                match e {
                    Lenient::Ok(e) => entries.push(e),
                    Lenient::Odd { error, .. } => {
                        warn!(error = %error, "an enrollment list entry does not parse; it identifies nobody")
                    }
                }
            }
            if !more {
                break;
            }
        }
        let identities: Vec<tm::Identity> = entries.iter().map(|e| e.identity()).collect();
        Ok(Enrolled {
            index: tm::IdentityIndex::new(&identities),
            imported: tm::imported_count(&entries),
            entries,
            input: ctx.input.clone(),
            cap: self.client.config().edition.import_cap(),
        })
    }

    /// Rows sent by userid or open_id are in the list by who they are: present or absent. Rows
    /// sent by phone are found only by comparing the list with the round's "before": each
    /// entry that appeared (an `enroll_id` neither listed before nor named by an answer) is
    /// claimed by the one in-flight row whose nick name it carries; rows left over are absent
    /// only when every new entry is claimed, and `unknown` otherwise.
    async fn reconcile(
        &self,
        ctx: &Ctx,
        held: &Enrolled,
        rows: &[RowIdx],
    ) -> Result<Vec<InFlight>, Fatal> {
        let by_phone = |r: RowIdx| {
            let e = held.input.attendee(r).to_enroll_entry();
            e.userid.is_none() && e.open_id.is_none()
        };
        let mut verdicts: Vec<Option<InFlight>> = rows
            .iter()
            .map(|&r| match held.find(r) {
                Some(f) => Some(InFlight::Present(f)),
                None if !by_phone(r) => Some(InFlight::Absent),
                None => None,
            })
            .collect();
        if verdicts.iter().all(Option::is_some) {
            return Ok(verdicts.into_iter().flatten().collect());
        }
        let w = self.current_window(ctx).await?;
        let Some(before) = w.before.as_ref() else {
            return Ok(verdicts
                .into_iter()
                .map(|v| {
                    v.unwrap_or_else(|| {
                        unverifiable(
                            "批次结果丢失，且发送前的报名列表没有记录",
                            "the batch's answer was lost and the list from before it was not recorded",
                        )
                    })
                })
                .collect());
        };
        // The entries that appeared since the round's list and no answer accounts for.
        let mut fresh: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut unclaimed = 0usize;
        for (i, e) in held.entries.iter().enumerate() {
            let Some(id) = e.enroll_id.as_ref().map(|x| x.as_string()) else {
                // An entry without an id cannot be told old from new.
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
        for (k, &r) in rows.iter().enumerate() {
            if verdicts[k].is_some() {
                continue;
            }
            let nick = nick_of(r);
            if nick.is_empty() || nicks.get(&nick) != Some(&1) {
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
        Ok(verdicts
            .into_iter()
            .map(|v| {
                v.unwrap_or_else(|| {
                    if unclaimed == 0 {
                        // No entry appeared that could be this row: it was not imported.
                        InFlight::Absent
                    } else {
                        unverifiable(
                            "批次结果丢失，且报名列表中新增的条目无法与此行一一对应",
                            "the batch's answer was lost and the entries that appeared in the list cannot be matched to this row",
                        )
                    }
                })
            })
            .collect())
    }

    /// The round's list becomes the "before" of the batches the round sends, journaled before
    /// any of them goes out.
    async fn round_start(&self, ctx: &Ctx, held: &Enrolled) -> Result<(), Fatal> {
        *self.window() = Window {
            before: Some(
                held.entries
                    .iter()
                    .filter_map(|e| e.enroll_id.as_ref().map(|x| x.as_string()))
                    .collect(),
            ),
            answered: HashSet::new(),
        };
        self.save_window(ctx).await
    }

    /// The ids the answers named, journaled after their rows' outcomes.
    async fn answered(&self, ctx: &Ctx) -> Result<(), Fatal> {
        self.save_window(ctx).await
    }

    /// Only the provider's word decides: an entry in the answer → imported; a userid in
    /// `user_non_registered` → rejected; anything else is left for reconciliation.
    async fn send(
        &self,
        ctx: &Ctx,
        rows: &[RowIdx],
    ) -> Result<Vec<Option<StateOutcome>>, ProviderError> {
        let input = &ctx.input;
        let req = EnrollImportRequest {
            operator_id: self.client.config().operator_userid.clone(),
            operator_id_type: tm::OperatorIdType::Userid,
            instanceid: tm::Instance::Pc,
            enroll_list: rows
                .iter()
                .map(|&r| input.attendee(r).to_enroll_entry())
                .collect(),
        };
        let resp = ctx
            .call(&self.pacer, false, || {
                self.client.import_enrollments(&self.meeting_id, &req)
            })
            .await?;
        let answered: Vec<&tm::ImportedEnroll> =
            resp.enroll_list.iter().filter_map(Lenient::ok).collect();
        let identities: Vec<tm::Identity> = answered.iter().map(|e| e.identity()).collect();
        let mut index = tm::IdentityIndex::new(&identities);
        let unregistered: HashSet<&str> = resp
            .user_non_registered
            .iter()
            .map(String::as_str)
            .collect();
        let mut window = self.window();
        Ok(rows
            .iter()
            .zip(&req.enroll_list)
            .map(
                |(&r, sent)| match index.take(&input.attendee(r).tencent_meeting_identity()) {
                    Some(i) => Some({
                        // This id is accounted for: it is not one of the entries a lost answer
                        // may have left behind.
                        if let Some(id) = &answered[i].enroll_id {
                            window.answered.insert(id.as_string());
                        }
                        StateOutcome::new(
                            RowState::Imported,
                            Outcome::found(
                                None,
                                answered[i].enroll_id.as_ref().map(|x| x.to_string()),
                                answered[i].enroll_code.clone(),
                            ),
                        )
                    }),
                    None if sent
                        .userid
                        .as_deref()
                        .is_some_and(|u| unregistered.contains(u)) =>
                    {
                        Some(StateOutcome::new(
                            RowState::Rejected,
                            Outcome::note(
                                "user_non_registered",
                                Text::new(
                                    "该 userid 不是企业内已注册用户",
                                    "userid is not a registered user of the company",
                                ),
                            ),
                        ))
                    }
                    None => None,
                },
            )
            .collect())
    }
}
