//! A dry run: what a job would do at each destination, sending nothing. The rows go through the
//! same `prepare` (roster rules), each destination is listed and its pending rows go through the
//! same decision (already there, cap, batches) as a job's round, so the preview's numbers are
//! the job's numbers as long as the destination does not change in between.

use std::sync::Arc;

use rollcall_core::api::{DestinationPreview, JobPreview, RowState};

use super::context::{Ctx, Fatal, Shared};
use super::destination::Module;
use super::retry::Pacers;
use super::store::{DestIdx, JobInput, NewJob, RowIdx};
use crate::app::Clients;
use rollcall_core::Text;

pub async fn preview(
    shared: &Arc<Shared>,
    clients: &Clients,
    pacers: &Pacers,
    job: &NewJob,
) -> Result<JobPreview, Fatal> {
    let input = Arc::new(JobInput {
        destinations: job.destinations.clone(),
        attendees: job.rows.iter().map(|r| r.attendee.clone()).collect(),
    });
    let mut destinations = Vec::with_capacity(job.destinations.len());
    for (d, dest) in job.destinations.iter().enumerate() {
        let state = |r: &super::store::NewRow| r.initial[d].state;
        let pending: Vec<RowIdx> = (0..job.rows.len())
            .filter(|&i| state(&job.rows[i]) == RowState::Pending)
            .map(|i| RowIdx(i as u32))
            .collect();
        let invalid = job.rows.len() - pending.len();
        let ctx = Ctx {
            job: format!("{}-preview", job.id).into(),
            dest: DestIdx(d),
            input: input.clone(),
            shared: shared.clone(),
        };
        let p = Module::build(clients, pacers, dest)?
            .preview(&ctx, &pending)
            .await
            .map_err(|Fatal(r)| {
                Fatal(Text::new(
                    format!("{dest}：{}", r.zh),
                    format!("{dest}: {}", r.en),
                ))
            })?;
        destinations.push(DestinationPreview {
            destination: dest.clone(),
            invalid: invalid as u64,
            already_present: p.already_present,
            to_send: p.to_send,
            over_cap: p.over_cap,
        });
    }
    Ok(JobPreview {
        rows: job.rows.len() as u64,
        destinations,
    })
}
