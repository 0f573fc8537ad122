//! 31huiyi registrations (seed 004): one Register per row. There is no list API and Register is
//! not idempotent, so a registration whose outcome was lost is never re-sent: it ends `unknown`
//! with an explanation.

use std::sync::Arc;

use rollcall_core::api::RowState;
use rollcall_core::providers::huiyi31::{self as h, RegisterRequest};
use rollcall_core::Text;

use crate::jobs::context::{Ctx, Fatal};
use crate::jobs::retry::{refused, Idempotence, Pacer, Verdict};
use crate::jobs::store::{Outcome, RowIdx, Settled};
use crate::providers::huiyi31::Client;
use rollcall_core::codes::JobNote;

pub struct Huiyi31 {
    pub client: Client,
    pub event_id: String,
    pub attendee_type_id: String,
    pub item_sku_id: String,
    /// The ticket's `ItemSkuName` (required by Register), from the config.
    pub item_sku_name: String,
    pub pacer: Arc<Pacer>,
}

impl Huiyi31 {
    fn request(&self, ctx: &Ctx, row: RowIdx) -> RegisterRequest {
        RegisterRequest {
            invitation_code: None,
            bvent_id: self.event_id.clone(),
            attendee_type_id: self.attendee_type_id.clone(),
            attendee: h::AttendeeFields {
                fields: ctx.input.attendee(row).to_huiyi31_fields(),
            },
            purchaser: None,
            items: vec![h::Item {
                item_sku_id: self.item_sku_id.clone(),
                item_sku_name: self.item_sku_name.clone(),
                quantity: 1,
            }],
            agendas: None,
        }
    }

    pub async fn run(self: Arc<Self>, ctx: &Ctx) -> Result<(), Fatal> {
        // Sent when the proxy stopped: the outcome cannot be checked, so never sent again.
        for (batch, rows) in ctx.in_flight().await? {
            let settled: Vec<Settled> = rows
                .iter()
                .map(|&r| Settled::new(r, RowState::Unknown, Outcome::note(JobNote::Interrupted, Text::new("发送时代理中断，结果未知；重新报名前请在 31会议后台核对", "the proxy stopped while sending; check the 31huiyi console before registering again"))))
                .collect();
            ctx.finish(batch, &settled).await?;
        }
        // Rounds: a row the provider certainly did not take (a gateway's 429, retries spent) goes
        // back to pending and out again in the next round; after the last it ends `unknown`.
        for _ in 0..super::MAX_ROUNDS {
            let pending = ctx.pending().await?;
            if pending.is_empty() || ctx.is_cancelled() {
                return Ok(());
            }
            ctx.bounded(pending, |r| {
                let (ctx, me) = (ctx.clone(), self.clone());
                async move { me.register(&ctx, r).await }
            })
            .await?;
        }
        ctx.exhaust().await
    }

    async fn register(&self, ctx: &Ctx, r: RowIdx) -> Result<(), Fatal> {
        let req = self.request(ctx, r);
        let batch = ctx.begin(&[r]).await?;
        let outcome = match ctx
            .call(&self.pacer, Idempotence::NotIdempotent, || self.client.register(&req))
            .await
        {
            Ok(resp) => {
                // A success answer is a success, whatever optional fields it leaves out.
                let data = resp.data.unwrap_or_default();
                let checkin = data.checkin_code().map(str::to_string);
                let order = (!data.order_id.is_empty()).then(|| data.order_id.clone());
                let no = (!data.order_no.is_empty()).then(|| Text::same(data.order_no.clone()));
                Settled::new(r, RowState::Imported, Outcome::found(no, order, checkin))
            }
            Err(e) if e.ambiguous => Settled::new(
                r,
                RowState::Unknown,
                Outcome::note(
                    JobNote::Ambiguous,
                    Text::new(
                        format!("请求已发出但结果丢失（{}），为避免重复报名未重试；请在 31会议后台核对", e.message),
                        format!("sent but the outcome was lost ({}); not retried to avoid a duplicate registration — check the 31huiyi console", e.message),
                    ),
                ),
            ),
            Err(e) => match Verdict::of(&e) {
                Verdict::Fatal(reason) => {
                    ctx.finish(batch, &[]).await?;
                    return Err(Fatal(reason));
                }
                // Not applied (a gateway stopped it, retries spent): back to pending.
                Verdict::NotApplied => {
                    ctx.finish(batch, &[]).await?;
                    ctx.notify();
                    return Ok(());
                }
                // The provider's own refusal (`businessCode` not 0).
                Verdict::Refused => Settled::new(r, RowState::Rejected, refused(&e)),
            },
        };
        ctx.finish(batch, &[outcome]).await?;
        ctx.notify();
        Ok(())
    }
}
