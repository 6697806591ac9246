//! `GET /claims/{id}/poe/{poeId}`: a short-lived presigned download URL for one PoE document,
//! for the owner organisation and reviewers (who read PoE to decide). `{url, expiresAt}`.

use cpor::app::{App, Wiring};
use cpor::aws::dynamo::DynamoStore;
use cpor::aws::s3::S3PoeStorage;
use cpor::aws::wiring::Wire;
use cpor::http::{self, Body, Problem, Request, Response};
use cpor::ports::Unwired;

/// The crate, binary and Lambda function name: its row in `cpor::functions::FUNCTIONS`.
pub const NAME: &str = env!("CARGO_PKG_NAME");

/// The adapters this function uses and has IAM permissions for; the rest are unwired.
pub type Wired = Wire<DynamoStore, S3PoeStorage, Unwired, Unwired, Unwired>;

pub async fn handle<W: Wiring>(app: &App<W>, req: Request) -> Response<Body> {
    http::finish(NAME, run(app, &req).await)
}

async fn run<W: Wiring>(app: &App<W>, req: &Request) -> Result<Response<Body>, Problem> {
    let actor = http::actor(req)?;
    let id = http::claim_id(req)?;
    let poe_id = http::poe_id(req)?;
    let now = http::now(req);
    let url = app.download_poe(&actor, id, poe_id, now).await?;
    Ok(http::json(
        200,
        &serde_json::json!({ "url": url.url, "expiresAt": url.expires_at }),
    ))
}
