//! `DELETE /claims/{id}/poe/{poeId}`: removes a PoE declaration that is not part of a
//! submission yet (204) — an upload abandoned or gone wrong no longer blocks submitting. Only
//! where PoE may be added (draft, submitted, partner action required, rejected); a document a
//! submission or a dispute stands on is 409 `poe-submitted`; an unknown one 404.

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
    let poe_id = http::poe_id(req)?;
    let now = http::now(req);
    app.remove_poe(&actor, id, poe_id, None, now).await?;
    Ok(Response::builder()
        .status(204)
        .body(Body::Empty)
        .unwrap_or_default())
}
