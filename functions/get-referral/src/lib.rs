//! `GET /referrals/{id}`: the referral a consent request created from an MCI engagement claim
//! (seed 004's last section; its ID is the claim's): type (`partner_led`, `co_sell`), the claim,
//! the engagement, the customer, the deal size and dates. The owning organisation's
//! `referral_admin` opens it; its incentives roles see only the link on the claim (403);
//! Microsoft sellers (`microsoft_seller`) open it once it is co-sell; anyone else gets 404.

use cpor::app::{App, Wiring};
use cpor::aws::dynamo::DynamoStore;
use cpor::aws::wiring::Wire;
use cpor::http::engagement_bodies::ReferralView;
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
    let id = http::claim_id(req)?;
    let claim = app.read_referral(&actor, id).await?;
    let Some(referral) = claim.referral() else {
        return Err(Problem::not_found());
    };
    Ok(http::json(
        200,
        &ReferralView {
            id: claim.id(),
            kind: referral.kind,
            claim_id: claim.id(),
            engagement_id: claim.engagement_id(),
            engagement_name: claim.engagement_name().as_str(),
            partner_id: claim.partner_id(),
            customer: claim.customer(),
            estimated_deal_size_usd: claim.estimated_deal_size_usd(),
            created_at: referral.created_at,
            co_sell_at: referral.co_sell_at,
        },
    ))
}
