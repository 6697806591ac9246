//! Delivering outbox entries: the email, schedule or event behind each, then marking it
//! delivered. Two paths, one rule — whoever takes an entry's lease delivers it, and the lease
//! is taken with a conditional write, so no two deliverers both deliver an entry:
//!
//! - from the table's stream, moments after the commit (`deliver-outbox`): the new entries of
//!   a batch at once ([`Deliverer::deliver_announced`]);
//! - from the sweep, for entries still due after the stream's grace or a failed attempt's
//!   backoff ([`Deliverer::deliver_due`]).
//!
//! A failed delivery is rescheduled with backoff; after `MAX_ATTEMPTS` it is parked for an
//! operator. Nothing here reads the claim: each entry carries what it needs.

use crate::domain::{
    ClaimId, DeadlinePolicy, EmailAddress, Language, NotificationKind, Recipient, RecipientRole,
};
use crate::mail::{Links, render, render_engagement};
use crate::outbox::{
    DELIVERY_LEASE, EngagementEmailKind, OutboxEntry, OutboxMessage, OutboxRef, backoff,
};
use crate::ports::{
    BusEvent, EventPublisher, Mailer, OutboxStore, PoeStorage, Schedules, StoreError, Unavailable,
};
use crate::tokens::{ConsentKind, LiveKeys};
use chrono::{DateTime, Duration, Utc};
use futures_util::future::join_all;

/// Where links in emails point, and how long consent links last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkSettings {
    /// e.g. `https://api.example.com/consent` — the token is appended as a path segment.
    pub consent_base_url: String,
    /// Where the portal is, e.g. `https://portal.example.com`: claims open at its routes
    /// `#/claims/<id>` and `#/engagement-claims/<id>` (`portal/app.js`).
    pub portal_base_url: String,
    /// Consent links expire this long after they are sent (the customer may decline "at any
    /// time", so it is long; an expired link's page offers a fresh one).
    pub consent_link_ttl: Duration,
}

impl LinkSettings {
    pub fn consent_url(&self, token: &str) -> String {
        format!("{}/{token}", self.consent_base_url.trim_end_matches('/'))
    }

    pub fn claim_url(&self, claim: ClaimId) -> String {
        format!(
            "{}/#/claims/{claim}",
            self.portal_base_url.trim_end_matches('/')
        )
    }

    pub fn engagement_claim_url(&self, claim: ClaimId) -> String {
        format!(
            "{}/#/engagement-claims/{claim}",
            self.portal_base_url.trim_end_matches('/')
        )
    }
}

/// What happened to one entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Delivered,
    /// The AWS call failed; the entry will be tried again (or was parked).
    Failed,
    /// Someone else holds the lease, or it was delivered meanwhile: nothing done.
    Skipped,
    /// This function has no client for it: made due at once for the sweep.
    HandedOff,
}

/// An entry's side effect done (to be marked delivered), or its outcome already recorded.
enum Attempt {
    Performed(OutboxRef),
    Settled(Delivery),
}

/// Counts for one batch (logged by the caller, asserted by tests).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    pub delivered: u32,
    pub failed: u32,
    pub skipped: u32,
    pub handed_off: u32,
}

impl FromIterator<Delivery> for DeliveryReport {
    fn from_iter<I: IntoIterator<Item = Delivery>>(outcomes: I) -> Self {
        let mut report = Self::default();
        for d in outcomes {
            report.add(d);
        }
        report
    }
}

impl DeliveryReport {
    fn add(&mut self, d: Delivery) {
        match d {
            Delivery::Delivered => self.delivered += 1,
            Delivery::Failed => self.failed += 1,
            Delivery::Skipped => self.skipped += 1,
            Delivery::HandedOff => self.handed_off += 1,
        }
    }
}

/// The outbox deliverer over its ports.
pub struct Deliverer<O, P, M, S, E> {
    pub store: O,
    pub poe: P,
    pub mailer: M,
    pub schedules: S,
    pub events: E,
    /// Signs consent links; a function without it hands consent emails to the sweep.
    pub keys: Option<LiveKeys>,
    /// Where email links point; a function without it hands emails to the sweep.
    pub links: Option<LinkSettings>,
    /// The spans emails state ("within 5 business days") and the zone dates are written in.
    pub policy: std::sync::Arc<DeadlinePolicy>,
    /// The language of emails to contacts who named none (`CPOR_DEFAULT_LANGUAGE`).
    pub language: Language,
    /// Where partners' comments are sent for the reviewers (`CPOR_REVIEWERS_EMAIL`), if anywhere.
    pub reviewers_email: Option<EmailAddress>,
}

impl<O, P, M, S, E> Deliverer<O, P, M, S, E>
where
    O: OutboxStore,
    P: PoeStorage,
    M: Mailer,
    S: Schedules,
    E: EventPublisher,
{
    /// Performs the side effect of one entry (no bookkeeping).
    async fn perform(&self, entry: &OutboxEntry) -> Result<(), Unavailable> {
        match &entry.message {
            OutboxMessage::Event { event } => self.events.publish(&[BusEvent::claim(event)?]).await,
            OutboxMessage::EngagementEvent { event } => {
                self.events.publish(&[BusEvent::engagement(event)?]).await
            }
            OutboxMessage::CreateSchedule { schedule } => self.schedules.create(schedule).await,
            OutboxMessage::CreateEngagementSchedule { due } => {
                self.schedules.create_engagement(entry.claim_id, due).await
            }
            OutboxMessage::DeleteSchedule { name } => self.schedules.delete(name).await,
            OutboxMessage::AttachPoe { keys } => {
                for key in keys {
                    self.poe.mark_attached(key).await?;
                }
                Ok(())
            }
            OutboxMessage::EngagementEmail { email } => {
                let Some(link_settings) = &self.links else {
                    return Err(Unavailable::new("render email", "no link settings"));
                };
                // A link lasts from when it is sent, and opens only for the contact it went to.
                let consent_url = match (email.kind, self.keys.as_ref().and_then(LiveKeys::current))
                {
                    (EngagementEmailKind::ConsentRequest { .. }, Some(keys)) => {
                        let token = keys.consent_token_for(
                            ConsentKind::Engagement,
                            entry.claim_id,
                            email.to.as_str(),
                            entry.created_at + link_settings.consent_link_ttl,
                        );
                        Some(link_settings.consent_url(&token))
                    }
                    _ => None,
                };
                let email = render_engagement(
                    email,
                    &link_settings.engagement_claim_url(entry.claim_id),
                    consent_url.as_deref(),
                    &self.policy,
                    self.language,
                );
                self.mailer.send(&email).await.map(|_| ())
            }
            OutboxMessage::Email {
                notification,
                context,
            } => {
                let Some(link_settings) = &self.links else {
                    return Err(Unavailable::new("render email", "no link settings"));
                };
                let to = match &notification.to {
                    Recipient::Contact(address) => address,
                    Recipient::Role(RecipientRole::Reviewers) => match &self.reviewers_email {
                        Some(address) => address,
                        None => {
                            // Nobody to tell: done (CPOR_REVIEWERS_EMAIL is optional).
                            tracing::info!(claim_id = %entry.claim_id, entry = %entry.id, "no reviewers address configured; email not sent");
                            return Ok(());
                        }
                    },
                };
                // A link lasts from when it is sent, and opens only for the contact it went to.
                let consent_url = match (
                    &notification.kind,
                    self.keys.as_ref().and_then(LiveKeys::current),
                ) {
                    (NotificationKind::CustomerConsent { .. }, Some(keys)) => {
                        let token = keys.consent_token(
                            entry.claim_id,
                            to.as_str(),
                            entry.created_at + link_settings.consent_link_ttl,
                        );
                        Some(link_settings.consent_url(&token))
                    }
                    _ => None,
                };
                let links = Links {
                    consent_url,
                    claim_url: link_settings.claim_url(entry.claim_id),
                };
                let email = render(
                    notification,
                    to.as_str(),
                    context,
                    &links,
                    &self.policy,
                    self.language,
                );
                self.mailer.send(&email).await.map(|_| ())
            }
        }
    }

    fn can_perform(&self, message: &OutboxMessage) -> bool {
        match message {
            OutboxMessage::Event { .. } | OutboxMessage::EngagementEvent { .. } => {
                self.events.wired()
            }
            OutboxMessage::Email { .. } => {
                self.mailer.wired() && self.keys.is_some() && self.links.is_some()
            }
            OutboxMessage::CreateSchedule { .. }
            | OutboxMessage::DeleteSchedule { .. }
            | OutboxMessage::CreateEngagementSchedule { .. } => self.schedules.wired(),
            OutboxMessage::AttachPoe { .. } => self.poe.wired(),
            OutboxMessage::EngagementEmail { .. } => {
                self.mailer.wired() && self.keys.is_some() && self.links.is_some()
            }
        }
    }

    /// Performs `entry`'s side effect under `lease_id`. A failure or a hand-off is recorded
    /// here; a success is returned for the caller to record (alone or with others).
    async fn attempt(
        &self,
        entry: &OutboxEntry,
        lease_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Attempt, StoreError> {
        let reference = OutboxRef {
            claim_id: entry.claim_id,
            entry_id: entry.id.clone(),
            due_at: entry.lease_until,
        };
        if !self.can_perform(&entry.message) {
            // Due now, for the sweep (which holds every client).
            self.store
                .retry_at(&reference, lease_id, Some(now), "handed to the sweep")
                .await?;
            return Ok(Attempt::Settled(Delivery::HandedOff));
        }
        match self.perform(entry).await {
            Ok(()) => {
                tracing::info!(claim_id = %entry.claim_id, entry = %entry.id, kind = entry.message.kind(), "outbox entry delivered");
                Ok(Attempt::Performed(reference))
            }
            Err(err) => {
                let next = backoff(entry.attempts, now);
                tracing::warn!(
                    claim_id = %entry.claim_id,
                    entry = %entry.id,
                    kind = entry.message.kind(),
                    attempts = entry.attempts + 1,
                    parked = next.is_none(),
                    error = %err,
                    "outbox delivery failed"
                );
                let cause = format!(
                    "{err}: {}",
                    std::error::Error::source(&err)
                        .map(ToString::to_string)
                        .unwrap_or_default()
                );
                self.store
                    .retry_at(&reference, lease_id, next, &cause)
                    .await?;
                Ok(Attempt::Settled(Delivery::Failed))
            }
        }
    }

    /// Delivers the new entries the table's stream announced (`deliver-outbox`), each as it
    /// was born (see [`crate::outbox`]), all entries at once, each as the sweep's
    /// [`Deliverer::deliver_due`] does: take it (a conditional write on the due time it was born
    /// with — a duplicate or late record, or one the sweep got to first, finds it taken or gone
    /// and is skipped), perform it, mark it delivered. Returns each
    /// entry's outcome, in order; an `Err` is bookkeeping that failed before anything was
    /// sent (the record may be retried; the entry is still due for the sweep either way).
    pub async fn deliver_announced(
        &self,
        announced: &[OutboxRef],
        lease_id: &str,
        now: DateTime<Utc>,
    ) -> Vec<Result<Delivery, StoreError>> {
        join_all(announced.iter().map(|due| async move {
            match self.take_and_attempt(due, lease_id, now).await? {
                Attempt::Settled(d) => Ok(d),
                Attempt::Performed(reference) => {
                    match self.store.delivered(&reference, lease_id, now).await {
                        Ok(_) => Ok(Delivery::Delivered),
                        Err(err) => {
                            // Sent, but not recorded: the sweep sends it again once the lease
                            // runs out (retrying the record would only find it taken).
                            tracing::warn!(claim_id = %reference.claim_id, entry = %reference.entry_id, error = %err, "marking an outbox entry delivered failed");
                            Ok(Delivery::Failed)
                        }
                    }
                }
            }
        }))
        .await
    }

    /// Takes the lease on a due entry and performs it: `Settled(Skipped)` if someone else
    /// holds it or it was delivered meanwhile.
    async fn take_and_attempt(
        &self,
        due: &OutboxRef,
        lease_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Attempt, StoreError> {
        match self
            .store
            .lease(due, lease_id, now + DELIVERY_LEASE)
            .await?
        {
            Some(entry) => self.attempt(&entry, lease_id, now).await,
            None => Ok(Attempt::Settled(Delivery::Skipped)),
        }
    }

    /// Delivers one due entry found by the sweep: take the lease, deliver, record.
    pub async fn deliver_due(
        &self,
        due: &OutboxRef,
        lease_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Delivery, StoreError> {
        match self.take_and_attempt(due, lease_id, now).await? {
            Attempt::Performed(reference) => {
                self.store.delivered(&reference, lease_id, now).await?;
                Ok(Delivery::Delivered)
            }
            Attempt::Settled(d) => Ok(d),
        }
    }

    /// Delivers every due entry in `refs` (the sweep's outbox pass).
    pub async fn deliver_all_due(
        &self,
        refs: &[OutboxRef],
        lease_id: &str,
        now: DateTime<Utc>,
    ) -> Result<DeliveryReport, StoreError> {
        let mut report = DeliveryReport::default();
        for r in refs {
            report.add(self.deliver_due(r, lease_id, now).await?);
        }
        Ok(report)
    }
}
