//! `POST /claims/{id}/dispute`: `{justification?, poeIds?}` — within the dispute window (30
//! days from rejection) with a business justification and/or updated PoE of this claim; after
//! it, 409 saying to file a new claim.

use cpor::app::{App, Wiring};
use cpor::aws::dynamo::DynamoStore;
use cpor::aws::s3::S3PoeStorage;
use cpor::aws::wiring::Wire;
use cpor::domain::{Command, PoeId};
use cpor::http::bodies::DisputeBody;
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
    let body: DisputeBody = http::json_body(req)?;
    let justification = http::long_text("justification", body.justification.as_deref())?;
    let poe_ids = body
        .poe_ids
        .iter()
        .enumerate()
        .map(|(i, p)| {
            PoeId::parse(p).map_err(|e| Problem::invalid(&format!("poeIds[{i}]"), &e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    http::run_command(
        app,
        req,
        &actor,
        id,
        Command::Dispute {
            justification,
            poe_ids,
        },
    )
    .await
}
