//! `POST /engagement-claims`: registers a customer for one or more MCI engagements (seed 004's
//! "add customer" / "claim customer"): `{name, partnerLocationId, source: "add"|"claim",
//! customer: {identifierType, value}, engagementIds, plannedHours?, tenantMismatchReason?,
//! customerContact, partnerContact}` → 201 `{claims: [..]}`, one `registered` claim per
//! engagement, committed in one transaction with the cap and the partner's one open claim
//! per customer and engagement. The partner contact is sent a confirmation (outbox).
//! `Idempotency-Key` honoured.

use cpor::app::{App, Wiring};
use cpor::aws::dynamo::DynamoStore;
use cpor::aws::wiring::Wire;
use cpor::domain::engagement::{EngagementClaim, RegistrationInput};
use cpor::http::{self, Body, Problem, Request, Response};
use cpor::http::{Begun, begin_idempotent, settle};
use cpor::ports::StoredResponse;
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
    let input: RegistrationInput = http::json_body(req)?;
    let now = http::now(req);
    let respond = |claims: &[EngagementClaim]| StoredResponse {
        status: 201,
        body: http::engagements::registration_body(claims).to_string(),
    };
    let idem = match begin_idempotent(app, req, &actor, now, &respond).await? {
        Begun::Run(idem) => idem,
        Begun::Replay(response) => return Ok(response),
    };
    let result = app.register(&actor, &input, idem.as_ref(), now).await;
    let claims = settle(app, idem.as_ref(), result).await?;
    let mut resp = http::json(201, &http::engagements::registration_body(&claims));
    if let [one] = claims.as_slice() {
        if let Ok(v) = format!("/engagement-claims/{}", one.id()).parse() {
            resp.headers_mut().insert("location", v);
        }
    }
    Ok(resp)
}
