//! What each function is measured on: an event that runs its whole success path, and the AWS
//! answers that make it so (the claim GetItem returns is in the state the operation acts on).
//! The events are the function's samples under `events/`, pointed at the canned claim.

use crate::engagements;
use chrono::{DateTime, Duration, Utc};
use cpor::aws::canned::Canned;
use cpor::domain::{Claim, Status};
use cpor::tokens::KeyRing;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The claim ID and PoE ID the sample events use.
const SAMPLE_CLAIM: &str = "8d3f1c52-6a1e-4b1f-9a7e-2f5c1d0b9e41";
const SAMPLE_POE: &str = "5b7e2d10-3c4f-4e6a-8b9d-0a1c2e3f4a5b";

/// The consent-token key the functions are started with (`CPOR_TOKEN_KEYS`).
pub const TOKEN_KEYS: &str = "k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
/// The secret the functions read it from (`CPOR_TOKEN_KEYS_SECRET`).
pub const TOKEN_KEYS_SECRET: &str = "cpor/token-keys";

pub struct Scenario {
    pub event: Value,
    /// Canned AWS answers by operation (`cpor::aws::canned::operation`).
    pub aws: HashMap<String, Canned>,
    /// The state of the claim the operation runs on (a CPOR status, or an engagement claim's).
    pub claim_status: String,
}

fn sample(function: &str, name: &str) -> Option<String> {
    let dir = Path::new("events").join(function);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    let pick = |pred: &dyn Fn(&str) -> bool| {
        files
            .iter()
            .find(|f| f.file_name().is_some_and(|n| pred(&n.to_string_lossy())))
            .cloned()
    };
    let named = (!name.is_empty())
        .then(|| pick(&|n| n.contains(name)))
        .flatten();
    named
        .or_else(|| pick(&|n| n.starts_with('2')))
        .or_else(|| pick(&|n| n.contains("unknown-claim")))
        .or_else(|| files.first().cloned())
        .and_then(|f| std::fs::read_to_string(f).ok())
}

fn claim(status: Status, now: DateTime<Utc>) -> Claim {
    // Old enough that the state's deadline has passed (the sweep acts on it), except where the
    // operation needs its window still open.
    let age = match status {
        Status::PartnerActionRequired | Status::Active => Duration::days(120),
        _ => Duration::hours(1),
    };
    cpor::testing::claim_in_at(status, now - age).0
}

fn item(claim: &Claim) -> String {
    json!({ "Item": claim_attributes(claim) }).to_string()
}

fn claim_attributes(claim: &Claim) -> Value {
    json!({
        "pk": {"S": format!("CLAIM#{}", claim.id())},
        "sk": {"S": "CLAIM"},
        "doc": {"S": serde_json::to_string(claim).unwrap_or_default()},
        "version": {"N": claim.version().to_string()}
    })
}

fn canned(status: u16, body: String, headers: &[(&str, String)]) -> Canned {
    Canned {
        status,
        body,
        headers: headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    }
}

pub fn for_function(function: &str) -> Scenario {
    let now = Utc::now();
    if engagements::is_engagement_function(function) {
        return engagement_scenario(function, now);
    }
    let claim_status = match function {
        "cancel-claim" | "update-claim" | "submit-claim" | "remove-poe" | "renew-poe-upload" => {
            Status::Draft
        }
        "review-decision" => Status::UnderReview,
        "consent-callback" | "resend-consent" => Status::Approved,
        "disassociate-claim" => Status::Active,
        "dispute-claim" => Status::Rejected,
        "deadline-sweep" => Status::PartnerActionRequired,
        _ => Status::Submitted,
    };
    let claim = claim(claim_status, now);
    let id = claim.id().to_string();
    let poe = claim.poe().first().cloned();
    let text = match function {
        "deadline-sweep" => json!({
            "claimId": id,
            "status": claim.status(),
            "version": claim.version(),
            "time": now.to_rfc3339(),
        })
        .to_string(),
        "consent-callback" => {
            let token = KeyRing::parse(TOKEN_KEYS)
                .map(|k| {
                    k.consent_token(
                        claim.id(),
                        claim.content().customer_contact().email.as_str(),
                        now + Duration::days(30),
                    )
                })
                .unwrap_or_default();
            sample(function, "page")
                .unwrap_or_default()
                .replace("not-a-token", &token)
        }
        "deliver-outbox" => sample(function, "new-outbox-entry").unwrap_or_default(),
        _ => sample(function, "").unwrap_or_default(),
    };
    let text = text.replace(SAMPLE_CLAIM, &id).replace(
        SAMPLE_POE,
        &poe.as_ref().map(|p| p.id.to_string()).unwrap_or_default(),
    );
    let mut event: Value = serde_json::from_str(&text).unwrap_or_else(|_| json!({}));
    match function {
        "update-claim" => {
            event["headers"]["if-match"] = json!(format!("\"{}\"", claim.version()));
        }
        "dispute-claim" => {
            event["body"] = json!(json!({"justification": "Signed SoW attached."}).to_string());
        }
        _ => {}
    }
    let mut aws = common_answers();
    aws.insert("dynamodb.GetItem".into(), canned(200, item(&claim), &[]));
    // A history page's Query of the claim's partition finds the claim first.
    let page = json!({"Items": [claim_attributes(&claim)], "Count": 1, "ScannedCount": 1});
    aws.insert(
        "dynamodb.Query when \"CLAIM#".into(),
        canned(200, page.to_string(), &[]),
    );
    if function == "deliver-outbox" {
        // Taking the entry returns it (ReturnValues ALL_NEW): the record's new image.
        let image = &event["Records"][0]["dynamodb"]["NewImage"];
        aws.insert(
            "dynamodb.UpdateItem".into(),
            canned(200, json!({ "Attributes": image }).to_string(), &[]),
        );
    }
    if let Some(poe) = &poe {
        use base64::Engine;
        aws.insert(
            "s3.HeadObject".into(),
            canned(
                200,
                String::new(),
                &[
                    ("content-type", poe.content_type.clone()),
                    ("content-length", poe.size_bytes.to_string()),
                    (
                        "x-amz-checksum-sha256",
                        base64::engine::general_purpose::STANDARD.encode(poe.sha256.as_bytes()),
                    ),
                ],
            ),
        );
    }
    if function == "renew-poe-upload" {
        // A declaration whose upload never arrived.
        aws.insert("s3.HeadObject".into(), canned(404, String::new(), &[]));
    }
    Scenario {
        event,
        aws,
        claim_status: format!("{claim_status:?}"),
    }
}

/// What every function's other calls get: the key secret, an empty Query page, and the
/// delivery calls' success answers.
fn common_answers() -> HashMap<String, Canned> {
    let mut aws = HashMap::new();
    aws.insert(
        "secretsmanager.GetSecretValue".into(),
        canned(
            200,
            json!({"ARN": format!("arn:aws:secretsmanager:us-east-1:123456789012:secret:{TOKEN_KEYS_SECRET}"),
                   "Name": TOKEN_KEYS_SECRET, "SecretString": TOKEN_KEYS, "VersionId": "v1"})
            .to_string(),
            &[],
        ),
    );
    aws.insert(
        "dynamodb.Query".into(),
        canned(
            200,
            json!({"Items": [], "Count": 0, "ScannedCount": 0}).to_string(),
            &[],
        ),
    );
    aws.insert(
        "events.PutEvents".into(),
        canned(
            200,
            json!({"FailedEntryCount": 0, "Entries": [{"EventId": "e-1"}]}).to_string(),
            &[],
        ),
    );
    aws.insert(
        "ses.SendEmail".into(),
        canned(200, json!({"MessageId": "m-1"}).to_string(), &[]),
    );
    aws.insert(
        "scheduler.CreateSchedule".into(),
        canned(
            200,
            json!({"ScheduleArn": "arn:aws:scheduler:us-east-1:123456789012:schedule/g/n"})
                .to_string(),
            &[],
        ),
    );
    aws
}

/// An engagement function on the claim in the state its operation acts on (if it reads one),
/// with the reference dataset as the store holds it.
fn engagement_scenario(function: &str, now: DateTime<Utc>) -> Scenario {
    let data = engagements::reference();
    let status = engagements::status_for(function);
    let claim = status.map(|status| engagements::claim(&data, status, now));
    // The samples whose bodies are valid, refused only for want of the reference data.
    let name = match function {
        "quote-engagement" => "409-engagement-not-in-catalogue",
        "register-engagement-claims" => "422-unknown-domain",
        _ => "",
    };
    let text = sample(function, name).unwrap_or_default();
    let text = match &claim {
        Some(c) => text.replace(SAMPLE_CLAIM, &c.id().to_string()),
        None => text,
    };
    let mut event: Value = serde_json::from_str(&text).unwrap_or_else(|_| json!({}));
    match (function, &claim) {
        ("update-engagement-claim", Some(c)) => {
            event["headers"]["if-match"] = json!(format!("\"{}\"", c.version()));
        }
        ("check-eligibility", _) => {
            event["body"] = json!(
                json!({"identifierType": "domain", "value": "contoso.com",
                       "partnerLocationId": "4812345001"})
                .to_string()
            );
        }
        ("list-engagement-customers", _) => {
            // The eligible tab: the partner's customers joined with the reference records,
            // the cap counts and their open claims (the complete tab is one Query).
            event["rawQueryString"] = json!("tab=eligible");
            event["queryStringParameters"] = json!({"tab": "eligible"});
        }
        ("quote-engagement", _) => {
            event["rawPath"] = json!("/engagements/azure-migrate/quote");
            event["pathParameters"]["engagementId"] = json!("azure-migrate");
        }
        _ => {}
    }
    let mut aws = common_answers();
    for (key, body) in engagements::answers(&data, claim.as_ref()) {
        aws.insert(key.into(), canned(200, body, &[]));
    }
    Scenario {
        event,
        aws,
        claim_status: status.map_or_else(|| "-".to_owned(), |s| format!("{s:?}")),
    }
}
