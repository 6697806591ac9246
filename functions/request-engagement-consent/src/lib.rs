//! `POST /engagement-claims/{id}/consent-request`: `{estimatedDealSizeUsd, disclaimerAccepted:
//! true, customerContact?, partnerContact?}` — seed 004's "send customer consent email": the
//! contacts corrected one last time, the estimated deal size (USD, first 12 months) fixed from
//! now on, the disclaimer accepted (400 without). The customer is emailed a signed link to
//! accept or decline; a referral is created when the engagement's referrals are on and the deal
//! size reaches their minimum. `registered` → `consent_requested`. `If-Match` and
//! `Idempotency-Key` honoured.

use cpor::app::{App, Wiring};
use cpor::aws::dynamo::DynamoStore;
use cpor::aws::wiring::Wire;
use cpor::domain::engagement::ConsentRequestInput;
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
    let input: ConsentRequestInput = http::json_body(req)?;
    let request = input.parse().map_err(cpor::app::Failure::from)?;
    let now = http::now(req);
    http::engagements::run_change(app, req, &actor, id, |c| {
        c.request_consent(&actor, &request, now)
    })
    .await
}
