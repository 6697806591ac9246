//! `make run` (for now): walks one claim through seed 003's timeline with the real domain and
//! prints each step — status, due date, holds, schedules, emails and events — so the lifecycle
//! can be seen working before the functions and the local AWS stack exist.

use chrono::{DateTime, Duration, TimeZone, Utc};
use cpor::domain::*;
use std::collections::BTreeSet;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let policy = DeadlinePolicy::from_lookup(|k| std::env::var(k).ok())?;
    let input: ClaimInput = serde_json::from_str(
        r#"{
        "name": "Contoso Teams rollout",
        "partnerLocationId": "4812345001",
        "customer": {"tenantId": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "domain": "contoso.com"},
        "solutionArea": "modern_work_security",
        "partnerRole": "use_or_consume",
        "products": [{"product": "teams"}, {"product": "exchange_online"}],
        "customerContact": {"name": "Ana Pérez", "title": "CIO", "email": "ana@contoso.com"},
        "partnerContact": {"name": "Luis Gómez", "email": "luis@fabrikam.example"}
    }"#,
    )?;
    let partner = Actor::Partner(PartnerUser {
        user: UserId::parse("partner-user-1")?,
        org: PartnerId::parse("4812345")?,
        org_name: Some(ShortText::parse("Fabrikam Ltd")?),
        locations: [LocationId::parse("4812345001")?].into(),
        roles: [PartnerRole::IncentivesAdmin].into(),
    });
    let reviewer = Actor::Reviewer {
        user: UserId::parse("reviewer-1")?,
    };
    let text = |s: &str| LongText::parse(s);
    let mut now = Utc
        .with_ymd_and_hms(2026, 11, 23, 9, 0, 0)
        .single()
        .ok_or("clock")?;

    println!(
        "calendar: {} with holidays {:?}\n",
        policy.calendar.time_zone(),
        policy.calendar.holidays()
    );
    let out = Claim::create(ClaimId::generate(), &partner, &input, now)?;
    show(now, &out);
    let mut claim = out.claim;
    let poe_req = PoeUploadRequest {
        file_name: Some("SoW signed.pdf".into()),
        content_type: Some("application/pdf".into()),
        size_bytes: Some(48_213),
        sha256: Some("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855".into()),
    };
    let doc = PoeDocument::declare(PoeId::generate(), &poe_req, &PoePolicy::default(), now)?;
    let uploaded: BTreeSet<PoeId> = [doc.id].into();
    type MakeCommand = Box<dyn Fn(&Claim) -> Result<Command, ValueError>>;
    let steps: Vec<(Actor, MakeCommand, i64)> = vec![
        (
            partner.clone(),
            Box::new(move |_| Ok(Command::AddPoe(doc.clone()))),
            0,
        ),
        (
            partner.clone(),
            Box::new(move |_| {
                Ok(Command::Submit {
                    acknowledgements: Acknowledgements {
                        information_accurate: true,
                        customer_authorized: true,
                    },
                    comment: None,
                    uploaded: uploaded.clone(),
                })
            }),
            1,
        ),
        (
            reviewer.clone(),
            Box::new(|_| Ok(Command::Review(ReviewDecision::Start))),
            48,
        ),
        (
            reviewer.clone(),
            Box::new(move |_| {
                Ok(Command::Review(ReviewDecision::RequestInfo {
                    reasons: vec![Reason::MissingOrOldDates],
                    comment: Some(text("The SoW dates are from 2019")?),
                }))
            }),
            2,
        ),
        (
            partner.clone(),
            Box::new(move |_| Ok(Command::Comment(text("Updated SoW uploaded")?))),
            20,
        ),
        (Actor::Scheduler, Box::new(|c| Ok(fire(c))), 0),
    ];
    for (actor, make, hours) in &steps {
        now = step_time(&claim, now, *hours);
        let out = claim.handle(actor, make(&claim)?, now, &policy)?;
        show(now, &out);
        claim = out.claim;
    }
    Ok(())
}

/// The next step's time: `hours` later, or the due instant for a deadline firing.
fn step_time(claim: &Claim, now: DateTime<Utc>, hours: i64) -> DateTime<Utc> {
    if hours == 0 {
        claim.due_at().map_or(now, |d| d.max(now))
    } else {
        now + Duration::hours(hours)
    }
}

fn fire(c: &Claim) -> Command {
    Command::DeadlineReached {
        status: c.status(),
        generation: c.deadline().map_or(0, |d| d.generation),
    }
}

fn show(now: DateTime<Utc>, out: &Outcome) {
    let c = &out.claim;
    for h in &out.history {
        println!(
            "{}  #{} {:<14} {:>24} → {:<24} due {}",
            now.format("%a %Y-%m-%d %H:%M"),
            h.seq,
            h.action.code(),
            h.from.map_or("—", Status::code),
            h.to.code(),
            c.due_at().map_or("—".to_owned(), |d| d
                .format("%a %Y-%m-%d %H:%M")
                .to_string()),
        );
    }
    for k in &out.locks.acquire {
        println!("      hold taken    {k}");
    }
    for k in &out.locks.release {
        println!("      hold released {k}");
    }
    if let Some(name) = &out.schedule.delete {
        println!("      unschedule    {name}");
    }
    if let Some(s) = &out.schedule.create {
        println!("      schedule      {} at {}", s.name, s.due_at);
    }
    for n in &out.notifications {
        println!("      email         {} to {}", n.kind.code(), n.to);
    }
    for e in &out.events {
        println!(
            "      event         {} (sequence {})",
            e.detail_type, e.sequence
        );
    }
}
