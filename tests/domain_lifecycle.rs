//! Seed scenarios walked end to end through the domain's public API, and the check that the
//! README's lifecycle and permission tables are the ones the code implements.

use chrono::Duration;
use cpor::domain::access::permission_matrix_markdown;
use cpor::domain::lifecycle::transition_table_markdown;
use cpor::domain::*;
use cpor::testing::*;

fn policy() -> DeadlinePolicy {
    DeadlinePolicy::default()
}

#[test]
fn readme_tables_match_the_implementation() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let table = transition_table_markdown();
    let matrix = permission_matrix_markdown();
    let deadlines = cpor::domain::deadlines::deadline_table_markdown(&policy());
    assert!(
        readme.contains(&deadlines),
        "README deadline table is out of date; paste:\n{deadlines}"
    );
    assert!(
        readme.contains(&table),
        "README lifecycle table is out of date; paste:\n{table}"
    );
    assert!(
        readme.contains(&matrix),
        "README permission matrix is out of date; paste:\n{matrix}"
    );
    let routes = cpor::routes::routes_markdown();
    assert!(
        readme.contains(&routes),
        "README route table is out of date; paste:\n{routes}"
    );
}

/// Seed 003's timeline: submitted, under review, partner action required with a reason, the
/// partner answers late, the claim is rejected for no response, the partner disputes, the
/// reviewer approves, the customer has seven days, the association becomes active, and the
/// customer may still decline "at any time" (seed 000).
#[test]
fn seed_003_timeline_from_submission_to_revocation() {
    let mut now = monday();
    let p = policy();
    let admin = admin();
    let reviewer = reviewer();
    let mut claim = Claim::create(ClaimId::generate(), &admin, &mws_input(), now)
        .unwrap()
        .claim;
    let mut history = vec![Action::Create];
    let mut step = |claim: &mut Claim, actor: &Actor, cmd: Command, at| {
        let out = claim.handle(actor, cmd, at, &p).unwrap();
        history.extend(out.history.iter().map(|h| h.action));
        *claim = out.claim.clone();
        out
    };

    step(&mut claim, &admin, Command::AddPoe(poe(now)), now);
    let cmd = submit(&claim);
    let out = step(&mut claim, &admin, cmd, now);
    assert_eq!(
        out.locks.acquire.len(),
        2,
        "teams and exchange_online are held"
    );

    now += Duration::days(3);
    step(
        &mut claim,
        &reviewer,
        Command::Review(ReviewDecision::Start),
        now,
    );
    step(&mut claim, &reviewer, request_info_cmd(), now);
    let due = claim.due_at().unwrap();
    assert_eq!(due, now + Duration::days(7), "Thursday + 5 business days");

    // The sweep runs late, after the partner never answered.
    let generation = claim.deadline().unwrap().generation;
    let out = step(
        &mut claim,
        &Actor::Scheduler,
        Command::DeadlineReached {
            status: Status::PartnerActionRequired,
            generation,
        },
        due + Duration::hours(5),
    );
    assert_eq!(claim.status(), Status::Rejected);
    assert_eq!(out.locks.release.len(), 2);
    now = due + Duration::days(2);

    step(
        &mut claim,
        &admin,
        Command::Dispute {
            justification: Some(text("We replied by email on day 4; SoW attached")),
            poe_ids: vec![],
        },
        now,
    );
    step(&mut claim, &reviewer, approve_cmd(), now);
    assert_eq!(claim.status(), Status::Approved);
    let (active, at) = fire_deadline(&claim);
    claim = active;
    assert_eq!(at, now + Duration::days(7));
    assert_eq!(claim.status(), Status::Active);

    step(
        &mut claim,
        &Actor::Customer,
        Command::Consent(ConsentDecision::Decline),
        at + Duration::days(40),
    );
    assert_eq!(claim.status(), Status::Ended);
    assert_eq!(
        history,
        [
            Action::Create,
            Action::AddPoe,
            Action::Submit,
            Action::StartReview,
            Action::RequestInfo,
            Action::AutoReject,
            Action::Dispute,
            Action::ApproveDispute,
            Action::CustomerDecline
        ]
    );
}

/// A claim survives a round trip through its stored JSON form unchanged, so the store can keep
/// it as a document and the next command sees exactly what the last one wrote.
#[test]
fn a_claim_round_trips_through_its_stored_form() {
    for status in Status::ALL {
        let (claim, _) = claim_in(status);
        let json = serde_json::to_string(&claim).unwrap();
        let back: Claim = serde_json::from_str(&json).unwrap();
        assert_eq!(back, claim, "{status}");
    }
}

/// Seed 000: a customer may have many partners, but a workload only one. Two organisations
/// claiming the same tenant's Teams compute the same lock key; different workloads do not clash.
#[test]
fn two_partners_claiming_the_same_workload_ask_for_the_same_key() {
    let now = monday();
    let other_org = partner_in("7654321", &[PartnerRole::IncentivesAdmin]);
    let mine = Claim::create(ClaimId::generate(), &admin(), &mws_input(), now)
        .unwrap()
        .claim;
    let theirs = Claim::create(ClaimId::generate(), &other_org, &mws_input(), now)
        .unwrap()
        .claim;
    let a = cpor::domain::locks::lock_keys(mine.content());
    let b = cpor::domain::locks::lock_keys(theirs.content());
    assert_eq!(a, b);
    let conflict = a.iter().next().unwrap().describe();
    assert!(conflict.contains("already associated with another partner"));
    assert!(
        !conflict.contains("7654321"),
        "the loser is not told who holds it"
    );

    let mut other_input = mws_input();
    other_input.products = Some(vec![cpor::domain::content::ProductInput {
        product: Some("intune".into()),
        subscription_id: None,
    }]);
    let intune = Claim::create(ClaimId::generate(), &other_org, &other_input, now)
        .unwrap()
        .claim;
    assert!(cpor::domain::locks::lock_keys(intune.content()).is_disjoint(&a));
}
