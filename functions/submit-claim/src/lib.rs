//! `POST /claims/{id}/submit`: `{acknowledgements: {informationAccurate, customerAuthorized},
//! comment?}`. Checks every PoE object with S3 (exists, size, type, checksum), then submits a
//! draft or resubmits after partner action required. Taking the workloads happens in the same
//! transaction: a workload held by another partner is 409 naming the workload.

use cpor::app::{App, Wiring};
use cpor::aws::dynamo::DynamoStore;
use cpor::aws::s3::S3PoeStorage;
use cpor::aws::wiring::Wire;
use cpor::domain::Claim;
use cpor::http::bodies::SubmitBody;
use cpor::http::{self, Body, Problem, Request, Response};
use cpor::ports::{StoredResponse, Unwired};

/// The crate, binary and Lambda function name: its row in `cpor::functions::FUNCTIONS`.
pub const NAME: &str = env!("CARGO_PKG_NAME");

/// The adapters this function uses and has IAM permissions for; the rest are unwired.
pub type Wired = Wire<DynamoStore, S3PoeStorage, Unwired, Unwired, Unwired>;

pub async fn handle<W: Wiring>(app: &App<W>, req: Request) -> Response<Body> {
    http::finish(NAME, run(app, &req).await)
}

async fn run<W: Wiring>(app: &App<W>, req: &Request) -> Result<Response<Body>, Problem> {
    let actor = http::actor(req)?;
    let labels = http::labels(app, req);
    let id = http::claim_id(req)?;
    let body: SubmitBody = http::json_body(req)?;
    let comment = http::long_text("comment", body.comment.as_deref())?;
    let now = http::now(req);
    let respond = |c: &Claim| StoredResponse {
        status: 200,
        body: http::claim_body(c, &labels),
    };
    let idem = match http::begin_idempotent(app, req, &actor, now, &respond).await? {
        http::Begun::Run(idem) => idem,
        http::Begun::Replay(response) => return Ok(response),
    };
    let result = app
        .submit(
            &actor,
            id,
            body.acknowledgements,
            comment,
            idem.as_ref(),
            now,
        )
        .await;
    let done = http::settle(app, idem.as_ref(), result).await?;
    Ok(http::claim_response(200, &done.claim, &labels))
}
