//! `POST /claims/{id}/poe/{poeId}/upload-url`: a fresh presigned upload for a declaration not
//! uploaded yet (the first URL lasts minutes) → 200 `{poeId, uploadUrl, uploadMethod,
//! uploadHeaders, expiresAt}`, bound like the first to the same key, type, length and checksum.
//! Where PoE may be added; an object already there as declared is 409 `poe-uploaded`, a
//! document a submission stands on 409 `poe-submitted`. Changes nothing: no idempotency key.

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
    let upload = app.renew_poe_upload(&actor, id, poe_id, now).await?;
    let mut response = http::json(200, &http::upload_view(poe_id, &upload));
    response
        .headers_mut()
        .insert("cache-control", http::HeaderValue::from_static("no-store"));
    Ok(response)
}
