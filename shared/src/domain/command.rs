//! What can be asked of a claim ([`Command`]), why it may be refused ([`CommandError`]), and
//! what a decision produces ([`Outcome`]) for the store to write in one transaction. The checks
//! of a command's own input (reasons, acknowledgements, location) are here too.

use super::access::{AccessError, Capability};
use super::content::{ClaimPatch, ValidationErrors};
use super::effects::{DomainEvent, HistoryEntry, Notification, ScheduleChange};
use super::lifecycle::{Action, Reason, Status};
use super::locks::LockDelta;
use super::poe::PoeDocument;
use super::values::{LocationId, LongText, PoeId};
use super::{Claim, ConsentDecision};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The partner's confirmations at submission (seed 000 step 18).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Acknowledgements {
    #[serde(default)]
    pub information_accurate: bool,
    #[serde(default)]
    pub customer_authorized: bool,
}

/// A reviewer's decision (`POST /claims/{id}/review`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewDecision {
    Start,
    Approve {
        comment: Option<LongText>,
    },
    Reject {
        reasons: Vec<Reason>,
        comment: Option<LongText>,
    },
    RequestInfo {
        reasons: Vec<Reason>,
        comment: Option<LongText>,
    },
}

/// Everything that can be asked of an existing claim.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Edit(Box<ClaimPatch>),
    AddPoe(PoeDocument),
    /// Removes a declared document that is not part of a submission yet (an abandoned upload).
    RemovePoe(PoeId),
    /// Submit a draft, or resubmit after partner action required. `uploaded` is the set of PoE
    /// IDs whose objects the caller verified in storage (exist, size, type, checksum).
    Submit {
        acknowledgements: Acknowledgements,
        comment: Option<LongText>,
        uploaded: BTreeSet<PoeId>,
    },
    Cancel,
    Comment(LongText),
    ResendConsent,
    /// The customer, from an expired link's page, asks for a fresh link by email (seed 000: the
    /// customer may decline "at any time").
    RequestConsentLink,
    /// What SES reported about one of the claim's emails. `feedback_id` identifies the report
    /// (SES may deliver it twice); `to_customer` says whether it was a consent email.
    EmailFeedback {
        kind: EmailFeedbackKind,
        feedback_id: String,
        to_customer: bool,
    },
    Review(ReviewDecision),
    Withdraw {
        reason: LongText,
    },
    Dispute {
        justification: Option<LongText>,
        poe_ids: Vec<PoeId>,
    },
    Disassociate {
        reason: LongText,
    },
    Consent(ConsentDecision),
    /// A deadline schedule (or the periodic sweep) fired for this status and generation.
    DeadlineReached {
        status: Status,
        generation: u64,
    },
}

impl Command {
    /// Whether deciding it relies on the claim's PoE being in storage as declared (seed 003:
    /// an approval, and a dispute, stand on the evidence): the caller verifies each object first.
    pub fn relies_on_poe(&self) -> bool {
        matches!(
            self,
            Self::Review(ReviewDecision::Approve { .. }) | Self::Dispute { .. }
        )
    }

    pub fn capability(&self) -> Capability {
        match self {
            Self::Edit(_) | Self::AddPoe(_) | Self::RemovePoe(_) => Capability::Edit,
            Self::Submit { .. } => Capability::Submit,
            Self::Cancel => Capability::CancelDraft,
            Self::Comment(_) => Capability::Comment,
            Self::ResendConsent => Capability::ResendConsent,
            Self::Review(_) => Capability::Review,
            Self::Withdraw { .. } => Capability::Withdraw,
            Self::Dispute { .. } => Capability::Dispute,
            Self::Disassociate { .. } => Capability::Disassociate,
            Self::Consent(_) | Self::RequestConsentLink => Capability::ConsentDecision,
            Self::DeadlineReached { .. } => Capability::FireDeadline,
            Self::EmailFeedback { .. } => Capability::RecordEmailFeedback,
        }
    }
}

/// What SES reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailFeedbackKind {
    /// A permanent bounce: the address does not take mail.
    Bounce,
    /// The recipient marked the email as spam.
    Complaint,
}

/// Why a command was refused. Every variant says why in words a caller can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error("cannot {action} a claim that is {status}")]
    NotAllowed { action: Action, status: Status },
    #[error("asked too often; try again after {retry_after}")]
    TooSoon { retry_after: DateTime<Utc> },
    #[error("invalid input: {0}")]
    Invalid(#[from] ValidationErrors),
    #[error("{} cannot be changed while the claim is {status}", fields.join(", "))]
    NotEditable {
        status: Status,
        fields: Vec<&'static str>,
    },
    #[error("at least one proof of execution document is required to submit")]
    PoeRequired,
    #[error(
        "proof of execution not uploaded (or not matching its declaration): {}",
        ids(poe_ids)
    )]
    PoeNotUploaded { poe_ids: Vec<PoeId> },
    #[error("a claim holds at most {max} proof of execution documents")]
    TooManyPoe { max: usize },
    #[error("no proof of execution document {poe_id} on this claim")]
    PoeNotFound { poe_id: PoeId },
    #[error(
        "proof of execution document {poe_id} is part of a submission: it can no longer be removed or uploaded again"
    )]
    PoeSubmitted { poe_id: PoeId },
    #[error("proof of execution document {poe_id} is uploaded already")]
    PoeUploaded { poe_id: PoeId },
    #[error(
        "the dispute window closed at {closed_at}; file a new claim with updated proof of execution"
    )]
    DisputeWindowClosed { closed_at: DateTime<Utc> },
}

fn ids(poe_ids: &[PoeId]) -> String {
    poe_ids
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why a fired deadline did nothing. Deadlines may fire twice, late or for a claim that has
/// moved on; each is a no-op, not an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlineSkip {
    /// The claim is no longer in the status the deadline was set for, or a newer deadline
    /// replaced it.
    Stale,
    /// The deadline has not passed yet (fired early; the sweep will come back).
    NotDue,
    /// Already handled (an SLA breach already recorded).
    AlreadyHandled,
}

/// How the store must persist an outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Write {
    /// Nothing changed (an idempotent repeat, or a skipped deadline).
    Nothing,
    /// Only history was appended (comment, consent email resent): `version` is unchanged.
    AppendHistory,
    /// The claim changed: `version` went up by one and one event is published.
    Update,
}

/// A command's result: the next claim and everything the change implies.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub claim: Claim,
    pub write: Write,
    pub skipped: Option<DeadlineSkip>,
    pub history: Vec<HistoryEntry>,
    pub events: Vec<DomainEvent>,
    pub notifications: Vec<Notification>,
    pub locks: LockDelta,
    pub schedule: ScheduleChange,
}

impl Outcome {
    pub(super) fn nothing(claim: &Claim, skipped: Option<DeadlineSkip>) -> Self {
        Self {
            claim: claim.clone(),
            write: Write::Nothing,
            skipped,
            history: Vec::new(),
            events: Vec::new(),
            notifications: Vec::new(),
            locks: LockDelta::default(),
            schedule: ScheduleChange::default(),
        }
    }
}

pub(super) fn check_location(
    allowed: &BTreeSet<LocationId>,
    location: &LocationId,
) -> Result<(), CommandError> {
    if allowed.contains(location) {
        Ok(())
    } else {
        let mut errs = ValidationErrors::default();
        errs.push(
            "partnerLocationId",
            "is not one of your organisation's locations",
        );
        Err(errs.into())
    }
}

pub(super) fn check_acknowledgements(ack: Acknowledgements) -> Result<(), CommandError> {
    let mut errs = ValidationErrors::default();
    if !ack.information_accurate {
        errs.push(
            "acknowledgements.informationAccurate",
            "must be true to submit",
        );
    }
    if !ack.customer_authorized {
        errs.push(
            "acknowledgements.customerAuthorized",
            "must be true to submit",
        );
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(errs.into())
    }
}

/// Reviewer reasons: at least one, each from the allowed list, no repeats; a comment is required.
pub(super) fn check_reasons(
    reasons: &[Reason],
    allowed: &[Reason],
    comment: Option<LongText>,
) -> Result<LongText, CommandError> {
    let mut errs = ValidationErrors::default();
    if reasons.is_empty() {
        errs.push("reasons", "give at least one reason code");
    }
    let mut seen = BTreeSet::new();
    for (i, r) in reasons.iter().enumerate() {
        if !allowed.contains(r) {
            let list: Vec<&str> = allowed.iter().map(|r| r.code()).collect();
            errs.push(
                format!("reasons[{i}]"),
                format!("must be one of: {}", list.join(", ")),
            );
        } else if !seen.insert(*r) {
            errs.push(format!("reasons[{i}]"), "is repeated");
        }
    }
    if comment.is_none() {
        errs.push("comment", "is required");
    }
    match comment {
        Some(c) if errs.is_empty() => Ok(c),
        _ => Err(errs.into()),
    }
}
