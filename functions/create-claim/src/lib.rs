//! `POST /claims`: creates a draft for the caller's organisation. 201 with `Location` and
//! `ETag`; an `Idempotency-Key` retry replays the first response.

use cpor::app::{App, Wiring};
use cpor::domain::{Claim, ClaimInput};
use cpor::http::{self, Body, Problem, Request, Response};
use cpor::ports::StoredResponse;

pub const ROUTE: &str = "POST /claims";

pub async fn handle<W: Wiring>(app: &App<W>, req: Request) -> Response<Body> {
    http::finish("create-claim", run(app, &req).await)
}

async fn run<W: Wiring>(app: &App<W>, req: &Request) -> Result<Response<Body>, Problem> {
    let actor = http::actor(req)?;
    let input: ClaimInput = http::json_body(req)?;
    let now = http::now(req);
    let respond = |c: &Claim| StoredResponse {
        status: 201,
        body: http::claim_body(c),
    };
    let idem = match http::begin_idempotent(app, req, &actor, ROUTE, now, &respond).await? {
        Ok(idem) => idem,
        Err(replayed) => return Ok(replayed),
    };
    let result = app.create(&actor, &input, idem.as_ref(), now).await;
    let done = http::settle(app, idem.as_ref(), result).await?;
    Ok(http::claim_response(201, &done.claim))
}
