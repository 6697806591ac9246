//! The outbox: every side effect of a state change (event, email, schedule create or delete)
//! becomes an entry written in the same transaction as the change, then delivered after it.
//!
//! Entry IDs are deterministic in the change (`ev-<event id>`, `em-<notification id>`,
//! `sc-<schedule>`, `sd-<schedule>`), so a retried commit cannot duplicate one. Each entry is
//! born in the sparse due index, due [`STREAM_GRACE`] after the commit: the table's stream
//! hands the new entry to `deliver-outbox` at once, which takes it with a conditional write on
//! that due time and delivers it; if the stream's delivery failed or never came, the entry is
//! due when the grace runs out and the sweep delivers it. Whoever takes an entry first delivers
//! it; the other finds it taken (or gone) and does nothing.

use crate::domain::engagement::events::EngagementEvent;
use crate::domain::engagement::{Due, EngagementClaim, EngagementOutcome, Notice, Usd};
use crate::domain::{
    Claim, ClaimId, DomainEvent, EmailAddress, Language, LanguageTag, Notification, Outcome,
    ScheduleSpec, Status,
};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// How long the stream's delivery has to take a new entry before the sweep may (the stream
/// delivers within a second; its retries take longer than this only when something is wrong).
pub const STREAM_GRACE: Duration = Duration::seconds(120);
/// How long a deliverer (the stream's or the sweep) holds an entry while delivering it: longer
/// than either function's timeout, so a lease runs out only when its holder is gone.
pub const DELIVERY_LEASE: Duration = Duration::seconds(180);
/// After this many failed attempts an entry stops being retried and waits in the index under
/// a far-future due time (an alarm on outbox age catches it).
pub const MAX_ATTEMPTS: u32 = 12;

/// What the claim looked like when an email was queued: enough to render it later, in the
/// reader's language, without reading the claim again (and without storing a rendered link or
/// token anywhere). Fields added later default, so entries queued before them still render.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmailContext {
    pub claim_name: String,
    pub partner_id: String,
    /// The organisation's display name, or its partner ID.
    #[serde(default)]
    pub partner_name: String,
    /// The partner contact, named in customer emails so the customer can tell who asks.
    #[serde(default)]
    pub partner_contact_name: String,
    #[serde(default)]
    pub partner_contact_email: String,
    pub customer_tenant: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_domain: Option<String>,
    pub customer_contact_name: String,
    pub products: Vec<ProductLine>,
    /// The languages the contacts named, if they did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_language: Option<Language>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_language: Option<Language>,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_at: Option<DateTime<Utc>>,
}

/// A product in an email: its name and, for Business Applications, the subscription.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", from = "ProductLineStored")]
pub struct ProductLine {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription_id: Option<String>,
}

/// Entries queued before products were structured hold one line of text each.
#[derive(Deserialize)]
#[serde(untagged)]
enum ProductLineStored {
    Line(String),
    #[serde(rename_all = "camelCase")]
    Product {
        name: String,
        #[serde(default)]
        subscription_id: Option<String>,
    },
}

impl From<ProductLineStored> for ProductLine {
    fn from(stored: ProductLineStored) -> Self {
        match stored {
            ProductLineStored::Line(name) => Self {
                name,
                subscription_id: None,
            },
            ProductLineStored::Product {
                name,
                subscription_id,
            } => Self {
                name,
                subscription_id,
            },
        }
    }
}

impl EmailContext {
    pub fn of(claim: &Claim) -> Self {
        let content = claim.content();
        let partner_contact = content.partner_contact();
        let customer_contact = content.customer_contact();
        Self {
            claim_name: content.name().to_string(),
            partner_id: claim.partner_id().to_string(),
            partner_name: claim.partner_name().to_owned(),
            partner_contact_name: partner_contact.name.to_string(),
            partner_contact_email: partner_contact.email.to_string(),
            customer_tenant: content.customer().tenant_id.to_string(),
            customer_domain: content.customer().domain.as_ref().map(ToString::to_string),
            customer_contact_name: customer_contact.name.to_string(),
            products: content
                .products()
                .iter()
                .map(|p| ProductLine {
                    name: p.product.display_name().to_owned(),
                    subscription_id: p.subscription_id.map(|s| s.to_string()),
                })
                .collect(),
            customer_language: customer_contact
                .language
                .as_ref()
                .map(LanguageTag::language),
            partner_language: partner_contact.language.as_ref().map(LanguageTag::language),
            status: claim.status(),
            submitted_at: claim.submitted_at(),
        }
    }

    /// Who is asking, for people: the display name, or the partner ID for old entries.
    pub fn partner(&self) -> &str {
        if self.partner_name.is_empty() {
            &self.partner_id
        } else {
            &self.partner_name
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum OutboxMessage {
    Event {
        event: Box<DomainEvent>,
    },
    Email {
        notification: Notification,
        context: Box<EmailContext>,
    },
    CreateSchedule {
        schedule: ScheduleSpec,
    },
    DeleteSchedule {
        name: String,
    },
    /// Keep these PoE objects: their claim was submitted (see `PoeStorage::mark_attached`).
    AttachPoe {
        keys: Vec<String>,
    },
    /// An email about MCI engagement claims (SPEC §9).
    EngagementEmail {
        email: Box<EngagementEmail>,
    },
    /// An MCI engagement claim's or referral's event.
    EngagementEvent {
        event: Box<EngagementEvent>,
    },
    /// The one-time schedule of what is next due on an engagement claim (the entry's claim).
    CreateEngagementSchedule {
        due: Due,
    },
}

impl OutboxMessage {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Event { .. } => "event",
            Self::Email { .. } => "email",
            Self::CreateSchedule { .. } => "create_schedule",
            Self::DeleteSchedule { .. } => "delete_schedule",
            Self::AttachPoe { .. } => "attach_poe",
            Self::EngagementEmail { .. } => "engagement_email",
            Self::EngagementEvent { .. } => "engagement_event",
            Self::CreateEngagementSchedule { .. } => "create_engagement_schedule",
        }
    }
}

/// One entry, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxEntry {
    pub claim_id: ClaimId,
    pub id: String,
    pub created_at: DateTime<Utc>,
    pub message: OutboxMessage,
    /// The lease the writer holds on it (see module docs).
    pub lease_id: String,
    pub lease_until: DateTime<Utc>,
    #[serde(default)]
    pub attempts: u32,
}

impl OutboxEntry {
    pub fn reference(&self) -> OutboxRef {
        OutboxRef {
            claim_id: self.claim_id,
            entry_id: self.id.clone(),
            due_at: self.lease_until,
        }
    }
}

/// An entry as found in the due index: which one, and the due time seen there (the lease is
/// taken only if it is still that).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRef {
    pub claim_id: ClaimId,
    pub entry_id: String,
    pub due_at: DateTime<Utc>,
}

/// The entries for an outcome, due at `now + STREAM_GRACE` under the commit's `lease_id`.
/// They are delivered independently and concurrently (distinct schedules, emails, events
/// carrying their own sequence numbers), so their order here only makes them easy to read.
pub fn entries_for(outcome: &Outcome, now: DateTime<Utc>, lease_id: &str) -> Vec<OutboxEntry> {
    let claim = &outcome.claim;
    let lease_until = now + STREAM_GRACE;
    let entry = |id: String, message: OutboxMessage| OutboxEntry {
        claim_id: claim.id(),
        id,
        created_at: now,
        message,
        lease_id: lease_id.to_owned(),
        lease_until,
        attempts: 0,
    };
    let mut entries = Vec::new();
    if let Some(name) = &outcome.schedule.delete {
        entries.push(entry(
            format!("sd-{name}"),
            OutboxMessage::DeleteSchedule { name: name.clone() },
        ));
    }
    if let Some(spec) = &outcome.schedule.create {
        entries.push(entry(
            format!("sc-{}", spec.name),
            OutboxMessage::CreateSchedule {
                schedule: spec.clone(),
            },
        ));
    }
    // What stands on the claim's PoE objects — a submission (first, again, or with a
    // dispute) and an approval — keeps them: each is tagged `attached` (the bucket's lifecycle
    // rule deletes uploads left `pending`). Documents added since the last of these are kept
    // by the next.
    let submits = outcome.history.iter().any(|h| {
        matches!(
            h.action,
            crate::domain::Action::Submit
                | crate::domain::Action::Resubmit
                | crate::domain::Action::Dispute
                | crate::domain::Action::Approve
                | crate::domain::Action::ApproveDispute
        )
    });
    if submits && !claim.poe().is_empty() {
        entries.push(entry(
            format!("ap-{}-v{}", claim.id(), claim.version()),
            OutboxMessage::AttachPoe {
                keys: claim
                    .poe()
                    .iter()
                    .map(|d| d.object_key(claim.id()))
                    .collect(),
            },
        ));
    }
    for event in &outcome.events {
        entries.push(entry(
            format!("ev-{}", event.id),
            OutboxMessage::Event {
                event: Box::new(event.clone()),
            },
        ));
    }
    if !outcome.notifications.is_empty() {
        let context = Box::new(EmailContext::of(claim));
        for notification in &outcome.notifications {
            entries.push(entry(
                format!("em-{}", notification.id),
                OutboxMessage::Email {
                    notification: notification.clone(),
                    context: context.clone(),
                },
            ));
        }
    }
    entries
}

/// Which engagement email.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EngagementEmailKind {
    /// To the partner contact: the customer was registered (seed 004's confirmation).
    Registered,
    /// To the customer contact: accept or decline taking part (a reminder when `resend`).
    ConsentRequest {
        resend: bool,
    },
    /// To the partner contact: what became of the request or the claim.
    ConsentGiven,
    ConsentDeclined,
    ConsentExpired,
    SubmissionExpired,
    /// To the partner contact: submit before the deadline two business days away.
    SubmissionReminder,
    Reviewed {
        approved: bool,
    },
}

impl EngagementEmailKind {
    /// The template name (a message tag on the email).
    pub fn code(self) -> &'static str {
        match self {
            Self::Registered => "engagement_registered",
            Self::ConsentRequest { .. } => "engagement_consent_request",
            Self::ConsentGiven => "engagement_consent_given",
            Self::ConsentDeclined => "engagement_consent_declined",
            Self::ConsentExpired => "engagement_consent_expired",
            Self::SubmissionExpired => "engagement_submission_expired",
            Self::SubmissionReminder => "engagement_submission_reminder",
            Self::Reviewed { .. } => "engagement_reviewed",
        }
    }

    fn of(notice: Notice) -> Self {
        match notice {
            Notice::CustomerConsentRequest { resend } => Self::ConsentRequest { resend },
            Notice::PartnerConsentGiven => Self::ConsentGiven,
            Notice::PartnerConsentDeclined => Self::ConsentDeclined,
            Notice::PartnerConsentExpired => Self::ConsentExpired,
            Notice::PartnerSubmissionExpired => Self::SubmissionExpired,
            Notice::PartnerSubmissionReminder => Self::SubmissionReminder,
            Notice::PartnerReviewed { approved } => Self::Reviewed { approved },
        }
    }

    /// Whether it goes to the customer contact (else to the partner contact).
    pub fn to_customer(self) -> bool {
        matches!(self, Self::ConsentRequest { .. })
    }
}

/// An engagement email as queued: everything it says, to render in the reader's language at
/// delivery (no link or token stored: the consent link is signed when it is sent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EngagementEmail {
    pub kind: EngagementEmailKind,
    pub to: EmailAddress,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<Language>,
    pub claim_name: String,
    /// The customer as the partner named them (`domain contoso.com`).
    pub customer: String,
    pub engagements: Vec<EngagementLine>,
    /// Who asks (the organisation's display name, else its ID), for the customer.
    #[serde(default)]
    pub partner_name: String,
    #[serde(default)]
    pub partner_contact_name: String,
    #[serde(default)]
    pub partner_contact_email: String,
    #[serde(default)]
    pub customer_contact_name: String,
    /// The deadline the email states (to consent, or to submit), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_at: Option<DateTime<Utc>>,
    /// A reviewer's comment or reasons, on a decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// One engagement claim in an email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EngagementLine {
    pub claim_id: ClaimId,
    pub engagement: String,
    pub consent_due_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposed_payment_usd: Option<Usd>,
}

impl EngagementLine {
    fn of(c: &EngagementClaim) -> Self {
        Self {
            claim_id: c.id(),
            engagement: c.engagement_name().to_string(),
            consent_due_at: c.consent_due_at(),
            proposed_payment_usd: c.proposed_payment_usd(),
        }
    }
}

fn engagement_email(
    kind: EngagementEmailKind,
    claims: &[&EngagementClaim],
) -> Option<EngagementEmail> {
    let c = claims.first()?;
    let (to, language) = if kind.to_customer() {
        let contact = c.customer_contact();
        (contact.email.clone(), contact.language.as_ref())
    } else {
        let contact = c.partner_contact();
        (contact.email.clone(), contact.language.as_ref())
    };
    Some(EngagementEmail {
        kind,
        to,
        language: language.map(LanguageTag::language),
        claim_name: c.name().to_string(),
        customer: c.customer().to_string(),
        engagements: claims.iter().map(|c| EngagementLine::of(c)).collect(),
        partner_name: c
            .partner_name()
            .map_or_else(|| c.partner_id().to_string(), ToString::to_string),
        partner_contact_name: c.partner_contact().name.to_string(),
        partner_contact_email: c.partner_contact().email.to_string(),
        customer_contact_name: c.customer_contact().name.to_string(),
        due_at: match kind {
            EngagementEmailKind::ConsentRequest { .. } => Some(c.consent_due_at()),
            EngagementEmailKind::ConsentGiven | EngagementEmailKind::SubmissionReminder => {
                c.submission_due_at()
            }
            _ => None,
        },
        comment: c.comment().map(ToString::to_string),
    })
}

/// The entries for an engagement change, due at `now + STREAM_GRACE` like every entry: one
/// confirmation to the partner contact for a registration (however many engagements it made
/// claims on), filed under the first claim; one email per notice of each claim, its ID fixed by
/// the claim's version so a retried commit cannot duplicate it.
pub fn engagement_entries(
    outcomes: &[EngagementOutcome],
    now: DateTime<Utc>,
    lease_id: &str,
) -> Vec<OutboxEntry> {
    let entry = |claim: &EngagementClaim, id: String, message: OutboxMessage| OutboxEntry {
        claim_id: claim.id(),
        id,
        created_at: now,
        message,
        lease_id: lease_id.to_owned(),
        lease_until: now + STREAM_GRACE,
        attempts: 0,
    };
    let email = |email: EngagementEmail| OutboxMessage::EngagementEmail {
        email: Box::new(email),
    };
    let mut entries = Vec::new();
    let confirmed: Vec<&EngagementClaim> = outcomes
        .iter()
        .filter(|o| o.confirm_registration)
        .map(|o| &o.claim)
        .collect();
    if let Some(confirmation) = engagement_email(EngagementEmailKind::Registered, &confirmed) {
        entries.push(entry(
            confirmed[0],
            format!("er-{}", confirmed[0].id()),
            email(confirmation),
        ));
    }
    for o in outcomes {
        if let Some(name) = &o.schedule.delete {
            let message = OutboxMessage::DeleteSchedule { name: name.clone() };
            entries.push(entry(&o.claim, format!("sd-{name}"), message));
        }
        if let Some(due) = &o.schedule.create {
            let id = format!("sc-{}", due.schedule);
            let message = OutboxMessage::CreateEngagementSchedule { due: due.clone() };
            entries.push(entry(&o.claim, id, message));
        }
        for event in o.events() {
            let id = format!("ev-{}", event.id);
            let message = OutboxMessage::EngagementEvent {
                event: Box::new(event),
            };
            entries.push(entry(&o.claim, id, message));
        }
        for (n, notice) in o.notices.iter().enumerate() {
            let kind = EngagementEmailKind::of(*notice);
            if let Some(notice) = engagement_email(kind, &[&o.claim]) {
                let id = format!("en-{}-v{}-{n}", o.claim.id(), o.claim.version());
                entries.push(entry(&o.claim, id, email(notice)));
            }
        }
    }
    entries
}

/// When to try a failed entry again: 30 s doubling to at most an hour; `None` once it has
/// failed [`MAX_ATTEMPTS`] times.
pub fn backoff(attempts: u32, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if attempts >= MAX_ATTEMPTS {
        return None;
    }
    let secs = 30i64.saturating_mul(1i64 << attempts.min(20)).min(3600);
    Some(now + Duration::seconds(secs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;

    #[test]
    fn submit_outcome_becomes_schedule_event_and_email_entries_with_stable_ids() {
        // GIVEN a draft with PoE, WHEN it is submitted
        let (claim, now) = claim_in(Status::Draft);
        let outcome = outcome_of(&claim, &admin(), submit(&claim), now);
        // THEN
        let entries = entries_for(&outcome, now, "lease-1");
        let kinds: Vec<_> = entries.iter().map(|e| e.message.kind()).collect();
        assert_eq!(kinds, ["create_schedule", "attach_poe", "event", "email"]);
        assert!(entries.iter().all(|e| e.lease_until == now + STREAM_GRACE));
        assert!(entries.iter().all(|e| !e.id.contains('#')));
        // the same outcome yields the same IDs (a retried commit cannot duplicate an entry)
        let again = entries_for(&outcome, now, "lease-2");
        let ids = |es: &[OutboxEntry]| es.iter().map(|e| e.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&entries), ids(&again));
    }

    #[test]
    fn backoff_grows_then_gives_up() {
        let now = monday();
        assert_eq!(backoff(0, now), Some(now + Duration::seconds(30)));
        assert_eq!(backoff(1, now), Some(now + Duration::seconds(60)));
        assert_eq!(backoff(9, now), Some(now + Duration::seconds(3600)));
        assert_eq!(backoff(MAX_ATTEMPTS, now), None);
    }
}
