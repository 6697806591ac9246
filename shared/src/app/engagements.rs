//! The MCI engagement operations (seed 004, SPEC §9) over the ports: read the reference data
//! and the customer's standing, let the domain decide, commit the outcome with its outbox in
//! one transaction (the cap and the partner's slot enforced there again), answer.

use super::{App, Failure, Idempotent, MAX_ATTEMPTS, Wiring, lease_id};
use crate::domain::engagement::customers::{self, CustomerRow, Tab};
use crate::domain::engagement::{
    Assessment, CustomerIdentifier, Engagement, EngagementClaim, EngagementError,
    EngagementHistoryEntry, EngagementId, EngagementOutcome, EngagementStatus, Facts,
    IdentifierType, NamedCustomer, PageGroup, PartnerLocation, PlannedHours, ReferenceData,
    Registration, RegistrationFacts, RegistrationInput, Usd, eligibility,
};
use crate::domain::{AccessError, Actor, Capability, ClaimId, EmailAddress, PartnerUser};
use crate::failure::commit_failure;
use crate::outbox::engagement_entries;
use crate::ports::{
    CommitError, Continuation, DatasetInfo, EngagementCommit, EngagementStore,
    IdempotencyCompletion, ImportResult, Page, PoeStorage, ReadError, ReferenceKeys,
    ReferenceStore, ReferenceView, Revision,
};
use crate::tokens::{ConsentGrant, ConsentKind};
use chrono::{DateTime, Utc};
use sha2::Digest;

/// The partner user behind an engagement operation: the capability is checked here, so every
/// operation refuses reviewers and roles without it the same way.
fn engager(actor: &Actor) -> Result<&PartnerUser, Failure> {
    match actor {
        Actor::Partner(p) if p.can(Capability::Engage) => Ok(p),
        _ => Err(EngagementError::Access(AccessError::Forbidden(Capability::Engage)).into()),
    }
}

/// An engagement in the catalogue, with the caller's locations that may register for it.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogueEntry {
    pub engagement: Engagement,
    pub eligible_locations: Vec<PartnerLocation>,
}

/// What `POST /engagements/eligibility` asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EligibilityQuestion {
    pub customer: CustomerIdentifier,
    pub location: crate::domain::LocationId,
    pub customer_email: Option<EmailAddress>,
}

/// Its answer: per engagement of the catalogue, eligible or the reasons.
#[derive(Debug, Clone, PartialEq)]
pub struct EligibilityAnswer {
    pub resolved_tenant_id: Option<crate::domain::TenantId>,
    pub tenant_email_domain_mismatch: bool,
    pub engagements: Vec<Assessment>,
}

/// A variable-pay quote.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quote {
    pub proposed_payment_usd: Usd,
    pub opportunity_value_usd: Usd,
}

/// The largest reference data document read (the JSON is parsed in memory).
pub const MAX_REFERENCE_BYTES: u64 = 64 * 1024 * 1024;

/// What importing a reference document did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase", tag = "outcome")]
pub enum ReferenceImport {
    /// Written and made current.
    #[serde(rename_all = "camelCase")]
    Imported {
        engagements: usize,
        partner_locations: usize,
        customers: usize,
    },
    /// This document is the current dataset already (a repeated event).
    AlreadyCurrent,
    /// A document the bucket received later is current: this one is not used.
    Superseded,
    /// Refused whole; nothing of it is used. The reasons name fields, never values.
    Rejected { reasons: Vec<String> },
    /// The object is gone (deleted after the event).
    Missing,
    /// Not under `reference/`.
    NotReferenceData,
}

/// A page of the Customers page.
#[derive(Debug, Clone, PartialEq)]
pub enum CustomersPage {
    Customers(Vec<CustomerRow>),
    Complete(Vec<EngagementClaim>),
}

impl<W: Wiring> App<W> {
    /// Commits engagement outcomes with their outbox (and idempotency record) in one write.
    async fn commit_engagement(
        &self,
        prior: Option<Revision>,
        outcomes: &[EngagementOutcome],
        idem: Option<&Idempotent<'_, [EngagementClaim]>>,
        now: DateTime<Utc>,
    ) -> Result<(), CommitError> {
        let claims: Vec<EngagementClaim> = outcomes.iter().map(|o| o.claim.clone()).collect();
        let completion = idem.map(|i| IdempotencyCompletion {
            key: i.key.clone(),
            request_hash: i.request_hash.clone(),
            response: (i.respond)(&claims),
        });
        let entries = engagement_entries(outcomes, now, &lease_id());
        self.store
            .commit_engagement(EngagementCommit {
                prior,
                outcomes,
                outbox: &entries,
                idempotency: completion.as_ref(),
            })
            .await?;
        for o in outcomes {
            tracing::info!(
                claim_id = %o.claim.id(),
                version = o.claim.version(),
                status = o.claim.status().code(),
                "engagement claim committed"
            );
        }
        Ok(())
    }

    /// `GET /engagements`: the catalogue, each engagement with the caller's locations eligible
    /// for it.
    pub async fn engagement_catalogue(
        &self,
        actor: &Actor,
    ) -> Result<Vec<CatalogueEntry>, Failure> {
        let partner = engager(actor)?;
        let keys = ReferenceKeys {
            locations: partner.locations.iter().cloned().collect(),
            catalogue: true,
            ..ReferenceKeys::default()
        };
        let mut view = self.store.reference(&keys).await?;
        Ok(std::mem::take(&mut view.catalogue)
            .into_iter()
            .map(|engagement| CatalogueEntry {
                eligible_locations: view
                    .locations
                    .iter()
                    .filter(|l| {
                        eligibility::location_reasons(&engagement, &partner.org, Some(l)).is_empty()
                    })
                    .cloned()
                    .collect(),
                engagement,
            })
            .collect())
    }

    /// `view` with the named customer's record: there already, unless a domain was named by
    /// its tenant, whose record is then read from the same dataset.
    async fn with_checked_record(
        &self,
        named: &NamedCustomer,
        mut view: ReferenceView,
    ) -> Result<ReferenceView, Failure> {
        if named.checked == named.given {
            return Ok(view);
        }
        if let Some(dataset) = view.dataset.clone() {
            let keys = ReferenceKeys {
                customers: vec![named.checked.clone()],
                ..ReferenceKeys::default()
            };
            let tenant = self.store.reference_in(&dataset, &keys).await?;
            view.customers.extend(tenant.customers);
        }
        Ok(view)
    }

    /// `POST /engagements/eligibility`: every engagement of the catalogue assessed for this
    /// customer under this location.
    pub async fn check_eligibility(
        &self,
        actor: &Actor,
        q: &EligibilityQuestion,
    ) -> Result<EligibilityAnswer, Failure> {
        let partner = engager(actor)?;
        own_location(partner, &q.location)?;
        // The catalogue, the location and the customer's record; a domain's record names the
        // tenant whose record and standing on every engagement are read next, from the same
        // dataset. A customer named by its own identifier needs no such step: its standing on
        // the catalogue this process keeps is read beside the records — one round — and again
        // only if the dataset read has another catalogue (an import came between).
        let keys = ReferenceKeys {
            locations: vec![q.location.clone()],
            customers: vec![q.customer.clone()],
            catalogue: true,
            ..ReferenceKeys::default()
        };
        let kept = match q.customer.kind {
            IdentifierType::Domain => Vec::new(),
            _ => self.store.kept_catalogue(),
        };
        let early = async {
            match kept.is_empty() {
                true => None,
                false => Some(self.store.standing(&partner.org, &q.customer, &kept).await),
            }
        };
        let (first, early) = futures_util::future::join(self.store.reference(&keys), early).await;
        let first = first?;
        let named = named_in(&q.customer, &first)?;
        let ids: Vec<EngagementId> = first.catalogue.iter().map(|e| e.id.clone()).collect();
        let (view, standing) = match early {
            Some(standing) if ids == kept && named.checked == q.customer => (first, standing?),
            _ => {
                let (view, standing) = futures_util::future::join(
                    self.with_checked_record(&named, first),
                    self.store.standing(&partner.org, &named.checked, &ids),
                )
                .await;
                (view?, standing?)
            }
        };
        let record = view.customer(&named.checked);
        Ok(EligibilityAnswer {
            resolved_tenant_id: named.resolved_tenant_id,
            tenant_email_domain_mismatch: q
                .customer_email
                .as_ref()
                .is_some_and(|email| eligibility::tenant_email_mismatch(&named, record, email)),
            engagements: view
                .catalogue
                .iter()
                .zip(&standing.open_claims)
                .map(|(engagement, open)| {
                    eligibility::assess(Facts {
                        engagement,
                        partner: &partner.org,
                        location: view.location(&q.location),
                        customer: &named,
                        record,
                        open_claims: *open,
                    })
                })
                .collect(),
        })
    }

    /// `POST /engagements/{id}/quote`: the proposed payment for a variable-pay engagement.
    pub async fn quote(
        &self,
        actor: &Actor,
        engagement: &EngagementId,
        opportunity: &CustomerIdentifier,
        hours: PlannedHours,
    ) -> Result<Quote, Failure> {
        engager(actor)?;
        let view = self
            .store
            .reference(&ReferenceKeys {
                engagements: vec![engagement.clone()],
                customers: vec![opportunity.clone()],
                ..ReferenceKeys::default()
            })
            .await?;
        let not_eligible = |reason| {
            Failure::from(EngagementError::NotEligible(vec![Assessment {
                engagement_id: engagement.clone(),
                eligible: false,
                reasons: vec![reason],
            }]))
        };
        use crate::domain::engagement::IneligibleReason as R;
        let e = view
            .engagement(engagement)
            .ok_or_else(|| not_eligible(R::UnknownIdentifier))?;
        let rule = e.payment.as_ref().ok_or_else(|| {
            let mut errs = crate::domain::ValidationErrors::default();
            errs.push("engagementId", "is not a variable-pay engagement");
            Failure::Invalid(errs)
        })?;
        let value = view
            .customer(opportunity)
            .and_then(|c| c.value_usd)
            .ok_or_else(|| not_eligible(R::UnknownIdentifier))?;
        Ok(Quote {
            proposed_payment_usd: rule.proposed(hours, value),
            opportunity_value_usd: value,
        })
    }

    /// `POST /engagement-claims`: one `registered` claim per engagement, in one transaction.
    pub async fn register(
        &self,
        actor: &Actor,
        input: &RegistrationInput,
        idem: Option<&Idempotent<'_, [EngagementClaim]>>,
        now: DateTime<Utc>,
    ) -> Result<Vec<EngagementClaim>, Failure> {
        let partner = engager(actor)?;
        let reg = Registration::parse(input)?;
        let keys = ReferenceKeys {
            engagements: reg.engagement_ids.clone(),
            locations: vec![reg.location.clone()],
            customers: vec![reg.customer.clone()],
            ..ReferenceKeys::default()
        };
        // The records beside the customer's standing; a domain's record names the tenant
        // whose record and standing are read next, from the same dataset.
        let (view, standing) = if reg.customer.kind == IdentifierType::Domain {
            let first = self.store.reference(&keys).await?;
            let named = named_in(&reg.customer, &first)?;
            futures_util::future::join(
                self.with_checked_record(&named, first),
                self.store
                    .standing(&partner.org, &named.checked, &reg.engagement_ids),
            )
            .await
        } else {
            futures_util::future::join(
                async { Ok::<_, Failure>(self.store.reference(&keys).await?) },
                self.store
                    .standing(&partner.org, &reg.customer, &reg.engagement_ids),
            )
            .await
        };
        let (view, standing): (ReferenceView, _) = (view?, standing?);
        let named = named_in(&reg.customer, &view)?;
        let facts = RegistrationFacts {
            engagements: reg
                .engagement_ids
                .iter()
                .map(|id| (id.clone(), view.engagement(id)))
                .collect(),
            location: view.location(&reg.location),
            customer: &named,
            record: view.customer(&named.checked),
            open_claims: standing.open_claims.clone(),
            known: standing.partner_customer.as_ref().is_some_and(|c| c.known),
        };
        let outcomes = EngagementClaim::register(actor, &reg, &facts, ClaimId::generate, now)?;
        self.commit_engagement(None, &outcomes, idem, now)
            .await
            .map_err(commit_failure)?;
        Ok(outcomes.into_iter().map(|o| o.claim).collect())
    }

    /// Reads an engagement claim the actor may see (another organisation's is 404).
    pub async fn read_engagement_claim(
        &self,
        actor: &Actor,
        id: ClaimId,
    ) -> Result<EngagementClaim, Failure> {
        self.engagement_claim_for(id, |c| c.authorize_read(actor))
            .await
    }

    /// `GET /engagement-claims?status=…`: a reviewer's queue of engagement claims in one
    /// status, every partner's, oldest submission first. Only those who review may list it.
    pub async fn engagement_queue(
        &self,
        actor: &Actor,
        status: EngagementStatus,
        limit: u32,
        from: Option<&Continuation>,
    ) -> Result<Page<EngagementClaim>, Failure> {
        if !actor.can(Capability::Review) {
            return Err(EngagementError::Access(AccessError::Forbidden(Capability::Review)).into());
        }
        Ok(self.store.engagement_queue(status, limit, from).await?)
    }

    /// Reads an engagement claim and lets `may` say whether the caller may have it.
    async fn engagement_claim_for<T>(
        &self,
        id: ClaimId,
        may: impl FnOnce(&EngagementClaim) -> Result<T, AccessError>,
    ) -> Result<EngagementClaim, Failure> {
        allowed(self.store.engagement_claim(id).await?, may)
    }

    /// `GET /referrals/{id}`: a referral (its ID is its claim's) with its claim, for those who
    /// may open it.
    pub async fn read_referral(
        &self,
        actor: &Actor,
        id: ClaimId,
    ) -> Result<EngagementClaim, Failure> {
        self.engagement_claim_for(id, |c| c.authorize_referral(actor).map(|_| ()))
            .await
    }

    /// An engagement claim's history page, read with the claim at once.
    pub async fn engagement_history(
        &self,
        actor: &Actor,
        id: ClaimId,
        after: u64,
        limit: u32,
    ) -> Result<(Vec<EngagementHistoryEntry>, bool), Failure> {
        // Sellers read a co-sell claim and its referral, nothing else.
        if let Actor::Seller { .. } = actor {
            return Err(EngagementError::Access(AccessError::Forbidden(Capability::Read)).into());
        }
        let (claim, mut page) = self.store.engagement_with_history(id, after, limit).await?;
        allowed(claim, |c| c.authorize_read(actor))?;
        for entry in &mut page.items {
            entry.actor = entry.actor.as_seen_by(actor);
        }
        Ok((page.items, page.next.is_some()))
    }

    /// Reads the claim, lets `decide` change it, commits; a partner who named the version it
    /// saw (`If-Match`) gets 412 on a concurrent change, anyone else a fresh decision.
    pub async fn change_engagement_claim<F>(
        &self,
        actor: &Actor,
        id: ClaimId,
        expected: Option<u64>,
        idem: Option<&Idempotent<'_, [EngagementClaim]>>,
        now: DateTime<Utc>,
        decide: F,
    ) -> Result<EngagementClaim, Failure>
    where
        F: Fn(&EngagementClaim) -> Result<EngagementOutcome, EngagementError> + Send + Sync,
    {
        self.change_engagement_claim_from(actor, id, None, expected, idem, now, decide)
            .await
    }

    /// [`Self::change_engagement_claim`], deciding first on `read` when the caller has just
    /// read the claim (a lost race reads it again).
    #[allow(clippy::too_many_arguments)]
    async fn change_engagement_claim_from<F>(
        &self,
        actor: &Actor,
        id: ClaimId,
        mut read: Option<EngagementClaim>,
        expected: Option<u64>,
        idem: Option<&Idempotent<'_, [EngagementClaim]>>,
        now: DateTime<Utc>,
        decide: F,
    ) -> Result<EngagementClaim, Failure>
    where
        F: Fn(&EngagementClaim) -> Result<EngagementOutcome, EngagementError> + Send + Sync,
    {
        for attempt in 1..=MAX_ATTEMPTS {
            let claim = match read.take() {
                Some(claim) => claim,
                None => self
                    .store
                    .engagement_claim(id)
                    .await?
                    .ok_or(Failure::NotFound)?,
            };
            // A partner of another organisation learns nothing; the customer (through the
            // link) and the scheduler are checked by the domain's command itself.
            if let Actor::Partner(_) | Actor::Reviewer { .. } | Actor::Seller { .. } = actor {
                claim
                    .authorize_read(actor)
                    .map_err(|e| Failure::from(EngagementError::Access(e)))?;
            }
            if let Some(v) = expected {
                if claim.version() != v {
                    return Err(Failure::PreconditionFailed {
                        expected: v,
                        current: claim.version(),
                    });
                }
            }
            let outcome = decide(&claim)?;
            let prior = Revision {
                version: claim.version(),
                history_seq: claim.history_seq(),
            };
            match self
                .commit_engagement(Some(prior), std::slice::from_ref(&outcome), idem, now)
                .await
            {
                Ok(()) => return Ok(outcome.claim),
                Err(CommitError::Stale { found, .. }) => {
                    if let Some(v) = expected {
                        return Err(Failure::PreconditionFailed {
                            expected: v,
                            current: found.unwrap_or(v + 1),
                        });
                    }
                    tracing::info!(claim_id = %id, attempt, "lost a race; deciding again");
                }
                Err(e) => return Err(commit_failure(e)),
            }
        }
        Err(Failure::Busy)
    }

    /// The engagement claim an engagement consent link names, if the link is one we signed for
    /// an engagement claim, has not expired at `now` (`None`: expiry not checked) and went to
    /// the claim's current customer contact.
    pub async fn engagement_consent_claim(
        &self,
        token: &str,
        now: Option<DateTime<Utc>>,
    ) -> Result<(ConsentGrant, EngagementClaim), Failure> {
        let keys = self.keys()?;
        let grant = keys.open_consent_for(ConsentKind::Engagement, token)?;
        if now.is_some_and(|now| now >= grant.expires_at) {
            return Err(Failure::ConsentLinkExpired);
        }
        let claim = self
            .store
            .engagement_claim(grant.claim)
            .await?
            .ok_or(Failure::ConsentLinkInvalid)?;
        if !keys.sent_to(&grant, claim.customer_contact().email.as_str()) {
            return Err(Failure::ConsentLinkInvalid);
        }
        Ok((grant, claim))
    }

    /// `POST /consent/{token}` on an engagement link: the customer accepts or declines. The
    /// referral becomes co-sell when the customer's reference record says it qualifies.
    pub async fn engagement_consent_decide(
        &self,
        token: &str,
        accept: bool,
        now: DateTime<Utc>,
    ) -> Result<EngagementClaim, Failure> {
        let (grant, claim) = self.engagement_consent_claim(token, Some(now)).await?;
        let co_sell = if accept && claim.referral().is_some() {
            let view = self
                .store
                .reference(&ReferenceKeys {
                    customers: vec![claim.customer_key().clone()],
                    ..ReferenceKeys::default()
                })
                .await?;
            view.customer(claim.customer_key())
                .is_some_and(|c| c.co_sell_eligible)
        } else {
            false
        };
        let calendar = &self.policy.calendar;
        self.change_engagement_claim_from(
            &Actor::Customer,
            grant.claim,
            Some(claim),
            None,
            None,
            now,
            |c| c.decide_consent(&Actor::Customer, accept, co_sell, calendar, now),
        )
        .await
    }

    /// What is due on an engagement claim, as its schedule or the sweep finds it: `true` if a
    /// deadline expired it or its reminder went out now, `false` if nothing was due (a late or
    /// repeated firing, or a claim that moved on — a concurrent change is decided again on a
    /// fresh read).
    pub async fn engagement_due(&self, id: ClaimId, now: DateTime<Utc>) -> Result<bool, Failure> {
        for _ in 1..=MAX_ATTEMPTS {
            let Some(claim) = self.store.engagement_claim(id).await? else {
                return Ok(false);
            };
            let Some(outcome) = claim.on_due(now) else {
                return Ok(false);
            };
            let prior = Revision {
                version: claim.version(),
                history_seq: claim.history_seq(),
            };
            match self
                .commit_engagement(Some(prior), std::slice::from_ref(&outcome), None, now)
                .await
            {
                Ok(()) => return Ok(true),
                Err(CommitError::Stale { .. }) => continue,
                Err(e) => return Err(commit_failure(e)),
            }
        }
        Err(Failure::Busy)
    }

    /// `GET /engagements/{id}/customers?tab=`: one page of the tab. The eligible and
    /// not-eligible tabs page through the partner's customers (a page may hold fewer rows than
    /// asked: customers that belong on another tab are left out); the complete tab pages
    /// through the partner's terminal claims on the engagement.
    pub async fn customers_page(
        &self,
        actor: &Actor,
        engagement: &EngagementId,
        tab: Tab,
        limit: u32,
        from: Option<&Continuation>,
    ) -> Result<(CustomersPage, Option<Continuation>), Failure> {
        let partner = engager(actor)?;
        if tab == Tab::Complete {
            let page = self
                .store
                .engagement_claims_in(&partner.org, engagement, PageGroup::Complete, limit, from)
                .await?;
            return Ok((CustomersPage::Complete(page.items), page.next));
        }
        let page = self
            .store
            .partner_customers(&partner.org, limit, from)
            .await?;
        let customers: Vec<CustomerIdentifier> =
            page.items.iter().map(|c| c.customer.clone()).collect();
        let claim_ids: Vec<ClaimId> = page
            .items
            .iter()
            .flat_map(|c| c.open_on(engagement).collect::<Vec<_>>())
            .collect();
        let keys = ReferenceKeys {
            engagements: vec![engagement.clone()],
            customers: customers.clone(),
            ..ReferenceKeys::default()
        };
        let (view, counts, claims) = futures_util::future::join3(
            self.store.reference(&keys),
            self.store.open_counts(engagement, &customers),
            self.store.engagement_claims(&claim_ids),
        )
        .await;
        let (view, counts, claims) = (view?, counts?, claims?);
        let Some(e) = view.engagement(engagement) else {
            return Err(Failure::NotFound);
        };
        let rows = page
            .items
            .iter()
            .zip(counts)
            .filter_map(|(pc, open_total)| {
                let mine: Vec<&EngagementClaim> = claims
                    .iter()
                    .filter(|c| c.customer_key() == &pc.customer)
                    .collect();
                customers::customer_row(tab, e, pc, view.customer(&pc.customer), open_total, &mine)
            })
            .collect();
        Ok((CustomersPage::Customers(rows), page.next))
    }

    /// Imports the reference data document at `key` in the bucket (S3 "Object Created"
    /// under `reference/`): checked whole, written whole, made current unless a document the
    /// bucket received later (a greater `sequencer`) already is.
    pub async fn import_reference_object(
        &self,
        key: &str,
        sequencer: &str,
        now: DateTime<Utc>,
    ) -> Result<ReferenceImport, Failure> {
        let document = match self.poe.read(key, MAX_REFERENCE_BYTES).await {
            Ok(Some(bytes)) => bytes,
            Ok(None) => return Ok(ReferenceImport::Missing),
            Err(ReadError::TooLarge { max_bytes }) => {
                return Ok(ReferenceImport::Rejected {
                    reasons: vec![format!("the document is larger than {max_bytes} bytes")],
                });
            }
            Err(ReadError::Unavailable(u)) => return Err(u.into()),
        };
        let data = match ReferenceData::parse(&document) {
            Ok(data) => data,
            Err(errors) => {
                return Ok(ReferenceImport::Rejected {
                    reasons: errors
                        .0
                        .iter()
                        .map(|e| format!("{}: {}", e.field, e.message))
                        .collect(),
                });
            }
        };
        let info = DatasetInfo {
            id: crate::domain::values::hex(&sha2::Sha256::digest(&document)),
            source: key.to_owned(),
            // S3 sequencers compare as hexadecimal numbers of varying length: padded, they
            // compare as strings.
            sequencer: format!("{:0>32}", sequencer.to_ascii_uppercase()),
            imported_at: now,
        };
        Ok(match self.store.import(&data, &info).await? {
            ImportResult::Imported => ReferenceImport::Imported {
                engagements: data.engagements.len(),
                partner_locations: data.partner_locations.len(),
                customers: data.customers.len(),
            },
            ImportResult::AlreadyCurrent => ReferenceImport::AlreadyCurrent,
            ImportResult::Superseded => ReferenceImport::Superseded,
        })
    }
}

/// The engagement claim read, if `may` lets the reader have it; one not there is 404.
fn allowed<T>(
    claim: Option<EngagementClaim>,
    may: impl FnOnce(&EngagementClaim) -> Result<T, AccessError>,
) -> Result<EngagementClaim, Failure> {
    let claim = claim.ok_or(Failure::NotFound)?;
    may(&claim).map_err(|e| Failure::from(EngagementError::Access(e)))?;
    Ok(claim)
}

fn own_location(
    partner: &PartnerUser,
    location: &crate::domain::LocationId,
) -> Result<(), Failure> {
    if partner.locations.contains(location) {
        Ok(())
    } else {
        let mut errs = crate::domain::ValidationErrors::default();
        errs.push(
            "partnerLocationId",
            "is not one of your organisation's locations",
        );
        Err(Failure::Invalid(errs))
    }
}

/// The customer a request names, from a reference read that asked for it: a domain by its
/// tenant (422 when the dataset does not know the domain), any other identifier as given.
fn named_in(given: &CustomerIdentifier, view: &ReferenceView) -> Result<NamedCustomer, Failure> {
    let domain_record = match given.kind {
        IdentifierType::Domain => view.customer(given),
        _ => None,
    };
    NamedCustomer::resolve(given.clone(), domain_record)
        .map_err(|e| EngagementError::from(e).into())
}
