//! What an engagement change announces on the bus (source [`SOURCE`]): one event per history
//! entry, named by the lifecycle table, and the referral's own events — `ReferralCreated` when
//! a consent request creates one, `ReferralUpgradedToCoSell` when the customer's consent makes it
//! co-sell (seed 004). IDs, codes and amounts only: never a contact, never a comment (SPEC §8).

use super::progress::ReferralKind;
use super::reference::{CustomerIdentifier, EngagementId, Usd};
use super::{EngagementAction, EngagementOutcome, EngagementStatus, lifecycle};
use crate::domain::values::{ClaimId, LocationId, PartnerId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The `source` of every engagement event.
pub const SOURCE: &str = "cpor.engagements";
/// The version of [`EngagementEvent`]'s shape; a breaking change raises it.
pub const SCHEMA_VERSION: u32 = 1;
pub const REFERRAL_CREATED: &str = "ReferralCreated";
pub const REFERRAL_UPGRADED: &str = "ReferralUpgradedToCoSell";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EngagementEvent {
    pub schema_version: u32,
    /// Stable per change (`<claim>-v<sequence>`, `-referral` for a referral's): de-duplicate on it.
    pub id: String,
    pub detail_type: String,
    pub claim_id: ClaimId,
    pub partner_id: PartnerId,
    pub partner_location_id: LocationId,
    pub engagement_id: EngagementId,
    /// The customer as the partner named them.
    pub customer: CustomerIdentifier,
    /// The claim's history entry number: consecutive per claim.
    pub sequence: u64,
    pub at: DateTime<Utc>,
    pub action: EngagementAction,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<EngagementStatus>,
    pub to: EngagementStatus,
    /// On the referral's events only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referral: Option<ReferralDetail>,
}

/// A referral as its events carry it. Its ID is its claim's (one referral per claim).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReferralDetail {
    pub id: ClaimId,
    #[serde(rename = "type")]
    pub kind: ReferralKind,
    pub estimated_deal_size_usd: Usd,
    pub created_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub co_sell_at: Option<DateTime<Utc>>,
}

impl EngagementOutcome {
    /// The events of this change: the move's, then the referral's when the move created or
    /// upgraded it.
    pub fn events(&self) -> Vec<EngagementEvent> {
        let c = &self.claim;
        let h = &self.history;
        let event =
            |id: String, detail_type: &str, referral: Option<ReferralDetail>| EngagementEvent {
                schema_version: SCHEMA_VERSION,
                id,
                detail_type: detail_type.to_owned(),
                claim_id: c.id(),
                partner_id: c.partner_id().clone(),
                partner_location_id: c.partner_location_id().clone(),
                engagement_id: c.engagement_id().clone(),
                customer: c.customer().clone(),
                sequence: h.seq,
                at: h.at,
                action: h.action,
                from: h.from,
                to: h.to,
                referral,
            };
        let id = format!("{}-v{}", c.id(), h.seq);
        let mut out = vec![event(id.clone(), lifecycle::of(h.action).detail_type, None)];
        let announced = match (h.action, c.referral()) {
            (EngagementAction::RequestConsent, Some(r)) => Some((REFERRAL_CREATED, r)),
            (EngagementAction::Accept, Some(r)) if r.kind == ReferralKind::CoSell => {
                Some((REFERRAL_UPGRADED, r))
            }
            _ => None,
        };
        if let (Some((detail_type, r)), Some(deal)) = (announced, c.estimated_deal_size_usd()) {
            let referral = ReferralDetail {
                id: c.id(),
                kind: r.kind,
                estimated_deal_size_usd: deal,
                created_at: r.created_at,
                co_sell_at: r.co_sell_at,
            };
            out.push(event(format!("{id}-referral"), detail_type, Some(referral)));
        }
        out
    }
}
