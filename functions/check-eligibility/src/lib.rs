//! `POST /engagements/eligibility`: `{identifierType, value, partnerLocationId, customerEmail?}`
//! → `{resolvedTenantId?, tenantEmailDomainMismatch, engagements: [{engagementId, eligible,
//! reasons}]}`: every engagement of the catalogue assessed for this customer under this
//! location (seed 004's eligibility step). A domain is resolved to its tenant first (an unknown
//! domain is 422); any other identifier is checked as given.

use cpor::app::EligibilityQuestion;
use cpor::app::{App, Wiring};
use cpor::aws::dynamo::DynamoStore;
use cpor::aws::wiring::Wire;
use cpor::domain::engagement::{CustomerInput, customer_identifier};
use cpor::domain::{EmailAddress, LocationId, ValidationErrors};
use cpor::http::engagement_bodies::{EligibilityAnswer, EligibilityBody};
use cpor::http::{self, Body, Problem, Request, Response};
use cpor::ports::Unwired;

/// The crate, binary and Lambda function name: its row in `cpor::functions::FUNCTIONS`.
pub const NAME: &str = env!("CARGO_PKG_NAME");

/// The adapters this function uses and has IAM permissions for; the rest are unwired.
pub type Wired = Wire<DynamoStore, Unwired, Unwired, Unwired, Unwired>;

pub async fn handle<W: Wiring>(app: &App<W>, req: Request) -> Response<Body> {
    http::finish(NAME, run(app, &req).await)
}

fn parse(q: &EligibilityBody) -> Result<EligibilityQuestion, ValidationErrors> {
    let mut errs = ValidationErrors::default();
    let customer = customer_identifier(
        &CustomerInput {
            identifier_type: q.identifier_type,
            value: q.value.clone(),
        },
        "",
        &mut errs,
    );
    let location = match q.partner_location_id.as_deref().map(LocationId::parse) {
        None => {
            errs.push("partnerLocationId", "is required");
            None
        }
        Some(Err(e)) => {
            errs.push("partnerLocationId", e.to_string());
            None
        }
        Some(Ok(l)) => Some(l),
    };
    let customer_email = match q.customer_email.as_deref().map(EmailAddress::parse) {
        Some(Err(e)) => {
            errs.push("customerEmail", e.to_string());
            None
        }
        other => other.and_then(Result::ok),
    };
    errs.into_result(|| {
        Some(EligibilityQuestion {
            customer: customer?,
            location: location?,
            customer_email,
        })
    })
}

async fn run<W: Wiring>(app: &App<W>, req: &Request) -> Result<Response<Body>, Problem> {
    let actor = http::actor(req)?;
    let q: EligibilityBody = http::json_body(req)?;
    let question = parse(&q).map_err(cpor::app::Failure::from)?;
    let a = app.check_eligibility(&actor, &question).await?;
    Ok(http::json(
        200,
        &EligibilityAnswer {
            resolved_tenant_id: a.resolved_tenant_id,
            tenant_email_domain_mismatch: a.tenant_email_domain_mismatch,
            engagements: a.engagements,
        },
    ))
}
