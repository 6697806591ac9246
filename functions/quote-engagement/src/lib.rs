//! `POST /engagements/{engagementId}/quote`: `{identifierType: "msx_opportunity_id", value,
//! plannedHours}` → `{proposedPaymentUsd, opportunityValueUsd, plannedHours}`: seed 004's
//! review step for variable pay — `min(hours × hourly rate, share × opportunity value,
//! maximum)`, the engagement's rule, in cents.

use cpor::app::{App, Wiring};
use cpor::aws::dynamo::DynamoStore;
use cpor::aws::wiring::Wire;
use cpor::domain::ValidationErrors;
use cpor::domain::engagement::{CustomerInput, IdentifierType, PlannedHours, customer_identifier};
use cpor::http::engagement_bodies::{QuoteAnswer, QuoteBody};
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
    let q: QuoteBody = http::json_body(req)?;
    let mut errs = ValidationErrors::default();
    if q.identifier_type
        .is_some_and(|t| t != IdentifierType::MsxOpportunityId)
    {
        errs.push("identifierType", "must be msx_opportunity_id");
    }
    let opportunity = customer_identifier(
        &CustomerInput {
            identifier_type: q.identifier_type,
            value: q.value.clone(),
        },
        "",
        &mut errs,
    );
    let hours = match q.planned_hours.map(PlannedHours::new) {
        None => {
            errs.push("plannedHours", "is required");
            None
        }
        Some(Err(e)) => {
            errs.push("plannedHours", e.to_string());
            None
        }
        Some(Ok(h)) => Some(h),
    };
    let (opportunity, hours) = errs
        .into_result(|| Some((opportunity?, hours?)))
        .map_err(cpor::app::Failure::from)?;
    let quote = app.quote(&actor, &engagement, &opportunity, hours).await?;
    Ok(http::json(
        200,
        &QuoteAnswer {
            engagement_id: engagement,
            planned_hours: hours,
            opportunity_value_usd: quote.opportunity_value_usd,
            proposed_payment_usd: quote.proposed_payment_usd,
        },
    ))
}
