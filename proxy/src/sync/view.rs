//! What people see of a sync: its summary (per destination the same counts a job has, one per
//! person) and the per-person trail, from the record and the outcomes its jobs journaled.

use std::collections::{HashMap, HashSet};

use rollcall_core::api::{Counts, JobResults, RowOutcome, RowState};
use rollcall_core::sync::{SyncDelivery, SyncDestination, SyncPerson, SyncState, SyncSummary};

use super::record::{Handed, Record};
use super::{SyncError, Syncs};
use crate::jobs::store::StoreError;

impl Syncs {
    /// One sync's summary.
    pub async fn summary(&self, id: &str) -> Result<SyncSummary, SyncError> {
        let rec = self.record(id).await?;
        let results = self.results_of(&rec).await?;
        Ok(summarise(id, &rec, &results))
    }

    /// Every sync's summary, newest first.
    pub async fn list(&self) -> Result<Vec<SyncSummary>, SyncError> {
        let docs = self.journal(|s| s.sync_docs()).await?;
        let mut out = Vec::new();
        for doc in docs.into_iter().rev() {
            let Ok(rec) = serde_json::from_str::<Record>(&doc.doc) else {
                continue;
            };
            let results = self.results_of(&rec).await?;
            out.push(summarise(&doc.id, &rec, &results));
        }
        Ok(out)
    }

    /// The trail: every person the sync has seen, with each destination's outcome; `q` keeps
    /// those whose name, enroll id or an identity contains it.
    pub async fn people(&self, id: &str, q: Option<&str>) -> Result<Vec<SyncPerson>, SyncError> {
        let rec = self.record(id).await?;
        let results = self.results_of(&rec).await?;
        let q = q
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(str::to_lowercase);
        Ok(rec
            .people
            .iter()
            .filter(|p| {
                q.as_ref().is_none_or(|q| {
                    p.name.to_lowercase().contains(q)
                        || p.key.to_lowercase().contains(q)
                        || p.identities.iter().any(|i| i.to_lowercase().contains(q))
                })
            })
            .map(|p| SyncPerson {
                key: p.key.clone(),
                name: p.name.clone(),
                first_seen: p.first_seen,
                source_status: p.source_status,
                note: p.note.clone(),
                deliveries: p
                    .handed
                    .iter()
                    .zip(&rec.spec.destinations)
                    .map(|(h, d)| {
                        let outcome = h.as_ref().and_then(|h| outcome_of(&results, h));
                        SyncDelivery {
                            destination: d.clone(),
                            state: h
                                .as_ref()
                                .map(|_| outcome.map_or(RowState::Pending, |o| o.state)),
                            code: outcome.and_then(|o| o.code.clone()),
                            message: outcome.and_then(|o| o.message.clone()),
                            reference: outcome.and_then(|o| o.reference.clone()),
                            job: h.as_ref().map(|h| h.job.clone()),
                            sent_at: h.as_ref().map(|h| h.at),
                        }
                    })
                    .collect(),
            })
            .collect())
    }

    /// The outcomes of every job the sync made.
    async fn results_of(&self, rec: &Record) -> Result<HashMap<String, JobResults>, StoreError> {
        let jobs: Vec<String> = rec
            .jobs
            .iter()
            .collect::<HashSet<_>>()
            .into_iter()
            .cloned()
            .collect();
        self.journal(move |s| {
            let mut out = HashMap::new();
            for id in jobs {
                if let Some(r) = s.results(&id)? {
                    out.insert(id, r);
                }
            }
            Ok(out)
        })
        .await
    }
}

/// What the job journaled for a handed row (none while the job's results cannot be read).
fn outcome_of<'a>(results: &'a HashMap<String, JobResults>, h: &Handed) -> Option<&'a RowOutcome> {
    results
        .get(&h.job)?
        .rows
        .get(h.row as usize)?
        .outcomes
        .get(h.dest as usize)
}

fn summarise(id: &str, rec: &Record, results: &HashMap<String, JobResults>) -> SyncSummary {
    let mut counts = vec![Counts::default(); rec.spec.destinations.len()];
    for p in &rec.people {
        for (d, h) in p.handed.iter().enumerate() {
            let Some(h) = h else { continue };
            let state = outcome_of(results, h).map_or(RowState::Pending, |o| o.state);
            counts[d].add(state, 1);
        }
    }
    SyncSummary {
        id: id.to_string(),
        from: rec.spec.from.clone(),
        status: rec.spec.status,
        destinations: rec
            .spec
            .destinations
            .iter()
            .zip(counts)
            .map(|(d, counts)| SyncDestination {
                destination: d.clone(),
                counts,
            })
            .collect(),
        every_secs: rec.spec.every_secs,
        state: rec.state,
        created_by: rec.created_by.clone(),
        created_at: rec.created_at,
        share_with: rec.spec.share_with.clone(),
        last_poll_at: rec.last_poll_at,
        next_poll_at: (rec.state == SyncState::Active)
            .then_some(rec.next_poll_at)
            .flatten(),
        last_error: rec.last_error.clone(),
        polls: rec.polls,
        people: rec.people.len() as u64,
        jobs: rec.jobs.clone(),
        mapping: rec.spec.mapping.clone(),
        shredded_at: rec.shredded_at,
    }
}
