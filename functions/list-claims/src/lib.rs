//! `GET /claims`: a page of claims. Partners see their own organisation's, reviewers a status
//! queue or one partner's claims (`partnerId`).
//!
//! - `status`: one or several codes and groups, comma-separated (`submitted,under_review`,
//!   `complete`, `open`); a reviewer names at least one.
//! - `sort`: `-createdAt` (newest first; an organisation's default) or `dueAt` (earliest
//!   deadline first; a queue's only order).
//! - `solutionArea`, `tenantId`, `awaitingReviewer=true` (a partner's comment waits for a
//!   reviewer), `namePrefix` (any case), `domain` (the customer's) and `overdue=true` narrow it.
//! - `limit` (1–100, default 20) and `cursor` page; the cursor is sealed to the list, so it
//!   cannot be forged or replayed against another organisation or other filters.
//! - `Accept: text/csv`: the same list as CSV, up to 1,000 rows (`Next-Cursor` names the rest).

use cpor::app::{App, Failure, Wiring};
use cpor::aws::dynamo::DynamoStore;
use cpor::aws::wiring::Wire;
use cpor::domain::listing::{self, ClaimList, ListOrder, Search};
use cpor::domain::{DomainName, PartnerId, SolutionArea, TenantId};
use cpor::http::{self, Body, Problem, Request, Response, csv};
use cpor::ports::ListFilter;
use cpor::ports::Unwired;
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

fn flag(req: &Request, name: &str) -> Result<bool, Problem> {
    Ok(param(req, name, |b| b.parse::<bool>().ok(), "true or false")?.unwrap_or(false))
}

async fn run<W: Wiring>(app: &App<W>, req: &Request) -> Result<Response<Body>, Problem> {
    let actor = http::actor(req)?;
    let labels = http::labels(app, req);
    let statuses = match http::query_param(req, "status") {
        None => vec![],
        Some(raw) => listing::parse_statuses(raw).map_err(|m| Problem::invalid("status", &m))?,
    };
    let order = param(req, "sort", ListOrder::parse, "dueAt or -createdAt")?;
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
        awaiting_reviewer: flag(req, "awaitingReviewer")?,
    };
    let search = Search {
        domain: param(
            req,
            "domain",
            |d| DomainName::parse(d).ok(),
            "a domain name such as contoso.com",
        )?,
        overdue: flag(req, "overdue")?,
        ..Search::default()
    }
    .with_name_prefix(
        param(
            req,
            "namePrefix",
            |p| (p.chars().count() <= 100).then(|| p.to_owned()),
            "at most 100 characters",
        )?
        .as_deref()
        .unwrap_or_default(),
    );
    let limit = http::page_limit(req, http::LIST_PAGE)?;
    let partner = param(
        req,
        "partnerId",
        |p| PartnerId::parse(p).ok(),
        "a partner ID",
    )?;
    let list = ClaimList::for_actor(&actor, &statuses, partner, order).map_err(Failure::from)?;
    let keys = &*app.keys()?;
    let scope = list.scope(&filter, &search);
    let mut from = http::cursor(req, keys, &scope)?;
    let now = http::now(req);
    if csv::wanted(req) {
        // Pages of up to 100 until the export is full or the list ends.
        let mut claims = Vec::new();
        loop {
            let room = (csv::MAX_ROWS - claims.len()).min(100) as u32;
            let (mut page, next) = app
                .list(&list, &filter, &search, room, from.as_ref(), now)
                .await?;
            claims.append(&mut page);
            from = next;
            if from.is_none() || claims.len() >= csv::MAX_ROWS {
                break;
            }
        }
        let body = csv::claims(&claims, &labels, now);
        return Ok(csv::response(
            body,
            from.map(|n| keys.seal_cursor(&scope, &n.0)),
        ));
    }
    let (items, next) = app
        .list(&list, &filter, &search, limit, from.as_ref(), now)
        .await?;
    let page = PageView {
        items: items.iter().map(|c| labels.claim(c)).collect(),
        next_cursor: next.map(|n| keys.seal_cursor(&scope, &n.0)),
    };
    Ok(http::json(200, &page))
}
