//! An engagement's Customers page (seed 004): which of the partner's customers it shows on
//! which tab, and the actions open on each row.
//!
//! - **eligible**: customers the partner knows (they consented to one of its engagement claims)
//!   and that are eligible for this engagement, plus those it has an open claim for on it;
//! - **not eligible**: known customers that are not, with the customer's reasons — none at all
//!   for an engagement that only takes MSX opportunity IDs;
//! - **complete**: the partner's claims on it in a terminal state with nothing pending.

use super::eligibility::{IneligibleReason, customer_reasons};
use super::reference::{CustomerIdentifier, CustomerRecord, Engagement, EngagementId};
use super::{EngagementClaim, EngagementStatus, PageGroup};
use crate::domain::values::{ClaimId, ClaimName};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub enum Tab {
    Eligible,
    NotEligible,
    Complete,
}

/// What a partner can do from a row (the portal shows these as the seed's "Action" column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub enum RowAction {
    ClaimCustomer,
    EditContacts,
    SendConsentEmail,
    ResendConsentEmail,
    Submit,
    Cancel,
}

/// The actions an engagement claim in `status` allows its partner.
pub fn claim_actions(status: EngagementStatus) -> Vec<RowAction> {
    use EngagementStatus as S;
    use RowAction as A;
    match status {
        S::Registered => vec![A::SendConsentEmail, A::EditContacts, A::Cancel],
        S::ConsentRequested => vec![A::ResendConsentEmail, A::Cancel],
        S::Consented => vec![A::Submit, A::Cancel],
        _ => vec![],
    }
}

/// A customer the partner has dealt with, as the store keeps it per partner: whether it is
/// known (consented once) and the partner's open engagement claims for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartnerCustomer {
    pub customer: CustomerIdentifier,
    pub known: bool,
    pub open: Vec<(EngagementId, ClaimId)>,
}

impl PartnerCustomer {
    pub fn open_on<'a>(
        &'a self,
        engagement: &'a EngagementId,
    ) -> impl Iterator<Item = ClaimId> + 'a {
        self.open
            .iter()
            .filter(move |(e, _)| e == engagement)
            .map(|(_, c)| *c)
    }
}

/// A claim as a row shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ClaimRow {
    pub claim_id: ClaimId,
    pub name: ClaimName,
    pub status: EngagementStatus,
    pub consent_due_at: DateTime<Utc>,
    pub actions: Vec<RowAction>,
}

impl ClaimRow {
    pub fn of(c: &EngagementClaim) -> Self {
        Self {
            claim_id: c.id(),
            name: c.name().clone(),
            status: c.status(),
            consent_due_at: c.consent_due_at(),
            actions: claim_actions(c.status()),
        }
    }
}

/// One customer on the eligible or not-eligible tab.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CustomerRow {
    pub customer: CustomerIdentifier,
    pub known: bool,
    pub claims: Vec<ClaimRow>,
    pub actions: Vec<RowAction>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<IneligibleReason>,
}

/// Where a partner's customer goes on `engagement`'s page, if on `tab` at all. `record` is the
/// customer's reference record, `open_total` the engagement's open claims on it (any partner),
/// `claims` this partner's open claims on it for the engagement.
pub fn customer_row(
    tab: Tab,
    engagement: &Engagement,
    pc: &PartnerCustomer,
    record: Option<&CustomerRecord>,
    open_total: usize,
    claims: &[&EngagementClaim],
) -> Option<CustomerRow> {
    let open: Vec<ClaimRow> = claims
        .iter()
        .filter(|c| c.engagement_id() == &engagement.id && c.status().group() == PageGroup::Open)
        .map(|c| ClaimRow::of(c))
        .collect();
    if !pc.known && open.is_empty() {
        return None;
    }
    let reasons: Vec<IneligibleReason> = customer_reasons(
        engagement,
        pc.customer.kind,
        record.filter(|r| r.identifier == pc.customer),
        open_total,
    );
    match tab {
        Tab::Eligible if !open.is_empty() => Some(CustomerRow {
            customer: pc.customer.clone(),
            known: pc.known,
            claims: open,
            actions: vec![],
            reasons: vec![],
        }),
        Tab::Eligible if reasons.is_empty() => Some(CustomerRow {
            customer: pc.customer.clone(),
            known: pc.known,
            claims: vec![],
            actions: vec![RowAction::ClaimCustomer],
            reasons: vec![],
        }),
        Tab::NotEligible if open.is_empty() && !reasons.is_empty() => {
            (!engagement.only_opportunities()).then(|| CustomerRow {
                customer: pc.customer.clone(),
                known: pc.known,
                claims: vec![],
                actions: vec![],
                reasons,
            })
        }
        _ => None,
    }
}
