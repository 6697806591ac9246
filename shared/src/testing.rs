//! Fixtures for tests in this crate and in the workspace's integration tests (feature
//! `testing`): valid claim inputs per solution area, actors of every kind, and a fixed clock.

use crate::domain::*;
use chrono::{DateTime, TimeZone, Utc};
use std::collections::BTreeSet;

pub const TENANT: &str = "3fa85f64-5717-4562-b3fc-2c963f66afa6";
pub const SUB_1: &str = "9b2f5c1e-0d7a-4c3e-8f61-2a4b6c8d0e11";
pub const SUB_2: &str = "1c3e5a7b-9d0f-4a2c-8e4b-6d8f0a2c4e22";
pub const ORG: &str = "4812345";
pub const LOCATION: &str = "4812345001";
pub const OTHER_LOCATION: &str = "4812345002";

/// Monday 2026-11-23 09:00 UTC: a business day far from holidays.
pub fn monday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0)
        .single()
        .unwrap_or_default()
}

fn parse<T, E: std::fmt::Debug>(r: Result<T, E>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("fixture does not parse: {e:?}"),
    }
}

/// A valid Modern Work & Security draft body.
pub fn mws_input() -> ClaimInput {
    parse(serde_json::from_value(serde_json::json!({
        "name": "Contoso Teams rollout",
        "partnerLocationId": LOCATION,
        "customer": {"tenantId": TENANT, "domain": "contoso.com"},
        "solutionArea": "modern_work_security",
        "partnerRole": "use_or_consume",
        "incentiveOptOut": false,
        "products": [{"product": "teams"}, {"product": "exchange_online"}],
        "customerContact": {"name": "Ana Pérez", "title": "CIO", "email": "ana@contoso.com"},
        "partnerContact": {"name": "Luis Gómez", "email": "luis@fabrikam.example"}
    })))
}

/// A valid Business Applications draft body (influenced revenue, so with revenue details).
pub fn ba_input() -> ClaimInput {
    parse(serde_json::from_value(serde_json::json!({
        "name": "Contoso Dynamics",
        "partnerLocationId": LOCATION,
        "customer": {"tenantId": TENANT},
        "solutionArea": "business_applications",
        "partnerRole": "influenced_revenue",
        "products": [
            {"product": "dynamics_365_sales", "subscriptionId": SUB_1},
            {"product": "power_apps", "subscriptionId": SUB_2}
        ],
        "purchaseChannel": "volume_licensing",
        "customerContact": {"name": "Ana Pérez", "title": "CIO", "email": "ana@contoso.com"},
        "partnerContact": {"name": "Luis Gómez", "email": "luis@fabrikam.example"},
        "revenueDetails": {"sellerName": "Fabrikam", "customerName": "Contoso", "isvProduct": "Fabrikam CRM"}
    })))
}

pub fn partner_in(org: &str, roles: &[PartnerRole]) -> Actor {
    Actor::Partner(PartnerUser {
        user: parse(UserId::parse("partner-user-1")),
        org: parse(PartnerId::parse(org)),
        org_name: Some(parse(ShortText::parse("Fabrikam Ltd"))),
        locations: [LOCATION, OTHER_LOCATION]
            .iter()
            .map(|l| parse(LocationId::parse(l)))
            .collect::<BTreeSet<_>>(),
        roles: roles.iter().copied().collect(),
    })
}

pub fn admin() -> Actor {
    partner_in(ORG, &[PartnerRole::IncentivesAdmin])
}

pub fn incentives_user() -> Actor {
    partner_in(ORG, &[PartnerRole::IncentivesUser])
}

pub fn reviewer() -> Actor {
    Actor::Reviewer {
        user: parse(UserId::parse("reviewer-1")),
    }
}

/// A PoE document as declared by a partner.
pub fn poe(now: DateTime<Utc>) -> PoeDocument {
    let req = PoeUploadRequest {
        file_name: Some("SoW signed.pdf".into()),
        content_type: Some("application/pdf".into()),
        size_bytes: Some(48_213),
        sha256: Some("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855".into()),
    };
    parse(PoeDocument::declare(
        PoeId::generate(),
        &req,
        &PoePolicy::default(),
        now,
    ))
}

pub fn acks() -> Acknowledgements {
    Acknowledgements {
        information_accurate: true,
        customer_authorized: true,
    }
}

pub fn text(s: &str) -> LongText {
    parse(LongText::parse(s))
}

/// The submit command for a claim whose every PoE was verified in storage.
pub fn submit(claim: &Claim) -> Command {
    Command::Submit {
        acknowledgements: acks(),
        comment: None,
        uploaded: claim.poe().iter().map(|p| p.id).collect(),
    }
}

/// Applies a command and returns the new claim, panicking with the error if refused.
pub fn apply(claim: &Claim, actor: &Actor, cmd: Command, now: DateTime<Utc>) -> Claim {
    match claim.handle(actor, cmd, now, &DeadlinePolicy::default()) {
        Ok(o) => o.claim,
        Err(e) => panic!("refused: {e}"),
    }
}

/// The outcome of a command, panicking with the error if refused.
pub fn outcome_of(claim: &Claim, actor: &Actor, cmd: Command, now: DateTime<Utc>) -> Outcome {
    match claim.handle(actor, cmd, now, &DeadlinePolicy::default()) {
        Ok(o) => o,
        Err(e) => panic!("refused: {e}"),
    }
}

/// Fires the claim's current deadline at its due instant; returns the claim and that instant.
pub fn fire_deadline(claim: &Claim) -> (Claim, DateTime<Utc>) {
    let d = claim.deadline().cloned();
    let d = d.unwrap_or_else(|| panic!("{} has no deadline", claim.status()));
    let cmd = Command::DeadlineReached {
        status: claim.status(),
        generation: d.generation,
    };
    (apply(claim, &Actor::Scheduler, cmd, d.due_at), d.due_at)
}

pub fn reject_cmd() -> Command {
    Command::Review(ReviewDecision::Reject {
        reasons: vec![Reason::InsufficientPoe],
        comment: Some(text("PoE is unsigned")),
    })
}

pub fn request_info_cmd() -> Command {
    Command::Review(ReviewDecision::RequestInfo {
        reasons: vec![Reason::MissingOrOldDates],
        comment: Some(text("Dates are from 2019")),
    })
}

pub fn approve_cmd() -> Command {
    Command::Review(ReviewDecision::Approve { comment: None })
}

/// A Modern Work & Security claim (with one PoE) walked to `status` along the shortest path,
/// with the time of its last step.
pub fn claim_in(status: Status) -> (Claim, DateTime<Utc>) {
    claim_in_at(status, monday())
}

/// [`claim_in`], created at `start` instead of [`monday`].
pub fn claim_in_at(status: Status, start: DateTime<Utc>) -> (Claim, DateTime<Utc>) {
    let mut t = start;
    let created = parse(Claim::create(
        ClaimId::generate(),
        &admin(),
        &mws_input(),
        t,
    ))
    .claim;
    let mut c = apply(&created, &admin(), Command::AddPoe(poe(t)), t);
    match status {
        Status::Draft => return (c, t),
        Status::Cancelled => return (apply(&c, &admin(), Command::Cancel, t), t),
        _ => {}
    }
    c = apply(&c, &admin(), submit(&c), t);
    if status == Status::Submitted {
        return (c, t);
    }
    c = apply(&c, &reviewer(), Command::Review(ReviewDecision::Start), t);
    match status {
        Status::PartnerActionRequired => c = apply(&c, &reviewer(), request_info_cmd(), t),
        Status::Approved | Status::Active | Status::Ended => {
            c = apply(&c, &reviewer(), approve_cmd(), t);
            if status != Status::Approved {
                (c, t) = fire_deadline(&c);
            }
            if status == Status::Ended {
                let cmd = Command::Disassociate {
                    reason: text("Contract ended"),
                };
                c = apply(&c, &admin(), cmd, t);
            }
        }
        Status::Rejected | Status::Disputed | Status::RejectedFinal => {
            c = apply(&c, &reviewer(), reject_cmd(), t);
            if status == Status::Disputed {
                let cmd = Command::Dispute {
                    justification: Some(text("Signed SoW attached")),
                    poe_ids: vec![],
                };
                c = apply(&c, &admin(), cmd, t);
            }
            if status == Status::RejectedFinal {
                (c, t) = fire_deadline(&c);
            }
        }
        _ => {}
    }
    assert_eq!(c.status(), status, "fixture path");
    (c, t)
}

/// How many rounds of requests ran one after another, from when each was sent (or arrived) and
/// was answered: a request sent after every request of the current round was answered starts
/// the next round; one sent while the round is still out runs beside it. The round-trip tests
/// read their SDK clients' logs this way, the bench its loopback endpoint's.
pub fn sequential_rounds(mut log: Vec<(std::time::Instant, std::time::Instant)>) -> usize {
    log.sort();
    let mut rounds = 0;
    let mut round_end: Option<std::time::Instant> = None;
    for (sent, answered) in log {
        match round_end {
            Some(end) if sent < end => round_end = Some(end.max(answered)),
            _ => {
                rounds += 1;
                round_end = Some(answered);
            }
        }
    }
    rounds
}

#[cfg(test)]
mod tests {
    use super::sequential_rounds;
    use std::time::{Duration, Instant};

    #[test]
    fn requests_sent_while_a_round_is_out_run_beside_it() {
        let t = Instant::now();
        let ms = |n| t + Duration::from_millis(n);
        // two at once, then one after both answered, then two overlapping ones
        let log = vec![
            (ms(0), ms(4)),
            (ms(1), ms(3)),
            (ms(5), ms(9)),
            (ms(10), ms(20)),
            (ms(19), ms(25)),
        ];
        assert_eq!(sequential_rounds(log), 3);
        assert_eq!(sequential_rounds(vec![]), 0);
    }
}
