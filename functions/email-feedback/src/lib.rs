//! SES bounce and complaint reports, from the configuration set's EventBridge destination
//! (`source: aws.ses`, `detail-type: Email Bounced | Email Complaint Received`, on the default
//! bus). Every email we send carries its claim ID and template as message tags; SES returns
//! them in `detail.mail.tags`. A bounced consent email is recorded in the claim's history
//! (`consent_email_bounced`), a complaint about any of its emails too (`email_complaint`);
//! both are published, and when the customer was the one we could not reach, the partner
//! contact is emailed (outbox entries, like every side effect).
//!
//! Reports arrive at least once and in any order: each is recorded once per claim (its SES
//! feedback ID). A report that names no claim of ours, a claim that no longer exists or one
//! that has ended is skipped, not an error. Nothing from the report — above all the recipient's
//! address — is logged.

use chrono::Utc;
use cpor::app::{App, Failure, Wiring};
use cpor::aws::dynamo::DynamoStore;
use cpor::aws::wiring::Wire;
use cpor::domain::{ClaimId, CommandError, EmailFeedbackKind, NotificationKind};
use cpor::mail::{CLAIM_TAG, TEMPLATE_TAG};
use cpor::ports::Unwired;
use lambda_runtime::{Error, LambdaEvent};
use serde::Serialize;
use serde_json::Value;

/// The crate, binary and Lambda function name: its row in `cpor::functions::FUNCTIONS`.
pub const NAME: &str = env!("CARGO_PKG_NAME");

/// The adapters this function uses and has IAM permissions for; the rest are unwired.
pub type Wired = Wire<DynamoStore, Unwired, Unwired, Unwired, Unwired>;

/// One report, as far as we need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub kind: EmailFeedbackKind,
    pub claim: ClaimId,
    pub feedback_id: String,
    /// Whether the email was the customer's consent email.
    pub to_customer: bool,
}

/// Why a well-formed event leads to nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Skip {
    /// Not a bounce or complaint (another SES event type).
    NotFeedback,
    /// The email names no claim (not ours, or sent before emails were tagged).
    NoClaim,
    /// A partner's or reviewers' email bounced: nobody to tell by email.
    NotACustomerEmail,
    /// The claim does not exist (any more).
    UnknownClaim,
    /// The claim has ended, or was a draft: nothing to record.
    ClaimNotUnderWay,
    /// This report was already recorded.
    Duplicate,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FeedbackResult {
    pub recorded: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<Skip>,
}

fn tag<'a>(mail: &'a Value, name: &str) -> Option<&'a str> {
    mail["tags"][name]
        .as_array()
        .and_then(|values| values.first())
        .and_then(Value::as_str)
}

/// Reads the EventBridge event. `Err` for an event that is not an SES event at all (a wiring
/// mistake worth the retries and the dead-letter queue); `Ok(Err(skip))` for one to ignore.
pub fn parse(event: &Value) -> Result<Result<Report, Skip>, String> {
    let detail = event
        .get("detail")
        .filter(|d| d.is_object())
        .ok_or("detail: expected the SES event record")?;
    let mail = detail
        .get("mail")
        .filter(|m| m.is_object())
        .ok_or("detail.mail: expected the SES mail object")?;
    let (kind, report) = match detail["eventType"].as_str() {
        Some("Bounce") => (EmailFeedbackKind::Bounce, &detail["bounce"]),
        Some("Complaint") => (EmailFeedbackKind::Complaint, &detail["complaint"]),
        Some(_) => return Ok(Err(Skip::NotFeedback)),
        None => return Err("detail.eventType: expected a string".into()),
    };
    let Some(claim) = tag(mail, CLAIM_TAG).and_then(|c| ClaimId::parse(c).ok()) else {
        return Ok(Err(Skip::NoClaim));
    };
    let to_customer = tag(mail, TEMPLATE_TAG) == Some(NotificationKind::CUSTOMER_CONSENT);
    if kind == EmailFeedbackKind::Bounce && !to_customer {
        return Ok(Err(Skip::NotACustomerEmail));
    }
    // SES's own ID for the report; a message ID and type when it gives none.
    let feedback_id = match report["feedbackId"].as_str() {
        Some(id) if !id.is_empty() => id.to_owned(),
        _ => format!(
            "{}:{}",
            mail["messageId"].as_str().unwrap_or_default(),
            detail["eventType"].as_str().unwrap_or_default()
        ),
    };
    Ok(Ok(Report {
        kind,
        claim,
        feedback_id,
        to_customer,
    }))
}

/// Records one report. `Err` only when it could not be recorded now (retry later).
pub async fn record<W: Wiring>(app: &App<W>, event: &Value) -> Result<FeedbackResult, String> {
    let skipped = |skip| {
        tracing::info!(function = NAME, skipped = ?skip, "email feedback skipped");
        Ok(FeedbackResult {
            recorded: false,
            skipped: Some(skip),
        })
    };
    let report = match parse(event)? {
        Ok(report) => report,
        Err(skip) => return skipped(skip),
    };
    let now = Utc::now();
    match app
        .email_feedback(
            report.claim,
            report.kind,
            &report.feedback_id,
            report.to_customer,
            now,
        )
        .await
    {
        Ok(done) if done.changed => {
            tracing::info!(function = NAME, claim_id = %report.claim, kind = ?report.kind, "email feedback recorded");
            Ok(FeedbackResult {
                recorded: true,
                skipped: None,
            })
        }
        Ok(_) => skipped(Skip::Duplicate),
        Err(Failure::NotFound) => skipped(Skip::UnknownClaim),
        Err(Failure::Refused(CommandError::NotAllowed { .. })) => skipped(Skip::ClaimNotUnderWay),
        Err(e) => Err(e.chain()),
    }
}

pub async fn handle<W: Wiring>(
    app: &App<W>,
    event: LambdaEvent<Value>,
) -> Result<FeedbackResult, Error> {
    record(app, &event.payload).await.map_err(|e| {
        tracing::error!(function = NAME, error = %e, "email feedback not recorded");
        Error::from(e)
    })
}
