//! The bodies and answers of the MCI engagement routes that are not the claim itself: what
//! the functions parse and answer with and what the OpenAPI document describes
//! (`cpor::openapi`), written once.

use crate::domain::engagement::customers::Tab;
use crate::domain::engagement::{
    CustomerIdentifier, Engagement, EngagementId, IdentifierType, PlannedHours, ReferralKind, Usd,
};
use crate::domain::{ClaimId, LocationId, PartnerId};
use serde::{Deserialize, Serialize};

/// An engagement of the catalogue with the caller's locations that may register for it.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CatalogueEntry {
    #[serde(flatten)]
    pub engagement: Engagement,
    pub eligible_location_ids: Vec<LocationId>,
}

/// `GET /engagements`: the catalogue.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Serialize)]
pub struct Catalogue {
    pub items: Vec<CatalogueEntry>,
}

/// `POST /engagements/eligibility`: the customer to assess, by tenant, domain or MSX
/// opportunity ID, for one of the caller's locations.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EligibilityBody {
    pub identifier_type: Option<crate::domain::engagement::IdentifierType>,
    pub value: Option<String>,
    pub partner_location_id: Option<String>,
    pub customer_email: Option<String>,
}

/// Its answer: every engagement, eligible or the reasons against.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EligibilityAnswer {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved_tenant_id: Option<crate::domain::TenantId>,
    pub tenant_email_domain_mismatch: bool,
    pub engagements: Vec<crate::domain::engagement::Assessment>,
}

/// `POST /engagements/{engagementId}/quote`: the customer and the hours planned (variable pay).
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QuoteBody {
    pub identifier_type: Option<IdentifierType>,
    pub value: Option<String>,
    pub planned_hours: Option<u32>,
}

/// Its answer: the opportunity's value and the proposed payment.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuoteAnswer {
    pub engagement_id: crate::domain::engagement::EngagementId,
    pub planned_hours: PlannedHours,
    pub opportunity_value_usd: Usd,
    pub proposed_payment_usd: Usd,
}

/// A Customers page tab's rows: customers (eligible, ineligible) or claims (complete).
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Serialize)]
#[serde(untagged)]
pub enum CustomerItems<'a> {
    Customers(&'a [crate::domain::engagement::customers::CustomerRow]),
    Claims(&'a [crate::domain::engagement::EngagementClaim]),
}

/// `GET /engagements/{engagementId}/customers`: one tab of seed 004's Customers page.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomersPageView<'a> {
    pub tab: Tab,
    pub items: CustomerItems<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// `GET /referrals/{id}`: the referral an engagement claim created.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReferralView<'a> {
    pub id: ClaimId,
    #[serde(rename = "type")]
    pub kind: ReferralKind,
    pub claim_id: ClaimId,
    pub engagement_id: &'a EngagementId,
    pub engagement_name: &'a str,
    pub partner_id: &'a PartnerId,
    pub customer: &'a CustomerIdentifier,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimated_deal_size_usd: Option<Usd>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub co_sell_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// `POST /engagement-claims/{id}/submit`.
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EngagementSubmitBody {
    pub comment: Option<String>,
}

/// `POST /engagement-claims/{id}/review`: codes checked at the edge (`ReviewInput`).
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EngagementReviewBody {
    pub action: Option<String>,
    pub reasons: Option<Vec<String>>,
    pub comment: Option<String>,
}
