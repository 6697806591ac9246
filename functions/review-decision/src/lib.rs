//! `POST /claims/{id}/review` (reviewers): `{action: "start" | "approve" | "reject" |
//! "request_info", reasons?: [...], comment?}`. Rejections and requests for information need
//! reason codes from their list and a comment.

use cpor::app::{App, Wiring};
use cpor::aws::dynamo::DynamoStore;
use cpor::aws::s3::S3PoeStorage;
use cpor::aws::wiring::Wire;
use cpor::domain::{Command, ReviewDecision};
use cpor::http::bodies::{ReviewAction, ReviewBody};
use cpor::http::{self, Body, Problem, Request, Response};
use cpor::ports::Unwired;

/// The crate, binary and Lambda function name: its row in `cpor::functions::FUNCTIONS`.
pub const NAME: &str = env!("CARGO_PKG_NAME");

/// The adapters this function uses and has IAM permissions for; the rest are unwired.
pub type Wired = Wire<DynamoStore, S3PoeStorage, Unwired, Unwired, Unwired>;

pub async fn handle<W: Wiring>(app: &App<W>, req: Request) -> Response<Body> {
    http::finish(NAME, run(app, &req).await)
}

async fn run<W: Wiring>(app: &App<W>, req: &Request) -> Result<Response<Body>, Problem> {
    let actor = http::actor(req)?;
    let id = http::claim_id(req)?;
    let body: ReviewBody = http::json_body(req)?;
    let comment = http::long_text("comment", body.comment.as_deref())?;
    let decision = match body.action {
        ReviewAction::Start => ReviewDecision::Start,
        ReviewAction::Approve => ReviewDecision::Approve { comment },
        ReviewAction::Reject => ReviewDecision::Reject {
            reasons: body.reasons,
            comment,
        },
        ReviewAction::RequestInfo => ReviewDecision::RequestInfo {
            reasons: body.reasons,
            comment,
        },
    };
    http::run_command(app, req, &actor, id, Command::Review(decision)).await
}
