//! `GET /engagement-claims?status=submitted&limit&cursor`: a reviewer's queue of MCI engagement
//! claims in one status (default `submitted`), every partner's, oldest submission first. Only
//! reviewers list it (403 otherwise); partners see their claims on each engagement's Customers
//! page. The cursor is sealed to the status.

use cpor::app::{App, Wiring};
use cpor::aws::dynamo::DynamoStore;
use cpor::aws::wiring::Wire;
use cpor::domain::engagement::EngagementStatus;
use cpor::http::{self, Body, Problem, Request, Response};
use cpor::ports::Unwired;
use cpor::views::PageView;

/// The crate, binary and Lambda function name: its row in `cpor::functions::FUNCTIONS`.
pub const NAME: &str = env!("CARGO_PKG_NAME");

/// The adapters this function uses and has IAM permissions for; the rest are unwired.
pub type Wired = Wire<DynamoStore, Unwired, Unwired, Unwired, Unwired>;

pub async fn handle<W: Wiring>(app: &App<W>, req: Request) -> Response<Body> {
    http::finish(NAME, run(app, &req).await)
}

async fn run<W: Wiring>(app: &App<W>, req: &Request) -> Result<Response<Body>, Problem> {
    let actor = http::actor(req)?;
    let status = match http::query_param(req, "status") {
        None | Some("") => EngagementStatus::Submitted,
        Some(s) => s.parse().map_err(|_| {
            Problem::invalid(
                "status",
                "must be an engagement claim status such as submitted",
            )
        })?,
    };
    let limit = http::page_limit(req, http::LIST_PAGE)?;
    let keys = &*app.keys()?;
    let scope = format!("engagement-queue:{}", status.code());
    let from = http::cursor(req, keys, &scope)?;
    let page = app
        .engagement_queue(&actor, status, limit, from.as_ref())
        .await?;
    Ok(http::json(
        200,
        &PageView {
            items: page.items,
            next_cursor: page.next.map(|n| keys.seal_cursor(&scope, &n.0)),
        },
    ))
}
