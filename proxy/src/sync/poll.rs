//! One poll of a sync: read the source's whole list (paced, every page), settle what earlier
//! jobs did, decide (`record.rs`), and write the record and the new jobs in one transaction —
//! only if nobody else wrote the record since it was read. Then the jobs start.

use std::collections::{HashMap, HashSet};

use rollcall_core::api::{CreateJobRequest, JobState, RowState};
use rollcall_core::providers::{Lenient, Provider};
use rollcall_core::roster::sources;
use rollcall_core::sync::SyncSource;
use rollcall_core::Text;

use super::record::{Entry, Handed, Record};
use super::Syncs;
use crate::jobs::store::{JobInput, NewJob, StoreError, SyncDoc};

/// Seconds before a poll that could not read its source is tried again (at most the interval).
const RETRY_SECS: u64 = 2;

/// What a poll did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Polled {
    pub jobs: usize,
    pub people: usize,
}

impl Syncs {
    /// Polls the sync whose record `rec` was read from `doc` (the caller checked it is due).
    /// `Ok(None)`: another writer (a pause, another replica) changed the record first — nothing
    /// was sent; the next tick reads it again.
    pub(super) async fn poll(
        &self,
        doc: SyncDoc,
        mut rec: Record,
        now: i64,
    ) -> Result<Option<Polled>, StoreError> {
        rec.last_poll_at = Some(now);
        rec.next_poll_at = Some(now + rec.spec.every_secs as i64);
        rec.polls += 1;
        let read = match rec.source() {
            Ok(source) => self.read_source(&source).await,
            Err(e) => Err(e),
        };
        let (headers, entries) = match read {
            Ok(list) => list,
            Err(why) => {
                tracing::warn!(sync = %doc.id, error = %why.en, "a sync's poll could not read its source");
                rec.last_error = Some(why);
                // Tried again soon (a lost page, a gateway's refusal), not a whole interval later.
                rec.next_poll_at = Some(now + rec.spec.every_secs.min(RETRY_SECS) as i64);
                let saved = self.save(&doc, &rec, vec![]).await?;
                return Ok(saved.then(Polled::default));
            }
        };
        let skipped = self.settle(&mut rec).await?;
        let sends = rec.plan(&headers, &entries, now, |h| skipped.contains(&key(h)));
        let mut jobs = Vec::new();
        let mut people = 0;
        rec.last_error = None;
        for send in &sends {
            let id = format!("job_{}", uuid::Uuid::new_v4().simple());
            let req = CreateJobRequest {
                file_name: Some(format!("{} → {}", rec.spec.from, doc.id)),
                headers: headers.clone(),
                rows: send.rows.clone(),
                mapping: rec.spec.mapping.clone(),
                destinations: send
                    .dests
                    .iter()
                    .map(|&d| rec.spec.destinations[d].clone())
                    .collect(),
                share_with: rec.spec.share_with.clone(),
                edited: Vec::new(),
            };
            match crate::jobs::prepare(req, &rec.created_by, now, id.clone()) {
                Ok(job) => {
                    rec.hand(send, &id, now);
                    people += send.people.len();
                    jobs.push(job);
                }
                Err(e) => rec.last_error = Some(e.message),
            }
        }
        let n = jobs.len();
        let inputs: Vec<(String, u64, JobInput)> = jobs
            .iter()
            .map(|j| (j.id.clone(), j.rows.len() as u64, JobInput::from(j)))
            .collect();
        if !self.save(&doc, &rec, jobs).await? {
            return Ok(None);
        }
        for (id, rows, input) in inputs {
            self.audit(&rec.created_by, &format!("{id} <- {}", doc.id), rows)
                .await;
            self.runner.start_new(id, input);
        }
        Ok(Some(Polled { jobs: n, people }))
    }

    /// Writes the record (and the poll's jobs) if nobody wrote it since `doc` was read.
    async fn save(
        &self,
        doc: &SyncDoc,
        rec: &Record,
        jobs: Vec<NewJob>,
    ) -> Result<bool, StoreError> {
        let text = serde_json::to_string(rec)?;
        let (id, version) = (doc.id.clone(), doc.version);
        self.journal(move |s| s.save_sync(&id, Some(version), &text, &jobs))
            .await
    }

    /// Settles handed rows of finished jobs: those that ended anywhere but `skipped` are marked
    /// settled (never looked at again); the `skipped` ones are returned (they go again).
    async fn settle(&self, rec: &mut Record) -> Result<HashSet<(String, u32, u32)>, StoreError> {
        let open: HashSet<String> = rec
            .people
            .iter()
            .flat_map(|p| p.handed.iter().flatten())
            .filter(|h| !h.settled)
            .map(|h| h.job.clone())
            .collect();
        let mut states: HashMap<String, Vec<Vec<RowState>>> = HashMap::new();
        for job in open {
            let id = job.clone();
            let states_of = self
                .journal(move |s| {
                    let Some(summary) = s.get_job(&id)? else {
                        return Ok(None);
                    };
                    if summary.state == JobState::Running {
                        return Ok(None);
                    }
                    Ok(s.results(&id)?.map(|r| {
                        r.rows
                            .into_iter()
                            .map(|row| row.outcomes.into_iter().map(|o| o.state).collect())
                            .collect::<Vec<Vec<RowState>>>()
                    }))
                })
                .await?;
            if let Some(rows) = states_of {
                states.insert(job, rows);
            }
        }
        let mut skipped = HashSet::new();
        for h in rec
            .people
            .iter_mut()
            .flat_map(|p| p.handed.iter_mut().flatten())
        {
            let state = states
                .get(&h.job)
                .and_then(|rows| rows.get(h.row as usize))
                .and_then(|row| row.get(h.dest as usize));
            match state {
                Some(RowState::Skipped) => {
                    skipped.insert(key(h));
                }
                Some(_) => h.settled = true,
                None => {}
            }
        }
        Ok(skipped)
    }

    /// The source's whole list as roster headers and entries (its enroll ids and statuses).
    async fn read_source(&self, source: &SyncSource) -> Result<(Vec<String>, Vec<Entry>), Text> {
        let unconfigured = |p: Provider| {
            Text::new(
                format!("未配置{}，无法读取同步来源", p.label_zh()),
                format!(
                    "{} is not configured: the source cannot be read",
                    p.as_str()
                ),
            )
        };
        let failed = |e: crate::providers::ProviderError| {
            Text::new(
                format!("读取报名列表失败：{}", e.message),
                format!("cannot read the enrollment list: {}", e.message),
            )
        };
        match source {
            SyncSource::Wecom { meetingid, .. } => {
                let client = self
                    .clients
                    .wecom
                    .as_ref()
                    .ok_or_else(|| unconfigured(Provider::Wecom))?;
                // Every status: a person approved before and rejected now is on the trail.
                let all = client
                    .all_enrollments(meetingid, None, || self.runner.pace(Provider::Wecom))
                    .await
                    .map_err(failed)?;
                let ok: Vec<_> = all.iter().filter_map(Lenient::ok).collect();
                let (headers, rows) = sources::from_wecom(ok.iter().copied());
                let ids = ok
                    .iter()
                    .map(|e| (&e.enroll_id, e.status.map(|s| s.code())));
                Ok((headers, entries(ids, rows)))
            }
            SyncSource::TencentMeeting { meeting_id } => {
                let client = self
                    .clients
                    .tencent_meeting
                    .as_ref()
                    .ok_or_else(|| unconfigured(Provider::TencentMeeting))?;
                let all = client
                    .all_enrollments(meeting_id, || self.runner.pace(Provider::TencentMeeting))
                    .await
                    .map_err(failed)?;
                let ok: Vec<_> = all.iter().filter_map(Lenient::ok).collect();
                let (headers, rows) = sources::from_tencent_meeting(ok.iter().copied());
                let ids = ok
                    .iter()
                    .map(|e| (&e.enroll_id, e.status.map(|s| s.code())));
                Ok((headers, entries(ids, rows)))
            }
        }
    }
}

/// The source's entries as the poll reads them: each roster row with its enroll id and status
/// (an entry without an enroll id cannot be followed across polls: left out).
fn entries<'a>(
    ids: impl Iterator<Item = (&'a Option<rollcall_core::providers::FlexId>, Option<i64>)>,
    rows: Vec<rollcall_core::roster::TableRow>,
) -> Vec<Entry> {
    ids.zip(rows)
        .filter_map(|((id, status), row)| {
            Some(Entry {
                key: id.as_ref()?.as_string(),
                status: status.map(|s| s as u8),
                cells: row.cells.iter().map(|c| c.to_string()).collect(),
            })
        })
        .collect()
}

fn key(h: &Handed) -> (String, u32, u32) {
    (h.job.clone(), h.row, h.dest)
}
