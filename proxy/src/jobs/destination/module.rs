//! A destination's module, built from the configured client and pacer: the one place a
//! destination's text form meets the configuration.

use std::sync::Arc;

use rollcall_core::api::Destination;

use super::{huiyi31, preview, run_reconciled, tencent_im, tencent_meeting, Preview};
use crate::app::Clients;
use crate::jobs::context::{Ctx, Fatal};
use crate::jobs::retry::Pacers;
use crate::jobs::store::RowIdx;
use rollcall_core::Text;

/// A destination's module, built from the configured client and pacer.
pub enum Module {
    TencentMeeting(tencent_meeting::TencentMeeting),
    TencentIm(tencent_im::TencentIm),
    Huiyi31(huiyi31::Huiyi31),
}

impl Module {
    /// The module for `dest`; a provider that is not configured, or a 31huiyi destination
    /// without its ids, cannot go on at all.
    pub fn build(clients: &Clients, pacers: &Pacers, dest: &Destination) -> Result<Module, Fatal> {
        Ok(match dest {
            Destination::TencentMeeting { meeting_id } => {
                let client = clients.tencent_meeting.clone().ok_or_else(|| {
                    Fatal(Text::new(
                        "腾讯会议未配置",
                        "Tencent Meeting is not configured",
                    ))
                })?;
                Module::TencentMeeting(tencent_meeting::TencentMeeting::new(
                    client,
                    meeting_id.clone(),
                    pacers.tencent_meeting.clone(),
                ))
            }
            Destination::TencentIm { group_id } => {
                let client = clients.tencent_im.clone().ok_or_else(|| {
                    Fatal(Text::new(
                        "腾讯云 IM 未配置",
                        "Tencent IM is not configured",
                    ))
                })?;
                Module::TencentIm(tencent_im::TencentIm {
                    client,
                    group_id: group_id.clone(),
                    pacer: pacers.tencent_im.clone(),
                })
            }
            Destination::Huiyi31 {
                event_id,
                attendee_type_id,
                item_sku_id,
            } => {
                let hy = clients
                    .huiyi31
                    .as_ref()
                    .ok_or_else(|| Fatal(Text::new("31会议未配置", "31huiyi is not configured")))?;
                let attendee_type_id = attendee_type_id
                    .as_ref()
                    .or(hy.default_attendee_type_id.as_ref())
                    .cloned()
                    .ok_or_else(|| Fatal(Text::new("缺少参会人类别 ID（在导入目标中写明 huiyi31:会议:类别:门票，或配置 providers.huiyi31.default_attendee_type_id）", "no attendee type id (name it in the destination huiyi31:EVENT:TYPE:SKU, or set providers.huiyi31.default_attendee_type_id)")))?;
                let (item_sku_id, item_sku_name) =
                    hy.ticket(item_sku_id.as_deref()).map_err(Fatal)?;
                Module::Huiyi31(huiyi31::Huiyi31 {
                    client: hy.client.clone(),
                    event_id: event_id.clone(),
                    attendee_type_id,
                    item_sku_id,
                    item_sku_name,
                    pacer: pacers.huiyi31.clone(),
                })
            }
        })
    }

    /// Runs the destination's part of a job.
    pub async fn run(self, ctx: &Ctx) -> Result<(), Fatal> {
        match self {
            Module::TencentMeeting(d) => run_reconciled(ctx, Arc::new(d)).await,
            Module::TencentIm(d) => run_reconciled(ctx, Arc::new(d)).await,
            Module::Huiyi31(d) => Arc::new(d).run(ctx).await,
        }
    }

    /// What a job would do here with `pending`, sending nothing. 31huiyi cannot be asked what it
    /// holds: every pending row would be sent.
    pub async fn preview(&self, ctx: &Ctx, pending: &[RowIdx]) -> Result<Preview, Fatal> {
        match self {
            Module::TencentMeeting(d) => preview(ctx, d, pending).await,
            Module::TencentIm(d) => preview(ctx, d, pending).await,
            Module::Huiyi31(_) => Ok(Preview {
                already_present: None,
                to_send: pending.len() as u64,
                over_cap: 0,
            }),
        }
    }
}
