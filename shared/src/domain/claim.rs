//! The claim aggregate: creating a claim and handling every command on it (SPEC §4).
//!
//! `Claim::handle` is pure: given the claim, who acts, the command, the time and the policy, it
//! returns the next claim with everything the change implies ([`Outcome`]) or a typed error
//! saying why not. Status changes are looked up in [`TRANSITIONS`](super::lifecycle::TRANSITIONS),
//! so the table and the behaviour cannot drift apart. Deadlines, workload holds and schedules are
//! derived from the claim before and after, never patched by hand per command.

use super::access::{AccessError, Actor, Capability};
use super::content::{ClaimContent, ClaimInput, ClaimPatch, ValidationErrors};
use super::deadlines::{Deadline, DeadlineEffect, DeadlineKind, DeadlinePolicy, SlaBreach};
use super::effects::{
    ConsentStage, DomainEvent, HistoryEntry, Notification, NotificationKind, ScheduleChange,
    ScheduleSpec, detail_type,
};
use super::lifecycle::{self, Action, Reason, Status};
use super::locks::{LockDelta, held_keys};
use super::poe::{MAX_POE_PER_CLAIM, PoeDocument};
use super::values::{ClaimId, LocationId, LongText, PartnerId, PoeId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Why the claim is in its status (set by rejections, requests for information, endings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusReason {
    pub codes: Vec<Reason>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<LongText>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentDecision {
    Keep,
    Decline,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsentRecord {
    pub decision: ConsentDecision,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DisputeRecord {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justification: Option<LongText>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub poe_ids: Vec<PoeId>,
    pub at: DateTime<Utc>,
}

/// The partner's confirmations at submission (seed 000 step 18).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
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
    pub fn capability(&self) -> Capability {
        match self {
            Self::Edit(_) | Self::AddPoe(_) => Capability::Edit,
            Self::Submit { .. } => Capability::Submit,
            Self::Cancel => Capability::CancelDraft,
            Self::Comment(_) => Capability::Comment,
            Self::ResendConsent => Capability::ResendConsent,
            Self::Review(_) => Capability::Review,
            Self::Withdraw { .. } => Capability::Withdraw,
            Self::Dispute { .. } => Capability::Dispute,
            Self::Disassociate { .. } => Capability::Disassociate,
            Self::Consent(_) => Capability::ConsentDecision,
            Self::DeadlineReached { .. } => Capability::FireDeadline,
        }
    }
}

/// Why a command was refused. Every variant says why in words a caller can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error("cannot {action} a claim that is {status}")]
    NotAllowed { action: Action, status: Status },
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
    #[error(
        "the dispute window closed at {closed_at}; file a new claim with updated proof of execution"
    )]
    DisputeWindowClosed { closed_at: DateTime<Utc> },
    #[error("the customer has already declined this association")]
    ConsentAlreadyDeclined,
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
    fn nothing(claim: &Claim, skipped: Option<DeadlineSkip>) -> Self {
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

/// A claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Claim {
    id: ClaimId,
    partner_id: PartnerId,
    created_by: UserId,
    content: ClaimContent,
    status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status_reason: Option<StatusReason>,
    version: u64,
    history_seq: u64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    submitted_at: Option<DateTime<Utc>>,
    #[serde(default)]
    poe: Vec<PoeDocument>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    deadline: Option<Deadline>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    sla_breaches: Vec<SlaBreach>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    consent: Option<ConsentRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dispute: Option<DisputeRecord>,
}

/// A change being built: the next claim plus what to record about it.
struct Step {
    action: Action,
    next: Claim,
    reasons: Vec<Reason>,
    comment: Option<LongText>,
    changed_fields: Vec<String>,
    poe_ids: Vec<PoeId>,
    notifications: Vec<NotificationKind>,
    /// `false` for comment-like actions that append history without changing the claim.
    changes_claim: bool,
}

impl Claim {
    /// Creates a draft (`POST /claims`). Only partners with the create capability, and only
    /// under one of their organisation's locations.
    pub fn create(
        id: ClaimId,
        actor: &Actor,
        input: &ClaimInput,
        now: DateTime<Utc>,
    ) -> Result<Outcome, CommandError> {
        let Actor::Partner(partner) = actor else {
            return Err(AccessError::Forbidden(Capability::Create).into());
        };
        actor.authorize(Capability::Create, &partner.org)?;
        let content = ClaimContent::validate(input)?;
        check_location(&partner.locations, content.partner_location_id())?;
        let claim = Claim {
            id,
            partner_id: partner.org.clone(),
            created_by: partner.user.clone(),
            content,
            status: Status::Draft,
            status_reason: None,
            version: 1,
            history_seq: 1,
            created_at: now,
            updated_at: now,
            submitted_at: None,
            poe: Vec::new(),
            deadline: None,
            sla_breaches: Vec::new(),
            consent: None,
            dispute: None,
        };
        let entry = HistoryEntry {
            seq: 1,
            at: now,
            actor: actor.reference(),
            action: Action::Create,
            from: None,
            to: Status::Draft,
            reasons: Vec::new(),
            comment: None,
            changed_fields: Vec::new(),
            poe_ids: Vec::new(),
        };
        let event = claim.event(Action::Create, None, now);
        Ok(Outcome {
            claim,
            write: Write::Update,
            skipped: None,
            history: vec![entry],
            events: vec![event],
            notifications: Vec::new(),
            locks: LockDelta::default(),
            schedule: ScheduleChange::default(),
        })
    }

    /// Handles a command. Never panics; a refused command leaves no trace.
    pub fn handle(
        &self,
        actor: &Actor,
        command: Command,
        now: DateTime<Utc>,
        policy: &DeadlinePolicy,
    ) -> Result<Outcome, CommandError> {
        actor.authorize(command.capability(), &self.partner_id)?;
        let kind = actor.kind();
        let step = match command {
            Command::Edit(patch) => match self.edit(actor, &patch)? {
                Some(step) => step,
                None => return Ok(Outcome::nothing(self, None)),
            },
            Command::AddPoe(doc) => {
                self.require(Action::AddPoe, kind)?;
                if self.poe.iter().any(|p| p.id == doc.id) {
                    return Ok(Outcome::nothing(self, None));
                }
                if self.poe.len() >= MAX_POE_PER_CLAIM {
                    return Err(CommandError::TooManyPoe {
                        max: MAX_POE_PER_CLAIM,
                    });
                }
                let mut step = self.step(Action::AddPoe);
                step.poe_ids.push(doc.id);
                step.next.poe.push(doc);
                step
            }
            Command::Submit {
                acknowledgements,
                comment,
                uploaded,
            } => {
                let action = if self.status == Status::PartnerActionRequired {
                    Action::Resubmit
                } else {
                    Action::Submit
                };
                let mut step = self.transition(action, kind)?;
                check_acknowledgements(acknowledgements)?;
                if self.poe.is_empty() {
                    return Err(CommandError::PoeRequired);
                }
                let missing: Vec<PoeId> = self
                    .poe
                    .iter()
                    .map(|p| p.id)
                    .filter(|id| !uploaded.contains(id))
                    .collect();
                if !missing.is_empty() {
                    return Err(CommandError::PoeNotUploaded { poe_ids: missing });
                }
                step.comment = comment;
                if action == Action::Submit {
                    step.next.submitted_at = Some(now);
                    step.notifications.push(NotificationKind::CustomerConsent {
                        stage: ConsentStage::Requested,
                        opt_out_until: None,
                    });
                }
                step
            }
            Command::Cancel => self.transition(Action::Cancel, kind)?,
            Command::Comment(text) => {
                self.require(Action::Comment, kind)?;
                let mut step = self.step(Action::Comment);
                step.comment = Some(text);
                step.changes_claim = false;
                step
            }
            Command::ResendConsent => {
                self.require(Action::ResendConsent, kind)?;
                let mut step = self.step(Action::ResendConsent);
                step.changes_claim = false;
                step.notifications.push(NotificationKind::CustomerConsent {
                    stage: ConsentStage::Resent,
                    opt_out_until: self.deadline_for(Status::Approved),
                });
                step
            }
            Command::Review(decision) => self.review(decision, kind)?,
            Command::Withdraw { reason } => self.partner_ending(Action::Withdraw, kind, reason)?,
            Command::Dispute {
                justification,
                poe_ids,
            } => {
                let mut step = self.transition(Action::Dispute, kind)?;
                if let Some(d) = &self.deadline {
                    if now >= d.due_at {
                        return Err(CommandError::DisputeWindowClosed {
                            closed_at: d.due_at,
                        });
                    }
                }
                let mut errs = ValidationErrors::default();
                if justification.is_none() && poe_ids.is_empty() {
                    errs.push("justification", "give a business justification, updated proof of execution (poeIds), or both");
                }
                for (i, id) in poe_ids.iter().enumerate() {
                    if !self.poe.iter().any(|p| p.id == *id) {
                        errs.push(
                            format!("poeIds[{i}]"),
                            "is not a proof of execution document of this claim",
                        );
                    }
                }
                if !errs.is_empty() {
                    return Err(errs.into());
                }
                step.comment = justification.clone();
                step.poe_ids = poe_ids.clone();
                step.next.dispute = Some(DisputeRecord {
                    justification,
                    poe_ids,
                    at: now,
                });
                step
            }
            Command::Disassociate { reason } => {
                self.partner_ending(Action::Disassociate, kind, reason)?
            }
            Command::Consent(decision) => match self.consent_decision(decision, kind, now)? {
                Some(step) => step,
                None => return Ok(Outcome::nothing(self, None)),
            },
            Command::DeadlineReached { status, generation } => {
                match self.deadline_reached(status, generation, now, kind)? {
                    Ok(step) => step,
                    Err(skip) => return Ok(Outcome::nothing(self, Some(skip))),
                }
            }
        };
        Ok(self.finish(step, actor, now, policy))
    }

    /// `None` when the patch changes nothing (a retried request): nothing to write.
    fn edit(&self, actor: &Actor, patch: &ClaimPatch) -> Result<Option<Step>, CommandError> {
        self.require(Action::Edit, actor.kind())?;
        let (content, changed) = self.content.apply_patch(patch)?;
        if changed.is_empty() {
            return Ok(None);
        }
        if let Some(allowed) = self.status.editable_fields() {
            let refused: Vec<&'static str> = changed
                .iter()
                .copied()
                .filter(|f| !allowed.contains(f))
                .collect();
            if !refused.is_empty() {
                return Err(CommandError::NotEditable {
                    status: self.status,
                    fields: refused,
                });
            }
        }
        if changed.contains(&"partnerLocationId") {
            if let Actor::Partner(p) = actor {
                check_location(&p.locations, content.partner_location_id())?;
            }
        }
        let mut step = self.step(Action::Edit);
        step.changed_fields = changed.iter().map(|f| (*f).to_owned()).collect();
        step.next.content = content;
        Ok(Some(step))
    }

    fn review(
        &self,
        decision: ReviewDecision,
        kind: lifecycle::ActorKind,
    ) -> Result<Step, CommandError> {
        let disputed = self.status == Status::Disputed;
        match decision {
            ReviewDecision::Start => self.transition(Action::StartReview, kind),
            ReviewDecision::Approve { comment } => {
                let action = if disputed {
                    Action::ApproveDispute
                } else {
                    Action::Approve
                };
                let mut step = self.transition(action, kind)?;
                step.comment = comment;
                // Opt-out dates are filled in by `finish`, once the new deadline is known.
                step.notifications.push(NotificationKind::CustomerConsent {
                    stage: ConsentStage::Approved,
                    opt_out_until: None,
                });
                step.notifications.push(NotificationKind::PartnerApproved {
                    opt_out_until: self.updated_at,
                });
                Ok(step)
            }
            ReviewDecision::Reject { reasons, comment } => {
                let action = if disputed {
                    Action::RejectDispute
                } else {
                    Action::Reject
                };
                let mut step = self.transition(action, kind)?;
                let comment = check_reasons(&reasons, &Reason::REVIEWER_REJECTION, comment)?;
                let mut codes = reasons.clone();
                if disputed {
                    codes.push(Reason::DisputeRejected);
                }
                step.next.status_reason = Some(StatusReason {
                    codes: codes.clone(),
                    comment: Some(comment.clone()),
                });
                step.reasons = codes.clone();
                step.comment = Some(comment.clone());
                step.notifications.push(NotificationKind::PartnerRejected {
                    reasons: codes,
                    comment: Some(comment),
                    dispute_by: None,
                });
                Ok(step)
            }
            ReviewDecision::RequestInfo { reasons, comment } => {
                let mut step = self.transition(Action::RequestInfo, kind)?;
                let comment = check_reasons(&reasons, &Reason::ACTION_REQUIRED, comment)?;
                step.next.status_reason = Some(StatusReason {
                    codes: reasons.clone(),
                    comment: Some(comment.clone()),
                });
                step.reasons = reasons.clone();
                step.comment = Some(comment.clone());
                step.notifications
                    .push(NotificationKind::PartnerActionRequired {
                        reasons,
                        comment,
                        respond_by: self.updated_at,
                    });
                Ok(step)
            }
        }
    }

    fn consent_decision(
        &self,
        decision: ConsentDecision,
        kind: lifecycle::ActorKind,
        now: DateTime<Utc>,
    ) -> Result<Option<Step>, CommandError> {
        let already = self.consent.as_ref().map(|c| c.decision);
        let record = ConsentRecord { decision, at: now };
        match decision {
            ConsentDecision::Keep => {
                if already == Some(ConsentDecision::Decline) {
                    return Err(CommandError::ConsentAlreadyDeclined);
                }
                self.require(Action::CustomerKeep, kind)?;
                if already == Some(ConsentDecision::Keep) {
                    return Ok(None);
                }
                let mut step = self.step(Action::CustomerKeep);
                step.next.consent = Some(record);
                Ok(Some(step))
            }
            ConsentDecision::Decline => {
                if lifecycle::transition(Action::CustomerDecline, self.status).is_some() {
                    let mut step = self.transition(Action::CustomerDecline, kind)?;
                    step.next.consent = Some(record);
                    let reason = step
                        .reasons
                        .first()
                        .copied()
                        .unwrap_or(Reason::CustomerDecline);
                    step.notifications
                        .push(if step.next.status == Status::Ended {
                            NotificationKind::PartnerAssociationEnded { reason }
                        } else {
                            NotificationKind::PartnerRejected {
                                reasons: vec![reason],
                                comment: None,
                                dispute_by: None,
                            }
                        });
                    return Ok(Some(step));
                }
                // After the claim ended another way: record the customer's word, change nothing else.
                self.require(Action::CustomerDecline, kind)?;
                if already == Some(ConsentDecision::Decline) {
                    return Ok(None);
                }
                let mut step = self.step(Action::CustomerDecline);
                step.next.consent = Some(record);
                Ok(Some(step))
            }
        }
    }

    fn deadline_reached(
        &self,
        status: Status,
        generation: u64,
        now: DateTime<Utc>,
        kind: lifecycle::ActorKind,
    ) -> Result<Result<Step, DeadlineSkip>, CommandError> {
        let Some(deadline) = self.deadline.as_ref() else {
            return Ok(Err(DeadlineSkip::Stale));
        };
        if status != self.status || generation != deadline.generation {
            return Ok(Err(DeadlineSkip::Stale));
        }
        if deadline.breached_at.is_some() {
            return Ok(Err(DeadlineSkip::AlreadyHandled));
        }
        if now < deadline.due_at {
            return Ok(Err(DeadlineSkip::NotDue));
        }
        match deadline.kind.effect() {
            DeadlineEffect::RecordSlaBreach => {
                self.require(Action::RecordSlaBreach, kind)?;
                let mut step = self.step(Action::RecordSlaBreach);
                step.next.sla_breaches.push(SlaBreach {
                    kind: deadline.kind,
                    status: self.status,
                    due_at: deadline.due_at,
                    recorded_at: now,
                });
                if let Some(d) = &mut step.next.deadline {
                    d.breached_at = Some(now);
                }
                Ok(Ok(step))
            }
            DeadlineEffect::Transition(action) => {
                let mut step = self.transition(action, kind)?;
                match action {
                    Action::Activate => step.notifications.push(NotificationKind::PartnerActivated),
                    Action::AutoReject => {
                        step.notifications.push(NotificationKind::PartnerRejected {
                            reasons: vec![Reason::NoPartnerResponse],
                            comment: None,
                            dispute_by: None,
                        })
                    }
                    Action::CloseDisputeWindow => {
                        // That the window closed, then why it was rejected in the first place.
                        let mut codes = vec![Reason::DisputeWindowClosed];
                        codes.extend(
                            self.status_reason
                                .iter()
                                .flat_map(|r| r.codes.iter().copied()),
                        );
                        let comment = self.status_reason.as_ref().and_then(|r| r.comment.clone());
                        step.next.status_reason = Some(StatusReason {
                            codes: codes.clone(),
                            comment,
                        });
                        step.reasons = codes;
                    }
                    _ => {}
                }
                Ok(Ok(step))
            }
        }
    }

    /// A partner ending the claim (withdraw, disassociate): the row's reason code plus the
    /// partner's words, on the claim and in history.
    fn partner_ending(
        &self,
        action: Action,
        kind: lifecycle::ActorKind,
        reason: LongText,
    ) -> Result<Step, CommandError> {
        let mut step = self.transition(action, kind)?;
        if let Some(r) = &mut step.next.status_reason {
            r.comment = Some(reason.clone());
        }
        step.comment = Some(reason);
        Ok(step)
    }

    /// Refuses an action the lifecycle does not allow from this status by this kind of actor.
    fn require(&self, action: Action, kind: lifecycle::ActorKind) -> Result<(), CommandError> {
        if lifecycle::allowed(action, self.status, kind) {
            Ok(())
        } else {
            Err(CommandError::NotAllowed {
                action,
                status: self.status,
            })
        }
    }

    fn step(&self, action: Action) -> Step {
        Step {
            action,
            next: self.clone(),
            reasons: Vec::new(),
            comment: None,
            changed_fields: Vec::new(),
            poe_ids: Vec::new(),
            notifications: Vec::new(),
            changes_claim: true,
        }
    }

    /// A status change, straight from the transition table: the next status and any fixed
    /// reason come from the row.
    fn transition(&self, action: Action, kind: lifecycle::ActorKind) -> Result<Step, CommandError> {
        let row = lifecycle::transition(action, self.status)
            .filter(|t| t.by == kind)
            .ok_or(CommandError::NotAllowed {
                action,
                status: self.status,
            })?;
        let mut step = self.step(action);
        step.next.status = row.to;
        step.next.status_reason = row.reason.map(|r| StatusReason {
            codes: vec![r],
            comment: None,
        });
        step.reasons = row.reason.into_iter().collect();
        Ok(step)
    }

    /// Completes a step: version, deadline, history, event, notifications, holds, schedules.
    fn finish(
        &self,
        mut step: Step,
        actor: &Actor,
        now: DateTime<Utc>,
        policy: &DeadlinePolicy,
    ) -> Outcome {
        let next = &mut step.next;
        if step.changes_claim {
            next.version = self.version + 1;
            next.updated_at = now;
        }
        if next.status != self.status {
            next.deadline = DeadlineKind::for_status(next.status).map(|kind| Deadline {
                kind,
                due_at: kind.span(policy).after(&policy.calendar, now),
                generation: next.version,
                breached_at: None,
            });
        }
        next.history_seq = self.history_seq + 1;
        let due = next.deadline.as_ref().map(|d| d.due_at);
        let opt_out_until = next.deadline_for(Status::Approved);
        let notifications = step
            .notifications
            .into_iter()
            .map(|kind| match kind {
                // Dates that depend on the new deadline are filled in here.
                NotificationKind::CustomerConsent {
                    stage: ConsentStage::Approved,
                    ..
                } => NotificationKind::CustomerConsent {
                    stage: ConsentStage::Approved,
                    opt_out_until,
                },
                NotificationKind::PartnerApproved { .. } => NotificationKind::PartnerApproved {
                    opt_out_until: opt_out_until.unwrap_or(now),
                },
                NotificationKind::PartnerActionRequired {
                    reasons, comment, ..
                } => NotificationKind::PartnerActionRequired {
                    reasons,
                    comment,
                    respond_by: due.unwrap_or(now),
                },
                NotificationKind::PartnerRejected {
                    reasons, comment, ..
                } => NotificationKind::PartnerRejected {
                    reasons,
                    comment,
                    dispute_by: next.deadline_for(Status::Rejected),
                },
                other => other,
            })
            .enumerate()
            .map(|(i, kind)| {
                let to = match kind {
                    NotificationKind::CustomerConsent { .. } => {
                        next.content.customer_contact().email.clone()
                    }
                    _ => next.content.partner_contact().email.clone(),
                };
                Notification {
                    id: format!("{}-h{}-{i}", next.id, next.history_seq),
                    claim_id: next.id,
                    to,
                    kind,
                }
            })
            .collect();
        let entry = HistoryEntry {
            seq: next.history_seq,
            at: now,
            actor: actor.reference(),
            action: step.action,
            from: Some(self.status),
            to: next.status,
            reasons: step.reasons,
            comment: step.comment,
            changed_fields: step.changed_fields,
            poe_ids: step.poe_ids,
        };
        let events = if step.changes_claim {
            vec![next.event(step.action, Some(self.status), now)]
        } else {
            Vec::new()
        };
        let locks = LockDelta::between(
            &held_keys(self.status, &self.content),
            &held_keys(next.status, &next.content),
        );
        let schedule = ScheduleChange::between(self.pending_schedule(), next.pending_schedule());
        Outcome {
            claim: step.next,
            write: if step.changes_claim {
                Write::Update
            } else {
                Write::AppendHistory
            },
            skipped: None,
            history: vec![entry],
            events,
            notifications,
            locks,
            schedule,
        }
    }

    fn event(&self, action: Action, from: Option<Status>, now: DateTime<Utc>) -> DomainEvent {
        DomainEvent {
            id: format!("{}-v{}", self.id, self.version),
            detail_type: detail_type(action, self.status).to_owned(),
            claim_id: self.id,
            partner_id: self.partner_id.clone(),
            sequence: self.version,
            at: now,
            action,
            from,
            to: self.status,
            reasons: self
                .status_reason
                .as_ref()
                .map(|r| r.codes.clone())
                .unwrap_or_default(),
        }
    }

    /// The due instant of the current deadline, if the claim is in `status`.
    fn deadline_for(&self, status: Status) -> Option<DateTime<Utc>> {
        self.deadline
            .as_ref()
            .filter(|_| self.status == status)
            .map(|d| d.due_at)
    }

    /// The one-time schedule that should exist for this claim now, if any.
    pub fn pending_schedule(&self) -> Option<ScheduleSpec> {
        self.deadline
            .as_ref()
            .filter(|d| d.breached_at.is_none())
            .map(|d| ScheduleSpec {
                name: ScheduleSpec::name_for(self.id, self.status, d.generation),
                claim_id: self.id,
                status: self.status,
                generation: d.generation,
                due_at: d.due_at,
            })
    }

    /// When the sweep must look at this claim (the sparse due-date index), if ever.
    pub fn sweep_due_at(&self) -> Option<DateTime<Utc>> {
        self.pending_schedule().map(|s| s.due_at)
    }

    /// The deadline shown to people (`dueAt`), including a breached SLA's.
    pub fn due_at(&self) -> Option<DateTime<Utc>> {
        self.deadline.as_ref().map(|d| d.due_at)
    }

    pub fn id(&self) -> ClaimId {
        self.id
    }
    pub fn partner_id(&self) -> &PartnerId {
        &self.partner_id
    }
    pub fn created_by(&self) -> &UserId {
        &self.created_by
    }
    pub fn content(&self) -> &ClaimContent {
        &self.content
    }
    pub fn status(&self) -> Status {
        self.status
    }
    pub fn status_reason(&self) -> Option<&StatusReason> {
        self.status_reason.as_ref()
    }
    pub fn version(&self) -> u64 {
        self.version
    }
    pub fn history_seq(&self) -> u64 {
        self.history_seq
    }
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }
    pub fn updated_at(&self) -> DateTime<Utc> {
        self.updated_at
    }
    pub fn submitted_at(&self) -> Option<DateTime<Utc>> {
        self.submitted_at
    }
    pub fn poe(&self) -> &[PoeDocument] {
        &self.poe
    }
    pub fn deadline(&self) -> Option<&Deadline> {
        self.deadline.as_ref()
    }
    pub fn sla_breaches(&self) -> &[SlaBreach] {
        &self.sla_breaches
    }
    /// Whether the customer may still decide (the consent page offers the form).
    pub fn consent_open(&self) -> bool {
        self.status.consent_open()
    }

    pub fn consent(&self) -> Option<&ConsentRecord> {
        self.consent.as_ref()
    }
    pub fn dispute(&self) -> Option<&DisputeRecord> {
        self.dispute.as_ref()
    }
}

fn check_location(
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

fn check_acknowledgements(ack: Acknowledgements) -> Result<(), CommandError> {
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
fn check_reasons(
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

#[cfg(test)]
#[path = "claim_tests.rs"]
mod tests;
