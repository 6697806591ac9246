//! Unit tests of the function and local-stack crates (kept in the one integration binary, so
//! those crates build no test binaries of their own).

use chrono::{Duration, Utc};
use cpor::domain::{ClaimId, ConsentDecision, Status};
use cpor::ports::DeadlinePayload;
use cpor_local::jwt::{self, Identity, JwtError};
use deadline_sweep::{SweepRequest, parse};

#[test]
fn consent_forms_say_keep_or_decline() {
    use consent_callback::decision;
    assert_eq!(
        decision(b"decision=decline"),
        Some(ConsentDecision::Decline)
    );
    assert_eq!(decision(b"x=1&decision=keep"), Some(ConsentDecision::Keep));
    assert_eq!(decision(b"decision=maybe"), None);
    assert_eq!(decision(&[0xff]), None);
}

#[test]
fn sweep_events_name_one_claim_or_everything_due() {
    let id = ClaimId::generate();
    let one = serde_json::json!({"claimId": id.to_string(), "status": "submitted", "version": 3, "time": "2026-11-30T09:00:00Z"});
    let (req, time) = parse(&one).unwrap();
    assert_eq!(
        req,
        SweepRequest::One(DeadlinePayload {
            claim_id: id,
            status: Status::Submitted,
            version: 3
        })
    );
    assert_eq!(time.unwrap().to_rfc3339(), "2026-11-30T09:00:00+00:00");
    let scheduled = serde_json::json!({"version": "0", "detail-type": "Scheduled Event", "source": "aws.events", "time": "2026-11-30T09:00:00Z", "detail": {}});
    assert_eq!(parse(&scheduled).unwrap().0, SweepRequest::Due);
    assert!(parse(&serde_json::json!({"time": "yesterday"})).is_err());
    assert!(parse(&serde_json::json!({"claimId": "x"})).is_err());
    let engagement =
        serde_json::json!({"engagementClaimId": id.to_string(), "time": "2026-11-30T09:00:00Z"});
    assert_eq!(parse(&engagement).unwrap().0, SweepRequest::Engagement(id));
    assert!(parse(&serde_json::json!({"engagementClaimId": 7})).is_err());
}

#[test]
fn local_tokens_verify_and_arrays_arrive_as_api_gateway_sends_them() {
    let now = Utc::now();
    let id = Identity {
        sub: "u1".into(),
        partner_id: Some("4812345".into()),
        partner_name: None,
        locations: vec!["a".into(), "b".into()],
        roles: vec!["incentives_admin".into()],
    };
    let t = jwt::issue(b"k", &id, now, Duration::hours(1));
    let claims = jwt::verify(b"k", &t, now).unwrap();
    assert_eq!(claims["partner_locations"], "[a b]");
    assert_eq!(claims["roles"], "[incentives_admin]");
    assert_eq!(jwt::verify(b"other", &t, now), Err(JwtError::Signature));
    assert_eq!(
        jwt::verify(b"k", &t, now + Duration::hours(2)),
        Err(JwtError::Expired)
    );
    assert_eq!(jwt::verify(b"k", "a.b", now), Err(JwtError::Malformed));
    // the identity the functions derive from those claims
    let actor = cpor::http::identity::from_claims(&claims).unwrap();
    assert!(matches!(actor, cpor::domain::Actor::Partner(_)));
}

#[test]
fn the_sweep_publishes_the_outbox_age_as_an_embedded_metric() {
    let result = deadline_sweep::SweepResult {
        as_of: Utc::now(),
        deadlines_seen: 0,
        deadlines_applied: 0,
        deadlines_skipped: 0,
        outbox_delivered: 0,
        outbox_failed: 0,
        outbox_skipped: 0,
        errors: 0,
        oldest_outbox_due_seconds: Some(1200),
    };
    let line: serde_json::Value =
        serde_json::from_str(&deadline_sweep::outbox_age_metric(&result, 1)).unwrap();
    assert_eq!(line["OutboxOldestDueSeconds"], 1200);
    assert_eq!(line["_aws"]["CloudWatchMetrics"][0]["Namespace"], "cpor");
    assert_eq!(
        line["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Name"],
        "OutboxOldestDueSeconds"
    );
}

#[test]
fn ses_reports_are_read_for_the_claim_they_name_and_the_rest_skipped() {
    use cpor::domain::EmailFeedbackKind;
    use email_feedback::{Skip, parse};
    let read = |name: &str| -> serde_json::Value {
        let path = format!(
            "{}/events/email-feedback/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(path).expect("sample")).expect("json")
    };
    let bounce = parse(&read("200-bounce-consent-email.json"))
        .expect("an SES event")
        .expect("a report");
    assert_eq!(bounce.kind, EmailFeedbackKind::Bounce);
    assert!(bounce.to_customer);
    assert_eq!(bounce.feedback_id, "0102019a0b1c2d3e-bounce-0001-000000");
    assert_eq!(
        bounce.claim.to_string(),
        "8d3f1c52-6a1e-4b1f-9a7e-2f5c1d0b9e41"
    );
    let complaint = parse(&read("200-complaint.json"))
        .expect("ses")
        .expect("report");
    assert_eq!(complaint.kind, EmailFeedbackKind::Complaint);
    assert_eq!(
        parse(&read("200-partner-email-bounce-skipped.json")).expect("ses"),
        Err(Skip::NotACustomerEmail)
    );
    assert!(parse(&read("400-not-an-ses-event.json")).is_err());
    // a delivery report, or an email without our tags, is not ours to record
    let mut delivery = read("200-bounce-consent-email.json");
    delivery["detail"]["eventType"] = serde_json::json!("Delivery");
    assert_eq!(parse(&delivery).expect("ses"), Err(Skip::NotFeedback));
    let mut untagged = read("200-complaint.json");
    untagged["detail"]["mail"]["tags"] = serde_json::json!({});
    assert_eq!(parse(&untagged).expect("ses"), Err(Skip::NoClaim));
}
