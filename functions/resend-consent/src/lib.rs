//! `POST /claims/{id}/consent-email`: sends the customer's consent email again, with the same
//! link (the token is deterministic per claim and expiry).

use cpor::app::{App, Wiring};
use cpor::domain::Command;
use cpor::http::{self, Body, Problem, Request, Response};

pub const ROUTE: &str = "POST /claims/{id}/consent-email";

pub async fn handle<W: Wiring>(app: &App<W>, req: Request) -> Response<Body> {
    http::finish("resend-consent", run(app, &req).await)
}

async fn run<W: Wiring>(app: &App<W>, req: &Request) -> Result<Response<Body>, Problem> {
    let actor = http::actor(req)?;
    let id = http::claim_id(req)?;
    let mut resp = http::run_command(app, req, ROUTE, &actor, id, Command::ResendConsent).await?;
    if resp.status() == 200 {
        *resp.status_mut() = lambda_http::http::StatusCode::ACCEPTED;
    }
    Ok(resp)
}
