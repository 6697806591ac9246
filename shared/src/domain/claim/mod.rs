//! The claim aggregate: creating a claim and handling every command on it (SPEC §4).
//!
//! `Claim::handle` is pure: given the claim, who acts, the command, the time and the policy, it
//! returns the next claim with everything the change implies ([`Outcome`]) or a typed error
//! saying why not. Status changes are looked up in [`TRANSITIONS`](super::lifecycle::TRANSITIONS),
//! so the table and the behaviour cannot drift apart. Deadlines, workload holds and schedules are
//! derived from the claim before and after, never patched by hand per command.

pub use super::command::{
    Acknowledgements, Command, CommandError, DeadlineSkip, EmailFeedbackKind, Outcome,
    ReviewDecision, Write,
};

use super::access::{AccessError, Actor, Capability};
use super::command::{check_acknowledgements, check_location, check_reasons};
use super::content::{ClaimContent, ClaimInput, ClaimPatch, ValidationErrors};
use super::deadlines::{
    Deadline, DeadlineEffect, DeadlineKind, DeadlinePolicy, DecisionSla, SlaBreach,
};
use super::effects::{
    ConsentStage, DomainEvent, HistoryEntry, Notification, NotificationKind, Recipient,
    RecipientRole, ScheduleChange, ScheduleSpec, detail_type,
};
use super::lifecycle::{self, Action, Reason, Status};
use super::locks::{LockDelta, held_keys};
use super::poe::{MAX_POE_PER_CLAIM, PoeDocument};
use super::values::{ClaimId, LongText, PartnerId, PoeId, ShortText, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

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
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
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

mod finish;
#[cfg(test)]
mod tests;

/// A claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Claim {
    id: ClaimId,
    partner_id: PartnerId,
    /// The organisation's display name when the claim was created (customers see it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    partner_name: Option<ShortText>,
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
    /// Seed 003's overall decision SLA, while a decision is awaited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    decision_sla: Option<DecisionSla>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    sla_breaches: Vec<SlaBreach>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    consent: Option<ConsentRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dispute: Option<DisputeRecord>,
    /// A partner wrote last on the thread, and no reviewer has answered or acted since.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    awaiting_reviewer: bool,
    /// The SES reports already recorded (the last [`MAX_FEEDBACK_IDS`]), so a report delivered
    /// twice is recorded once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    email_feedback_ids: Vec<String>,
    /// When the consent email was last sent on request (a partner's resend, a customer's
    /// fresh link) within the last day: the policy's cooldown and daily cap count these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    consent_sends: Vec<DateTime<Utc>>,
}

/// How many SES report IDs a claim remembers to recognise a duplicate delivery.
pub const MAX_FEEDBACK_IDS: usize = 20;

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
            partner_name: partner.org_name.clone(),
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
            decision_sla: None,
            sla_breaches: Vec::new(),
            consent: None,
            dispute: None,
            awaiting_reviewer: false,
            email_feedback_ids: Vec::new(),
            consent_sends: Vec::new(),
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
            Command::RemovePoe(poe_id) => {
                self.require(Action::RemovePoe, kind)?;
                self.unsubmitted_poe(poe_id)?;
                let mut step = self.step(Action::RemovePoe);
                step.poe_ids.push(poe_id);
                step.next.poe.retain(|d| d.id != poe_id);
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
                self.require_uploaded(&uploaded)?;
                mark_submitted(&mut step.next.poe, now);
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
                // The thread reaches people (seed 003: reviewers and partners talk in
                // Comments); reviewers do not see a draft being written.
                let by_partner = kind == lifecycle::ActorKind::Partner;
                let for_reviewers = by_partner && self.status != Status::Draft;
                if for_reviewers {
                    step.notifications.push(NotificationKind::PartnerCommented {
                        comment: text.clone(),
                    });
                } else if !by_partner {
                    step.notifications
                        .push(NotificationKind::ReviewerCommented {
                            comment: text.clone(),
                        });
                }
                step.comment = Some(text);
                step.next.awaiting_reviewer = for_reviewers;
                // Only the flag flipping changes the claim; otherwise the thread grows alone.
                step.changes_claim = step.next.awaiting_reviewer != self.awaiting_reviewer;
                step
            }
            Command::ResendConsent => self.consent_send(
                Action::ResendConsent,
                ConsentStage::Resent,
                kind,
                now,
                policy,
            )?,
            Command::RequestConsentLink => self.consent_send(
                Action::RequestConsentLink,
                ConsentStage::FreshLink,
                kind,
                now,
                policy,
            )?,
            Command::EmailFeedback {
                kind: feedback,
                feedback_id,
                to_customer,
            } => {
                let action = match feedback {
                    EmailFeedbackKind::Bounce => Action::ConsentEmailBounced,
                    EmailFeedbackKind::Complaint => Action::EmailComplaint,
                };
                self.require(action, kind)?;
                if self.email_feedback_ids.contains(&feedback_id) {
                    return Ok(Outcome::nothing(self, None));
                }
                let mut step = self.step(action);
                let ids = &mut step.next.email_feedback_ids;
                ids.push(feedback_id);
                if ids.len() > MAX_FEEDBACK_IDS {
                    ids.remove(0);
                }
                if to_customer {
                    step.notifications
                        .push(NotificationKind::CustomerUnreachable {
                            complaint: feedback == EmailFeedbackKind::Complaint,
                        });
                }
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
                mark_submitted(&mut step.next.poe, now);
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
            actor.authorize(Capability::ChangeLocation, &self.partner_id)?;
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
        let deadline = match self.status_deadline_due(status, generation, now) {
            Ok(deadline) => deadline,
            // The overall decision SLA runs beside the status deadlines: any firing for the
            // claim records its breach once it is due.
            Err(skip) => {
                if !self.decision_sla.as_ref().is_some_and(|sla| sla.due(now)) {
                    return Ok(Err(skip));
                }
                self.require(Action::RecordSlaBreach, kind)?;
                let mut step = self.step(Action::RecordSlaBreach);
                step.next.record_decision_sla_breach(now);
                return Ok(Ok(step));
            }
        };
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
                // Both reviewer SLAs may have passed by the time one firing arrives.
                step.next.record_decision_sla_breach(now);
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
                    _ => {}
                }
                Ok(Ok(step))
            }
        }
    }

    /// The consent email sent again on request (a partner's resend, a customer's fresh link),
    /// within the policy's cooldown and daily cap per claim.
    fn consent_send(
        &self,
        action: Action,
        stage: ConsentStage,
        kind: lifecycle::ActorKind,
        now: DateTime<Utc>,
        policy: &DeadlinePolicy,
    ) -> Result<Step, CommandError> {
        self.require(action, kind)?;
        let limits = policy.consent_sends;
        if let Some(retry_after) = limits.next_allowed(&self.consent_sends, now) {
            return Err(CommandError::TooSoon { retry_after });
        }
        let mut step = self.step(action);
        step.next.consent_sends = limits.record(&self.consent_sends, now);
        step.notifications.push(NotificationKind::CustomerConsent {
            stage,
            opt_out_until: self.deadline_for(Status::Approved),
        });
        Ok(step)
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

    /// Records the overall decision SLA's breach if it is due (and not yet recorded).
    fn record_decision_sla_breach(&mut self, now: DateTime<Utc>) {
        let status = self.status;
        if let Some(sla) = self.decision_sla.as_mut().filter(|sla| sla.due(now)) {
            sla.breached_at = Some(now);
            self.sla_breaches.push(SlaBreach {
                kind: DeadlineKind::DecisionSla,
                status,
                due_at: sla.due_at,
                recorded_at: now,
            });
        }
    }

    /// The status deadline a firing for (`status`, `generation`) may apply now, or why not.
    fn status_deadline_due(
        &self,
        status: Status,
        generation: u64,
        now: DateTime<Utc>,
    ) -> Result<&Deadline, DeadlineSkip> {
        let deadline = self.deadline.as_ref().ok_or(DeadlineSkip::Stale)?;
        if status != self.status || generation != deadline.generation {
            return Err(DeadlineSkip::Stale);
        }
        if deadline.breached_at.is_some() {
            return Err(DeadlineSkip::AlreadyHandled);
        }
        if now < deadline.due_at {
            return Err(DeadlineSkip::NotDue);
        }
        Ok(deadline)
    }

    /// Refuses an action the lifecycle does not allow from this status by this kind of actor.
    /// Refuses unless every PoE document's object was verified in storage (`uploaded`): what a
    /// submission, an approval and a dispute stand on.
    pub fn require_uploaded(
        &self,
        uploaded: &std::collections::BTreeSet<PoeId>,
    ) -> Result<(), CommandError> {
        let missing: Vec<PoeId> = self
            .poe
            .iter()
            .map(|p| p.id)
            .filter(|id| !uploaded.contains(id))
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(CommandError::PoeNotUploaded { poe_ids: missing })
        }
    }

    /// The declared document `poe_id`, if it is not part of a submission yet: it may still be
    /// removed, or its upload redone through a fresh URL.
    pub fn unsubmitted_poe(&self, poe_id: PoeId) -> Result<&PoeDocument, CommandError> {
        let doc = self
            .poe
            .iter()
            .find(|d| d.id == poe_id)
            .ok_or(CommandError::PoeNotFound { poe_id })?;
        if doc.submitted_at.is_some() {
            return Err(CommandError::PoeSubmitted { poe_id });
        }
        Ok(doc)
    }

    /// Whether `actor` may add, remove or upload PoE now.
    pub fn may_change_poe(&self, actor: &Actor) -> Result<(), CommandError> {
        actor.authorize(Capability::Edit, &self.partner_id)?;
        self.require(Action::AddPoe, actor.kind())
    }

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
        step.next.status_reason = row.reason.map(|r| {
            // A rejection made final (the dispute window closed, the customer declined): why
            // it became final, then why it was rejected in the first place.
            let before = self
                .status_reason
                .as_ref()
                .filter(|_| self.status == Status::Rejected);
            StatusReason {
                codes: std::iter::once(r)
                    .chain(before.iter().flat_map(|b| b.codes.iter().copied()))
                    .collect(),
                comment: before.and_then(|b| b.comment.clone()),
            }
        });
        step.reasons = step
            .next
            .status_reason
            .as_ref()
            .map(|r| r.codes.clone())
            .unwrap_or_default();
        Ok(step)
    }
    /// The one-time schedule that should exist for this claim now, if any: the earlier of the
    /// status deadline and the overall decision SLA still to be applied.
    pub fn pending_schedule(&self) -> Option<ScheduleSpec> {
        let status_deadline = self
            .deadline
            .as_ref()
            .filter(|d| d.breached_at.is_none())
            .map(|d| ScheduleSpec {
                name: ScheduleSpec::name_for(self.id, self.status, d.generation),
                claim_id: self.id,
                status: self.status,
                generation: d.generation,
                due_at: d.due_at,
            });
        let decision = self
            .decision_sla
            .as_ref()
            .filter(|s| s.paused_at.is_none() && s.breached_at.is_none())
            .map(|s| ScheduleSpec {
                name: ScheduleSpec::name_for_decision_sla(self.id, s.generation),
                claim_id: self.id,
                status: self.status,
                generation: s.generation,
                due_at: s.due_at,
            });
        match (status_deadline, decision) {
            (Some(a), Some(b)) => Some(if b.due_at < a.due_at { b } else { a }),
            (a, b) => a.or(b),
        }
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
    /// Who customers are told is asking: the organisation's display name, or its partner ID
    /// when the token that created the claim carried no name.
    pub fn partner_name(&self) -> &str {
        self.partner_name
            .as_ref()
            .map_or(self.partner_id.as_str(), ShortText::as_str)
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
    /// When a decision is due under seed 003's overall SLA, while one is awaited.
    pub fn decision_due_at(&self) -> Option<DateTime<Utc>> {
        self.decision_sla.as_ref().map(|s| s.due_at)
    }
    pub fn decision_sla(&self) -> Option<&DecisionSla> {
        self.decision_sla.as_ref()
    }
    pub fn sla_breaches(&self) -> &[SlaBreach] {
        &self.sla_breaches
    }
    /// Whether the customer may still decide (the consent page offers the form).
    pub fn consent_open(&self) -> bool {
        self.status.consent_open()
    }

    /// A partner's comment waits for a reviewer (cleared by any reviewer comment or action).
    pub fn awaiting_reviewer(&self) -> bool {
        self.awaiting_reviewer
    }

    pub fn consent(&self) -> Option<&ConsentRecord> {
        self.consent.as_ref()
    }
    pub fn dispute(&self) -> Option<&DisputeRecord> {
        self.dispute.as_ref()
    }
}

/// The documents a submission (or a dispute) now stands on: from then on they stay.
fn mark_submitted(poe: &mut [PoeDocument], now: DateTime<Utc>) {
    for doc in poe.iter_mut().filter(|d| d.submitted_at.is_none()) {
        doc.submitted_at = Some(now);
    }
}
