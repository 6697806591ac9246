//! What a command produces besides the new claim: the append-only history entry, the domain
//! event to publish, the emails to send and the deadline schedule to create or delete. The
//! store writes all of them in the same transaction as the claim (the outbox), so none is lost
//! and none is sent for a change that did not happen.

use super::access::ActorRef;
use super::catalogue::{PartnerActivity, PurchaseChannel, SolutionArea};
use super::content::{ClaimedProduct, RevenueDetails};
use super::deadlines::DeadlineKind;
use super::lifecycle::{Action, Reason, Status};
use super::values::{
    ClaimId, DomainName, EmailAddress, LocationId, LongText, PartnerId, PoeId, TenantId,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One line of a claim's history. Entries are numbered 1, 2, 3... per claim without gaps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct HistoryEntry {
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub actor: ActorRef,
    pub action: Action,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Status>,
    pub to: Status,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<Reason>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<LongText>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changed_fields: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub poe_ids: Vec<PoeId>,
}

/// A state change, as published on the bus. `id` is stable (the same change always has the same
/// ID, so a retried publish de-duplicates) and `sequence` is the claim's version after the
/// change: consecutive per claim, so consumers can order and spot gaps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DomainEvent {
    /// The detail's shape ([`EVENT_SCHEMA_VERSION`]); a breaking change raises it.
    #[serde(default = "first_schema_version")]
    pub schema_version: u32,
    pub id: String,
    pub detail_type: String,
    pub claim_id: ClaimId,
    pub partner_id: PartnerId,
    pub sequence: u64,
    pub at: DateTime<Utc>,
    pub action: Action,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Status>,
    pub to: Status,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<Reason>,
    /// What a downstream incentive system needs about the association, without calling back
    /// (absent only on events queued before it existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub association: Option<Association>,
    /// The SLA breaches this change recorded (`SlaBreached`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sla_breaches: Vec<BreachRef>,
}

/// The `source` of every CPOR claim event.
pub const SOURCE: &str = "cpor.claims";

/// The version of [`DomainEvent`]'s shape; `shared/schemas/events/` holds its JSON Schemas.
pub const EVENT_SCHEMA_VERSION: u32 = 1;

fn first_schema_version() -> u32 {
    1
}

/// The association's content on an event: IDs, codes and organisation names — never a
/// contact's name or email, never a comment (SPEC §8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Association {
    pub partner_id: PartnerId,
    pub partner_name: String,
    pub partner_location_id: LocationId,
    pub tenant_id: TenantId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<DomainName>,
    pub solution_area: SolutionArea,
    pub partner_role: PartnerActivity,
    pub products: Vec<ClaimedProduct>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase_channel: Option<PurchaseChannel>,
    pub incentive_opt_out: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revenue_details: Option<RevenueDetails>,
}

/// An SLA breach as an event names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BreachRef {
    pub kind: DeadlineKind,
    pub due_at: DateTime<Utc>,
}

/// The bus `detail-type` for an action's event.
pub fn detail_type(action: Action, to: Status) -> &'static str {
    match action {
        Action::Create => "ClaimCreated",
        Action::Edit => "ClaimEdited",
        Action::AddPoe => "PoeAdded",
        Action::RemovePoe => "PoeRemoved",
        Action::Submit => "ClaimSubmitted",
        Action::Resubmit => "ClaimResubmitted",
        Action::Cancel => "ClaimCancelled",
        Action::Comment => "CommentAdded",
        Action::ResendConsent => "ConsentEmailResent",
        Action::RequestConsentLink => "ConsentLinkRequested",
        Action::StartReview => "ReviewStarted",
        Action::RequestInfo => "PartnerActionRequested",
        Action::Approve | Action::ApproveDispute => "ClaimApproved",
        Action::Reject => "ClaimRejected",
        Action::RejectDispute => "ClaimRejectedFinal",
        Action::Withdraw => "ClaimWithdrawn",
        Action::Dispute => "ClaimDisputed",
        Action::Disassociate => "AssociationEnded",
        Action::CustomerKeep => "CustomerConsentKept",
        Action::CustomerDecline if to == Status::Ended => "AssociationRevoked",
        Action::CustomerDecline => "CustomerDeclined",
        Action::RecordSlaBreach => "SlaBreached",
        Action::AutoReject => "ClaimRejected",
        Action::Activate => "AssociationActivated",
        Action::CloseDisputeWindow => "ClaimRejectedFinal",
        Action::ConsentEmailBounced => "ConsentEmailBounced",
        Action::EmailComplaint => "EmailComplaintReceived",
    }
}

/// Which consent email the customer gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentStage {
    /// On submission: a partner asks to be associated.
    Requested,
    /// On approval: the association will become official unless declined by `opt_out_until`.
    Approved,
    /// Sent again on the partner's request (same link).
    Resent,
    /// A fresh link the customer asked for from an expired one's page: it lasts from now.
    FreshLink,
}

/// An email to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    /// Stable per claim change, so a retried delivery is recognised and not sent twice.
    pub id: String,
    pub claim_id: ClaimId,
    pub to: Recipient,
    pub kind: NotificationKind,
}

/// Who an email goes to: a contact on the claim, or the reviewers' shared address (configured
/// where emails are sent, `CPOR_REVIEWERS_EMAIL`; without it those emails are not sent).
/// Stored as the address itself, or `"reviewers"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Recipient {
    Contact(EmailAddress),
    Role(RecipientRole),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecipientRole {
    Reviewers,
}

impl Recipient {
    /// The contact's address, if it is one.
    pub fn contact(&self) -> Option<&EmailAddress> {
        match self {
            Self::Contact(address) => Some(address),
            Self::Role(_) => None,
        }
    }
}

impl std::fmt::Display for Recipient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Contact(address) => f.write_str(address.as_str()),
            Self::Role(RecipientRole::Reviewers) => f.write_str("reviewers"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum NotificationKind {
    CustomerConsent {
        stage: ConsentStage,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        opt_out_until: Option<DateTime<Utc>>,
    },
    PartnerActionRequired {
        reasons: Vec<Reason>,
        comment: LongText,
        respond_by: DateTime<Utc>,
    },
    PartnerRejected {
        reasons: Vec<Reason>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        comment: Option<LongText>,
        /// `None` when the rejection is final.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        dispute_by: Option<DateTime<Utc>>,
    },
    PartnerApproved {
        opt_out_until: DateTime<Utc>,
    },
    PartnerActivated,
    PartnerAssociationEnded {
        reason: Reason,
    },
    /// A reviewer wrote on the claim's thread (to the partner contact).
    ReviewerCommented {
        comment: LongText,
    },
    /// A partner wrote on the claim's thread (to the reviewers).
    PartnerCommented {
        comment: LongText,
    },
    /// The customer could not be reached: their consent email bounced, or they marked it as
    /// spam (to the partner contact, who can check the address or talk to the customer).
    CustomerUnreachable {
        complaint: bool,
    },
}

impl NotificationKind {
    /// The template name of the customer's consent emails.
    pub const CUSTOMER_CONSENT: &'static str = "customer_consent";

    /// The email's template name.
    pub fn code(&self) -> &'static str {
        match self {
            Self::CustomerConsent { .. } => Self::CUSTOMER_CONSENT,
            Self::PartnerActionRequired { .. } => "partner_action_required",
            Self::PartnerRejected { .. } => "partner_rejected",
            Self::PartnerApproved { .. } => "partner_approved",
            Self::PartnerActivated => "partner_activated",
            Self::PartnerAssociationEnded { .. } => "partner_association_ended",
            Self::ReviewerCommented { .. } => "reviewer_commented",
            Self::PartnerCommented { .. } => "partner_commented",
            Self::CustomerUnreachable { .. } => "customer_unreachable",
        }
    }
}

/// A one-time deadline schedule. The name is deterministic in (claim, status, generation), so
/// creating it twice is a conflict the adapter treats as success.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleSpec {
    pub name: String,
    pub claim_id: ClaimId,
    pub status: Status,
    pub generation: u64,
    pub due_at: DateTime<Utc>,
}

impl ScheduleSpec {
    /// `cpor-<claim hex>-dsl-<generation>`: the overall decision SLA's schedule.
    pub fn name_for_decision_sla(claim_id: ClaimId, generation: u64) -> String {
        format!("cpor-{}-dsl-{generation}", claim_id.as_uuid().simple())
    }

    /// `cpor-<claim hex>-<status>-<generation>`: at most 64 characters of `[0-9a-z-]`.
    pub fn name_for(claim_id: ClaimId, status: Status, generation: u64) -> String {
        format!(
            "cpor-{}-{}-{generation}",
            claim_id.as_uuid().simple(),
            status.short_code()
        )
    }
}

/// What to do to schedules alongside a change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleChange {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create: Option<ScheduleSpec>,
}

impl ScheduleChange {
    pub fn between(before: Option<ScheduleSpec>, after: Option<ScheduleSpec>) -> Self {
        if before == after {
            return Self::default();
        }
        Self {
            delete: before.map(|s| s.name),
            create: after,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.delete.is_none() && self.create.is_none()
    }
}
