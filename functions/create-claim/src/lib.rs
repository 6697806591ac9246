//! `POST /claims`: creates a draft for the caller's organisation. 201 with `Location` and
//! `ETag`; an `Idempotency-Key` retry replays the first response.

use cpor::app::{App, Wiring};
use cpor::aws::dynamo::DynamoStore;
use cpor::aws::wiring::Wire;
use cpor::domain::{Claim, ClaimInput};
use cpor::http::{self, Body, Problem, Request, Response};
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
    let labels = http::labels(app, req);
    let input: ClaimInput = http::json_body(req)?;
    let now = http::now(req);
    let respond = |c: &Claim| StoredResponse {
        status: 201,
        body: http::claim_body(c, &labels),
    };
    let idem = match http::begin_idempotent(app, req, &actor, now, &respond).await? {
        http::Begun::Run(idem) => idem,
        http::Begun::Replay(response) => return Ok(response),
    };
    let result = app.create(&actor, &input, idem.as_ref(), now).await;
    let done = http::settle(app, idem.as_ref(), result).await?;
    Ok(http::claim_response(201, &done.claim, &labels))
}
