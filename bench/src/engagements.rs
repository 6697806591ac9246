//! The MCI engagement functions' scenarios (SPEC §9): the reference dataset the local stack
//! imports (`infra/local/reference-data.json`) as the store holds it, and an engagement claim
//! taken through the domain's own steps to the state each operation acts on.
//!
//! An engagement function reads a claim with GetItem, and the reference pointer, reference
//! records, cap counters and claims with BatchGetItem (those of one moment in one request), so
//! these answers are chosen by what the request's body names (`<operation> when <text>`,
//! `cpor::aws::canned`). The reference answer carries the records the sample requests ask for
//! (the engagement, the caller's location, the customer by domain and by tenant).

use chrono::{DateTime, Duration, Utc};
use cpor::domain::calendar::BusinessCalendar;
use cpor::domain::engagement::{
    ConsentRequestInput, EngagementClaim, EngagementStatus, NamedCustomer, ReferenceData,
    Registration, RegistrationFacts, RegistrationInput,
};
use cpor::domain::{Actor, ClaimId};
use serde_json::{Value, json};

/// The dataset ID the canned pointer names.
const DATASET: &str = "bench";

/// The engagement each sample acts on, and the one the quote sample prices.
const ENGAGEMENT: &str = "mw-usage";
const VARIABLE_PAY: &str = "azure-migrate";

pub fn reference() -> ReferenceData {
    let raw = std::fs::read("infra/local/reference-data.json")
        .expect("infra/local/reference-data.json (cpor-bench runs from the repository root)");
    ReferenceData::parse(&raw).expect("the local reference dataset parses")
}

/// Whether `function` is one of the MCI engagement functions measured here.
pub fn is_engagement_function(function: &str) -> bool {
    status_for(function).is_some()
        || [
            "list-engagements",
            "check-eligibility",
            "quote-engagement",
            "register-engagement-claims",
        ]
        .contains(&function)
}

/// The status an engagement function's operation acts on, if it reads one claim.
pub fn status_for(function: &str) -> Option<EngagementStatus> {
    Some(match function {
        "cancel-engagement-claim" | "update-engagement-claim" | "request-engagement-consent" => {
            EngagementStatus::Registered
        }
        "resend-engagement-consent" => EngagementStatus::ConsentRequested,
        "submit-engagement-claim" | "get-referral" => EngagementStatus::Consented,
        "review-engagement-claim"
        | "get-engagement-claim"
        | "get-engagement-history"
        | "list-engagement-claims"
        | "list-engagement-customers" => EngagementStatus::Submitted,
        _ => return None,
    })
}

/// A claim registered `age` ago for the sample's customer (contoso.com) on `mw-usage` by the
/// sample's partner, then moved by the domain's steps to `status`.
pub fn claim(
    data: &ReferenceData,
    status: EngagementStatus,
    now: DateTime<Utc>,
) -> EngagementClaim {
    let start = now - Duration::days(2);
    let admin = cpor::testing::admin();
    let input: RegistrationInput = serde_json::from_value(json!({
        "name": "Contoso rollout",
        "partnerLocationId": "4812345001",
        "source": "add",
        "customer": {"identifierType": "domain", "value": "contoso.com"},
        "engagementIds": [ENGAGEMENT],
        "customerContact": {"name": "Ana Pérez", "email": "ana@contoso.com", "language": "es"},
        "partnerContact": {"name": "Lu Chen", "email": "lu@fabrikam.com"}
    }))
    .expect("registration input");
    let reg = Registration::parse(&input).expect("a valid registration");
    let named = NamedCustomer::resolve(reg.customer.clone(), data.customer(&reg.customer))
        .expect("contoso.com names a tenant");
    let facts = RegistrationFacts::in_dataset(data, &reg, &named, vec![0], false);
    let mut c = EngagementClaim::register(&admin, &reg, &facts, ClaimId::generate, start)
        .expect("registered")
        .remove(0)
        .claim;
    let calendar = BusinessCalendar::default();
    let mut at = start;
    while c.status() != status {
        at += Duration::hours(1);
        let next = match c.status() {
            EngagementStatus::Registered => {
                let req: ConsentRequestInput = serde_json::from_value(
                    json!({"estimatedDealSizeUsd": 20000, "disclaimerAccepted": true}),
                )
                .expect("consent request");
                let req = req.parse().expect("a valid consent request");
                c.request_consent(&admin, &req, at)
            }
            EngagementStatus::ConsentRequested => {
                c.decide_consent(&Actor::Customer, true, true, &calendar, at)
            }
            EngagementStatus::Consented => c.submit(&admin, None, at),
            other => panic!("the bench's claims stop at submitted, not {other:?}"),
        };
        c = next.expect("the domain allows the step").claim;
    }
    c
}

fn s(v: impl Into<String>) -> Value {
    json!({ "S": v.into() })
}

/// The claim as the store holds it (`pk ECLAIM#<id>`, its document, version and history
/// sequence).
pub fn claim_item(c: &EngagementClaim) -> Value {
    json!({
        "pk": s(format!("ECLAIM#{}", c.id())),
        "sk": s("CLAIM"),
        "itemType": s("engagementClaim"),
        "doc": s(serde_json::to_string(c).unwrap_or_default()),
        "version": {"N": c.version().to_string()},
        "historySeq": {"N": c.history_seq().to_string()},
    })
}

fn record(sk: String, doc: String) -> Value {
    json!({
        "pk": s(format!("REF#{DATASET}")),
        "sk": s(sk),
        "itemType": s("reference"),
        "doc": s(doc),
    })
}

/// The records the samples ask for, as the import stores them.
fn records(data: &ReferenceData) -> Vec<Value> {
    let engagements = data
        .engagements
        .iter()
        .filter(|e| [ENGAGEMENT, VARIABLE_PAY].contains(&e.id.as_str()))
        .map(|e| record(format!("ENG#{}", e.id), to_json(e)));
    let locations = data
        .partner_locations
        .iter()
        .filter(|l| l.location_id.as_str() == "4812345001")
        .map(|l| record(format!("LOC#{}", l.location_id), to_json(l)));
    let customers = data
        .customers
        .iter()
        .filter(|c| {
            [
                "contoso.com",
                "3fa85f64-5717-4562-b3fc-2c963f66afa6",
                "7-3KX9Q2ZP1",
            ]
            .contains(&c.identifier.value.as_str())
        })
        .map(|c| record(format!("CUST#{}", c.identifier.storage_key()), to_json(c)));
    engagements.chain(locations).chain(customers).collect()
}

fn to_json(v: &impl serde::Serialize) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// The canned answers (operation, optional body text, body) of an engagement function.
pub fn answers(
    data: &ReferenceData,
    claim: Option<&EngagementClaim>,
) -> Vec<(&'static str, String)> {
    let pointer = json!({"Item": {
        "pk": s("REF"), "sk": s("CURRENT"), "itemType": s("referencePointer"),
        "dataset": s(DATASET), "sequencer": s("0000000000000001"),
        "doc": s("{}"),
    }});
    let catalogue: Vec<Value> = data
        .engagements
        .iter()
        .map(|e| record(format!("ENG#{}", e.id), to_json(e)))
        .collect();
    let claims: Vec<Value> = claim.map(claim_item).into_iter().collect();
    // A request's reads of one moment go out as one BatchGetItem (the pointer with the records
    // and whatever was read beside them): the answer to a batch naming claims carries the
    // pointer, the records and the claims; one naming records, the pointer and the records;
    // any other, the pointer. (The longest text is tried first.)
    let batch = |items: Vec<Value>| {
        json!({"Responses": {"cpor": items}, "UnprocessedKeys": {}}).to_string()
    };
    let with_records = || [vec![pointer["Item"].clone()], records(data)].concat();
    let mut out = vec![
        ("dynamodb.GetItem when \"REF\"", pointer.to_string()),
        (
            "dynamodb.BatchGetItem when {\"S\":\"ECLAIM#",
            batch([with_records(), claims].concat()),
        ),
        (
            "dynamodb.BatchGetItem when {\"S\":\"REF#",
            batch(with_records()),
        ),
        (
            "dynamodb.BatchGetItem",
            batch(vec![pointer["Item"].clone()]),
        ),
        (
            "dynamodb.Query when \"REF#",
            json!({"Items": catalogue, "Count": catalogue.len(), "ScannedCount": catalogue.len()})
                .to_string(),
        ),
    ];
    if let Some(c) = claim {
        out.push((
            "dynamodb.GetItem",
            json!({ "Item": claim_item(c) }).to_string(),
        ));
        // A history page's Query of the claim's partition finds the claim first.
        out.push((
            "dynamodb.Query when \"ECLAIM#",
            json!({"Items": [claim_item(c)], "Count": 1, "ScannedCount": 1}).to_string(),
        ));
        // The reviewers' queue and the partner's customers list this claim.
        out.push((
            "dynamodb.Query when \"EQ#",
            json!({"Items": [claim_item(c)], "Count": 1, "ScannedCount": 1}).to_string(),
        ));
        let customer = json!({
            "pk": s("PCUST#4812345"),
            "sk": s(c.customer_key().storage_key()),
            "doc": s(to_json(c.customer_key())),
            "known": {"BOOL": true},
            "open": {"SS": [format!("{}#{}", c.engagement_id(), c.id())]},
        });
        out.push((
            "dynamodb.Query when \"PCUST#",
            json!({"Items": [customer], "Count": 1, "ScannedCount": 1}).to_string(),
        ));
    }
    out
}
