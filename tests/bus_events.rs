//! Events carry what consumers need and nothing personal: every detail type has a committed
//! JSON Schema (generated from the domain; a drift fails here), the docs catalogue them, and a
//! whole claim life's events — received from the bus through moto — each match their schema
//! and hold no contact name, email address or comment.

use crate::helpers::{
    ORG_A, PARTNER_NAME, ba_body, customer_email, mws_body, stack, unique_tenant,
};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use std::collections::BTreeSet;

#[test]
fn the_committed_schemas_and_the_catalogue_are_the_generated_ones() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("shared")
        .join(cpor::event_schemas::DIRECTORY);
    let generated = cpor::event_schemas::files();
    let on_disk: BTreeSet<String> = std::fs::read_dir(&dir)
        .expect("schemas")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    let expected: BTreeSet<String> = generated.keys().cloned().collect();
    let fix = "run: cargo run -p cpor --example event_schemas";
    assert_eq!(on_disk, expected, "{fix}");
    // Compared as JSON: key order depends on serde_json's features in the build.
    let parse = |text: &str| serde_json::from_str::<Value>(text).expect("JSON");
    for (name, text) in &generated {
        let committed = std::fs::read_to_string(dir.join(name)).expect("readable");
        assert_eq!(parse(&committed), parse(text), "{name} is stale; {fix}");
    }
    let docs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/events.md"))
        .expect("docs/events.md");
    for catalogue in [
        cpor::event_schemas::catalogue_markdown(),
        cpor::event_schemas::engagement_catalogue_markdown(),
    ] {
        assert!(
            docs.contains(&catalogue),
            "docs/events.md's catalogue is out of date; paste:\n{catalogue}"
        );
    }
}

#[test]
fn the_schemas_refuse_personal_data_and_changes_their_type_cannot_make() {
    use crate::helpers::schemas::event_errors;
    use cpor::testing::*;
    let (claim, now) = claim_in(cpor::domain::Status::Approved);
    let out = claim
        .handle(
            &cpor::domain::Actor::Customer,
            cpor::domain::Command::Consent(cpor::domain::ConsentDecision::Decline),
            now,
            &Default::default(),
        )
        .expect("declined");
    let event = serde_json::to_value(&out.events[0]).expect("json");
    assert_eq!(event_errors(&event), Vec::<String>::new(), "{event}");
    let mut leaky = event.clone();
    leaky["association"]["customerEmail"] = json!("ana@contoso.com");
    assert!(!event_errors(&leaky).is_empty(), "no room for an email");
    let mut wrong = event.clone();
    wrong["to"] = json!("rejected");
    assert!(!event_errors(&wrong).is_empty(), "a decline is final");
    let mut unknown = event;
    unknown["detailType"] = json!("Something");
    assert!(!event_errors(&unknown).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_event_of_a_claims_life_matches_its_schema_and_names_no_person() {
    let s = stack().await;
    let t = s.admin(ORG_A);
    let customer = customer_email();
    let mut body = mws_body(ORG_A, &unique_tenant(), &customer);
    body["customerContact"]["language"] = json!("fr-CA");
    let c = s.create(&t, &body).await;
    let id = c["id"].as_str().expect("id").to_owned();
    s.upload_poe(&t, &id, b"%PDF events").await;
    assert_eq!(s.submit(&t, &id).await.status, 200);
    // (the customer asked for French: the consent email read back from moto is French)
    let mails = s.emails_to(&customer).await;
    let (subject, body) = mails.last().expect("a consent email");
    assert_eq!(
        subject,
        &format!("{PARTNER_NAME} demande à être reconnu comme votre partenaire Microsoft")
    );
    assert!(
        body.contains("lang=\"fr\"") && body.contains("la refuser"),
        "{body}"
    );
    let comment = "Please find the countersigned SoW";
    s.call(
        "POST",
        &format!("/claims/{id}/comments"),
        Some(&t),
        Some(&json!({"text": comment})),
        &[],
    )
    .await;
    s.review(&id, json!({"action": "start"})).await;
    let approved = s.review(&id, json!({"action": "approve"})).await.json();
    let until: DateTime<Utc> = approved["dueAt"]
        .as_str()
        .expect("due")
        .parse()
        .expect("time");
    s.sweep(until).await;
    let link = s.consent_path(&customer).await;
    s.decide(&link, "decline").await;
    // and a Business Applications claim withdrawn, so its content shows too
    let ba = s
        .create(&t, &ba_body(ORG_A, &unique_tenant(), &customer_email()))
        .await;
    let ba_id = ba["id"].as_str().expect("id").to_owned();
    s.upload_poe(&t, &ba_id, b"%PDF ba events").await;
    assert_eq!(s.submit(&t, &ba_id).await.status, 200);
    s.call(
        "POST",
        &format!("/claims/{ba_id}/withdraw"),
        Some(&t),
        Some(&json!({"reason": "Wrong MPN"})),
        &[],
    )
    .await;

    // `events()` validates each against its schema
    let events: Vec<Value> = s
        .events()
        .await
        .into_iter()
        .filter(|e| e["claimId"] == id.as_str() || e["claimId"] == ba_id.as_str())
        .collect();
    let kinds: BTreeSet<&str> = events
        .iter()
        .filter_map(|e| e["detailType"].as_str())
        .collect();
    for expected in [
        "ClaimCreated",
        "PoeAdded",
        "ClaimSubmitted",
        "CommentAdded",
        "ReviewStarted",
        "ClaimApproved",
        "AssociationActivated",
        "AssociationRevoked",
        "ClaimWithdrawn",
    ] {
        assert!(
            kinds.contains(expected),
            "{expected} missing from {kinds:?}"
        );
    }
    for e in &events {
        assert_eq!(e["schemaVersion"], 1);
        assert_eq!(e["association"]["partnerName"], PARTNER_NAME);
        let text = e.to_string();
        for personal in [
            customer.as_str(),
            "Ana",
            "Luis",
            "fabrikam.example",
            comment,
            "Wrong MPN",
        ] {
            assert!(!text.contains(personal), "{personal} in {text}");
        }
    }
    let withdrawn = events
        .iter()
        .find(|e| e["detailType"] == "ClaimWithdrawn")
        .expect("withdrawn");
    assert_eq!(withdrawn["to"], "rejected_final");
    assert_eq!(
        withdrawn["association"]["purchaseChannel"],
        "volume_licensing"
    );
    assert!(withdrawn["association"]["products"][0]["subscriptionId"].is_string());
    assert_eq!(
        withdrawn["association"]["revenueDetails"]["isvProduct"],
        "Fabrikam CRM"
    );
}
