//! `POST /claims/{id}/comments`: `{text}` — a message on the claim's thread between the
//! partner and reviewers, recorded in the history (which is how the thread is read). A
//! reviewer's comment emails the partner contact; a partner's marks the claim
//! `awaitingReviewer` and emails the reviewers' address when one is configured.

use cpor::app::{App, Wiring};
use cpor::aws::dynamo::DynamoStore;
use cpor::aws::wiring::Wire;
use cpor::domain::Command;
use cpor::http::bodies::CommentBody;
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
    let body: CommentBody = http::json_body(req)?;
    let text = http::required_text("text", body.text.as_deref())?;
    let mut resp = http::run_command(app, req, &actor, id, Command::Comment(text)).await?;
    if resp.status() == 200 {
        *resp.status_mut() = lambda_http::http::StatusCode::CREATED;
    }
    Ok(resp)
}
