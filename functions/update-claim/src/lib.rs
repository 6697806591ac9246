//! `PATCH /claims/{id}`: edits the fields the status allows (everything in a draft; locations,
//! products, contacts in submitted and partner-action-required). `If-Match` is required: 428
//! without it, 412 if the claim changed since it was read. `null` removes an optional field.

use cpor::app::{App, Wiring};
use cpor::aws::dynamo::DynamoStore;
use cpor::aws::wiring::Wire;
use cpor::domain::{ClaimPatch, Command};
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
    let labels = http::labels(app, req);
    let id = http::claim_id(req)?;
    let expected = http::if_match(req, true)?;
    let patch: ClaimPatch = http::json_body(req)?;
    let now = http::now(req);
    let done = app
        .execute(&actor, id, expected, None, None, now, move |_| {
            Ok(Command::Edit(Box::new(patch.clone())))
        })
        .await?;
    Ok(http::claim_response(200, &done.claim, &labels))
}
