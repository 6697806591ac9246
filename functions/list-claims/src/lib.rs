//! `GET /claims`: a page of claims. Partners see their own organisation's, newest first,
//! optionally of one `status`; reviewers list a status queue (earliest due first) or one
//! partner's claims (`partnerId`). `solutionArea`, `tenantId` and `awaitingReviewer=true` (a
//! partner's comment waits for a reviewer) narrow either; `limit`
//! (1–100, default 20) and `cursor` page. The cursor is sealed to the query, so it cannot be
//! forged or replayed by another organisation.

use cpor::app::{App, Failure, Wiring};
use cpor::aws::dynamo::DynamoStore;
use cpor::aws::wiring::Wire;
use cpor::domain::{PartnerId, SolutionArea, Status, TenantId};
use cpor::http::{self, Body, Problem, Request, Response};
use cpor::ports::Unwired;
use cpor::ports::{ClaimQuery, ListFilter};
use cpor::views::PageView;

/// The crate, binary and Lambda function name: its row in `cpor::functions::FUNCTIONS`.
pub const NAME: &str = env!("CARGO_PKG_NAME");

/// The adapters this function uses and has IAM permissions for; the rest are unwired.
pub type Wired = Wire<DynamoStore, Unwired, Unwired, Unwired, Unwired>;

pub async fn handle<W: Wiring>(app: &App<W>, req: Request) -> Response<Body> {
    http::finish(NAME, run(app, &req).await)
}

fn param<T>(
    req: &Request,
    name: &str,
    parse: impl Fn(&str) -> Option<T>,
    expected: &str,
) -> Result<Option<T>, Problem> {
    match http::query_param(req, name) {
        None | Some("") => Ok(None),
        Some(raw) => parse(raw)
            .map(Some)
            .ok_or_else(|| Problem::invalid(name, &format!("must be {expected}"))),
    }
}

async fn run<W: Wiring>(app: &App<W>, req: &Request) -> Result<Response<Body>, Problem> {
    let actor = http::actor(req)?;
    let labels = http::labels(app, req);
    let status = param(
        req,
        "status",
        Status::parse,
        "a status code such as submitted",
    )?;
    let filter = ListFilter {
        solution_area: param(
            req,
            "solutionArea",
            SolutionArea::parse,
            "a solution area code",
        )?,
        tenant: param(
            req,
            "tenantId",
            |t| TenantId::parse(t).ok(),
            "a tenant GUID",
        )?,
        awaiting_reviewer: param(
            req,
            "awaitingReviewer",
            |b| b.parse::<bool>().ok(),
            "true or false",
        )?
        .unwrap_or(false),
    };
    let limit = param(
        req,
        "limit",
        |l| l.parse::<u32>().ok().filter(|l| (1..=100).contains(l)),
        "between 1 and 100",
    )?
    .unwrap_or(20);
    let partner = param(
        req,
        "partnerId",
        |p| PartnerId::parse(p).ok(),
        "a partner ID",
    )?;
    let query = ClaimQuery::for_actor(&actor, status, partner).map_err(Failure::from)?;
    let keys = &*app.keys()?;
    let scope = query.scope(&filter);
    let from = http::cursor(req, keys, &scope)?;
    let (items, next) = app.list(&query, &filter, limit, from.as_ref()).await?;
    let page = PageView {
        items: items.iter().map(|c| labels.claim(c)).collect(),
        next_cursor: next.map(|n| keys.seal_cursor(&scope, &n.0)),
    };
    Ok(http::json(200, &page))
}
