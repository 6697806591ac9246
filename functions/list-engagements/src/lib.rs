//! `GET /engagements`: the MCI engagement catalogue (the current reference data), each with
//! its pay type, the identifier types it accepts, its deadlines and cap, and the caller's
//! partner locations eligible for it.

use cpor::app::{App, Wiring};
use cpor::aws::dynamo::DynamoStore;
use cpor::aws::wiring::Wire;
use cpor::http::engagement_bodies::{Catalogue, CatalogueEntry};
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
    let catalogue = app.engagement_catalogue(&actor).await?;
    let items = catalogue
        .into_iter()
        .map(|c| CatalogueEntry {
            eligible_location_ids: c
                .eligible_locations
                .into_iter()
                .map(|l| l.location_id)
                .collect(),
            engagement: c.engagement,
        })
        .collect();
    Ok(http::json(200, &Catalogue { items }))
}
