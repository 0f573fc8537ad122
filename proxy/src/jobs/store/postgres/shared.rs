//! What replicas share beyond the journal rows: job leases (owner and expiry on the database's
//! clock, taken `FOR UPDATE` so a takeover orders against the holder's `begin_batch`), cancel
//! requests, provider pacing slots, and the destinations seen.

use std::time::Duration;

use rollcall_core::api::{KnownDestination, SavedMapping};

use super::{corrupt, PgStore};
use crate::jobs::store::{Lease, Result};

pub(super) fn orphaned_jobs(s: &PgStore) -> Result<Vec<String>> {
    s.run(async {
        let c = s.client().await?;
        Ok(c.query(
            "SELECT id FROM jobs WHERE state = 'running' AND (lease_until IS NULL OR lease_until < now()) ORDER BY created_at",
            &[],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect())
    })
}

pub(super) fn lease(s: &PgStore, id: &str, owner: &str, ttl: Duration) -> Result<Lease> {
    s.run(async {
        let mut c = s.client().await?;
        let tx = c.transaction().await?;
        // The row lock orders a takeover against the holder's `begin_batch` (which reads the
        // lease FOR SHARE): a batch is either journaled before the takeover, or refused.
        let Some(row) = tx
            .query_opt(
                "SELECT lease_owner, lease_until >= now(), cancel_requested FROM jobs WHERE id = $1 AND state = 'running' FOR UPDATE",
                &[&id],
            )
            .await?
        else {
            return Ok(Lease::NotRunning);
        };
        let (holder, live, cancel): (Option<String>, Option<bool>, bool) =
            (row.get(0), row.get(1), row.get(2));
        if let (Some(h), Some(true)) = (&holder, live) {
            if h != owner {
                return Ok(Lease::Elsewhere(h.clone()));
            }
        }
        tx.execute(
            "UPDATE jobs SET lease_owner = $2, lease_until = now() + make_interval(secs => $3) WHERE id = $1",
            &[&id, &owner, &ttl.as_secs_f64()],
        )
        .await?;
        tx.commit().await?;
        Ok(Lease::Held {
            previous: holder,
            cancel,
        })
    })
}

pub(super) fn lease_holder(s: &PgStore, id: &str) -> Result<Option<String>> {
    s.run(async {
        let c = s.client().await?;
        Ok(c.query_opt(
            "SELECT lease_owner FROM jobs WHERE id = $1 AND state = 'running' AND lease_until >= now()",
            &[&id],
        )
        .await?
        .and_then(|r| r.get(0)))
    })
}

pub(super) fn request_cancel(s: &PgStore, id: &str) -> Result<Option<String>> {
    s.run(async {
        let c = s.client().await?;
        let row = c
            .query_opt(
                "UPDATE jobs SET cancel_requested = TRUE WHERE id = $1 AND state = 'running' \
                 RETURNING CASE WHEN lease_until >= now() THEN lease_owner END",
                &[&id],
            )
            .await?;
        Ok(row.and_then(|r| r.get(0)))
    })
}

pub(super) fn remember_destination(
    s: &PgStore,
    destination: &str,
    label: Option<&str>,
    now: i64,
) -> Result<()> {
    s.run(async {
        let c = s.client().await?;
        c.execute(
            "INSERT INTO destinations (destination, label, last_used) VALUES ($1, $2, $3)
             ON CONFLICT (destination) DO UPDATE SET label = COALESCE(EXCLUDED.label, destinations.label), last_used = EXCLUDED.last_used",
            &[&destination, &label, &now],
        )
        .await?;
        Ok(())
    })
}

pub(super) fn save_mapping(s: &PgStore, m: &SavedMapping) -> Result<()> {
    let doc = serde_json::to_string(m)?;
    s.run(async {
        let c = s.client().await?;
        c.execute(
            "INSERT INTO mappings (owner, name, doc, saved_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (owner, name) DO UPDATE SET doc = EXCLUDED.doc, saved_at = EXCLUDED.saved_at",
            &[&m.owner, &m.name, &doc, &m.saved_at],
        )
        .await?;
        Ok(())
    })
}

pub(super) fn mappings(s: &PgStore) -> Result<Vec<SavedMapping>> {
    s.run(async {
        let c = s.client().await?;
        c.query(
            "SELECT doc FROM mappings ORDER BY saved_at DESC, owner, name LIMIT 500",
            &[],
        )
        .await?
        .iter()
        .map(|r| Ok(serde_json::from_str(r.get::<_, &str>(0))?))
        .collect()
    })
}

pub(super) fn known_destinations(s: &PgStore) -> Result<Vec<KnownDestination>> {
    s.run(async {
        let c = s.client().await?;
        c.query(
            "SELECT destination, label, last_used FROM destinations ORDER BY last_used DESC LIMIT 200",
            &[],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(KnownDestination {
                destination: r.get::<_, &str>(0).parse().map_err(corrupt)?,
                label: r.get(1),
                last_used: r.get(2),
            })
        })
        .collect()
    })
}

pub(super) fn reserve_slot(s: &PgStore, key: &str, interval: Duration) -> Result<Duration> {
    // GCRA on the database's clock: each call takes the next slot `interval` after the last
    // one (or now, when idle); the caller sleeps until its slot. One statement, no lock held.
    let step = interval.as_micros().min(i64::MAX as u128) as i64;
    s.run(async {
        let c = s.client().await?;
        let stmt = c
            .prepare_cached(
                "WITH t AS (SELECT (EXTRACT(EPOCH FROM clock_timestamp()) * 1000000)::BIGINT AS now) \
                 INSERT INTO pacing AS p (key, tat_us) SELECT $1, t.now + $2 FROM t \
                 ON CONFLICT (key) DO UPDATE SET tat_us = GREATEST(p.tat_us, EXCLUDED.tat_us - $2) + $2 \
                 RETURNING tat_us - $2 - (EXTRACT(EPOCH FROM clock_timestamp()) * 1000000)::BIGINT",
            )
            .await?;
        let wait: i64 = c.query_one(&stmt, &[&key, &step]).await?.get(0);
        Ok(Duration::from_micros(wait.max(0) as u64))
    })
}
