//! `POST /engagement-claims/{id}/consent-email`: sends the customer's consent email again as a
//! reminder (the same kind of link, signed anew) while consent is pending and before its
//! deadline, within the per-claim cooldown and daily cap (429 with `Retry-After` beyond).

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
    let now = http::now(req);
    let limits = app.policy.consent_sends;
    http::engagements::run_change(app, req, &actor, id, |c| {
        c.resend_consent(&actor, &limits, now)
    })
    .await
}
