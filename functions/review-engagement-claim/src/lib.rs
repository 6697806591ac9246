//! `POST /engagement-claims/{id}/review`: `{action: "approve"|"reject", reasons?, comment}` on
//! a submitted claim: `completed`, or `rejected_final` with its reasons. Reviewers only; the
//! partner contact is told.

use cpor::app::{App, Wiring};
use cpor::aws::dynamo::DynamoStore;
use cpor::aws::wiring::Wire;
use cpor::domain::engagement::ReviewInput;
use cpor::http::engagement_bodies::EngagementReviewBody;
use cpor::http::{self, Body, Problem, Request, Response};
use cpor::ports::Unwired;

/// The crate, binary and Lambda function name: its row in `cpor::functions::FUNCTIONS`.
pub const NAME: &str = env!("CARGO_PKG_NAME");

/// The adapters this function uses and has IAM permissions for; the rest are unwired.
pub type Wired = Wire<DynamoStore, Unwired, Unwired, Unwired, Unwired>;

pub async fn handle<W: Wiring>(app: &App<W>, req: Request) -> Response<Body> {
    http::finish(NAME, run(app, &req).await)
}
/// A reason code: lower-case letters, digits and `_`, at most 64.
fn reason(raw: &str) -> Option<String> {
    let ok = !raw.is_empty()
        && raw.len() <= 64
        && raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    ok.then(|| raw.to_owned())
}

async fn run<W: Wiring>(app: &App<W>, req: &Request) -> Result<Response<Body>, Problem> {
    let actor = http::actor(req)?;
    let id = http::claim_id(req)?;
    let body: EngagementReviewBody = http::json_body(req)?;
    let comment = http::required_text("comment", body.comment.as_deref())?;
    let decision = match body.action.as_deref() {
        Some("approve") => {
            if body.reasons.is_some() {
                return Err(Problem::invalid("reasons", "only for a rejection"));
            }
            ReviewInput::Approve { comment }
        }
        Some("reject") => {
            let raw = body.reasons.unwrap_or_default();
            if raw.is_empty() || raw.len() > 10 {
                return Err(Problem::invalid("reasons", "name 1 to 10 reason codes"));
            }
            let mut reasons = Vec::new();
            for (i, r) in raw.iter().enumerate() {
                reasons.push(reason(r).ok_or_else(|| {
                    Problem::invalid(
                        &format!("reasons[{i}]"),
                        "must be a reason code such as insufficient_evidence",
                    )
                })?);
            }
            ReviewInput::Reject { reasons, comment }
        }
        _ => return Err(Problem::invalid("action", "must be approve or reject")),
    };
    let now = http::now(req);
    http::engagements::run_change(app, req, &actor, id, |c| c.review(&actor, &decision, now)).await
}
