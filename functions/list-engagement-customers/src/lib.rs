//! `GET /engagements/{engagementId}/customers?tab=eligible|not_eligible|complete&limit&cursor`:
//! seed 004's Customers page, one tab at a time.
//!
//! - `eligible`: the partner's customers it knows (they consented to one of its engagement
//!   claims) that are eligible, and those it has an open claim for on this engagement, each
//!   with its open claim and the actions it allows (`claim_customer` for a known customer);
//! - `not_eligible`: known customers that are not, with their reasons (none at all on an
//!   engagement that only takes MSX opportunity IDs);
//! - `complete`: the partner's claims on this engagement that ended with nothing pending.
//!
//! The cursor is sealed to the caller's organisation, engagement and tab. A page of the first
//! two tabs may hold fewer rows than `limit` (customers on the other tab are left out) and
//! still have a `nextCursor`.

use cpor::app::CustomersPage;
use cpor::app::{App, Wiring};
use cpor::aws::dynamo::DynamoStore;
use cpor::aws::wiring::Wire;
use cpor::domain::engagement::customers::Tab;
use cpor::http::engagement_bodies::{CustomerItems, CustomersPageView};
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
    let engagement = http::engagements::engagement_id(req)?;
    let tab = match http::query_param(req, "tab") {
        None | Some("") => Tab::Eligible,
        Some(t) => t
            .parse()
            .map_err(|_| Problem::invalid("tab", "must be eligible, not_eligible or complete"))?,
    };
    let limit = http::page_limit(req, http::LIST_PAGE)?;
    let keys = &*app.keys()?;
    let org = match &actor {
        cpor::domain::Actor::Partner(p) => p.org.to_string(),
        _ => String::new(),
    };
    let tab_code: &str = tab.into();
    let scope = format!("customers:{org}:{engagement}:{tab_code}");
    let from = http::cursor(req, keys, &scope)?;
    let (page, next) = app
        .customers_page(&actor, &engagement, tab, limit, from.as_ref())
        .await?;
    let items = match &page {
        CustomersPage::Customers(rows) => CustomerItems::Customers(rows),
        CustomersPage::Complete(claims) => CustomerItems::Claims(claims),
    };
    Ok(http::json(
        200,
        &CustomersPageView {
            tab,
            items,
            next_cursor: next.map(|n| keys.seal_cursor(&scope, &n.0)),
        },
    ))
}
