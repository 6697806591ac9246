//! After registration (SPEC §9, "MCI engagements II"): the partner asks for the customer's
//! **opt-in** consent (the deal size fixed from then on, a referral created when the engagement
//! says so), may resend it as a reminder, the customer accepts or declines through the link,
//! the partner submits within the engagement's days and a reviewer decides. Deadlines expire the
//! claim (late and repeated firings change nothing); every terminal status frees the claim's
//! place under the customer cap.

use super::reference::Usd;
use super::{
    ContactInput, ContactsChange, EngagementAction, EngagementClaim, EngagementError,
    EngagementOutcome,
};
use crate::domain::access::{AccessError, Actor, Capability};
use crate::domain::calendar::BusinessCalendar;
use crate::domain::deadlines::SendLimits;
use crate::domain::validation::ValidationErrors;
use crate::domain::values::LongText;
use chrono::{DateTime, Days, Utc};
use serde::{Deserialize, Serialize};

/// The partner contact is reminded this many business days before the submission deadline
/// (issue "MCI engagements II").
pub const REMINDER_BUSINESS_DAYS: u32 = 2;

/// `POST /engagement-claims/{id}/consent-request`, as sent.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ConsentRequestInput {
    pub estimated_deal_size_usd: Option<f64>,
    pub disclaimer_accepted: Option<bool>,
    pub customer_contact: Option<ContactInput>,
    pub partner_contact: Option<ContactInput>,
}

/// A consent request with every field parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentRequest {
    /// The estimated first-12-months revenue in USD (seed 004): more than zero; affects neither
    /// eligibility nor payment.
    pub estimated_deal_size_usd: Usd,
    /// Contacts corrected one last time, when given.
    pub contacts: ContactsChange,
}

impl ConsentRequestInput {
    pub fn parse(&self) -> Result<ConsentRequest, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let deal = match self.estimated_deal_size_usd.map(Usd::from_dollars) {
            None => {
                errs.push("estimatedDealSizeUsd", "is required");
                None
            }
            Some(Ok(v)) if v.cents() > 0 => Some(v),
            Some(_) => {
                errs.push(
                    "estimatedDealSizeUsd",
                    "must be an amount of US dollars more than 0",
                );
                None
            }
        };
        if self.disclaimer_accepted != Some(true) {
            errs.push(
                "disclaimerAccepted",
                "must be true: the disclaimer is accepted",
            );
        }
        let contacts = ContactsChange::parse(
            self.customer_contact.as_ref(),
            self.partner_contact.as_ref(),
            &mut errs,
        );
        errs.into_result(|| {
            Some(ConsentRequest {
                estimated_deal_size_usd: deal?,
                contacts,
            })
        })
    }
}

/// What a reviewer decides on a submitted engagement claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewInput {
    Approve {
        comment: LongText,
    },
    Reject {
        reasons: Vec<String>,
        comment: LongText,
    },
}

/// An email a change sends (rendered at delivery, in the reader's language).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Notice {
    /// To the customer: accept or decline (a resend is a reminder, the same link).
    CustomerConsentRequest {
        resend: bool,
    },
    PartnerConsentGiven,
    PartnerConsentDeclined,
    PartnerConsentExpired,
    PartnerSubmissionExpired,
    /// The submission deadline is two business days away.
    PartnerSubmissionReminder,
    PartnerReviewed {
        approved: bool,
    },
}

/// The referral a consent request may create (seed 004's last section).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub enum ReferralKind {
    PartnerLed,
    CoSell,
}

/// A claim's referral. Its ID is the claim's: one referral per claim, and a repeated request
/// cannot make a second.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Referral {
    #[serde(rename = "type")]
    pub kind: ReferralKind,
    pub created_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub co_sell_at: Option<DateTime<Utc>>,
}

impl EngagementClaim {
    fn partner_may(&self, actor: &Actor) -> Result<(), EngagementError> {
        Ok(actor.authorize(Capability::Engage, &self.partner_id)?)
    }

    fn before_consent_deadline(&self, now: DateTime<Utc>) -> Result<(), EngagementError> {
        if now >= self.consent_due_at {
            return Err(EngagementError::DeadlinePassed {
                what: "obtain consent",
                due_at: self.consent_due_at,
            });
        }
        Ok(())
    }

    /// Sends the consent email: `registered` → `consent_requested`. The deal size is fixed
    /// from now on; the contacts may be corrected one last time. A referral is created when the
    /// engagement's referrals are on and the deal size reaches their minimum.
    pub fn request_consent(
        &self,
        actor: &Actor,
        req: &ConsentRequest,
        now: DateTime<Utc>,
    ) -> Result<EngagementOutcome, EngagementError> {
        self.partner_may(actor)?;
        self.may(EngagementAction::RequestConsent)?;
        self.before_consent_deadline(now)?;
        let mut next = self.clone();
        let mut changed = vec!["estimatedDealSizeUsd".to_owned()];
        changed.extend(req.contacts.apply(&mut next));
        next.estimated_deal_size_usd = Some(req.estimated_deal_size_usd);
        next.consent_sends = vec![now];
        let qualifies = next.referrals.enabled
            && next
                .referrals
                .min_deal_size_usd
                .is_none_or(|min| req.estimated_deal_size_usd >= min);
        if qualifies {
            next.referral = Some(Referral {
                kind: ReferralKind::PartnerLed,
                created_at: now,
                co_sell_at: None,
            });
        }
        let mut out = next.step(self, actor, EngagementAction::RequestConsent, changed, now);
        out.notices
            .push(Notice::CustomerConsentRequest { resend: false });
        Ok(out)
    }

    /// Sends the same link again as a reminder, within the per-claim limits.
    pub fn resend_consent(
        &self,
        actor: &Actor,
        limits: &SendLimits,
        now: DateTime<Utc>,
    ) -> Result<EngagementOutcome, EngagementError> {
        self.partner_may(actor)?;
        self.may(EngagementAction::ResendConsent)?;
        self.before_consent_deadline(now)?;
        if let Some(retry_after) = limits.next_allowed(&self.consent_sends, now) {
            return Err(EngagementError::TooSoon { retry_after });
        }
        let mut next = self.clone();
        next.consent_sends = limits.record(&self.consent_sends, now);
        let mut out = next.step(self, actor, EngagementAction::ResendConsent, vec![], now);
        out.notices
            .push(Notice::CustomerConsentRequest { resend: true });
        Ok(out)
    }

    /// The customer's answer through the link. Accepting starts the submission deadline and
    /// makes the customer known to the partner; the referral becomes co-sell when the
    /// customer's reference record qualifies. Declining ends the claim and frees its place.
    pub fn decide_consent(
        &self,
        actor: &Actor,
        accept: bool,
        co_sell_eligible: bool,
        calendar: &BusinessCalendar,
        now: DateTime<Utc>,
    ) -> Result<EngagementOutcome, EngagementError> {
        if !matches!(actor, Actor::Customer) {
            return Err(AccessError::Forbidden(Capability::ConsentDecision).into());
        }
        let action = if accept {
            EngagementAction::Accept
        } else {
            EngagementAction::Decline
        };
        self.may(action)?;
        self.before_consent_deadline(now)?;
        let mut next = self.clone();
        if !accept {
            let mut out = next.step(self, actor, action, vec![], now);
            out.notices.push(Notice::PartnerConsentDeclined);
            return Ok(out);
        }
        next.consented_at = Some(now);
        let due = now + Days::new(u64::from(self.submission_days));
        next.submission_due_at = Some(due);
        next.submission_reminder_at =
            Some(calendar.business_days_before(due, REMINDER_BUSINESS_DAYS)).filter(|at| *at > now);
        if let Some(r) = next.referral.as_mut().filter(|_| co_sell_eligible) {
            r.kind = ReferralKind::CoSell;
            r.co_sell_at = Some(now);
        }
        let mut out = next.step(self, actor, action, vec![], now);
        out.notices.push(Notice::PartnerConsentGiven);
        out.customer_known = true;
        Ok(out)
    }

    /// The claim's schedule or the sweep found it due. `None`: nothing is due — a firing that
    /// came early, twice, or for a claim that moved on. Past its deadline the claim expires
    /// (consent or submission); before it, a pending submission reminder is sent, once.
    pub fn on_due(&self, now: DateTime<Utc>) -> Option<EngagementOutcome> {
        let deadline = self.deadline()?;
        let remind = self.submission_reminder_at.filter(|at| now >= *at);
        let (action, notice) = if now >= deadline {
            [
                (
                    EngagementAction::ExpireConsent,
                    Notice::PartnerConsentExpired,
                ),
                (
                    EngagementAction::ExpireSubmission,
                    Notice::PartnerSubmissionExpired,
                ),
            ]
            .into_iter()
            .find(|(action, _)| self.may(*action).is_ok())?
        } else if remind.is_some() && self.may(EngagementAction::RemindSubmission).is_ok() {
            (
                EngagementAction::RemindSubmission,
                Notice::PartnerSubmissionReminder,
            )
        } else {
            return None;
        };
        let mut next = self.clone();
        next.submission_reminder_at = None;
        let mut out = next.step(self, &Actor::Scheduler, action, vec![], now);
        out.notices.push(notice);
        Some(out)
    }

    /// `consented` → `submitted`, before `submissionDueAt`.
    pub fn submit(
        &self,
        actor: &Actor,
        comment: Option<LongText>,
        now: DateTime<Utc>,
    ) -> Result<EngagementOutcome, EngagementError> {
        self.partner_may(actor)?;
        self.may(EngagementAction::Submit)?;
        if let Some(due_at) = self.submission_due_at.filter(|due| now >= *due) {
            return Err(EngagementError::DeadlinePassed {
                what: "submit",
                due_at,
            });
        }
        let mut next = self.clone();
        next.submitted_at = Some(now);
        next.comment = comment.clone();
        let mut out = next.step(self, actor, EngagementAction::Submit, vec![], now);
        out.history.comment = comment;
        Ok(out)
    }

    /// A reviewer's decision on a submitted claim: `completed` or `rejected_final`.
    pub fn review(
        &self,
        actor: &Actor,
        decision: &ReviewInput,
        now: DateTime<Utc>,
    ) -> Result<EngagementOutcome, EngagementError> {
        if !matches!(actor, Actor::Reviewer { .. }) {
            return Err(AccessError::Forbidden(Capability::Review).into());
        }
        let mut next = self.clone();
        let (action, comment, approved) = match decision {
            ReviewInput::Approve { comment } => (EngagementAction::Approve, comment, true),
            ReviewInput::Reject { reasons, comment } => {
                next.rejection_reasons = reasons.clone();
                (EngagementAction::Reject, comment, false)
            }
        };
        self.may(action)?;
        next.comment = Some(comment.clone());
        let mut out = next.step(self, actor, action, vec![], now);
        out.history.comment = Some(comment.clone());
        out.notices.push(Notice::PartnerReviewed { approved });
        Ok(out)
    }
}
