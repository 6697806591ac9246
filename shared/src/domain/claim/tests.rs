//! Tests of the claim aggregate: every transition and rule of SPEC §4 and seed 003, and property
//! tests that random command sequences keep every invariant.

use super::*;
use crate::domain::access::PartnerRole;
use crate::domain::catalogue::Product;
use crate::domain::lifecycle::{ActorKind, TRANSITIONS};
use crate::domain::locks::{LockKey, held_keys, lock_keys};
use crate::testing::*;
use chrono::Duration;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestCaseError;
use std::collections::{BTreeMap, BTreeSet};

fn policy() -> DeadlinePolicy {
    DeadlinePolicy::default()
}

fn run(
    claim: &Claim,
    actor: &Actor,
    cmd: Command,
    now: DateTime<Utc>,
) -> Result<Outcome, CommandError> {
    claim.handle(actor, cmd, now, &policy())
}

/// The customer's decision through the consent link.
fn customer(
    claim: &Claim,
    decision: ConsentDecision,
    now: DateTime<Utc>,
) -> Result<Outcome, CommandError> {
    run(claim, &Actor::Customer, Command::Consent(decision), now)
}

fn patch(json: serde_json::Value) -> Command {
    Command::Edit(Box::new(serde_json::from_value(json).unwrap()))
}

fn draft() -> (Claim, DateTime<Utc>) {
    claim_in(Status::Draft)
}

// ----- create --------------------------------------------------------------------------------

#[test]
fn create_makes_a_draft_at_version_one_with_history_and_an_event() {
    let now = monday();
    let out = Claim::create(ClaimId::generate(), &admin(), &mws_input(), now).unwrap();
    let c = &out.claim;
    assert_eq!(
        (c.status(), c.version(), c.history_seq()),
        (Status::Draft, 1, 1)
    );
    assert_eq!(c.deadline(), None, "a draft has no deadline");
    assert_eq!(out.history[0].action, Action::Create);
    assert_eq!(out.events[0].sequence, 1);
    assert_eq!(out.events[0].detail_type, "ClaimCreated");
    assert!(out.locks.is_empty(), "a draft holds nothing");
}

#[test]
fn only_incentives_roles_create_and_only_under_their_own_locations() {
    let now = monday();
    let global = partner_in(ORG, &[PartnerRole::GlobalAdmin]);
    assert_eq!(
        Claim::create(ClaimId::generate(), &global, &mws_input(), now).unwrap_err(),
        CommandError::Access(AccessError::Forbidden(Capability::Create))
    );
    assert!(Claim::create(ClaimId::generate(), &incentives_user(), &mws_input(), now).is_ok());
    assert!(matches!(
        Claim::create(ClaimId::generate(), &reviewer(), &mws_input(), now),
        Err(CommandError::Access(_))
    ));
    let mut input = mws_input();
    input.partner_location_id = Some("9999999".into());
    let err = Claim::create(ClaimId::generate(), &admin(), &input, now).unwrap_err();
    let CommandError::Invalid(errs) = err else {
        panic!("{err}")
    };
    assert_eq!(errs.fields().collect::<Vec<_>>(), ["partnerLocationId"]);
}

// ----- editing ---------------------------------------------------------------------------------

#[test]
fn everything_may_change_in_draft() {
    let (c, now) = draft();
    let out = run(
        &c,
        &admin(),
        patch(serde_json::json!({
            "name": "New name",
            "customer": {"tenantId": "0b1f2e3d-4c5b-4a69-8788-99aabbccddee"}
        })),
        now,
    )
    .unwrap();
    assert_eq!(out.history[0].changed_fields, ["name", "customer"]);
    assert_eq!(out.claim.version(), c.version() + 1);
    assert_eq!(out.events.len(), 1);
}

#[test]
fn submitted_and_action_required_claims_accept_only_seed_003_fields() {
    for status in [Status::Submitted, Status::PartnerActionRequired] {
        let (c, now) = claim_in(status);
        let err = run(
            &c,
            &admin(),
            patch(serde_json::json!({"name": "Renamed", "products": [{"product": "teams"}]})),
            now,
        )
        .unwrap_err();
        assert_eq!(
            err,
            CommandError::NotEditable {
                status,
                fields: vec!["name"]
            }
        );
        let ok = run(
            &c,
            &admin(),
            patch(serde_json::json!({
                "partnerLocationId": OTHER_LOCATION,
                "partnerContact": {"name": "Eva", "email": "eva@fabrikam.example"}
            })),
            now,
        )
        .unwrap();
        assert_eq!(
            ok.history[0].changed_fields,
            ["partnerLocationId", "partnerContact"]
        );
        assert_eq!(ok.claim.status(), status, "editing does not move the claim");
        assert_eq!(
            ok.claim.deadline(),
            c.deadline(),
            "editing does not reset the clock"
        );
    }
}

#[test]
fn nothing_may_change_under_review_or_after_a_decision() {
    for status in [
        Status::UnderReview,
        Status::Approved,
        Status::Active,
        Status::Rejected,
        Status::Disputed,
        Status::Cancelled,
        Status::RejectedFinal,
        Status::Ended,
    ] {
        let (c, now) = claim_in(status);
        let err = run(
            &c,
            &admin(),
            patch(serde_json::json!({"partnerLocationId": OTHER_LOCATION})),
            now,
        )
        .unwrap_err();
        assert_eq!(
            err,
            CommandError::NotAllowed {
                action: Action::Edit,
                status
            },
            "{status}"
        );
    }
}

#[test]
fn changing_products_after_submission_moves_the_holds_with_them() {
    let (c, now) = claim_in(Status::Submitted);
    let out = run(
        &c,
        &admin(),
        patch(serde_json::json!({"products": [{"product": "teams"}, {"product": "intune"}]})),
        now,
    )
    .unwrap();
    let tenant = c.content().customer().tenant_id;
    let key = |p: &str| LockKey::Workload {
        tenant,
        product: Product::parse(p).unwrap(),
    };
    assert_eq!(out.locks.acquire, [key("intune")].into());
    assert_eq!(out.locks.release, [key("exchange_online")].into());
}

#[test]
fn an_edit_that_changes_nothing_writes_nothing() {
    let (c, now) = draft();
    let out = run(
        &c,
        &admin(),
        patch(serde_json::json!({"name": c.content().name().as_str()})),
        now,
    )
    .unwrap();
    assert_eq!(out.write, Write::Nothing);
    assert_eq!(out.claim, c);
    assert!(out.history.is_empty() && out.events.is_empty());
}

#[test]
fn only_incentives_roles_change_the_location() {
    let (c, now) = draft();
    let move_it = || patch(serde_json::json!({"partnerLocationId": OTHER_LOCATION}));
    for role in [PartnerRole::GlobalAdmin, PartnerRole::BillingAdmin] {
        let err = run(&c, &partner_in(ORG, &[role]), move_it(), now).unwrap_err();
        assert_eq!(
            err,
            CommandError::Access(AccessError::Forbidden(Capability::ChangeLocation)),
            "{role:?}"
        );
        // the other fields they may still edit
        let ok = run(
            &c,
            &partner_in(ORG, &[role]),
            patch(serde_json::json!({"name": "Renamed"})),
            now,
        );
        assert!(ok.is_ok(), "{role:?}: {ok:?}");
    }
    for actor in [admin(), incentives_user()] {
        let out = run(&c, &actor, move_it(), now).unwrap();
        assert_eq!(
            out.claim.content().partner_location_id().to_string(),
            OTHER_LOCATION
        );
    }
}

#[test]
fn a_partner_cannot_move_a_claim_to_a_location_outside_their_organisation() {
    let (c, now) = draft();
    let err = run(
        &c,
        &admin(),
        patch(serde_json::json!({"partnerLocationId": "7777777"})),
        now,
    )
    .unwrap_err();
    assert!(
        matches!(err, CommandError::Invalid(ref e) if e.fields().eq(["partnerLocationId"])),
        "{err}"
    );
}

// ----- submission ----------------------------------------------------------------------------

#[test]
fn submit_needs_both_acknowledgements_at_least_one_poe_and_every_poe_uploaded() {
    let now = monday();
    let bare = Claim::create(ClaimId::generate(), &admin(), &mws_input(), now)
        .unwrap()
        .claim;
    let no_ack = Command::Submit {
        acknowledgements: Acknowledgements::default(),
        comment: None,
        uploaded: BTreeSet::new(),
    };
    let CommandError::Invalid(errs) = run(&bare, &admin(), no_ack, now).unwrap_err() else {
        panic!()
    };
    assert_eq!(
        errs.fields().collect::<Vec<_>>(),
        [
            "acknowledgements.informationAccurate",
            "acknowledgements.customerAuthorized"
        ]
    );
    assert_eq!(
        run(&bare, &admin(), submit(&bare), now).unwrap_err(),
        CommandError::PoeRequired
    );
    let doc = poe(now);
    let id = doc.id;
    let with_poe = apply(&bare, &admin(), Command::AddPoe(doc), now);
    let not_uploaded = Command::Submit {
        acknowledgements: acks(),
        comment: None,
        uploaded: BTreeSet::new(),
    };
    assert_eq!(
        run(&with_poe, &admin(), not_uploaded, now).unwrap_err(),
        CommandError::PoeNotUploaded { poe_ids: vec![id] }
    );
}

#[test]
fn submit_takes_the_holds_notifies_the_customer_and_starts_the_review_sla() {
    let (c, now) = draft();
    let out = run(&c, &incentives_user(), submit(&c), now).unwrap();
    let s = &out.claim;
    assert_eq!(s.status(), Status::Submitted);
    assert_eq!(s.submitted_at(), Some(now));
    assert_eq!(out.locks.acquire, lock_keys(c.content()));
    assert!(out.locks.release.is_empty());
    let d = s.deadline().unwrap();
    assert_eq!(d.kind, DeadlineKind::ReviewStartSla);
    assert_eq!(
        d.due_at,
        now + Duration::days(7),
        "Monday + 5 business days = next Monday"
    );
    assert_eq!(
        out.schedule.create.as_ref().map(|s| s.due_at),
        Some(d.due_at)
    );
    assert_eq!(out.notifications.len(), 1);
    assert_eq!(out.notifications[0].to.to_string(), "ana@contoso.com");
    assert!(matches!(
        out.notifications[0].kind,
        NotificationKind::CustomerConsent {
            stage: ConsentStage::Requested,
            ..
        }
    ));
}

// ----- review ----------------------------------------------------------------------------------

#[test]
fn only_reviewers_review_and_partners_cannot_approve_their_own_claim() {
    let (c, now) = claim_in(Status::Submitted);
    let err = run(&c, &admin(), Command::Review(ReviewDecision::Start), now).unwrap_err();
    assert_eq!(
        err,
        CommandError::Access(AccessError::Forbidden(Capability::Review))
    );
    let (c, now) = claim_in(Status::UnderReview);
    assert!(run(&c, &admin(), approve_cmd(), now).is_err());
    let out = run(&c, &reviewer(), approve_cmd(), now).unwrap();
    assert_eq!(out.claim.status(), Status::Approved);
}

#[test]
fn a_reviewer_cannot_decide_before_starting_the_review() {
    let (c, now) = claim_in(Status::Submitted);
    assert_eq!(
        run(&c, &reviewer(), approve_cmd(), now).unwrap_err(),
        CommandError::NotAllowed {
            action: Action::Approve,
            status: Status::Submitted
        }
    );
}

#[test]
fn asking_for_information_needs_action_required_reasons_and_a_comment() {
    let (c, now) = claim_in(Status::UnderReview);
    let bad = Command::Review(ReviewDecision::RequestInfo {
        reasons: vec![
            Reason::InsufficientPoe,
            Reason::MissingProducts,
            Reason::MissingProducts,
        ],
        comment: None,
    });
    let CommandError::Invalid(errs) = run(&c, &reviewer(), bad, now).unwrap_err() else {
        panic!()
    };
    assert_eq!(
        errs.fields().collect::<Vec<_>>(),
        ["reasons[0]", "reasons[2]", "comment"]
    );
    let none = Command::Review(ReviewDecision::RequestInfo {
        reasons: vec![],
        comment: Some(text("?")),
    });
    assert!(run(&c, &reviewer(), none, now).is_err());

    let out = run(&c, &reviewer(), request_info_cmd(), now).unwrap();
    let par = &out.claim;
    assert_eq!(par.status(), Status::PartnerActionRequired);
    assert_eq!(
        par.status_reason().unwrap().codes,
        [Reason::MissingOrOldDates]
    );
    let due = par.deadline().unwrap().due_at;
    assert_eq!(due, now + Duration::days(7));
    let NotificationKind::PartnerActionRequired { respond_by, .. } = &out.notifications[0].kind
    else {
        panic!()
    };
    assert_eq!(*respond_by, due, "the email gives the real deadline");
    assert_eq!(out.notifications[0].to.to_string(), "luis@fabrikam.example");
}

#[test]
fn rejecting_needs_reviewer_rejection_reasons() {
    let (c, now) = claim_in(Status::UnderReview);
    for system in [
        Reason::PartnerRequest,
        Reason::CustomerDecline,
        Reason::NoPartnerResponse,
        Reason::MissingAllPoe,
    ] {
        let cmd = Command::Review(ReviewDecision::Reject {
            reasons: vec![system],
            comment: Some(text("x")),
        });
        assert!(
            matches!(
                run(&c, &reviewer(), cmd, now),
                Err(CommandError::Invalid(_))
            ),
            "{system}"
        );
    }
    let out = run(&c, &reviewer(), reject_cmd(), now).unwrap();
    assert_eq!(out.claim.status(), Status::Rejected);
    assert_eq!(
        out.locks.release,
        lock_keys(c.content()),
        "rejection releases the holds"
    );
    let d = out.claim.deadline().unwrap();
    assert_eq!(
        (d.kind, d.due_at),
        (DeadlineKind::DisputeWindow, now + Duration::days(30))
    );
    let NotificationKind::PartnerRejected {
        dispute_by,
        reasons,
        ..
    } = &out.notifications[0].kind
    else {
        panic!()
    };
    assert_eq!(
        *dispute_by,
        Some(d.due_at),
        "the rejection email says how long to dispute"
    );
    assert_eq!(reasons, &[Reason::InsufficientPoe]);
}

#[test]
fn resubmitting_after_action_required_returns_to_review_with_a_fresh_sla() {
    let (c, now) = claim_in(Status::PartnerActionRequired);
    let later = now + Duration::days(2);
    let out = run(&c, &admin(), submit(&c), later).unwrap();
    assert_eq!(out.claim.status(), Status::UnderReview);
    assert_eq!(out.history[0].action, Action::Resubmit);
    assert_eq!(
        out.claim.deadline().unwrap().kind,
        DeadlineKind::ReviewDecisionSla
    );
    assert!(
        out.notifications.is_empty(),
        "the customer was already told at first submission"
    );
    assert!(out.locks.is_empty(), "holds stay with the claim");
}

// ----- deadlines -------------------------------------------------------------------------------

#[test]
fn no_partner_response_within_five_business_days_rejects_and_releases() {
    let (c, _) = claim_in(Status::PartnerActionRequired);
    let d = c.deadline().unwrap().clone();
    let fire = Command::DeadlineReached {
        status: c.status(),
        generation: d.generation,
    };
    let early = run(
        &c,
        &Actor::Scheduler,
        fire.clone(),
        d.due_at - Duration::seconds(1),
    )
    .unwrap();
    assert_eq!(
        (early.write, early.skipped),
        (Write::Nothing, Some(DeadlineSkip::NotDue))
    );
    let late = d.due_at + Duration::hours(30);
    let out = run(&c, &Actor::Scheduler, fire.clone(), late).unwrap();
    assert_eq!(out.claim.status(), Status::Rejected);
    assert_eq!(
        out.claim.status_reason().unwrap().codes,
        [Reason::NoPartnerResponse]
    );
    assert_eq!(out.locks.release, lock_keys(c.content()));
    // The same schedule firing again is stale: the claim moved on.
    let again = run(&out.claim, &Actor::Scheduler, fire, late).unwrap();
    assert_eq!(again.skipped, Some(DeadlineSkip::Stale));
}

#[test]
fn a_resubmission_before_the_deadline_makes_the_old_schedule_stale() {
    let (c, now) = claim_in(Status::PartnerActionRequired);
    let d = c.deadline().unwrap().clone();
    let resubmitted = apply(&c, &admin(), submit(&c), now + Duration::days(1));
    let fire = Command::DeadlineReached {
        status: Status::PartnerActionRequired,
        generation: d.generation,
    };
    let out = run(&resubmitted, &Actor::Scheduler, fire, d.due_at).unwrap();
    assert_eq!(out.skipped, Some(DeadlineSkip::Stale));
    assert_eq!(out.claim.status(), Status::UnderReview);
}

#[test]
fn edits_do_not_make_the_current_deadline_stale() {
    let (c, now) = claim_in(Status::PartnerActionRequired);
    let edited = apply(
        &c,
        &admin(),
        patch(serde_json::json!({"partnerLocationId": OTHER_LOCATION})),
        now,
    );
    let d = edited.deadline().unwrap().clone();
    let fire = Command::DeadlineReached {
        status: edited.status(),
        generation: d.generation,
    };
    let out = run(&edited, &Actor::Scheduler, fire, d.due_at).unwrap();
    assert_eq!(out.claim.status(), Status::Rejected);
}

#[test]
fn the_opt_out_window_activates_the_association_and_keeps_the_holds() {
    let (c, now) = claim_in(Status::UnderReview);
    let out = run(&c, &reviewer(), approve_cmd(), now).unwrap();
    let approved = out.claim;
    let due = approved.deadline().unwrap().due_at;
    assert_eq!(
        due,
        now + Duration::days(7),
        "seven calendar days by default"
    );
    let kinds: Vec<_> = out.notifications.iter().map(|n| (&n.to, &n.kind)).collect();
    assert!(
        matches!(kinds[0].1, NotificationKind::CustomerConsent { stage: ConsentStage::Approved, opt_out_until: Some(u) } if *u == due)
    );
    assert!(
        matches!(kinds[1].1, NotificationKind::PartnerApproved { opt_out_until } if *opt_out_until == due)
    );
    let (active, _) = fire_deadline(&approved);
    assert_eq!(active.status(), Status::Active);
    assert_eq!(
        active.deadline(),
        None,
        "an active association has no deadline"
    );
    let out = run(
        &approved,
        &Actor::Scheduler,
        Command::DeadlineReached {
            status: Status::Approved,
            generation: approved.deadline().unwrap().generation,
        },
        due,
    )
    .unwrap();
    assert!(out.locks.is_empty());
    assert_eq!(out.events[0].detail_type, "AssociationActivated");
    assert!(matches!(
        out.notifications[0].kind,
        NotificationKind::PartnerActivated
    ));
}

#[test]
fn the_opt_out_window_is_configurable_in_business_days() {
    let (c, now) = claim_in(Status::UnderReview);
    let policy = DeadlinePolicy::default().with_span(
        DeadlineKind::OptOutWindow,
        crate::domain::Span::BusinessDays(5),
    );
    let out = c.handle(&reviewer(), approve_cmd(), now, &policy).unwrap();
    assert_eq!(
        out.claim.deadline().unwrap().due_at,
        now + Duration::days(7)
    );
    let wednesday = now + Duration::days(2);
    let out = c
        .handle(&reviewer(), approve_cmd(), wednesday, &policy)
        .unwrap();
    assert_eq!(
        out.claim.deadline().unwrap().due_at,
        wednesday + Duration::days(7)
    );
}

#[test]
fn reviewer_sla_breaches_are_recorded_once_without_changing_the_status() {
    for status in [Status::Submitted, Status::UnderReview, Status::Disputed] {
        let (c, _) = claim_in(status);
        let d = c.deadline().unwrap().clone();
        let fire = Command::DeadlineReached {
            status,
            generation: d.generation,
        };
        let out = run(&c, &Actor::Scheduler, fire.clone(), d.due_at).unwrap();
        assert_eq!(out.claim.status(), status);
        assert_eq!(out.claim.sla_breaches().len(), 1);
        assert_eq!(out.events[0].detail_type, "SlaBreached");
        assert_eq!(out.schedule.delete, c.pending_schedule().map(|s| s.name));
        // What is left to fire is the overall decision SLA, while a decision is awaited.
        let decision = out.claim.decision_due_at();
        assert_eq!(decision.is_some(), status != Status::Disputed, "{status}");
        assert_eq!(out.schedule.create.map(|s| s.due_at), decision);
        assert_eq!(out.claim.sweep_due_at(), decision, "due index");
        assert_eq!(out.claim.due_at(), Some(d.due_at), "still shown");
        let again = run(
            &out.claim,
            &Actor::Scheduler,
            fire,
            d.due_at + Duration::days(1),
        )
        .unwrap();
        assert_eq!(again.skipped, Some(DeadlineSkip::AlreadyHandled));
        // The reviewer may still act after a breach.
        let cmd = if status == Status::Submitted {
            Command::Review(ReviewDecision::Start)
        } else {
            approve_cmd()
        };
        assert!(run(&out.claim, &reviewer(), cmd, d.due_at).is_ok());
    }
}

#[test]
fn the_overall_decision_sla_is_extended_by_the_partners_wait_and_its_breach_recorded_once() {
    let (c, now) = claim_in(Status::UnderReview);
    let submitted = c.submitted_at().unwrap();
    let due = c.decision_due_at().unwrap();
    assert_eq!(
        due,
        DeadlineKind::DecisionSla
            .span(&DeadlinePolicy::default())
            .after(&DeadlinePolicy::default().calendar, submitted),
        "10 business days after submission"
    );
    // The partner takes two days to answer: the decision is due two days later.
    let asked = apply(&c, &reviewer(), request_info_cmd(), now);
    assert_eq!(asked.decision_due_at(), Some(due), "shown while paused");
    assert!(
        asked
            .pending_schedule()
            .is_some_and(|s| s.due_at == asked.due_at().unwrap()),
        "only the partner's deadline runs while paused"
    );
    let answered = apply(&asked, &admin(), submit(&asked), now + Duration::days(2));
    let extended = answered.decision_due_at().unwrap();
    assert_eq!(extended, due + Duration::days(2));
    // WHEN the review decision SLA was breached and the overall one comes due
    let d = answered.deadline().unwrap().clone();
    let fire = Command::DeadlineReached {
        status: Status::UnderReview,
        generation: d.generation,
    };
    let breached = apply(&answered, &Actor::Scheduler, fire.clone(), d.due_at);
    let spec = breached.pending_schedule().unwrap();
    assert_eq!(spec.due_at, extended);
    let sla_fire = Command::DeadlineReached {
        status: spec.status,
        generation: spec.generation,
    };
    let early = run(
        &breached,
        &Actor::Scheduler,
        sla_fire.clone(),
        extended - Duration::seconds(1),
    )
    .unwrap();
    assert_eq!(early.write, Write::Nothing);
    let out = run(&breached, &Actor::Scheduler, sla_fire.clone(), extended).unwrap();
    // THEN it is recorded and published; the claim is not penalised
    assert_eq!(out.claim.status(), Status::UnderReview);
    let last = out.claim.sla_breaches().last().unwrap();
    assert_eq!(
        (last.kind, last.due_at),
        (DeadlineKind::DecisionSla, extended)
    );
    assert_eq!(out.events[0].detail_type, "SlaBreached");
    assert_eq!(out.claim.pending_schedule(), None);
    let again = run(
        &out.claim,
        &Actor::Scheduler,
        sla_fire,
        extended + Duration::days(1),
    )
    .unwrap();
    assert_eq!(again.write, Write::Nothing, "recorded once");
    // and a decision closes it
    let approved = apply(&out.claim, &reviewer(), approve_cmd(), extended);
    assert_eq!(approved.decision_due_at(), None);
}

#[test]
fn the_dispute_window_closes_after_thirty_days_and_the_rejection_becomes_final() {
    let (c, now) = claim_in(Status::Rejected);
    let due = c.deadline().unwrap().due_at;
    assert_eq!(due, now + Duration::days(30));
    let (fin, _) = fire_deadline(&c);
    assert_eq!(fin.status(), Status::RejectedFinal);
    assert_eq!(
        fin.status_reason().unwrap().codes,
        [Reason::DisputeWindowClosed, Reason::InsufficientPoe]
    );
    let late = Command::Dispute {
        justification: Some(text("late")),
        poe_ids: vec![],
    };
    assert!(matches!(
        run(&fin, &admin(), late.clone(), due).unwrap_err(),
        CommandError::NotAllowed { .. }
    ));
    // Before the sweep ran, the clock alone closes the window.
    assert_eq!(
        run(&c, &admin(), late, due).unwrap_err(),
        CommandError::DisputeWindowClosed { closed_at: due }
    );
}

// ----- disputes --------------------------------------------------------------------------------

#[test]
fn a_dispute_needs_justification_or_poe_of_this_claim_and_retakes_the_holds() {
    let (c, now) = claim_in(Status::Rejected);
    let empty = Command::Dispute {
        justification: None,
        poe_ids: vec![],
    };
    assert!(
        matches!(run(&c, &admin(), empty, now), Err(CommandError::Invalid(ref e)) if e.fields().eq(["justification"]))
    );
    let foreign = Command::Dispute {
        justification: None,
        poe_ids: vec![PoeId::generate()],
    };
    assert!(
        matches!(run(&c, &admin(), foreign, now), Err(CommandError::Invalid(ref e)) if e.fields().eq(["poeIds[0]"]))
    );
    // Updated PoE may be added after a rejection and carried by the dispute.
    let doc = poe(now);
    let id = doc.id;
    let with_new = apply(&c, &admin(), Command::AddPoe(doc), now);
    let out = run(
        &with_new,
        &admin(),
        Command::Dispute {
            justification: None,
            poe_ids: vec![id],
        },
        now,
    )
    .unwrap();
    assert_eq!(out.claim.status(), Status::Disputed);
    assert_eq!(out.locks.acquire, lock_keys(c.content()));
    assert_eq!(
        out.claim.deadline().unwrap().kind,
        DeadlineKind::DisputeDecisionSla
    );
    let user = incentives_user();
    assert!(matches!(
        run(
            &c,
            &user,
            Command::Dispute {
                justification: Some(text("x")),
                poe_ids: vec![]
            },
            now
        ),
        Err(CommandError::Access(_))
    ));
}

#[test]
fn a_decided_dispute_is_approved_with_a_new_window_or_rejected_for_good() {
    let (c, now) = claim_in(Status::Disputed);
    let approved = run(&c, &reviewer(), approve_cmd(), now).unwrap();
    assert_eq!(approved.claim.status(), Status::Approved);
    assert_eq!(approved.history[0].action, Action::ApproveDispute);
    assert_eq!(
        approved.claim.deadline().unwrap().kind,
        DeadlineKind::OptOutWindow
    );
    let rejected = run(&c, &reviewer(), reject_cmd(), now).unwrap();
    assert_eq!(rejected.claim.status(), Status::RejectedFinal);
    assert_eq!(rejected.claim.deadline(), None);
    assert_eq!(rejected.locks.release, lock_keys(c.content()));
    let NotificationKind::PartnerRejected { dispute_by, .. } = &rejected.notifications[0].kind
    else {
        panic!()
    };
    assert_eq!(*dispute_by, None, "a final rejection cannot be disputed");
    let info = run(&c, &reviewer(), request_info_cmd(), now).unwrap_err();
    assert_eq!(
        info,
        CommandError::NotAllowed {
            action: Action::RequestInfo,
            status: Status::Disputed
        }
    );
}

// ----- partner endings --------------------------------------------------------------------------

#[test]
fn withdrawing_rejects_for_good_with_partner_request_and_is_for_managers_only() {
    for status in [
        Status::Submitted,
        Status::UnderReview,
        Status::PartnerActionRequired,
        Status::Approved,
        Status::Disputed,
    ] {
        let (c, now) = claim_in(status);
        let cmd = Command::Withdraw {
            reason: text("Wrong MPN chosen"),
        };
        assert!(matches!(
            run(&c, &incentives_user(), cmd.clone(), now),
            Err(CommandError::Access(_))
        ));
        let out = run(&c, &partner_in(ORG, &[PartnerRole::BillingAdmin]), cmd, now).unwrap();
        assert_eq!(out.claim.status(), Status::RejectedFinal, "{status}");
        assert!(out.claim.pending_schedule().is_none(), "no dispute window");
        let reason = out.claim.status_reason().unwrap();
        assert_eq!(reason.codes, [Reason::PartnerRequest]);
        assert_eq!(
            reason.comment.as_ref().map(LongText::as_str),
            Some("Wrong MPN chosen")
        );
        assert_eq!(out.locks.release, lock_keys(c.content()));
    }
    let (d, now) = draft();
    assert!(matches!(
        run(&d, &admin(), Command::Withdraw { reason: text("x") }, now),
        Err(CommandError::NotAllowed { .. })
    ));
}

#[test]
fn an_active_association_ends_by_partner_disassociation() {
    let (c, now) = claim_in(Status::Active);
    let out = run(
        &c,
        &admin(),
        Command::Disassociate {
            reason: text("No longer working with them"),
        },
        now,
    )
    .unwrap();
    assert_eq!(out.claim.status(), Status::Ended);
    assert_eq!(
        out.claim.status_reason().unwrap().codes,
        [Reason::PartnerDisassociated]
    );
    assert_eq!(out.locks.release, lock_keys(c.content()));
}

#[test]
fn a_draft_can_be_cancelled_and_then_nothing_more_happens() {
    let (c, now) = draft();
    let cancelled = apply(&c, &admin(), Command::Cancel, now);
    assert_eq!(cancelled.status(), Status::Cancelled);
    let (sub, now) = claim_in(Status::Submitted);
    assert!(
        run(&sub, &admin(), Command::Cancel, now).is_err(),
        "only drafts are cancelled"
    );
    for cmd in [
        submit(&cancelled),
        Command::Comment(text("hi")),
        Command::AddPoe(poe(now)),
        Command::ResendConsent,
    ] {
        assert!(run(&cancelled, &admin(), cmd, now).is_err());
    }
}

// ----- customer consent ---------------------------------------------------------------------

#[test]
fn a_customer_decline_during_the_window_rejects_for_good_and_releases() {
    let (c, now) = claim_in(Status::Approved);
    let out = customer(&c, ConsentDecision::Decline, now).unwrap();
    assert_eq!(out.claim.status(), Status::RejectedFinal);
    assert_eq!(
        out.claim.status_reason().unwrap().codes,
        [Reason::CustomerDecline]
    );
    assert_eq!(out.locks.release, lock_keys(c.content()));
    assert_eq!(out.events[0].detail_type, "CustomerDeclined");
    assert_eq!(
        out.schedule.delete,
        c.pending_schedule().map(|s| s.name),
        "activation is cancelled"
    );
    // The link replayed: the decision is already recorded, nothing changes.
    let again = customer(&out.claim, ConsentDecision::Decline, now).unwrap();
    assert_eq!(again.write, Write::Nothing);
    assert!(matches!(
        customer(&out.claim, ConsentDecision::Keep, now).unwrap_err(),
        CommandError::NotAllowed { .. }
    ));
    // No email invites a dispute, and a dispute is refused (seed 001).
    assert!(matches!(
        &out.notifications[0].kind,
        NotificationKind::PartnerRejected { dispute_by: None, reasons, .. }
            if reasons == &[Reason::CustomerDecline]
    ));
    let dispute = Command::Dispute {
        justification: Some(text("we did the work")),
        poe_ids: Vec::new(),
    };
    assert!(matches!(
        run(&out.claim, &admin(), dispute, now),
        Err(CommandError::NotAllowed { .. })
    ));
}

#[test]
fn a_decline_makes_a_reviewers_rejection_final_so_no_dispute_can_revive_it() {
    let (c, now) = claim_in(Status::Rejected);
    let before = c.status_reason().unwrap().codes.clone();
    let out = customer(&c, ConsentDecision::Decline, now).unwrap();
    assert_eq!(out.claim.status(), Status::RejectedFinal);
    let codes = &out.claim.status_reason().unwrap().codes;
    assert_eq!(codes[0], Reason::CustomerDecline);
    assert_eq!(&codes[1..], &before[..], "why it was rejected stays");
    assert_eq!(out.schedule.delete, c.pending_schedule().map(|s| s.name));
    assert!(out.claim.pending_schedule().is_none(), "no dispute window");
    assert!(matches!(
        customer(&c, ConsentDecision::Keep, now).unwrap_err(),
        CommandError::NotAllowed { .. }
    ));
}

#[test]
fn a_customer_may_decline_at_any_time_even_after_activation() {
    let (c, now) = claim_in(Status::Active);
    let out = customer(&c, ConsentDecision::Decline, now).unwrap();
    assert_eq!(out.claim.status(), Status::Ended);
    assert_eq!(
        out.claim.status_reason().unwrap().codes,
        [Reason::CustomerRevoked]
    );
    assert_eq!(out.events[0].detail_type, "AssociationRevoked");
    assert!(matches!(
        out.notifications[0].kind,
        NotificationKind::PartnerAssociationEnded {
            reason: Reason::CustomerRevoked
        }
    ));
    for status in [
        Status::Submitted,
        Status::UnderReview,
        Status::PartnerActionRequired,
    ] {
        let (c, now) = claim_in(status);
        let out = customer(&c, ConsentDecision::Decline, now).unwrap();
        assert_eq!(out.claim.status(), Status::RejectedFinal, "{status}");
        // only a rejection's reasons carry over; a request for information's do not
        assert_eq!(
            out.claim.status_reason().unwrap().codes,
            [Reason::CustomerDecline],
            "{status}"
        );
    }
    let (d, now) = claim_in(Status::Disputed);
    let out = customer(&d, ConsentDecision::Decline, now).unwrap();
    assert_eq!(out.claim.status(), Status::RejectedFinal);
}

#[test]
fn keeping_is_recorded_once_and_changes_no_status() {
    let (c, now) = claim_in(Status::Approved);
    let out = customer(&c, ConsentDecision::Keep, now).unwrap();
    assert_eq!(out.claim.status(), Status::Approved);
    assert_eq!(
        out.claim.consent().map(|r| r.decision),
        Some(ConsentDecision::Keep)
    );
    assert_eq!(
        out.claim.deadline(),
        c.deadline(),
        "activation still waits for the window"
    );
    let again = customer(&out.claim, ConsentDecision::Keep, now).unwrap();
    assert_eq!(again.write, Write::Nothing);
    let declined = customer(&out.claim, ConsentDecision::Decline, now).unwrap();
    assert_eq!(
        declined.claim.status(),
        Status::RejectedFinal,
        "a keep can still be followed by a decline"
    );
    let (d, now) = draft();
    assert!(
        customer(&d, ConsentDecision::Decline, now).is_err(),
        "no link before submission"
    );
}

// ----- comments, resend, access -----------------------------------------------------------------

#[test]
fn a_reviewers_comment_appends_history_without_a_new_version() {
    let (c, now) = claim_in(Status::UnderReview);
    let out = run(
        &c,
        &reviewer(),
        Command::Comment(text("Please attach the signed SoW")),
        now,
    )
    .unwrap();
    assert_eq!(out.write, Write::AppendHistory);
    assert_eq!(out.claim.version(), c.version());
    assert_eq!(out.claim.history_seq(), c.history_seq() + 1);
    assert!(out.events.is_empty());
    assert!(matches!(
        out.notifications[0].kind,
        NotificationKind::ReviewerCommented { .. }
    ));
    assert_eq!(
        out.notifications[0].to.contact(),
        Some(&c.content().partner_contact().email),
        "a reviewer's comment reaches the partner contact"
    );
    let out = run(&c, &admin(), Command::ResendConsent, now).unwrap();
    assert_eq!(out.write, Write::Update, "the send is counted on the claim");
    assert_eq!(out.notifications[0].to.to_string(), "ana@contoso.com");
    let (d, now) = draft();
    assert!(
        run(&d, &admin(), Command::ResendConsent, now).is_err(),
        "nothing to resend for a draft"
    );
    assert!(
        run(&d, &reviewer(), Command::Comment(text("x")), now).is_err(),
        "reviewers do not see drafts being written"
    );
}

#[test]
fn a_partners_comment_waits_for_a_reviewer_until_one_answers_or_acts() {
    let (c, now) = claim_in(Status::Submitted);
    let out = run(
        &c,
        &admin(),
        Command::Comment(text("Signed SoW attached")),
        now,
    )
    .unwrap();
    assert!(out.claim.awaiting_reviewer());
    assert_eq!(out.write, Write::Update, "the flag is part of the claim");
    assert!(matches!(
        &out.notifications[..],
        [Notification {
            to: Recipient::Role(RecipientRole::Reviewers),
            kind: NotificationKind::PartnerCommented { .. },
            ..
        }]
    ));
    // A second partner comment changes nothing but the thread.
    let again = run(&out.claim, &admin(), Command::Comment(text("ping")), now).unwrap();
    assert_eq!(again.write, Write::AppendHistory);
    assert!(again.claim.awaiting_reviewer());
    // A reviewer's comment clears it; so does any reviewer action.
    let answered = run(
        &out.claim,
        &reviewer(),
        Command::Comment(text("Thanks")),
        now,
    )
    .unwrap();
    assert!(!answered.claim.awaiting_reviewer());
    assert_eq!(answered.write, Write::Update);
    let started = run(
        &out.claim,
        &reviewer(),
        Command::Review(ReviewDecision::Start),
        now,
    )
    .unwrap();
    assert!(!started.claim.awaiting_reviewer());
    // Reviewers do not see drafts: a comment on one waits for nobody and emails nobody.
    let (d, now) = draft();
    let note = run(&d, &admin(), Command::Comment(text("todo")), now).unwrap();
    assert!(!note.claim.awaiting_reviewer() && note.notifications.is_empty());
    assert_eq!(note.write, Write::AppendHistory);
    // The scheduler is not a reviewer.
    let (par, now) = claim_in(Status::UnderReview);
    let waiting = apply(&par, &admin(), Command::Comment(text("?")), now);
    let breach = run(
        &waiting,
        &Actor::Scheduler,
        Command::DeadlineReached {
            status: Status::UnderReview,
            generation: waiting.deadline().unwrap().generation,
        },
        waiting.due_at().unwrap(),
    )
    .unwrap();
    assert!(breach.claim.awaiting_reviewer());
}

#[test]
fn another_organisation_cannot_touch_or_even_see_a_claim() {
    let (c, now) = claim_in(Status::Submitted);
    let stranger = partner_in("9999999", &PartnerRole::ALL);
    for cmd in [
        Command::Comment(text("x")),
        Command::Withdraw { reason: text("x") },
        submit(&c),
        Command::ResendConsent,
    ] {
        assert_eq!(
            run(&c, &stranger, cmd, now).unwrap_err(),
            CommandError::Access(AccessError::NotFound)
        );
    }
}

#[test]
fn the_scheduler_can_only_fire_deadlines() {
    let (c, now) = claim_in(Status::Approved);
    for cmd in [
        Command::Consent(ConsentDecision::Decline),
        Command::Comment(text("x")),
        approve_cmd(),
    ] {
        assert!(matches!(
            run(&c, &Actor::Scheduler, cmd, now),
            Err(CommandError::Access(_))
        ));
    }
}

#[test]
fn the_poe_list_is_capped_and_adding_the_same_document_twice_is_a_no_op() {
    let (mut c, now) = draft();
    let doc = c.poe()[0].clone();
    assert_eq!(
        run(&c, &admin(), Command::AddPoe(doc), now).unwrap().write,
        Write::Nothing
    );
    while c.poe().len() < crate::domain::poe::MAX_POE_PER_CLAIM {
        c = apply(&c, &admin(), Command::AddPoe(poe(now)), now);
    }
    assert_eq!(
        run(&c, &admin(), Command::AddPoe(poe(now)), now).unwrap_err(),
        CommandError::TooManyPoe { max: 20 }
    );
}

#[test]
fn a_declaration_is_removable_until_a_submission_stands_on_it_and_decisions_need_every_upload() {
    let (c, now) = draft();
    let extra = poe(now);
    let c = apply(&c, &admin(), Command::AddPoe(extra.clone()), now);
    // removable while not submitted; an unknown one is not found; reviewers cannot
    let removed = run(&c, &admin(), Command::RemovePoe(extra.id), now).unwrap();
    assert_eq!(removed.claim.poe().len(), 1);
    assert_eq!(removed.history[0].action, Action::RemovePoe);
    assert_eq!(removed.events[0].detail_type, "PoeRemoved");
    let unknown = PoeId::generate();
    assert_eq!(
        run(&c, &admin(), Command::RemovePoe(unknown), now).unwrap_err(),
        CommandError::PoeNotFound { poe_id: unknown }
    );
    assert!(run(&c, &reviewer(), Command::RemovePoe(extra.id), now).is_err());
    // a submission stands on every document: they stay from then on
    let submitted = apply(&c, &admin(), submit(&c), now);
    assert!(submitted.poe().iter().all(|d| d.submitted_at == Some(now)));
    assert_eq!(
        run(&submitted, &admin(), Command::RemovePoe(extra.id), now).unwrap_err(),
        CommandError::PoeSubmitted { poe_id: extra.id }
    );
    // one added while submitted is removable again, until the next submission or dispute
    let later = poe(now);
    let with_later = apply(&submitted, &admin(), Command::AddPoe(later.clone()), now);
    assert!(with_later.unsubmitted_poe(later.id).is_ok());
    // an approval and a dispute stand on PoE; every document must be verified uploaded
    assert!(Command::Review(ReviewDecision::Approve { comment: None }).relies_on_poe());
    assert!(!Command::Review(ReviewDecision::Start).relies_on_poe());
    let only_first: std::collections::BTreeSet<PoeId> =
        [with_later.poe()[0].id].into_iter().collect();
    assert_eq!(
        with_later.require_uploaded(&only_first).unwrap_err(),
        CommandError::PoeNotUploaded {
            poe_ids: with_later.poe()[1..].iter().map(|d| d.id).collect()
        }
    );
}

#[test]
fn business_applications_claims_hold_subscriptions() {
    let now = monday();
    let c = Claim::create(ClaimId::generate(), &admin(), &ba_input(), now)
        .unwrap()
        .claim;
    let c = apply(&c, &admin(), Command::AddPoe(poe(now)), now);
    let out = run(&c, &admin(), submit(&c), now).unwrap();
    let keys: Vec<String> = out.locks.acquire.iter().map(LockKey::storage_key).collect();
    assert_eq!(
        keys,
        [format!("SUB#{SUB_2}"), format!("SUB#{SUB_1}")]
            .map(|s| s.to_string())
            .into_iter()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
    );
}

#[test]
fn error_messages_say_why() {
    let (c, now) = claim_in(Status::UnderReview);
    let e = run(&c, &admin(), Command::Cancel, now).unwrap_err();
    assert_eq!(e.to_string(), "cannot cancel a claim that is under_review");
    let (s, now) = claim_in(Status::Submitted);
    let e = run(&s, &admin(), patch(serde_json::json!({"name": "x"})), now).unwrap_err();
    assert_eq!(
        e.to_string(),
        "name cannot be changed while the claim is submitted"
    );
}

// ----- the table is the behaviour ------------------------------------------------------------

/// A command that performs `action` on a claim in its `from` status, by the row's actor.
fn command_for(action: Action, claim: &Claim) -> (Actor, Command, DateTime<Utc>) {
    let now = claim.updated_at();
    let due = claim.deadline().map(|d| d.due_at).unwrap_or(now);
    let fire = || Command::DeadlineReached {
        status: claim.status(),
        generation: claim.deadline().map(|d| d.generation).unwrap_or(0),
    };
    match action {
        Action::Cancel => (admin(), Command::Cancel, now),
        Action::Submit | Action::Resubmit => (admin(), submit(claim), now),
        Action::StartReview => (reviewer(), Command::Review(ReviewDecision::Start), now),
        Action::RequestInfo => (reviewer(), request_info_cmd(), now),
        Action::Approve | Action::ApproveDispute => (reviewer(), approve_cmd(), now),
        Action::Reject | Action::RejectDispute => (reviewer(), reject_cmd(), now),
        Action::AutoReject | Action::Activate | Action::CloseDisputeWindow => {
            (Actor::Scheduler, fire(), due)
        }
        Action::Withdraw => (
            admin(),
            Command::Withdraw {
                reason: text("mistake"),
            },
            now,
        ),
        Action::CustomerDecline => (
            Actor::Customer,
            Command::Consent(ConsentDecision::Decline),
            now,
        ),
        Action::Disassociate => (
            admin(),
            Command::Disassociate {
                reason: text("ended"),
            },
            now,
        ),
        Action::Dispute => (
            admin(),
            Command::Dispute {
                justification: Some(text("see SoW")),
                poe_ids: vec![],
            },
            now,
        ),
        other => panic!("{other} is not a transition"),
    }
}

#[test]
fn every_row_of_the_transition_table_is_implemented() {
    for row in TRANSITIONS {
        let (c, _) = claim_in(row.from);
        let (actor, cmd, at) = command_for(row.action, &c);
        assert_eq!(actor.kind(), row.by, "{row:?}");
        let out = run(&c, &actor, cmd, at).unwrap_or_else(|e| panic!("{row:?}: {e}"));
        assert_eq!(out.claim.status(), row.to, "{row:?}");
        assert_eq!(out.history[0].action, row.action, "{row:?}");
        if let Some(reason) = row.reason {
            assert_eq!(
                out.claim.status_reason().unwrap().codes.first(),
                Some(&reason),
                "{row:?}"
            );
        }
    }
}

#[test]
fn every_status_and_actor_pair_outside_the_table_is_refused_with_a_reason() {
    // Try every transition action from every status: what the table lacks must be refused.
    let actions = [
        Action::Cancel,
        Action::Submit,
        Action::StartReview,
        Action::RequestInfo,
        Action::Approve,
        Action::Reject,
        Action::Withdraw,
        Action::CustomerDecline,
        Action::Disassociate,
        Action::Dispute,
    ];
    for from in Status::ALL {
        let (c, _) = claim_in(from);
        for action in actions {
            let (actor, cmd, at) = command_for(action, &c);
            let result = run(&c, &actor, cmd, at);
            let in_table = TRANSITIONS.iter().any(|t| {
                t.from == from
                    && t.by == actor.kind()
                    && match action {
                        Action::Submit => matches!(t.action, Action::Submit | Action::Resubmit),
                        Action::Approve => {
                            matches!(t.action, Action::Approve | Action::ApproveDispute)
                        }
                        Action::Reject => {
                            matches!(t.action, Action::Reject | Action::RejectDispute)
                        }
                        a => t.action == a,
                    }
            });
            let recorded_only = action == Action::CustomerDecline
                && crate::domain::lifecycle::allowed(action, from, ActorKind::Customer);
            match result {
                Ok(out) if in_table => assert_ne!(out.claim.status(), from, "{action} from {from}"),
                Ok(out) => assert!(
                    recorded_only && out.claim.status() == from,
                    "{action} from {from} was allowed"
                ),
                Err(e) => {
                    assert!(!in_table, "{action} from {from} refused: {e}");
                    assert!(!e.to_string().is_empty());
                }
            }
        }
    }
}

// ----- property: random command sequences ------------------------------------------------------

#[derive(Debug, Clone)]
enum Op {
    Edit(u8),
    AddPoe,
    Submit {
        acks: bool,
        uploaded: bool,
    },
    Cancel,
    Comment(bool),
    Resend,
    Start,
    Approve,
    Reject(bool),
    RequestInfo(bool),
    Withdraw(bool),
    Dispute(bool),
    Disassociate,
    Keep,
    Decline,
    /// Advance the clock by this many hours, then fire the current (or a stale) deadline.
    Fire {
        hours: u16,
        stale: bool,
    },
    Stranger,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => (0u8..4).prop_map(Op::Edit),
        3 => Just(Op::AddPoe),
        3 => (any::<bool>(), any::<bool>()).prop_map(|(a, u)| Op::Submit {
            acks: a || u,
            uploaded: u || a
        }),
        1 => Just(Op::Cancel),
        1 => any::<bool>().prop_map(Op::Comment),
        1 => Just(Op::Resend),
        3 => Just(Op::Start),
        3 => Just(Op::Approve),
        1 => any::<bool>().prop_map(Op::Reject),
        1 => any::<bool>().prop_map(Op::RequestInfo),
        1 => any::<bool>().prop_map(Op::Withdraw),
        1 => any::<bool>().prop_map(Op::Dispute),
        1 => Just(Op::Disassociate),
        1 => Just(Op::Keep),
        1 => Just(Op::Decline),
        3 => (0u16..1000, any::<bool>()).prop_map(|(hours, stale)| Op::Fire { hours, stale }),
        1 => Just(Op::Stranger),
    ]
}

fn to_command(op: &Op, c: &Claim, now: DateTime<Utc>) -> (Actor, Command) {
    match op {
        Op::Edit(n) => {
            let products = [
                serde_json::json!([{"product": "teams"}]),
                serde_json::json!([{"product": "teams"}, {"product": "intune"}]),
                serde_json::json!([{"product": "purview"}]),
            ];
            let body = match n {
                0 => serde_json::json!({"name": "Renamed"}),
                3 => serde_json::json!({"partnerLocationId": OTHER_LOCATION}),
                i => serde_json::json!({"products": products[usize::from(*i) % 3]}),
            };
            (admin(), patch(body))
        }
        Op::AddPoe => (incentives_user(), Command::AddPoe(poe(now))),
        Op::Submit { acks: a, uploaded } => (
            admin(),
            Command::Submit {
                acknowledgements: if *a {
                    acks()
                } else {
                    Acknowledgements::default()
                },
                comment: None,
                uploaded: if *uploaded {
                    c.poe().iter().map(|p| p.id).collect()
                } else {
                    BTreeSet::new()
                },
            },
        ),
        Op::Cancel => (admin(), Command::Cancel),
        Op::Comment(by_reviewer) => (
            if *by_reviewer { reviewer() } else { admin() },
            Command::Comment(text("note")),
        ),
        Op::Resend => (admin(), Command::ResendConsent),
        Op::Start => (reviewer(), Command::Review(ReviewDecision::Start)),
        Op::Approve => (reviewer(), approve_cmd()),
        Op::Reject(ok) => (
            reviewer(),
            if *ok {
                reject_cmd()
            } else {
                Command::Review(ReviewDecision::Reject {
                    reasons: vec![],
                    comment: None,
                })
            },
        ),
        Op::RequestInfo(ok) => (
            reviewer(),
            if *ok {
                request_info_cmd()
            } else {
                Command::Review(ReviewDecision::RequestInfo {
                    reasons: vec![Reason::PartnerRequest],
                    comment: None,
                })
            },
        ),
        Op::Withdraw(manager) => (
            if *manager { admin() } else { incentives_user() },
            Command::Withdraw {
                reason: text("mistake"),
            },
        ),
        Op::Dispute(with_text) => (
            admin(),
            Command::Dispute {
                justification: with_text.then(|| text("see SoW")),
                poe_ids: vec![],
            },
        ),
        Op::Disassociate => (
            admin(),
            Command::Disassociate {
                reason: text("ended"),
            },
        ),
        Op::Keep => (Actor::Customer, Command::Consent(ConsentDecision::Keep)),
        Op::Decline => (Actor::Customer, Command::Consent(ConsentDecision::Decline)),
        Op::Fire { stale, .. } => {
            let generation = c.deadline().map(|d| d.generation).unwrap_or(0) + u64::from(*stale);
            (
                Actor::Scheduler,
                Command::DeadlineReached {
                    status: c.status(),
                    generation,
                },
            )
        }
        Op::Stranger => (
            partner_in("5555555", &PartnerRole::ALL),
            Command::Comment(text("hello?")),
        ),
    }
}

/// Runs one command sequence, checking every invariant after every step; returns the statuses
/// the claim passed through.
fn check_sequence(ops: &[Op]) -> Result<BTreeSet<Status>, TestCaseError> {
    let mut visited = BTreeSet::from([Status::Draft]);
    let mut now = monday();
    let created = Claim::create(ClaimId::generate(), &admin(), &mws_input(), now).unwrap();
    let mut claim = created.claim;
    let mut holds: BTreeSet<LockKey> = BTreeSet::new();
    let mut schedules: BTreeMap<String, ScheduleSpec> = BTreeMap::new();
    let mut event_seqs = vec![1u64];
    let mut history_seqs = vec![1u64];
    for op in ops {
        if let Op::Fire { hours, .. } = op {
            now += Duration::hours(i64::from(*hours));
        } else {
            now += Duration::minutes(7);
        }
        let (actor, cmd) = to_command(op, &claim, now);
        let before = claim.clone();
        match claim.handle(&actor, cmd, now, &policy()) {
            Err(_) => continue,
            Ok(out) => {
                let next = &out.claim;
                // The write kind matches what changed.
                match out.write {
                    Write::Nothing => {
                        prop_assert_eq!(next, &before);
                        prop_assert!(
                            out.history.is_empty()
                                && out.events.is_empty()
                                && out.notifications.is_empty()
                        );
                        prop_assert!(out.locks.is_empty() && out.schedule.is_empty());
                        continue;
                    }
                    Write::AppendHistory => {
                        prop_assert_eq!(next.version(), before.version());
                        prop_assert_eq!(next.status(), before.status());
                        prop_assert!(out.events.is_empty());
                    }
                    Write::Update => {
                        prop_assert_eq!(next.version(), before.version() + 1);
                        prop_assert_eq!(out.events.len(), 1);
                        prop_assert_eq!(out.events[0].sequence, next.version());
                        event_seqs.push(out.events[0].sequence);
                    }
                }
                // Exactly one history entry, numbered without gaps.
                prop_assert_eq!(out.history.len(), 1);
                let entry = &out.history[0];
                prop_assert_eq!(entry.seq, before.history_seq() + 1);
                prop_assert_eq!(entry.from, Some(before.status()));
                prop_assert_eq!(entry.to, next.status());
                history_seqs.push(entry.seq);
                // Terminal statuses never change.
                if before.status().is_terminal() {
                    prop_assert_eq!(next.status(), before.status());
                }
                // A status change is a row of the table, by the right kind of actor.
                if next.status() != before.status() {
                    let row = crate::domain::lifecycle::transition(entry.action, before.status());
                    prop_assert!(
                        row.is_some_and(|t| t.to == next.status() && t.by == actor.kind()),
                        "{} from {} to {} by {:?}",
                        entry.action,
                        before.status(),
                        next.status(),
                        actor.kind()
                    );
                } else {
                    prop_assert!(
                        crate::domain::lifecycle::allowed(
                            entry.action,
                            before.status(),
                            actor.kind()
                        ),
                        "{} in {}",
                        entry.action,
                        before.status()
                    );
                }
                // Every reachable status has its defined deadline behaviour.
                let rule = DeadlineKind::for_status(next.status());
                prop_assert_eq!(next.deadline().map(|d| d.kind), rule, "{}", next.status());
                if let Some(d) = next.deadline() {
                    prop_assert!(
                        d.due_at > now
                            || d.breached_at.is_some()
                            || next.status() == before.status()
                    );
                    prop_assert!(d.generation <= next.version());
                }
                // Holds: apply the delta to a model lock table; it must equal what the
                // claim should hold, and never take a key twice or free one not held.
                for k in &out.locks.release {
                    prop_assert!(holds.remove(k), "released {} not held", k);
                }
                for k in &out.locks.acquire {
                    prop_assert!(holds.insert(*k), "acquired {} twice", k);
                }
                prop_assert_eq!(&holds, &held_keys(next.status(), next.content()));
                // Schedules: the model table holds exactly the pending deadline.
                if let Some(name) = &out.schedule.delete {
                    prop_assert!(
                        schedules.remove(name).is_some(),
                        "deleted unknown schedule {}",
                        name
                    );
                }
                if let Some(spec) = &out.schedule.create {
                    prop_assert!(spec.name.len() <= 64);
                    schedules.insert(spec.name.clone(), spec.clone());
                }
                let expected: BTreeMap<_, _> = next
                    .pending_schedule()
                    .map(|s| (s.name.clone(), s))
                    .into_iter()
                    .collect();
                prop_assert_eq!(&schedules, &expected);
                // Notifications go to the contacts named on the claim, or the reviewers.
                for n in &out.notifications {
                    let customer = &next.content().customer_contact().email;
                    let partner = &next.content().partner_contact().email;
                    let addressed = match n.to.contact() {
                        Some(to) => to == customer || to == partner,
                        None => matches!(n.kind, NotificationKind::PartnerCommented { .. }),
                    };
                    prop_assert!(addressed, "{:?}", n);
                }
                visited.insert(out.claim.status());
                claim = out.claim;
            }
        }
    }
    // Versions and history numbers are consecutive from 1.
    prop_assert!(event_seqs.windows(2).all(|w| w[1] == w[0] + 1));
    prop_assert!(history_seqs.windows(2).all(|w| w[1] == w[0] + 1));
    Ok(visited)
}

#[test]
fn random_sequences_reach_every_status() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = proptest::collection::vec(op(), 1..40);
    let mut seen = BTreeSet::new();
    for _ in 0..400 {
        let ops = strategy.new_tree(&mut runner).unwrap().current();
        seen.extend(check_sequence(&ops).unwrap());
    }
    assert_eq!(
        seen,
        Status::ALL.into_iter().collect(),
        "the generator must exercise the whole lifecycle"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// No sequence of commands reaches an undefined state: every step either is refused and
    /// changes nothing, or is a row of the table (or a documented non-transition), and after
    /// every step the version, history, events, deadline, holds and schedules agree.
    #[test]
    fn random_command_sequences_keep_every_invariant(ops in proptest::collection::vec(op(), 1..40)) {
        check_sequence(&ops)?;
    }

    /// Two partners of different organisations can never both hold a key: the store enforces
    /// it, and the domain never asks it to take a key a claim already holds.
    #[test]
    fn a_claims_holds_are_its_own_workloads(status_idx in 0usize..Status::ALL.len()) {
        let status = Status::ALL[status_idx];
        let (c, _) = claim_in(status);
        let held = held_keys(c.status(), c.content());
        prop_assert_eq!(held.is_empty(), !status.holds_workloads());
        for k in &held {
            let own_tenant = matches!(k, LockKey::Workload { tenant, .. } if *tenant == c.content().customer().tenant_id);
            prop_assert!(own_tenant);
        }
    }
}

#[test]
fn a_customer_may_ask_for_a_fresh_link_within_the_send_limits_while_their_word_counts() {
    let policy = DeadlinePolicy::default();
    let cooldown = policy.consent_sends.cooldown;
    let (c, now) = claim_in(Status::Approved);
    let out = run(&c, &Actor::Customer, Command::RequestConsentLink, now).unwrap();
    assert_eq!(out.claim.status(), Status::Approved);
    assert!(matches!(
        &out.notifications[..],
        [Notification {
            kind: NotificationKind::CustomerConsent {
                stage: ConsentStage::FreshLink,
                opt_out_until: Some(_),
            },
            ..
        }]
    ));
    assert_eq!(
        out.notifications[0].to.contact(),
        Some(&c.content().customer_contact().email),
        "only to the contact on file"
    );
    let soon = now + cooldown - Duration::seconds(1);
    assert_eq!(
        run(
            &out.claim,
            &Actor::Customer,
            Command::RequestConsentLink,
            soon
        )
        .unwrap_err(),
        CommandError::TooSoon {
            retry_after: now + cooldown
        }
    );
    // a partner's resend counts against the same limits: one consent email per cooldown
    assert!(matches!(
        run(&out.claim, &admin(), Command::ResendConsent, soon),
        Err(CommandError::TooSoon { .. })
    ));
    let later = now + cooldown;
    assert!(
        run(
            &out.claim,
            &Actor::Customer,
            Command::RequestConsentLink,
            later
        )
        .is_ok()
    );
    // Nothing to decide any more: no link either; and partners cannot send themselves one.
    let (fin, now) = claim_in(Status::RejectedFinal);
    assert!(matches!(
        run(&fin, &Actor::Customer, Command::RequestConsentLink, now),
        Err(CommandError::NotAllowed { .. })
    ));
    assert!(matches!(
        run(&c, &admin(), Command::RequestConsentLink, now),
        Err(CommandError::Access(_))
    ));
}

#[test]
fn partner_resends_stop_at_the_daily_cap_and_say_when_to_try_again() {
    let (mut c, start) = claim_in(Status::Submitted);
    let limits = DeadlinePolicy::default().consent_sends;
    let mut at = start;
    for _ in 0..limits.daily_cap {
        c = apply(&c, &admin(), Command::ResendConsent, at);
        at += limits.cooldown;
    }
    let refused = run(&c, &admin(), Command::ResendConsent, at).unwrap_err();
    assert_eq!(
        refused,
        CommandError::TooSoon {
            retry_after: start + chrono::Duration::hours(24)
        }
    );
    assert!(
        run(
            &c,
            &admin(),
            Command::ResendConsent,
            start + chrono::Duration::hours(24)
        )
        .is_ok()
    );
}
