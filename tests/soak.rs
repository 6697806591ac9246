//! A bounded concurrent soak against the local stack on moto (issue "Hardening II"): actors —
//! partners of two organisations, a reviewer, customers answering their links, sweeps as of
//! moving instants, callers with bad input — do random valid and invalid operations on a
//! shared pool of claims whose customers collide on purpose. At the end every invariant is
//! checked against what the API, the store and the bus say:
//!
//! - no 5xx, ever;
//! - one holder per workload (a tenant's product) among the claims that hold one;
//! - every history gapless, each entry starting where the previous ended, each move one the
//!   lifecycle allows;
//! - nothing lost: every change answered 2xx is in its claim's history (comments exactly once);
//! - every outbox entry delivered, none left due; every event schema-valid (checked as drained),
//!   no event twice, each a version its claim reached.
//!
//! Deadlines fire late and twice at once (a claim's one-time schedule delivered twice), sweeps
//! run as of instants days ahead while the stream delivers the same outbox entries.
//!
//! `make test` runs a short soak; `make soak` ten times as many operations
//! (`CPOR_SOAK_OPERATIONS`, `CPOR_SOAK_ACTORS`).

use crate::helpers::{ORG_A, ORG_B, Stack, mws_body, stack};
use cpor::domain::Status;
use cpor::ports::OutboxStore;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

/// A small deterministic generator (xorshift64*), seeded per actor: a failing run can be
/// replayed by its seed, printed with the report.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// A claim the soak made: its organisation and customer contact.
#[derive(Clone)]
struct Made {
    id: String,
    org: &'static str,
    customer: String,
}

#[derive(Default)]
struct Tally {
    operations: u64,
    ok: u64,
    client_errors: u64,
    server_errors: Vec<String>,
    /// Per claim, per history action group: how many changes were answered 2xx.
    acknowledged: BTreeMap<String, BTreeMap<&'static str, u64>>,
}

struct Soak {
    claims: Mutex<Vec<Made>>,
    tally: Mutex<Tally>,
    /// Customers collide: a handful of tenants for everyone.
    tenants: Vec<String>,
}

impl Soak {
    fn pick(&self, rng: &mut Rng) -> Option<Made> {
        let claims = self.claims.lock().expect("claims");
        (!claims.is_empty()).then(|| claims[rng.below(claims.len())].clone())
    }

    /// Counts a response; a 2xx change of `claim` is acknowledged under `action`.
    fn count(&self, what: &str, status: u16, text: &str, change: Option<(&str, &'static str)>) {
        let mut t = self.tally.lock().expect("tally");
        t.operations += 1;
        match status {
            200..=299 => {
                t.ok += 1;
                if let Some((claim, action)) = change {
                    *t.acknowledged
                        .entry(claim.to_owned())
                        .or_default()
                        .entry(action)
                        .or_default() += 1;
                }
            }
            400..=499 => t.client_errors += 1,
            _ => t.server_errors.push(format!("{what}: {status} {text}")),
        }
    }
}

/// One actor's operations.
async fn actor(s: &Stack, soak: &Soak, seed: u64, operations: usize) {
    let mut rng = Rng(seed | 1);
    for _ in 0..operations {
        let org = if rng.below(2) == 0 { ORG_A } else { ORG_B };
        let token = s.admin(org);
        let claim = soak.pick(&mut rng);
        match (rng.below(12), claim) {
            // a new claim on a colliding customer, with its PoE uploaded
            (0..=2, _) | (_, None) => {
                let tenant = &soak.tenants[rng.below(soak.tenants.len())];
                let customer = crate::helpers::customer_email();
                let r = s
                    .call(
                        "POST",
                        "/claims",
                        Some(&token),
                        Some(&mws_body(org, tenant, &customer)),
                        &[],
                    )
                    .await;
                let id = r.json()["id"].as_str().map(str::to_owned);
                soak.count(
                    "create",
                    r.status,
                    &r.text(),
                    id.as_deref().map(|i| (i, "create")),
                );
                if let Some(id) = id {
                    s.upload_poe(&token, &id, b"%PDF soak").await;
                    soak.count("add poe", 201, "", Some((&id, "add_poe")));
                    soak.claims
                        .lock()
                        .expect("claims")
                        .push(Made { id, org, customer });
                }
            }
            (3 | 4, Some(c)) => {
                let r = s.submit(&s.admin(c.org), &c.id).await;
                soak.count("submit", r.status, &r.text(), Some((&c.id, "submit")));
            }
            (5 | 6, Some(c)) => {
                let body = match rng.below(4) {
                    0 => json!({"action": "start"}),
                    1 => json!({"action": "approve"}),
                    2 => {
                        json!({"action": "reject", "reasons": ["insufficient_poe"], "comment": "soak"})
                    }
                    _ => {
                        json!({"action": "request_info", "reasons": ["missing_products"], "comment": "soak"})
                    }
                };
                let action = match body["action"].as_str().unwrap_or_default() {
                    "start" => "start_review",
                    "approve" => "approve",
                    "reject" => "reject",
                    _ => "request_info",
                };
                let r = s.review(&c.id, body).await;
                soak.count("review", r.status, &r.text(), Some((&c.id, action)));
            }
            (7, Some(c)) => {
                let path = format!("/claims/{}/comments", c.id);
                let r = s
                    .call(
                        "POST",
                        &path,
                        Some(&s.admin(c.org)),
                        Some(&json!({"text": "soak"})),
                        &[],
                    )
                    .await;
                soak.count("comment", r.status, &r.text(), Some((&c.id, "comment")));
            }
            (8, Some(c)) => {
                // the customer answers the latest link it was sent, if any
                s.delivered().await;
                let mails = crate::helpers::emails_to(&c.customer);
                if let Some((_, body)) = mails.iter().rev().find(|(_, b)| b.contains("/consent/")) {
                    let start = body.find("/consent/").unwrap_or_default();
                    let link: String = body[start..]
                        .chars()
                        .take_while(|ch| ch.is_ascii_alphanumeric() || "/-_".contains(*ch))
                        .collect();
                    let decision = if rng.below(2) == 0 { "keep" } else { "decline" };
                    let r = s.decide(&link, decision).await;
                    soak.count("consent", r.status, &r.text(), None);
                }
            }
            (9, Some(_)) if rng.below(2) == 0 => {
                // a sweep as of a moving instant: deadlines fire late, twice, or not yet, and
                // outbox entries the stream is delivering are taken by the sweep too
                let at = chrono::Utc::now() + chrono::Duration::days(rng.below(40) as i64);
                let report = s.sweep(at).await;
                let status = if report.errors == 0 { 200 } else { 500 };
                soak.count("sweep", status, &format!("{report:?}"), None);
            }
            (9, Some(c)) => {
                // the claim's one-time deadline schedule fires twice at once, late
                let view = s.get(&s.admin(c.org), &c.id).await.json();
                if let Some(due) = view["dueAt"]
                    .as_str()
                    .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok())
                {
                    let late = due + chrono::Duration::hours(rng.below(48) as i64);
                    let payload = json!({"claimId": c.id, "status": view["status"],
                        "version": view["version"], "time": late.to_rfc3339()});
                    let app = &s.run.sweep_app;
                    let (a, b) = tokio::join!(
                        deadline_sweep::sweep(app, &payload),
                        deadline_sweep::sweep(app, &payload)
                    );
                    for r in [a, b] {
                        match r {
                            Ok(report) if report.errors == 0 => soak.count("firing", 200, "", None),
                            other => soak.count("firing", 500, &format!("{other:?}"), None),
                        }
                    }
                }
            }
            (10, Some(c)) => {
                let path = format!("/claims/{}/withdraw", c.id);
                let r = s
                    .call(
                        "POST",
                        &path,
                        Some(&s.admin(c.org)),
                        Some(&json!({"reason": "soak"})),
                        &[],
                    )
                    .await;
                soak.count("withdraw", r.status, &r.text(), Some((&c.id, "withdraw")));
            }
            (_, Some(c)) => {
                // invalid on purpose: another organisation's claim, a bad body, a stale version
                let other = if c.org == ORG_A { ORG_B } else { ORG_A };
                let r = match rng.below(3) {
                    0 => s.get(&s.admin(other), &c.id).await,
                    1 => {
                        s.call(
                            "POST",
                            &format!("/claims/{}/comments", c.id),
                            Some(&s.admin(c.org)),
                            Some(&json!({"text": 7})),
                            &[],
                        )
                        .await
                    }
                    _ => {
                        s.call(
                            "PATCH",
                            &format!("/claims/{}", c.id),
                            Some(&s.admin(c.org)),
                            Some(&json!({"name": "stale"})),
                            &[("if-match", "\"0\"".to_owned())],
                        )
                        .await
                    }
                };
                assert!(
                    (400..500).contains(&r.status),
                    "an invalid request was accepted: {}",
                    r.text()
                );
                soak.count("invalid", r.status, &r.text(), None);
            }
        }
    }
}

/// The history actions an acknowledged change may have recorded.
fn recorded_as(action: &str) -> &'static [&'static str] {
    match action {
        "create" => &["create"],
        "add_poe" => &["add_poe"],
        "submit" => &["submit", "resubmit"],
        "start_review" => &["start_review"],
        "approve" => &["approve", "approve_dispute"],
        "reject" => &["reject", "reject_dispute"],
        "request_info" => &["request_info"],
        "comment" => &["comment"],
        "withdraw" => &["withdraw"],
        _ => &[],
    }
}

/// Runs `operations` operations over `actors` actors and checks every invariant: the report
/// line, or the violations.
async fn soak(actors: usize, operations: usize) {
    let s = stack().await;
    let soak = Soak {
        claims: Mutex::new(Vec::new()),
        tally: Mutex::new(Tally::default()),
        tenants: (0..4).map(|_| crate::helpers::unique_tenant()).collect(),
    };
    let seed = u64::from(chrono::Utc::now().timestamp_subsec_nanos()) | 1;
    let per_actor = operations.div_ceil(actors);
    futures_util::future::join_all(
        (0..actors).map(|i| actor(&s, &soak, seed.wrapping_add(i as u64 * 7919), per_actor)),
    )
    .await;
    s.delivered().await;

    let mut violations: Vec<String> = Vec::new();
    let (mut lost, mut duplicated) = (0u64, 0u64);
    let tally = std::mem::take(&mut *soak.tally.lock().expect("tally"));
    violations.extend(tally.server_errors.iter().cloned());
    let claims = soak.claims.lock().expect("claims").clone();
    let mut holders: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut versions: BTreeMap<String, u64> = BTreeMap::new();
    for c in &claims {
        let token = s.admin(c.org);
        let view = s.get(&token, &c.id).await.json();
        let status = view["status"].as_str().and_then(Status::parse);
        if status.is_some_and(Status::holds_workloads) {
            let tenant = view["customer"]["tenantId"].as_str().unwrap_or_default();
            for p in view["products"].as_array().into_iter().flatten() {
                let key = format!("{tenant}/{}", p["product"].as_str().unwrap_or_default());
                holders.entry(key).or_default().push(c.id.clone());
            }
        }
        let history = s.history(&token, &c.id).await;
        let seqs: Vec<u64> = history.iter().filter_map(|h| h["seq"].as_u64()).collect();
        if seqs != (1..=seqs.len() as u64).collect::<Vec<_>>() {
            violations.push(format!("{}: history not gapless: {seqs:?}", c.id));
        }
        for w in history.windows(2) {
            if let Some(from) = w[1].get("from") {
                if from != &w[0]["to"] {
                    violations.push(format!("{}: history does not chain: {w:?}", c.id));
                }
            }
        }
        for h in &history {
            let parse = |k: &str| h[k].as_str().and_then(Status::parse);
            let action = h["action"]
                .as_str()
                .and_then(|a| a.parse::<cpor::domain::Action>().ok());
            if let (Some(action), Some(from), Some(to)) = (action, parse("from"), parse("to")) {
                let legal = from == to
                    || cpor::domain::lifecycle::TRANSITIONS
                        .iter()
                        .any(|t| t.action == action && t.from == from && t.to == to);
                if !legal {
                    violations.push(format!("{}: {action:?} {from:?} → {to:?}", c.id));
                }
            }
        }
        versions.insert(c.id.clone(), view["version"].as_u64().unwrap_or_default());
        let counts = |names: &[&str]| {
            history
                .iter()
                .filter(|h| names.iter().any(|n| h["action"] == *n))
                .count() as u64
        };
        for (action, acknowledged) in tally.acknowledged.get(&c.id).into_iter().flatten() {
            let recorded = counts(recorded_as(action));
            if recorded < *acknowledged {
                lost += acknowledged - recorded;
            }
            if *action == "comment" && recorded > *acknowledged {
                duplicated += recorded - acknowledged;
            }
        }
    }
    for (key, ids) in &holders {
        if ids.len() > 1 {
            violations.push(format!("{key} held by {ids:?}"));
        }
    }
    // the bus: each event once (its ID names the change), each a version its claim reached
    let mut seen = BTreeSet::new();
    for event in s.events().await {
        let id = event["id"].as_str().unwrap_or_default().to_owned();
        if !seen.insert(id.clone()) {
            duplicated += 1;
        }
        let claim = event["claimId"].as_str().unwrap_or_default();
        let sequence = event["sequence"].as_u64().unwrap_or_default();
        if let Some(version) = versions.get(claim) {
            if sequence == 0 || sequence > *version {
                violations.push(format!(
                    "event {id}: sequence {sequence} of a claim at {version}"
                ));
            }
        }
    }
    // the outbox: nothing left to deliver once the stream has caught up
    let undelivered = s
        .run
        .deliver_app
        .store
        .due(
            chrono::Utc::now() + cpor::outbox::STREAM_GRACE + chrono::Duration::seconds(1),
            1000,
        )
        .await
        .expect("the due index")
        .into_iter()
        .filter(|w| matches!(w, cpor::ports::DueWork::Outbox(_)))
        .count();
    if undelivered > 0 {
        violations.push(format!("{undelivered} outbox entries not delivered"));
    }
    let line = format!(
        "soak | actors {actors}, operations {}, 2xx {}, 4xx {}, 5xx {}, invariant violations {}, lost {lost}, duplicated {duplicated} | claims {}, seed {seed}",
        tally.operations,
        tally.ok,
        tally.client_errors,
        tally.server_errors.len(),
        violations.len(),
        claims.len(),
    );
    println!("{line}");
    assert!(
        violations.is_empty() && lost == 0 && duplicated == 0,
        "{line}\n{violations:#?}"
    );
}

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_short_concurrent_soak_keeps_every_invariant() {
    soak(6, 90).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "ten times the short soak: make soak"]
async fn the_long_soak_keeps_every_invariant() {
    soak(
        setting("CPOR_SOAK_ACTORS", 12),
        setting("CPOR_SOAK_OPERATIONS", 900),
    )
    .await;
}
