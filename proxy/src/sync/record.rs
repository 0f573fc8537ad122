//! A sync as the journal keeps it (one JSON record, versioned by the store), and the poll's
//! decision: who in the source's list is new, who is wanted, who goes where. Pure: the poll
//! (`poll.rs`) reads the source and the journal, this decides, the store writes the record and
//! the jobs in one transaction.

use std::collections::{BTreeMap, HashMap};

use rollcall_core::roster::TableRow;
use rollcall_core::sync::{self as core_sync, CreateSyncRequest, SyncSource, SyncState};
use rollcall_core::Text;
use serde::{Deserialize, Serialize};

/// The sync's record.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record {
    pub spec: CreateSyncRequest,
    pub created_by: String,
    pub created_at: i64,
    pub state: SyncState,
    pub last_poll_at: Option<i64>,
    pub next_poll_at: Option<i64>,
    pub last_error: Option<Text>,
    pub polls: u64,
    /// The jobs the polls made, oldest first.
    pub jobs: Vec<String>,
    pub people: Vec<Person>,
    /// When it was stopped: retention counts from there.
    #[serde(default)]
    pub stopped_at: Option<i64>,
    /// When the people's names and identities were removed (retention); enroll ids, the jobs
    /// and their outcomes stay.
    #[serde(default)]
    pub shredded_at: Option<i64>,
}

/// One enrollee of the source, as the sync has seen them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Person {
    /// The source's enroll id.
    pub key: String,
    pub name: String,
    /// `userid:…`, `phone:…`, `email:…`, `open_id:…`: how the same person is recognised under
    /// another enroll id.
    pub identities: Vec<String>,
    pub first_seen: i64,
    pub source_status: Option<u8>,
    pub note: Option<Text>,
    /// The enroll id of the person this enrollee is (the same userid, phone, e-mail): never sent.
    #[serde(default)]
    pub same_as: Option<String>,
    /// Per destination of the sync: the job and row that carried this person there.
    pub handed: Vec<Option<Handed>>,
}

/// A person handed to a job for one destination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handed {
    pub job: String,
    /// The row's index in the job.
    pub row: u32,
    /// The destination's index in the job.
    pub dest: u32,
    pub at: i64,
    /// Set once the row is known to have ended somewhere other than `skipped`: never looked
    /// at again.
    #[serde(default)]
    pub settled: bool,
}

/// One entry of the source's list, as roster cells (the headers of `roster::sources`).
#[derive(Debug, Clone)]
pub struct Entry {
    pub key: String,
    pub status: Option<u8>,
    pub cells: Vec<String>,
}

/// People to send to some destinations of the sync: one job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Send {
    /// The sync's destination indexes.
    pub dests: Vec<usize>,
    /// Indexes into `Record::people`.
    pub people: Vec<usize>,
    pub rows: Vec<TableRow>,
}

impl Record {
    pub fn new(spec: CreateSyncRequest, created_by: &str, now: i64) -> Record {
        Record {
            spec,
            created_by: created_by.to_string(),
            created_at: now,
            state: SyncState::Active,
            last_poll_at: None,
            next_poll_at: Some(now),
            last_error: None,
            polls: 0,
            jobs: vec![],
            people: vec![],
            stopped_at: None,
            shredded_at: None,
        }
    }

    /// Removes the people's names and identities (retention), once; whether it did.
    pub fn shred(&mut self, now: i64) -> bool {
        if self.shredded_at.is_some() {
            return false;
        }
        for p in &mut self.people {
            p.name.clear();
            p.identities.clear();
        }
        self.shredded_at = Some(now);
        true
    }

    pub fn source(&self) -> Result<SyncSource, Text> {
        SyncSource::parse(&self.spec.from, self.spec.status)
    }

    /// Whether a poll is due.
    pub fn due(&self, now: i64) -> bool {
        self.state == SyncState::Active && self.next_poll_at.is_some_and(|t| t <= now)
    }

    /// Takes in the source's whole list and decides what to send. `skipped(handed)`: whether
    /// that row ended `skipped` (never sent: its job was cancelled or the destination failed),
    /// so the person goes again. Every other handed row stays handed: it was sent, or is being
    /// sent, and its job's own reconciliation accounts for it.
    pub fn plan(
        &mut self,
        headers: &[String],
        entries: &[Entry],
        now: i64,
        skipped: impl Fn(&Handed) -> bool,
    ) -> Vec<Send> {
        let Ok(source) = self.source() else {
            return vec![];
        };
        let n_dests = self.spec.destinations.len();
        let mut by_key: HashMap<String, usize> = self
            .people
            .iter()
            .enumerate()
            .map(|(i, p)| (p.key.clone(), i))
            .collect();
        let mut by_identity: HashMap<String, usize> = HashMap::new();
        for (i, p) in self.people.iter().enumerate() {
            for id in &p.identities {
                by_identity.entry(id.clone()).or_insert(i);
            }
        }
        let mut listed = vec![false; self.people.len()];
        // Dest set → (people, rows).
        let mut groups: BTreeMap<Vec<usize>, (Vec<usize>, Vec<TableRow>)> = BTreeMap::new();
        for e in entries {
            let identities = identities(headers, &e.cells);
            let i = match by_key.get(&e.key) {
                Some(&i) => i,
                None => {
                    let same = identities
                        .iter()
                        .find_map(|id| by_identity.get(id))
                        .copied();
                    self.people.push(Person {
                        key: e.key.clone(),
                        name: e.cells.first().cloned().unwrap_or_default(),
                        identities: identities.clone(),
                        first_seen: now,
                        source_status: e.status,
                        note: same.map(|s| core_sync::same_person_as(&self.people[s].key)),
                        same_as: same.map(|s| self.people[s].key.clone()),
                        handed: vec![None; n_dests],
                    });
                    listed.push(false);
                    let i = self.people.len() - 1;
                    by_key.insert(e.key.clone(), i);
                    for id in &identities {
                        by_identity.entry(id.clone()).or_insert(i);
                    }
                    i
                }
            };
            listed[i] = true;
            let p = &mut self.people[i];
            p.source_status = e.status;
            if p.same_as.is_some() {
                continue;
            }
            let wanted = source.wants(e.status);
            let delivered = p.handed.iter().any(Option::is_some);
            if !wanted {
                if delivered {
                    p.note = Some(core_sync::no_longer_wanted());
                }
                continue;
            }
            p.note = None;
            let mut need = Vec::new();
            for (d, h) in p.handed.iter_mut().enumerate() {
                match h {
                    None => need.push(d),
                    Some(h) if !h.settled && skipped(h) => need.push(d),
                    Some(_) => {}
                }
            }
            if !need.is_empty() {
                let (people, rows) = groups.entry(need).or_default();
                people.push(i);
                rows.push(TableRow {
                    row: rows.len() as u32 + 2,
                    cells: e.cells.iter().map(|c| c.as_str().into()).collect(),
                });
            }
        }
        // Delivered people the list no longer shows.
        for (p, seen) in self.people.iter_mut().zip(&listed) {
            if !seen && p.handed.iter().any(Option::is_some) {
                p.source_status = None;
                p.note = Some(core_sync::no_longer_wanted());
            }
        }
        groups
            .into_iter()
            .map(|(dests, (people, rows))| Send {
                dests,
                people,
                rows,
            })
            .collect()
    }

    /// Records that `send` went out as job `job` (row i of the job is `send.people[i]`).
    pub fn hand(&mut self, send: &Send, job: &str, now: i64) {
        for (row, &p) in send.people.iter().enumerate() {
            for (job_dest, &d) in send.dests.iter().enumerate() {
                self.people[p].handed[d] = Some(Handed {
                    job: job.to_string(),
                    row: row as u32,
                    dest: job_dest as u32,
                    at: now,
                    settled: false,
                });
            }
        }
        self.jobs.push(job.to_string());
    }
}

/// How one person is recognised across enroll ids: userid, open_id, the phone's digits
/// (mainland numbers without the 86), the e-mail lower-cased.
pub fn identities(headers: &[String], cells: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for (h, c) in headers.iter().zip(cells) {
        let c = c.trim();
        if c.is_empty() {
            continue;
        }
        match h.as_str() {
            "userid" => out.push(format!("userid:{c}")),
            "open_id" => out.push(format!("open_id:{c}")),
            "邮箱" => out.push(format!("email:{}", c.to_lowercase())),
            "手机号" => {
                let digits: String = c.chars().filter(char::is_ascii_digit).collect();
                let digits = match digits.strip_prefix("86") {
                    Some(rest) if rest.len() == 11 => rest.to_string(),
                    _ => digits,
                };
                if !digits.is_empty() {
                    out.push(format!("phone:{digits}"));
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> Record {
        let spec = CreateSyncRequest {
            from: "wecom:M".into(),
            status: None,
            destinations: vec![
                "tencent-im:@TGS#G".parse().unwrap(),
                "huiyi31:ev:type:sku".parse().unwrap(),
            ],
            mapping: Default::default(),
            every_secs: 10,
            share_with: vec![],
        };
        Record::new(spec, "alice", 100)
    }

    fn headers() -> Vec<String> {
        rollcall_core::roster::sources::WECOM_HEADERS
            .iter()
            .map(|h| h.to_string())
            .collect()
    }

    fn entry(key: &str, status: u8, phone: &str) -> Entry {
        Entry {
            key: key.into(),
            status: Some(status),
            cells: vec![
                format!("人{key}"),
                String::new(),
                phone.into(),
                String::new(),
                String::new(),
            ],
        }
    }

    #[test]
    fn each_person_once_and_only_when_approved() {
        let mut r = record();
        let list = [entry("1", 3, "13800000001"), entry("2", 1, "13800000002")];
        let sends = r.plan(&headers(), &list, 100, |_| false);
        assert_eq!(sends.len(), 1);
        assert_eq!(sends[0].dests, [0, 1]);
        assert_eq!(sends[0].people, [0], "only the approved one");
        r.hand(&sends[0], "job_a", 100);
        // The next poll: nothing new; the pending one approved now goes alone.
        assert!(r.plan(&headers(), &list, 110, |_| false).is_empty());
        let list = [entry("1", 3, "13800000001"), entry("2", 3, "13800000002")];
        let sends = r.plan(&headers(), &list, 120, |_| false);
        assert_eq!(sends[0].people, [1]);
        assert_eq!(sends[0].rows[0].row, 2, "numbered like a sheet");
        r.hand(&sends[0], "job_b", 120);
        assert!(r.plan(&headers(), &list, 130, |_| false).is_empty());
    }

    #[test]
    fn a_skipped_row_goes_again_to_that_destination_only() {
        let mut r = record();
        let list = [entry("1", 3, "13800000001")];
        let sends = r.plan(&headers(), &list, 100, |_| false);
        r.hand(&sends[0], "job_a", 100);
        let sends = r.plan(&headers(), &list, 110, |h| h.dest == 1);
        assert_eq!(sends.len(), 1);
        assert_eq!(sends[0].dests, [1]);
    }

    #[test]
    fn status_changes_after_delivery_are_on_the_trail() {
        let mut r = record();
        let sends = r.plan(&headers(), &[entry("1", 3, "1")], 100, |_| false);
        r.hand(&sends[0], "job_a", 100);
        assert!(r
            .plan(&headers(), &[entry("1", 2, "1")], 110, |_| false)
            .is_empty());
        assert_eq!(r.people[0].note, Some(core_sync::no_longer_wanted()));
        assert_eq!(r.people[0].source_status, Some(2));
        // Gone from the list altogether.
        r.plan(&headers(), &[], 120, |_| false);
        assert_eq!(r.people[0].source_status, None);
        assert!(r.people[0].note.is_some());
    }

    #[test]
    fn the_same_person_under_another_enroll_id_is_not_sent_again() {
        let mut r = record();
        let sends = r.plan(
            &headers(),
            &[entry("1", 3, "+86 138-0000-0001")],
            100,
            |_| false,
        );
        r.hand(&sends[0], "job_a", 100);
        let sends = r.plan(
            &headers(),
            &[entry("1", 3, "13800000001"), entry("9", 3, "8613800000001")],
            110,
            |_| false,
        );
        assert!(sends.is_empty(), "{sends:?}");
        assert_eq!(r.people[1].same_as.as_deref(), Some("1"));
        assert!(r.people[1]
            .note
            .as_ref()
            .unwrap()
            .en
            .contains("enrollment 1"));
    }

    #[test]
    fn shredding_forgets_names_and_identities_once() {
        let mut r = record();
        let sends = r.plan(&headers(), &[entry("1", 3, "13800000001")], 100, |_| false);
        r.hand(&sends[0], "job_a", 100);
        assert!(r.shred(200));
        assert!(!r.shred(300), "once");
        assert_eq!(r.shredded_at, Some(200));
        let p = &r.people[0];
        assert!(p.name.is_empty() && p.identities.is_empty());
        assert_eq!(p.key, "1", "the enroll id stays");
        assert!(p.handed[0].is_some(), "so does the trail");
    }
}
