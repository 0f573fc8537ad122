//! Tencent Meeting webinar enrollments (seed 000): list `enroll/approvals`, import in batches,
//! match answers and list entries on every identity a person carries, cap per edition.
//!
//! The list carries no phone (docs/providers.md, "Tencent Meeting"): a row imported by
//! phone whose answer was lost cannot be found in it by who it is. Such a row is settled by
//! comparing the list before and after its batch — the entries that appeared (new `enroll_id`s,
//! imported, not named by any answer) matched on the nick names sent — and where that proves
//! neither presence nor absence the row ends `unknown` with "check in the console": it is never
//! re-sent on a guess.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use rollcall_core::api::{DestinationKind, RowState};
use rollcall_core::providers::tencent_meeting::{self as tm, EnrollImportRequest};
use rollcall_core::providers::Lenient;
use rollcall_core::Text;
use tracing::warn;

mod window;

use super::{list_failed, Cap, Found, Holdings, InFlight, Reconcilable};
use crate::jobs::context::{Ctx, Fatal};
use crate::jobs::retry::{Idempotence, Pacer};
use crate::jobs::store::{JobInput, Outcome, RowIdx, StateOutcome};
use crate::providers::tencent_meeting::Client;
use crate::providers::ProviderError;
use rollcall_core::codes::JobNote;
use window::Window;

pub struct TencentMeeting {
    pub client: Client,
    pub meeting_id: String,
    pub pacer: Arc<Pacer>,
    /// What this process knows of the round under way (see [`Window`]).
    window: Mutex<Window>,
    /// Held while the window is journaled: writes land in the order they were taken.
    saving: tokio::sync::Mutex<()>,
}

impl TencentMeeting {
    pub fn new(client: Client, meeting_id: String, pacer: Arc<Pacer>) -> Self {
        TencentMeeting {
            client,
            meeting_id,
            pacer,
            window: Mutex::new(Window::default()),
            saving: tokio::sync::Mutex::new(()),
        }
    }

    fn window(&self) -> std::sync::MutexGuard<'_, Window> {
        self.window.lock().unwrap_or_else(|p| p.into_inner())
    }
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
        let all = Client::every_page(|page| {
            ctx.call(&self.pacer, Idempotence::Idempotent, move || {
                self.client
                    .list_enrollments(&self.meeting_id, page, tm::MAX_APPROVALS_PAGE_SIZE)
            })
        })
        .await
        .map_err(|e| list_failed(&e, ("无法读取报名列表", "cannot list enrollments")))?;
        let mut entries = Vec::with_capacity(all.len());
        for e in all {
            match e {
                Lenient::Ok(e) => entries.push(e),
                Lenient::Odd { error, .. } => {
                    warn!(error = %error, "an enrollment list entry does not parse; it identifies nobody")
                }
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
        let verdicts: Vec<Option<InFlight>> = rows
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
        Ok(window::settle_phone_rows(&w, held, rows, verdicts))
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
            .call(&self.pacer, Idempotence::NotIdempotent, || {
                self.client.enroll_import(&self.meeting_id, &req)
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
        Ok(req
            .enroll_list
            .iter()
            .map(
                // Matched on what was sent only: the provider echoes the phone's owner as the
                // userid (seed 000), which must not let another row take this entry.
                |sent| match index.take(&sent.identity()) {
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
                                JobNote::UserNonRegistered,
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
