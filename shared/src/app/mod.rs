//! The operations behind the functions, over the ports and free of HTTP: read a claim, let the
//! domain decide, commit the outcome and its outbox in one transaction, answer. The outbox is
//! delivered after the answer, from the table's stream (`deliver-outbox`, [`Deliverer`]), and
//! by the sweep for whatever the stream could not deliver. Every function's handler parses its
//! request, calls one of these and maps the result (`crate::http`).
//!
//! Commands from people who did not name a version (reviewers, customers, the scheduler) are
//! retried on a concurrent change: the domain decides again on the fresh claim, so a decline
//! racing the activation sweep, or two reviewers deciding at once, each end in one outcome.
//! A partner's edit names the version it saw (`If-Match`) and is refused instead (412).

use crate::delivery::{Deliverer, Delivery};
use crate::domain::listing::{self, ClaimList, PartitionPage, Resume, Search};
use crate::domain::{
    Actor, Claim, ClaimId, ClaimInput, Command, CommandError, ConsentDecision, DeadlinePolicy,
    EmailFeedbackKind, HistoryEntry, Language, Outcome, PoeDocument, PoeId, PoePolicy,
    PoeUploadRequest, Write,
};
pub use crate::failure::Failure;
use crate::failure::commit_failure;
use crate::outbox::{OutboxEntry, OutboxRef, entries_for};
use crate::ports::{
    ClaimReader, ClaimWriter, Commit, CommitError, Continuation, DeadlinePayload, DueWork,
    EventPublisher, IdempotencyCompletion, IdempotencyKey, IdempotencyStart, IdempotencyStore,
    ListFilter, Mailer, ObjectMeta, OutboxStore, PoeMismatch, PoeStorage, PresignedRequest,
    Revision, Schedules, StoreError, StoredResponse, UploadSpec,
};
use crate::ports::{EngagementStore, ReferenceStore};
use crate::tokens::ConsentGrant;
use chrono::{DateTime, Utc};
use std::collections::BTreeSet;

mod engagements;
pub use engagements::{
    CatalogueEntry, CustomersPage, EligibilityAnswer, EligibilityQuestion, MAX_REFERENCE_BYTES,
    Quote, ReferenceImport,
};

/// How often a command is re-decided on a fresh read after losing a race.
const MAX_ATTEMPTS: u32 = 4;

/// An `Idempotency-Key` request in progress: its key, its body's hash, and how to describe a
/// successful result as the response to replay.
pub struct Idempotent<'a, T: ?Sized = Claim> {
    pub key: IdempotencyKey,
    pub request_hash: String,
    pub respond: &'a (dyn Fn(&T) -> StoredResponse + Send + Sync),
}

/// What an operation on one claim returns.
#[derive(Debug, Clone)]
pub struct Done {
    pub claim: Claim,
    /// `false` when nothing changed (an idempotent repeat).
    pub changed: bool,
}

/// The result of starting an idempotent request.
pub enum Started<'a, T: ?Sized = Claim> {
    Run(Option<Idempotent<'a, T>>),
    Replay(StoredResponse),
}

/// Counts from one sweep (logged; asserted by tests).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweepReport {
    pub deadlines_seen: u32,
    pub deadlines_applied: u32,
    pub deadlines_skipped: u32,
    pub outbox_delivered: u32,
    pub outbox_failed: u32,
    pub outbox_skipped: u32,
    pub errors: u32,
    /// How long the oldest due outbox entry has waited past its due time (seconds), if any:
    /// the outbox-age alarm's metric.
    pub oldest_outbox_due_seconds: Option<i64>,
}

/// Which adapter serves each port. A function wires only what it needs (and has IAM
/// permissions for); the rest are [`crate::ports::Unwired`].
pub trait Wiring: Send + Sync + 'static {
    type Store: ClaimReader
        + ClaimWriter
        + OutboxStore
        + IdempotencyStore
        + EngagementStore
        + ReferenceStore
        + Clone;
    type Poe: PoeStorage + Clone;
    type Mail: Mailer;
    type Schedules: Schedules;
    type Events: EventPublisher;
}

/// The outbox deliverer over a wiring's adapters.
pub type WiredDeliverer<W> = Deliverer<
    <W as Wiring>::Store,
    <W as Wiring>::Poe,
    <W as Wiring>::Mail,
    <W as Wiring>::Schedules,
    <W as Wiring>::Events,
>;

/// Everything an operation may use, built once per cold start.
pub struct App<W: Wiring> {
    pub store: W::Store,
    pub poe: W::Poe,
    pub deliverer: WiredDeliverer<W>,
    pub policy: std::sync::Arc<DeadlinePolicy>,
    pub poe_policy: PoePolicy,
    /// The language for people who named none (`CPOR_DEFAULT_LANGUAGE`).
    pub language: Language,
}

fn lease_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// The claim read, if `actor` may read it; a claim that is not there is 404.
fn readable(actor: &Actor, claim: Option<Claim>) -> Result<Claim, Failure> {
    let claim = claim.ok_or(Failure::NotFound)?;
    actor
        .authorize(crate::domain::Capability::Read, claim.partner_id())
        .map_err(|e| Failure::from(CommandError::Access(e)))?;
    Ok(claim)
}

impl<W: Wiring> App<W> {
    /// Starts a request that may carry an `Idempotency-Key`.
    pub async fn start<'a, T: ?Sized>(
        &self,
        idem: Option<Idempotent<'a, T>>,
        now: DateTime<Utc>,
    ) -> Result<Started<'a, T>, Failure> {
        let Some(idem) = idem else {
            return Ok(Started::Run(None));
        };
        match self.store.begin(&idem.key, &idem.request_hash, now).await? {
            IdempotencyStart::Fresh => Ok(Started::Run(Some(idem))),
            IdempotencyStart::Completed(response) => Ok(Started::Replay(response)),
            IdempotencyStart::InProgress => Err(Failure::IdempotencyInProgress),
            IdempotencyStart::Mismatch => Err(Failure::IdempotencyMismatch),
        }
    }

    /// After a failed idempotent request: free the key so a corrected retry can run.
    pub async fn abandon<T: ?Sized>(&self, idem: Option<&Idempotent<'_, T>>) {
        if let Some(idem) = idem {
            if let Err(e) = self.store.abandon(&idem.key).await {
                tracing::warn!(error = %e, "could not release an idempotency key; it expires");
            }
        }
    }

    /// Commits an outcome with its outbox entries (and the idempotency record) in one write.
    /// Nothing is delivered here: the entries reach `deliver-outbox` through the table's stream.
    async fn commit(
        &self,
        prior: Option<Revision>,
        outcome: &Outcome,
        idem: Option<&Idempotent<'_>>,
        now: DateTime<Utc>,
    ) -> Result<(), CommitError> {
        let completion = idem.map(|i| IdempotencyCompletion {
            key: i.key.clone(),
            request_hash: i.request_hash.clone(),
            response: (i.respond)(&outcome.claim),
        });
        if outcome.write == Write::Nothing {
            if let Some(c) = &completion {
                self.store
                    .complete(c, now)
                    .await
                    .map_err(|e| CommitError::Inconsistent(e.to_string()))?;
            }
            return Ok(());
        }
        let entries: Vec<OutboxEntry> = entries_for(outcome, now, &lease_id());
        self.store
            .commit(Commit {
                prior,
                outcome,
                outbox: &entries,
                idempotency: completion.as_ref(),
            })
            .await?;
        tracing::info!(
            claim_id = %outcome.claim.id(),
            version = outcome.claim.version(),
            status = %outcome.claim.status(),
            outbox = entries.len(),
            "claim committed"
        );
        Ok(())
    }

    /// `POST /claims`.
    pub async fn create(
        &self,
        actor: &Actor,
        input: &ClaimInput,
        idem: Option<&Idempotent<'_>>,
        now: DateTime<Utc>,
    ) -> Result<Done, Failure> {
        let outcome = Claim::create(ClaimId::generate(), actor, input, now)?;
        self.commit(None, &outcome, idem, now)
            .await
            .map_err(commit_failure)?;
        Ok(Done {
            claim: outcome.claim,
            changed: true,
        })
    }

    /// Reads a claim the actor may see.
    pub async fn read(&self, actor: &Actor, id: ClaimId) -> Result<Claim, Failure> {
        readable(actor, self.store.get(id).await?)
    }

    /// A claim's history page (comments included), for those who may read the claim. The claim
    /// (who may read it) and the page are read at once — one request for the first page
    /// ([`ClaimReader::with_history`]) — and the page is returned only if the claim may be read.
    pub async fn history(
        &self,
        actor: &Actor,
        id: ClaimId,
        after: u64,
        limit: u32,
    ) -> Result<(Vec<HistoryEntry>, bool), Failure> {
        let (claim, mut page) = self.store.with_history(id, after, limit).await?;
        readable(actor, claim)?;
        for entry in &mut page.items {
            entry.actor = entry.actor.as_seen_by(actor);
        }
        Ok((page.items, page.next.is_some()))
    }

    /// A page of a list of claims: one page read from each of its partitions at once, merged
    /// in the list's order ([`listing::merge`]), `search` applied. The continuation says where
    /// each partition resumes. The caller has already checked who may run `list`.
    pub async fn list(
        &self,
        list: &ClaimList,
        filter: &ListFilter,
        search: &Search,
        limit: u32,
        from: Option<&Continuation>,
        now: DateTime<Utc>,
    ) -> Result<(Vec<Claim>, Option<Continuation>), Failure> {
        let corrupt = |message: &str| StoreError::Corrupt {
            what: "list cursor",
            message: message.to_owned(),
        };
        // The cursor keeps each partition's position as text (the store's positions are JSON).
        let from: Vec<Resume<String>> = match from {
            None => vec![Resume::Start; list.queries.len()],
            Some(c) => serde_json::from_slice(&c.0).map_err(|e| corrupt(&e.to_string()))?,
        };
        if from.len() != list.queries.len() {
            return Err(corrupt("partitions differ").into());
        }
        let from: Vec<Resume<Continuation>> = from
            .into_iter()
            .map(|r| r.map(|p| Continuation(p.into_bytes())))
            .collect();
        let reads = list
            .queries
            .iter()
            .zip(&from)
            .map(|(query, at)| async move {
                let position = match at {
                    Resume::Done => {
                        return Ok(PartitionPage {
                            items: vec![],
                            next: None,
                        });
                    }
                    Resume::Start => None,
                    Resume::After(p) => Some(p),
                };
                let page = self.store.list(query, filter, limit, position).await?;
                Ok::<_, StoreError>(PartitionPage {
                    items: page.items,
                    next: page.next,
                })
            });
        let pages = futures_util::future::try_join_all(reads).await?;
        let (claims, state) = listing::merge(list.order, &from, pages, limit as usize, |c| {
            search.matches(c, now)
        });
        let next = state
            .map(|state| {
                let text = state
                    .into_iter()
                    .map(|r| r.try_map(|p| String::from_utf8(p.0)))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| corrupt(&e.to_string()))?;
                serde_json::to_vec(&text)
                    .map(Continuation)
                    .map_err(|e| corrupt(&e.to_string()))
            })
            .transpose()?;
        Ok((claims, next))
    }

    /// Reads the claim, asks `make` for the command (it may inspect the claim), lets the
    /// domain decide, commits and delivers. `expected` is the version the caller saw
    /// (`If-Match`); without it a lost race is re-decided on a fresh read.
    #[allow(clippy::too_many_arguments)] // the one command runner; each argument is distinct
    pub async fn execute<F>(
        &self,
        actor: &Actor,
        id: ClaimId,
        expected: Option<u64>,
        first_read: Option<Claim>,
        idem: Option<&Idempotent<'_>>,
        now: DateTime<Utc>,
        mut make: F,
    ) -> Result<Done, Failure>
    where
        F: FnMut(&Claim) -> Result<Command, Failure> + Send,
    {
        let mut first_read = first_read;
        for attempt in 1..=MAX_ATTEMPTS {
            let claim = match first_read.take() {
                Some(c) => c,
                None => self.store.get(id).await?.ok_or(Failure::NotFound)?,
            };
            if let Actor::Partner(p) = actor {
                if &p.org != claim.partner_id() {
                    return Err(Failure::NotFound);
                }
            }
            if let Some(v) = expected {
                if claim.version() != v {
                    return Err(Failure::PreconditionFailed {
                        expected: v,
                        current: claim.version(),
                    });
                }
            }
            let command = make(&claim)?;
            let outcome = claim.handle(actor, command, now, &self.policy)?;
            let changed = outcome.write != Write::Nothing;
            match self
                .commit(Some(Revision::of(&claim)), &outcome, idem, now)
                .await
            {
                Ok(()) => {
                    return Ok(Done {
                        claim: outcome.claim,
                        changed,
                    });
                }
                Err(CommitError::Stale { found, .. }) => {
                    if let Some(v) = expected {
                        return Err(Failure::PreconditionFailed {
                            expected: v,
                            current: found.unwrap_or(v + 1),
                        });
                    }
                    tracing::info!(claim_id = %id, attempt, "lost a race; deciding again");
                    if attempt == MAX_ATTEMPTS {
                        return Err(Failure::Busy);
                    }
                }
                Err(e) => return Err(commit_failure(e)),
            }
        }
        Err(Failure::Busy)
    }

    /// Checks a PoE declaration against the configured policy.
    pub fn declare_poe(
        &self,
        request: &PoeUploadRequest,
        now: DateTime<Utc>,
    ) -> Result<PoeDocument, Failure> {
        Ok(PoeDocument::declare(
            PoeId::generate(),
            request,
            &self.poe_policy,
            now,
        )?)
    }

    /// The presigned upload for a declared document (local signing, no network call): made
    /// before the commit, so an idempotent replay can return the same response.
    pub async fn presign_poe(
        &self,
        id: ClaimId,
        doc: &PoeDocument,
        now: DateTime<Utc>,
    ) -> Result<PresignedRequest, Failure> {
        Ok(self
            .poe
            .presign_upload(&UploadSpec::for_document(id, doc), now)
            .await?)
    }

    /// `POST /claims/{id}/submit`: checks every PoE object with S3, then submits.
    pub async fn submit(
        &self,
        actor: &Actor,
        id: ClaimId,
        acknowledgements: crate::domain::Acknowledgements,
        comment: Option<crate::domain::LongText>,
        idem: Option<&Idempotent<'_>>,
        now: DateTime<Utc>,
    ) -> Result<Done, Failure> {
        let claim = self.store.get(id).await?.ok_or(Failure::NotFound)?;
        actor
            .authorize(crate::domain::Capability::Submit, claim.partner_id())
            .map_err(|e| Failure::from(CommandError::Access(e)))?;
        let uploaded = self.uploaded_poe(&claim).await?;
        self.execute(actor, id, None, Some(claim), idem, now, move |_| {
            Ok(Command::Submit {
                acknowledgements,
                comment: comment.clone(),
                uploaded: uploaded.clone(),
            })
        })
        .await
    }

    /// The claim's PoE documents whose objects are in storage as declared (size, type,
    /// checksum), each checked with S3 at once. An object that is there but does not match its
    /// declaration is a 409 naming it; a missing one is left out.
    pub async fn uploaded_poe(&self, claim: &Claim) -> Result<BTreeSet<PoeId>, Failure> {
        let checks = claim.poe().iter().map(|doc| async move {
            let spec = UploadSpec::for_document(claim.id(), doc);
            let meta = self.poe.head(&spec.key).await?;
            Ok::<_, Failure>((doc.id, ObjectMeta::verify(meta.as_ref(), &spec)))
        });
        let mut uploaded = BTreeSet::new();
        for result in futures_util::future::join_all(checks).await {
            match result? {
                (id, Ok(())) => {
                    uploaded.insert(id);
                }
                (_, Err(PoeMismatch::Missing)) => {}
                (poe_id, Err(m)) => {
                    return Err(Failure::PoeMismatch {
                        poe_id,
                        mismatch: describe_mismatch(&m),
                    });
                }
            }
        }
        Ok(uploaded)
    }

    /// A command that stands on the claim's PoE (an approval, a dispute — see
    /// `Command::relies_on_poe`): every document is checked with S3 first and the decision is
    /// refused unless all are there as declared; its outbox then tags them `attached`.
    pub async fn execute_on_poe(
        &self,
        actor: &Actor,
        id: ClaimId,
        expected: Option<u64>,
        idem: Option<&Idempotent<'_>>,
        now: DateTime<Utc>,
        command: Command,
    ) -> Result<Done, Failure> {
        let claim = self.store.get(id).await?.ok_or(Failure::NotFound)?;
        // Nothing is checked with S3 for someone who may not decide (another organisation
        // learns nothing).
        actor
            .authorize(command.capability(), claim.partner_id())
            .map_err(|e| Failure::from(CommandError::Access(e)))?;
        let uploaded = self.uploaded_poe(&claim).await?;
        self.execute(actor, id, expected, Some(claim), idem, now, move |c| {
            c.require_uploaded(&uploaded)?;
            Ok(command.clone())
        })
        .await
    }

    /// `DELETE /claims/{id}/poe/{poeId}`: removes a declaration that is not part of a
    /// submission (an abandoned upload no longer blocks submitting).
    pub async fn remove_poe(
        &self,
        actor: &Actor,
        id: ClaimId,
        poe_id: PoeId,
        idem: Option<&Idempotent<'_>>,
        now: DateTime<Utc>,
    ) -> Result<Done, Failure> {
        self.execute(actor, id, None, None, idem, now, move |_| {
            Ok(Command::RemovePoe(poe_id))
        })
        .await
    }

    /// `POST /claims/{id}/poe/{poeId}/upload-url`: a fresh upload URL for a declaration not yet
    /// uploaded (the first one lasts minutes); the same key, type, length and checksum.
    pub async fn renew_poe_upload(
        &self,
        actor: &Actor,
        id: ClaimId,
        poe_id: PoeId,
        now: DateTime<Utc>,
    ) -> Result<PresignedRequest, Failure> {
        // The object's key is made of the two IDs, so it is looked up beside the claim; what
        // S3 says is used only once the claim says the caller may renew the upload.
        let key = crate::domain::poe::object_key(id, poe_id);
        let (claim, meta) =
            futures_util::future::join(self.read(actor, id), self.poe.head(&key)).await;
        let claim = claim?;
        claim.may_change_poe(actor)?;
        let doc = claim.unsubmitted_poe(poe_id)?;
        let spec = UploadSpec::for_document(id, doc);
        if ObjectMeta::verify(meta?.as_ref(), &spec).is_ok() {
            return Err(CommandError::PoeUploaded { poe_id }.into());
        }
        Ok(self.poe.presign_upload(&spec, now).await?)
    }

    /// The token key ring now (consent links, cursors).
    pub fn keys(&self) -> Result<std::sync::Arc<crate::tokens::KeyRing>, Failure> {
        self.deliverer
            .keys
            .as_ref()
            .and_then(crate::tokens::LiveKeys::current)
            .ok_or_else(|| Failure::Unavailable("no token keys (CPOR_TOKEN_KEYS_SECRET)".into()))
    }

    /// Reads the token key ring from its secret again if it is due (at cold start, then every
    /// `CPOR_TOKEN_KEYS_REFRESH_SECONDS`); nothing for a function without keys or fixed keys.
    pub async fn refresh_keys(&self) {
        if let Some(keys) = &self.deliverer.keys {
            keys.refresh().await;
        }
    }

    /// `GET /claims/{id}/poe/{poeId}`: a short-lived download URL.
    pub async fn download_poe(
        &self,
        actor: &Actor,
        id: ClaimId,
        poe_id: PoeId,
        now: DateTime<Utc>,
    ) -> Result<PresignedRequest, Failure> {
        let claim = self.read(actor, id).await?;
        let doc = claim
            .poe()
            .iter()
            .find(|d| d.id == poe_id)
            .ok_or(Failure::PoeNotFound)?;
        Ok(self
            .poe
            .presign_download(&doc.object_key(id), doc.file_name.as_str(), now)
            .await?)
    }

    /// Opens a consent link: ours, for a claim we have, sent to the claim's current customer
    /// contact (a link sent to a previous contact stops working when the contact changes), and
    /// — when `now` is given — not expired.
    async fn open_link(
        &self,
        token: &str,
        now: Option<DateTime<Utc>>,
    ) -> Result<(ConsentGrant, Claim), Failure> {
        let keys = self.keys()?;
        let grant = match now {
            Some(now) => keys.verify_consent(token, now)?,
            None => keys.open_consent(token)?,
        };
        let claim = self
            .store
            .get(grant.claim)
            .await?
            .ok_or(Failure::ConsentLinkInvalid)?;
        if !keys.sent_to(&grant, claim.content().customer_contact().email.as_str()) {
            return Err(Failure::ConsentLinkInvalid);
        }
        Ok((grant, claim))
    }

    /// Verifies a consent link and returns the claim it is for.
    pub async fn consent_claim(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<(ConsentGrant, Claim), Failure> {
        self.open_link(token, Some(now)).await
    }

    /// `POST /consent/{token}`: records the customer's decision.
    pub async fn consent_decide(
        &self,
        token: &str,
        decision: ConsentDecision,
        now: DateTime<Utc>,
    ) -> Result<Done, Failure> {
        let (grant, claim) = self.consent_claim(token, now).await?;
        self.execute(
            &Actor::Customer,
            grant.claim,
            None,
            Some(claim),
            None,
            now,
            move |_| Ok(Command::Consent(decision)),
        )
        .await
    }

    /// `POST /consent/{token}` with `request=link`: emails a fresh link to the customer contact
    /// on file. Works from an expired link too (signature and contact checked, expiry not): the
    /// link itself decides nothing, and the email goes only to the address the claim holds.
    pub async fn consent_fresh_link(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<Done, Failure> {
        let (grant, claim) = self.open_link(token, None).await?;
        self.execute(
            &Actor::Customer,
            grant.claim,
            None,
            Some(claim),
            None,
            now,
            |_| Ok(Command::RequestConsentLink),
        )
        .await
        .map_err(|e| match e {
            Failure::NotFound => Failure::ConsentLinkInvalid,
            other => other,
        })
    }

    /// The claim an expired (but genuine, and current) link names, for its page's language.
    pub async fn consent_claim_expired(&self, token: &str) -> Option<Claim> {
        self.open_link(token, None)
            .await
            .ok()
            .map(|(_, claim)| claim)
    }

    /// Records what SES reported about one of a claim's emails (`email-feedback`): once per
    /// report, and only while the claim is under way.
    pub async fn email_feedback(
        &self,
        claim: ClaimId,
        kind: EmailFeedbackKind,
        feedback_id: &str,
        to_customer: bool,
        now: DateTime<Utc>,
    ) -> Result<Done, Failure> {
        let command = Command::EmailFeedback {
            kind,
            feedback_id: feedback_id.to_owned(),
            to_customer,
        };
        self.execute(&Actor::Scheduler, claim, None, None, None, now, move |_| {
            Ok(command.clone())
        })
        .await
    }

    /// A one-time deadline schedule fired for one claim.
    pub async fn sweep_one(&self, payload: &DeadlinePayload, now: DateTime<Utc>) -> SweepReport {
        let mut report = SweepReport {
            deadlines_seen: 1,
            ..SweepReport::default()
        };
        let cmd = Command::DeadlineReached {
            status: payload.status,
            generation: payload.version,
        };
        self.apply_deadline(payload.claim_id, cmd, now, &mut report)
            .await;
        report
    }

    /// An engagement claim's one-time schedule fired: what is due on it, if anything.
    pub async fn sweep_engagement(&self, claim: ClaimId, now: DateTime<Utc>) -> SweepReport {
        let mut report = SweepReport::default();
        self.apply_engagement_due(claim, now, &mut report).await;
        report
    }

    async fn apply_engagement_due(
        &self,
        claim: ClaimId,
        now: DateTime<Utc>,
        report: &mut SweepReport,
    ) {
        report.deadlines_seen += 1;
        match self.engagement_due(claim, now).await {
            Ok(true) => report.deadlines_applied += 1,
            Ok(false) => report.deadlines_skipped += 1,
            Err(e) => {
                tracing::warn!(claim_id = %claim, error = %e.chain(), "engagement deadline not applied; the next sweep retries");
                report.errors += 1;
            }
        }
    }

    async fn apply_deadline(
        &self,
        id: ClaimId,
        cmd: Command,
        now: DateTime<Utc>,
        report: &mut SweepReport,
    ) {
        match self
            .execute(&Actor::Scheduler, id, None, None, None, now, move |_| {
                Ok(cmd.clone())
            })
            .await
        {
            Ok(done) if done.changed => report.deadlines_applied += 1,
            Ok(_) => report.deadlines_skipped += 1,
            Err(Failure::NotFound) => report.deadlines_skipped += 1,
            Err(e) => {
                tracing::warn!(claim_id = %id, error = %e, "deadline not applied; the next sweep retries");
                report.errors += 1;
            }
        }
    }

    /// Delivers the new outbox entries the table's stream announced (`deliver-outbox`): each
    /// entry's outcome, in order (see [`Deliverer::deliver_announced`]).
    pub async fn deliver_announced(
        &self,
        announced: &[OutboxRef],
        now: DateTime<Utc>,
    ) -> Vec<Result<Delivery, StoreError>> {
        self.deliverer
            .deliver_announced(announced, &lease_id(), now)
            .await
    }

    /// The periodic sweep: every due deadline and every outbox entry whose lease ran out, as of
    /// `now`. Safe to run twice at once (each change is conditional; each delivery leased).
    pub async fn sweep_due(&self, now: DateTime<Utc>, batch: u32) -> SweepReport {
        let mut report = SweepReport::default();
        let work = match self.store.due(now, batch).await {
            Ok(w) => w,
            Err(e) => {
                tracing::error!(error = %e, "due index unreadable");
                report.errors += 1;
                return report;
            }
        };
        let lease = lease_id();
        report.oldest_outbox_due_seconds = work
            .iter()
            .filter_map(|w| match w {
                DueWork::Outbox(r) => Some(r.due_at),
                DueWork::Deadline { .. } | DueWork::EngagementDeadline { .. } => None,
            })
            .min()
            .map(|oldest| (now - oldest).num_seconds().max(0));
        for item in work {
            match item {
                DueWork::Deadline { claim, .. } => {
                    report.deadlines_seen += 1;
                    let claim_id = claim;
                    match self.store.get(claim_id).await {
                        Ok(Some(c)) => {
                            let Some(generation) = c.deadline().map(|d| d.generation) else {
                                report.deadlines_skipped += 1;
                                continue;
                            };
                            let cmd = Command::DeadlineReached {
                                status: c.status(),
                                generation,
                            };
                            self.apply_deadline(claim_id, cmd, now, &mut report).await;
                        }
                        Ok(None) => report.deadlines_skipped += 1,
                        Err(e) => {
                            tracing::warn!(claim_id = %claim_id, error = %e, "claim unreadable");
                            report.errors += 1;
                        }
                    }
                }
                DueWork::EngagementDeadline { claim, .. } => {
                    self.apply_engagement_due(claim, now, &mut report).await;
                }
                DueWork::Outbox(r) => match self.deliverer.deliver_due(&r, &lease, now).await {
                    Ok(Delivery::Delivered) => report.outbox_delivered += 1,
                    Ok(Delivery::Failed) => report.outbox_failed += 1,
                    Ok(_) => report.outbox_skipped += 1,
                    Err(e) => {
                        tracing::warn!(error = %e, "outbox entry not delivered");
                        report.errors += 1;
                    }
                },
            }
        }
        tracing::info!(?report, "sweep done");
        report
    }
}

fn describe_mismatch(m: &PoeMismatch) -> String {
    match m {
        PoeMismatch::Missing => "not uploaded".into(),
        PoeMismatch::Size { declared, stored } => {
            format!("declared {declared} bytes, uploaded {stored}")
        }
        PoeMismatch::ContentType { declared, stored } => format!(
            "declared {declared}, uploaded {}",
            stored.as_deref().unwrap_or("no type")
        ),
        PoeMismatch::Checksum => "the SHA-256 differs from the declared one".into(),
    }
}
