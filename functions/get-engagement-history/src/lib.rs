//! `GET /engagement-claims/{id}/history?cursor=<nextCursor>&limit=<n>`: every change to an MCI
//! engagement claim, in order; `nextCursor` continues (as on every list).

use cpor::app::{App, Wiring};
use cpor::aws::dynamo::DynamoStore;
use cpor::aws::wiring::Wire;
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
    let (after, limit) = http::history_query(req)?;
    let (items, more) = app.engagement_history(&actor, id, after, limit).await?;
    Ok(http::json(200, &http::history_page(items, more, |h| h.seq)))
}
