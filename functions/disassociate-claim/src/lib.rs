//! `POST /claims/{id}/disassociate`: `{reason}` — the partner ends an active association (seed 003); its workloads are released.

use cpor::app::{App, Wiring};
use cpor::domain::Command;
use cpor::http::{self, Body, Problem, Request, Response};
use serde::Deserialize;

pub const ROUTE: &str = "POST /claims/{id}/disassociate";

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ReasonBody {
    reason: Option<String>,
}

pub async fn handle<W: Wiring>(app: &App<W>, req: Request) -> Response<Body> {
    http::finish("disassociate-claim", run(app, &req).await)
}

async fn run<W: Wiring>(app: &App<W>, req: &Request) -> Result<Response<Body>, Problem> {
    let actor = http::actor(req)?;
    let id = http::claim_id(req)?;
    let body: ReasonBody = http::json_body(req)?;
    let reason = http::required_text("reason", body.reason.as_deref())?;
    http::run_command(
        app,
        req,
        ROUTE,
        &actor,
        id,
        Command::Disassociate { reason },
    )
    .await
}
