//! `POST /engagement-claims/{id}/submit`: `{comment?}` — a consented claim, before its
//! `submissionDueAt`: `consented` → `submitted`, for a reviewer.

use cpor::app::{App, Wiring};
use cpor::aws::dynamo::DynamoStore;
use cpor::aws::wiring::Wire;
use cpor::http::engagement_bodies::EngagementSubmitBody;
use cpor::http::{self, Body, Problem, Request, Response};
use cpor::ports::Unwired;

/// The crate, binary and Lambda function name: its row in `cpor::functions::FUNCTIONS`.
pub const NAME: &str = env!("CARGO_PKG_NAME");

/// The adapters this function uses and has IAM permissions for; the rest are unwired.
pub type Wired = Wire<DynamoStore, Unwired, Unwired, Unwired, Unwired>;

pub async fn handle<W: Wiring>(app: &App<W>, req: Request) -> Response<Body> {
    http::finish(NAME, run(app, &req).await)
}
async fn run<W: Wiring>(app: &App<W>, req: &Request) -> Result<Response<Body>, Problem> {
    let actor = http::actor(req)?;
    let id = http::claim_id(req)?;
    let body: EngagementSubmitBody = http::json_body(req)?;
    let comment = http::long_text("comment", body.comment.as_deref())?;
    let now = http::now(req);
    http::engagements::run_change(app, req, &actor, id, |c| {
        c.submit(&actor, comment.clone(), now)
    })
    .await
}
