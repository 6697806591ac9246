//! Who may register which customer for which engagement (seed 004): the partner location's
//! enrolment and eligibility, the identifier type the engagement accepts, the customer's
//! eligibility as Microsoft's systems record it for that identifier (a domain is checked as its
//! tenant; nothing cascades to a customer's other identifiers) and the cap on open claims.

use super::reference::{
    CustomerIdentifier, CustomerRecord, Eligibility, Engagement, EngagementId, IdentifierType,
    PartnerLocation,
};
use crate::domain::values::{EmailAddress, PartnerId, TenantId};
use serde::{Deserialize, Serialize};

/// Why a customer or location is not eligible for an engagement. The codes are the API's.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub enum IneligibleReason {
    CriteriaNotMet,
    CapReached,
    UnknownIdentifier,
    IdentifierTypeNotAllowed,
    PartnerLocationNotEnrolled,
    PartnerLocationNotEligible,
}

impl IneligibleReason {
    pub fn code(self) -> &'static str {
        self.into()
    }

    /// Reasons about the customer (what the Customers page's "not eligible" tab shows), as
    /// opposed to the partner location's.
    pub fn is_about_customer(self) -> bool {
        matches!(
            self,
            Self::CriteriaNotMet | Self::CapReached | Self::UnknownIdentifier
        )
    }
}

/// The verdict for one engagement: eligible when there is no reason against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Assessment {
    pub engagement_id: EngagementId,
    pub eligible: bool,
    pub reasons: Vec<IneligibleReason>,
}

/// A customer as named by the partner, and the identifier its eligibility is checked on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedCustomer {
    pub given: CustomerIdentifier,
    /// The given identifier, or a domain's tenant.
    pub checked: CustomerIdentifier,
    pub resolved_tenant_id: Option<TenantId>,
}

/// A domain the reference data does not know cannot be resolved to a tenant (HTTP 422).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the domain {0} cannot be resolved to a tenant")]
pub struct Unresolvable(pub String);

impl NamedCustomer {
    /// Resolves `given`: a domain through its record (`domain_record`, looked up by the caller),
    /// any other identifier as itself.
    pub fn resolve(
        given: CustomerIdentifier,
        domain_record: Option<&CustomerRecord>,
    ) -> Result<Self, Unresolvable> {
        if given.kind != IdentifierType::Domain {
            return Ok(Self {
                checked: given.clone(),
                given,
                resolved_tenant_id: None,
            });
        }
        let tenant = domain_record
            .filter(|r| r.identifier == given)
            .and_then(|r| r.tenant_id)
            .ok_or_else(|| Unresolvable(given.value.clone()))?;
        Ok(Self {
            checked: CustomerIdentifier::tenant(tenant),
            given,
            resolved_tenant_id: Some(tenant),
        })
    }
}

/// Everything the assessment of one engagement reads.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub engagement: &'a Engagement,
    pub partner: &'a PartnerId,
    /// The location as the reference data knows it (`None`: unknown there).
    pub location: Option<&'a PartnerLocation>,
    pub customer: &'a NamedCustomer,
    /// The checked identifier's record (`None`: unknown there).
    pub record: Option<&'a CustomerRecord>,
    /// Non-terminal engagement claims on this engagement for the checked identifier, any partner.
    pub open_claims: usize,
}

/// Every reason against registering, in a stable order; none means eligible.
pub fn assess(f: Facts<'_>) -> Assessment {
    let mut reasons = location_reasons(f.engagement, f.partner, f.location);
    reasons.extend(customer_reasons(
        f.engagement,
        f.customer.given.kind,
        f.record.filter(|r| r.identifier == f.customer.checked),
        f.open_claims,
    ));
    Assessment {
        engagement_id: f.engagement.id.clone(),
        eligible: reasons.is_empty(),
        reasons,
    }
}

/// The partner location's side: enrolled in MCI (and the caller's organisation's), eligible for
/// the engagement.
pub fn location_reasons(
    engagement: &Engagement,
    partner: &PartnerId,
    location: Option<&PartnerLocation>,
) -> Vec<IneligibleReason> {
    match location {
        Some(l) if l.partner_id == *partner && l.mci_enrolled => {
            if l.engagements.contains(&engagement.id) {
                vec![]
            } else {
                vec![IneligibleReason::PartnerLocationNotEligible]
            }
        }
        _ => vec![IneligibleReason::PartnerLocationNotEnrolled],
    }
}

/// The customer's side: the identifier type, the record's eligibility, the cap.
pub fn customer_reasons(
    engagement: &Engagement,
    given: IdentifierType,
    record: Option<&CustomerRecord>,
    open_claims: usize,
) -> Vec<IneligibleReason> {
    if !engagement.accepts(given) {
        return vec![IneligibleReason::IdentifierTypeNotAllowed];
    }
    let mut reasons = Vec::new();
    match record.and_then(|r| r.eligibility_for(&engagement.id)) {
        Some(Eligibility::Eligible) => {}
        Some(Eligibility::CriteriaNotMet) => reasons.push(IneligibleReason::CriteriaNotMet),
        None => reasons.push(IneligibleReason::UnknownIdentifier),
    }
    if open_claims >= engagement.customer_cap as usize {
        reasons.push(IneligibleReason::CapReached);
    }
    reasons
}

/// Whether a tenant ID named by the partner is unrelated to the customer contact's email domain
/// (seed 004: the partner must then say why). Only a tenant given as such is compared, and only
/// when the reference data lists the tenant's domains; a subdomain of one of them matches.
pub fn tenant_email_mismatch(
    customer: &NamedCustomer,
    tenant_record: Option<&CustomerRecord>,
    email: &EmailAddress,
) -> bool {
    if customer.given.kind != IdentifierType::TenantId {
        return false;
    }
    let Some(record) = tenant_record.filter(|r| r.identifier == customer.checked) else {
        return false;
    };
    if record.email_domains.is_empty() {
        return false;
    }
    let domain = email.domain();
    !record.email_domains.iter().any(|d| {
        domain == d.as_str()
            || domain
                .strip_suffix(d.as_str())
                .is_some_and(|rest| rest.ends_with('.'))
    })
}
