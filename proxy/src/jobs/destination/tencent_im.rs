//! Tencent Cloud IM group members (seed 003): list `get_group_member_info`, import in batches of
//! 500; per member `Result` 1 imported, 2 already a member, 0 refused.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use rollcall_core::api::{DestinationKind, RowState};
use rollcall_core::providers::tencent_im::{self as im, ImportGroupMemberRequest, MemberResult};
use rollcall_core::providers::Lenient;
use rollcall_core::Text;
use tracing::warn;

use super::{list_failed, Found, Holdings, Reconcilable};
use crate::jobs::context::{Ctx, Fatal};
use crate::jobs::retry::{Idempotence, Pacer};
use crate::jobs::store::{JobInput, Outcome, RowIdx, StateOutcome};
use crate::providers::tencent_im::Client;
use crate::providers::ProviderError;
use rollcall_core::codes::JobNote;
use rollcall_core::OutcomeCode;

pub struct TencentIm {
    pub client: Client,
    pub group_id: String,
    pub pacer: Arc<Pacer>,
}

/// The group's member accounts.
pub struct Members {
    accounts: HashSet<String>,
    input: Arc<JobInput>,
}

impl Holdings for Members {
    fn find(&self, row: RowIdx) -> Option<Found> {
        let m = self.input.attendee(row).to_im_member()?;
        self.accounts
            .contains(&m.member_account)
            .then(Found::default)
    }
}

impl Reconcilable for TencentIm {
    type Held = Members;
    const KIND: DestinationKind = DestinationKind::TencentIm;
    const CONFIRMED: (&'static str, &'static str) =
        ("对账确认已入群", "confirmed by reconciliation");
    const PRESENT: (&'static str, &'static str) = ("已是群成员", "already a member");

    /// Every member, page by page; an entry that does not parse names nobody.
    async fn list(&self, ctx: &Ctx) -> Result<Members, Fatal> {
        let members = Client::every_page(&self.group_id, |req| async move {
            ctx.call(&self.pacer, Idempotence::Idempotent, || {
                self.client.get_group_member_info(&req)
            })
            .await
        })
        .await
        .map_err(|e| list_failed(&e, ("无法读取群成员", "cannot list group members")))?;
        let mut accounts = HashSet::with_capacity(members.len());
        for m in members {
            match m {
                Lenient::Ok(m) => {
                    accounts.insert(m.member_account);
                }
                Lenient::Odd { error, .. } => {
                    warn!(error = %error, "a group member entry does not parse; it names nobody")
                }
            }
        }
        Ok(Members {
            accounts,
            input: ctx.input.clone(),
        })
    }

    /// Result 1/2 → done, Result 0 → rejected (the provider's word); a member the answer does
    /// not account for (absent, unparsable, an undocumented Result) is left for reconciliation.
    async fn send(
        &self,
        ctx: &Ctx,
        rows: &[RowIdx],
    ) -> Result<Vec<Option<StateOutcome>>, ProviderError> {
        let members: Vec<Option<im::ImportMember>> = rows
            .iter()
            .map(|&r| ctx.input.attendee(r).to_im_member())
            .collect();
        let req = ImportGroupMemberRequest {
            group_id: self.group_id.clone(),
            member_list: members.iter().flatten().cloned().collect(),
        };
        let resp = ctx
            .call(&self.pacer, Idempotence::NotIdempotent, || {
                self.client.import_group_member(&req)
            })
            .await?;
        let by_account: HashMap<&str, MemberResult> = resp
            .member_list
            .iter()
            .filter_map(Lenient::ok)
            .filter_map(|m| Some((m.member_account.as_str(), m.result?)))
            .collect();
        Ok(members
            .iter()
            .map(
                |m| match by_account.get(m.as_ref()?.member_account.as_str())? {
                    MemberResult::Imported => {
                        Some(StateOutcome::new(RowState::Imported, Outcome::default()))
                    }
                    MemberResult::AlreadyMember => Some(StateOutcome::new(
                        RowState::AlreadyPresent,
                        Outcome::note(
                            OutcomeCode::Provider(im::MemberResult::AlreadyMember.code()),
                            Text::new(Self::PRESENT.0, Self::PRESENT.1),
                        ),
                    )),
                    MemberResult::Failed => Some(StateOutcome::new(
                        RowState::Rejected,
                        Outcome::note(
                            JobNote::Result0,
                            Text::new(
                                "IM 拒绝导入该成员（账号不存在或入群时间无效）",
                                "IM refused this member (unknown account or invalid JoinTime)",
                            ),
                        ),
                    )),
                    MemberResult::Other(_) => None,
                },
            )
            .collect())
    }
}
