//! MCI engagements (seed 004, SPEC §9): the partner registers a customer for one or more
//! engagements of the catalogue, gets the customer's opt-in consent, and submits a claim on time.
//!
//! An [`EngagementClaim`] is its own aggregate with its own lifecycle, sharing values, actors,
//! history numbering and the outbox with CPOR claims. Like [`crate::domain::Claim`] it is pure:
//! the caller reads the facts (reference data, how many claims a customer already has), the
//! aggregate decides, and the store writes the outcome — with the cap and the one-claim-per-
//! partner rule enforced again in the same transaction, so a race cannot break them.

pub mod customers;
pub mod eligibility;
pub mod events;
pub mod lifecycle;
pub mod progress;
pub mod reference;
#[cfg(test)]
mod tests;

pub use eligibility::{Assessment, Facts, IneligibleReason, NamedCustomer, Unresolvable};
pub use progress::{
    ConsentRequest, ConsentRequestInput, Notice, Referral, ReferralKind, ReviewInput,
};
pub use reference::{
    CustomerIdentifier, CustomerRecord, Engagement, EngagementId, IdentifierType, PartnerLocation,
    PayType, PlannedHours, ReferenceData, Referrals, Usd,
};

use super::access::{AccessError, Actor, ActorRef, Capability};
use super::content::PartnerContact;
use super::validation::ValidationErrors;
use super::values::{
    ClaimId, ClaimName, EmailAddress, LanguageTag, LocationId, LongText, PartnerId, ShortText,
    TenantId, UserId,
};
use chrono::{DateTime, Days, Utc};
use serde::{Deserialize, Serialize};

/// Where an engagement claim is in its lifecycle (issue "MCI engagements II" adds the moves
/// after registration; the statuses are fixed here so stored claims never change meaning).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub enum EngagementStatus {
    Registered,
    ConsentRequested,
    Consented,
    Submitted,
    Completed,
    Declined,
    ConsentExpired,
    SubmissionExpired,
    Cancelled,
    RejectedFinal,
}

/// How a status shows on the Customers page (seed 004).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PageGroup {
    /// Not terminal: it holds a place under the customer cap.
    Open,
    /// Terminal with nothing pending: the "complete" tab.
    Complete,
    /// Declined, or no consent in time: the customer drops off the engagement's page.
    Dropped,
}

impl EngagementStatus {
    pub fn code(self) -> &'static str {
        self.into()
    }

    pub fn group(self) -> PageGroup {
        use EngagementStatus as S;
        match self {
            S::Registered | S::ConsentRequested | S::Consented | S::Submitted => PageGroup::Open,
            S::Completed | S::SubmissionExpired | S::Cancelled | S::RejectedFinal => {
                PageGroup::Complete
            }
            S::Declined | S::ConsentExpired => PageGroup::Dropped,
        }
    }

    pub fn is_terminal(self) -> bool {
        self.group() != PageGroup::Open
    }
}

/// What happened to an engagement claim (its history's `action`).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub enum EngagementAction {
    Register,
    Edit,
    Cancel,
    RequestConsent,
    ResendConsent,
    Accept,
    Decline,
    ExpireConsent,
    Submit,
    /// The partner contact was reminded that the submission deadline is near.
    RemindSubmission,
    ExpireSubmission,
    Approve,
    Reject,
}

impl EngagementAction {
    pub fn code(self) -> &'static str {
        self.into()
    }
}

/// How the partner named the customer (seed 004): a new one, or one it already knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub enum Source {
    Add,
    Claim,
}

/// The customer's contact on an engagement claim (the title is optional here).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct EngagementCustomerContact {
    pub name: ShortText,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<ShortText>,
    pub email: EmailAddress,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<LanguageTag>,
}

/// What a partner sends to register a customer (`POST /engagement-claims`), every field
/// optional so all missing ones are reported together.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct RegistrationInput {
    pub name: Option<String>,
    pub partner_location_id: Option<String>,
    pub source: Option<Source>,
    pub customer: Option<CustomerInput>,
    pub engagement_ids: Option<Vec<String>>,
    pub planned_hours: Option<u32>,
    pub tenant_mismatch_reason: Option<String>,
    pub customer_contact: Option<ContactInput>,
    pub partner_contact: Option<ContactInput>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CustomerInput {
    pub identifier_type: Option<IdentifierType>,
    pub value: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ContactInput {
    pub name: Option<String>,
    pub title: Option<String>,
    pub email: Option<String>,
    pub language: Option<String>,
}

/// `PATCH /engagement-claims/{id}`: contacts only, each replaced whole.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ContactsPatch {
    pub customer_contact: Option<ContactInput>,
    pub partner_contact: Option<ContactInput>,
}

/// A contacts change with every field parsed (`ContactsPatch::parse`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactsChange {
    pub customer_contact: Option<EngagementCustomerContact>,
    pub partner_contact: Option<PartnerContact>,
}

impl ContactsPatch {
    /// Parses the patch at the edge: every bad field named, an empty patch refused.
    pub fn parse(&self) -> Result<ContactsChange, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        if self.customer_contact.is_none() && self.partner_contact.is_none() {
            errs.push("", "name customerContact or partnerContact to change");
        }
        let change = ContactsChange::parse(
            self.customer_contact.as_ref(),
            self.partner_contact.as_ref(),
            &mut errs,
        );
        errs.into_result(|| Some(change))
    }
}

impl ContactsChange {
    /// Contacts given to replace the claim's (either may be absent), every bad field recorded.
    pub(crate) fn parse(
        customer: Option<&ContactInput>,
        partner: Option<&ContactInput>,
        errs: &mut ValidationErrors,
    ) -> Self {
        Self {
            customer_contact: customer
                .and_then(|c| customer_contact(Some(c), "customerContact", errs)),
            partner_contact: partner.and_then(|c| partner_contact(Some(c), "partnerContact", errs)),
        }
    }

    /// Replaces `claim`'s contacts with those given; the fields that changed.
    fn apply(&self, claim: &mut EngagementClaim) -> Vec<String> {
        let mut changed = Vec::new();
        if let Some(c) = self
            .customer_contact
            .as_ref()
            .filter(|c| **c != claim.customer_contact)
        {
            claim.customer_contact = c.clone();
            changed.push("customerContact".to_owned());
        }
        if let Some(p) = self
            .partner_contact
            .as_ref()
            .filter(|p| **p != claim.partner_contact)
        {
            claim.partner_contact = p.clone();
            changed.push("partnerContact".to_owned());
        }
        changed
    }
}

/// A registration request with every field parsed (the reference data is not consulted yet).
#[derive(Debug, Clone, PartialEq)]
pub struct Registration {
    pub name: ClaimName,
    pub location: LocationId,
    pub source: Source,
    pub customer: CustomerIdentifier,
    pub engagement_ids: Vec<EngagementId>,
    pub planned_hours: Option<PlannedHours>,
    pub tenant_mismatch_reason: Option<LongText>,
    pub customer_contact: EngagementCustomerContact,
    pub partner_contact: PartnerContact,
}

/// At most this many engagements in one registration.
pub const MAX_ENGAGEMENTS_PER_REGISTRATION: usize = 10;

impl Registration {
    pub fn parse(input: &RegistrationInput) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let name = errs.required("name", input.name.as_deref(), ClaimName::parse);
        let location = errs.required(
            "partnerLocationId",
            input.partner_location_id.as_deref(),
            LocationId::parse,
        );
        if input.source.is_none() {
            errs.push("source", "is required: add or claim");
        }
        let customer = match &input.customer {
            None => {
                errs.push("customer", "is required");
                None
            }
            Some(c) => customer_identifier(c, "customer", &mut errs),
        };
        let mut engagement_ids = Vec::new();
        match &input.engagement_ids {
            None => errs.push("engagementIds", "is required"),
            Some(ids) if ids.is_empty() || ids.len() > MAX_ENGAGEMENTS_PER_REGISTRATION => {
                errs.push(
                    "engagementIds",
                    format!("must list 1 to {MAX_ENGAGEMENTS_PER_REGISTRATION} engagements"),
                );
            }
            Some(ids) => {
                for (i, raw) in ids.iter().enumerate() {
                    let path = format!("engagementIds[{i}]");
                    if let Some(id) = errs.required(&path, Some(raw), EngagementId::parse) {
                        if engagement_ids.contains(&id) {
                            errs.push(path, "is listed twice");
                        } else {
                            engagement_ids.push(id);
                        }
                    }
                }
            }
        }
        let planned_hours = input.planned_hours.and_then(|h| {
            PlannedHours::new(h)
                .map_err(|e| errs.push("plannedHours", e.to_string()))
                .ok()
        });
        let tenant_mismatch_reason = errs.optional(
            "tenantMismatchReason",
            input.tenant_mismatch_reason.as_deref(),
            LongText::parse,
        );
        let customer_contact = customer_contact(
            input.customer_contact.as_ref(),
            "customerContact",
            &mut errs,
        );
        let partner_contact =
            partner_contact(input.partner_contact.as_ref(), "partnerContact", &mut errs);
        errs.into_result(|| {
            Some(Self {
                name: name?,
                location: location?,
                source: input.source?,
                customer: customer?,
                engagement_ids,
                planned_hours,
                tenant_mismatch_reason,
                customer_contact: customer_contact?,
                partner_contact: partner_contact?,
            })
        })
    }
}

/// `{identifierType, value}` under `path` (`""`: at the top of the body).
pub fn customer_identifier(
    c: &CustomerInput,
    path: &str,
    errs: &mut ValidationErrors,
) -> Option<CustomerIdentifier> {
    let field = |name: &str| match path {
        "" => name.to_owned(),
        _ => format!("{path}.{name}"),
    };
    let Some(kind) = c.identifier_type else {
        errs.push(field("identifierType"), "is required");
        return None;
    };
    errs.required(&field("value"), c.value.as_deref(), |v| {
        CustomerIdentifier::parse(kind, v)
    })
}

/// A contact's fields under `path`: name and email required, title (where `with_title`) and
/// language optional; every bad field recorded. `None` if any failed.
fn contact(
    c: Option<&ContactInput>,
    path: &str,
    with_title: bool,
    errs: &mut ValidationErrors,
) -> Option<(
    ShortText,
    Option<ShortText>,
    EmailAddress,
    Option<LanguageTag>,
)> {
    let Some(c) = c else {
        errs.push(path, "is required");
        return None;
    };
    let before = errs.0.len();
    if c.title.is_some() && !with_title {
        errs.push(
            format!("{path}.title"),
            "is not a field of the partner contact",
        );
    }
    let name = errs.required(&format!("{path}.name"), c.name.as_deref(), ShortText::parse);
    let title = errs.optional(
        &format!("{path}.title"),
        c.title.as_deref(),
        ShortText::parse,
    );
    let email = errs.required(
        &format!("{path}.email"),
        c.email.as_deref(),
        EmailAddress::parse,
    );
    let language = errs.optional(
        &format!("{path}.language"),
        c.language.as_deref(),
        LanguageTag::parse,
    );
    (errs.0.len() == before).then_some(())?;
    Some((name?, title, email?, language))
}

fn customer_contact(
    c: Option<&ContactInput>,
    path: &str,
    errs: &mut ValidationErrors,
) -> Option<EngagementCustomerContact> {
    let (name, title, email, language) = contact(c, path, true, errs)?;
    Some(EngagementCustomerContact {
        name,
        title,
        email,
        language,
    })
}

fn partner_contact(
    c: Option<&ContactInput>,
    path: &str,
    errs: &mut ValidationErrors,
) -> Option<PartnerContact> {
    let (name, _, email, language) = contact(c, path, false, errs)?;
    Some(PartnerContact {
        name,
        email,
        language,
    })
}

/// An engagement claim.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct EngagementClaim {
    id: ClaimId,
    engagement_id: EngagementId,
    engagement_name: ShortText,
    pay_type: PayType,
    partner_id: PartnerId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    partner_name: Option<ShortText>,
    partner_location_id: LocationId,
    created_by: UserId,
    name: ClaimName,
    source: Source,
    /// The customer as the partner named them.
    customer: CustomerIdentifier,
    /// The identifier eligibility, the cap and uniqueness are checked on (a domain's tenant).
    customer_key: CustomerIdentifier,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    resolved_tenant_id: Option<TenantId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tenant_mismatch_reason: Option<LongText>,
    customer_contact: EngagementCustomerContact,
    partner_contact: PartnerContact,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    planned_hours: Option<PlannedHours>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    proposed_payment_usd: Option<Usd>,
    status: EngagementStatus,
    /// Consent must be given by then (calendar days from registration).
    consent_due_at: DateTime<Utc>,
    /// The engagement's days to submit once consent is given.
    submission_days: u32,
    /// The engagement's referral rule when the claim was registered.
    #[serde(default = "no_referrals")]
    referrals: Referrals,
    /// Fixed once consent is requested (seed 004).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    estimated_deal_size_usd: Option<Usd>,
    /// When the consent email went out on request (first and resends), within the last day.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    consent_sends: Vec<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    consented_at: Option<DateTime<Utc>>,
    /// The claim must be submitted by then (calendar days from consent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    submission_due_at: Option<DateTime<Utc>>,
    /// When the partner contact is reminded of the submission deadline (two business days
    /// before it), until the reminder is sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    submission_reminder_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    submitted_at: Option<DateTime<Utc>>,
    /// The partner's comment at submission, or the reviewer's at the decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    comment: Option<LongText>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    rejection_reasons: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    referral: Option<progress::Referral>,
    version: u64,
    history_seq: u64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

fn no_referrals() -> Referrals {
    Referrals {
        enabled: false,
        min_deal_size_usd: None,
    }
}

/// One line of an engagement claim's history, numbered 1, 2, 3… without gaps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct EngagementHistoryEntry {
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub actor: ActorRef,
    pub action: EngagementAction,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<EngagementStatus>,
    pub to: EngagementStatus,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changed_fields: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<LongText>,
}

/// What the cap and the one-claim-per-partner rule need from a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// A new claim takes a place under the engagement's cap (of `cap` places) and the
    /// partner's one slot for the customer on the engagement.
    Take {
        cap: u32,
    },
    /// A claim became terminal: both are freed.
    Release,
    Keep,
}

/// A change to persist: the claim after it, its history line, and what it does to places.
#[derive(Debug, Clone, PartialEq)]
pub struct EngagementOutcome {
    pub claim: EngagementClaim,
    pub history: EngagementHistoryEntry,
    pub place: Place,
    /// The partner contact is told the customer was registered (seed 004).
    pub confirm_registration: bool,
    /// The emails the change sends (through the outbox).
    pub notices: Vec<progress::Notice>,
    /// The customer consented: the partner knows them from now on (the Customers page).
    pub customer_known: bool,
    /// The claim's one-time schedule, moved to its next due time.
    pub schedule: DueChange,
}

/// Why an engagement operation was refused. Nothing changed in every case.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EngagementError {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error("invalid input: {0}")]
    Invalid(#[from] ValidationErrors),
    #[error(transparent)]
    Unresolvable(#[from] Unresolvable),
    #[error("not eligible: {}", describe(.0))]
    NotEligible(Vec<Assessment>),
    #[error("the customer is not one you know yet: add it instead of claiming it")]
    CustomerNotKnown,
    #[error("cannot {action} an engagement claim that is {}", status.code())]
    NotAllowed {
        action: &'static str,
        status: EngagementStatus,
    },
    #[error("asked too often; try again after {retry_after}")]
    TooSoon { retry_after: DateTime<Utc> },
    #[error("the deadline to {what} passed at {due_at}")]
    DeadlinePassed {
        what: &'static str,
        due_at: DateTime<Utc>,
    },
}

fn describe(assessments: &[Assessment]) -> String {
    assessments
        .iter()
        .map(|a| {
            let codes: Vec<&str> = a.reasons.iter().map(|r| r.code()).collect();
            format!("{} ({})", a.engagement_id, codes.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The facts a registration is decided on, read by the caller from the reference data and
/// the store.
#[derive(Debug, Clone)]
pub struct RegistrationFacts<'a> {
    /// The requested engagements as the catalogue has them, in the request's order (`None`:
    /// not in the catalogue).
    pub engagements: Vec<(EngagementId, Option<&'a Engagement>)>,
    pub location: Option<&'a PartnerLocation>,
    pub customer: &'a NamedCustomer,
    pub record: Option<&'a CustomerRecord>,
    /// Open claims per requested engagement for the checked identifier (any partner).
    pub open_claims: Vec<usize>,
    /// The partner already knows the customer (it consented to one of its engagement claims).
    pub known: bool,
}

impl<'a> RegistrationFacts<'a> {
    /// The facts looked up in a whole dataset (the tests and the bench hold one; a function
    /// reads only the records it needs), with the store's `open_claims` and `known`.
    pub fn in_dataset(
        data: &'a ReferenceData,
        reg: &Registration,
        customer: &'a NamedCustomer,
        open_claims: Vec<usize>,
        known: bool,
    ) -> Self {
        Self {
            engagements: reg
                .engagement_ids
                .iter()
                .map(|id| (id.clone(), data.engagements.iter().find(|e| &e.id == id)))
                .collect(),
            location: data
                .partner_locations
                .iter()
                .find(|l| l.location_id == reg.location),
            customer,
            record: data.customer(&customer.checked),
            open_claims,
            known,
        }
    }
}

impl EngagementClaim {
    /// Registers the customer for each requested engagement: one claim each, `registered`.
    /// `ids` gives each new claim its ID.
    pub fn register(
        actor: &Actor,
        reg: &Registration,
        facts: &RegistrationFacts<'_>,
        mut ids: impl FnMut() -> ClaimId,
        now: DateTime<Utc>,
    ) -> Result<Vec<EngagementOutcome>, EngagementError> {
        let Actor::Partner(partner) = actor else {
            return Err(AccessError::Forbidden(Capability::Engage).into());
        };
        if !partner.can(Capability::Engage) {
            return Err(AccessError::Forbidden(Capability::Engage).into());
        }
        let mut errs = ValidationErrors::default();
        if !partner.locations.contains(&reg.location) {
            errs.push(
                "partnerLocationId",
                "is not one of your organisation's locations",
            );
        }
        // An engagement the catalogue does not have is not eligible (`unknown_identifier`).
        let unknown: Vec<Assessment> = facts
            .engagements
            .iter()
            .filter(|(_, found)| found.is_none())
            .map(|(id, _)| Assessment {
                engagement_id: id.clone(),
                eligible: false,
                reasons: vec![IneligibleReason::UnknownIdentifier],
            })
            .collect();
        if !unknown.is_empty() {
            return Err(EngagementError::NotEligible(unknown));
        }
        let engagements: Vec<&Engagement> =
            facts.engagements.iter().filter_map(|(_, e)| *e).collect();
        let variable = engagements.iter().any(|e| e.pay_type == PayType::Variable);
        if variable && engagements.len() > 1 {
            errs.push(
                "engagementIds",
                "a variable-pay engagement is registered alone: choose exactly one",
            );
        }
        match (variable, reg.planned_hours) {
            (true, None) => errs.push("plannedHours", "is required for a variable-pay engagement"),
            (false, Some(_)) => errs.push("plannedHours", "is only for variable-pay engagements"),
            _ => {}
        }
        let mismatch = eligibility::tenant_email_mismatch(
            facts.customer,
            facts.record,
            &reg.customer_contact.email,
        );
        match (mismatch, &reg.tenant_mismatch_reason) {
            (true, None) => errs.push(
                "tenantMismatchReason",
                "is required: the tenant does not match the customer contact's email domain",
            ),
            (false, Some(_)) => errs.push(
                "tenantMismatchReason",
                "is only for a tenant that does not match the customer contact's email domain",
            ),
            _ => {}
        }
        if !errs.is_empty() {
            return Err(errs.into());
        }
        if reg.source == Source::Claim && !facts.known {
            return Err(EngagementError::CustomerNotKnown);
        }
        let assessments: Vec<Assessment> = engagements
            .iter()
            .zip(facts.open_claims.iter().chain(std::iter::repeat(&0)))
            .map(|(e, open)| {
                eligibility::assess(Facts {
                    engagement: e,
                    partner: &partner.org,
                    location: facts.location,
                    customer: facts.customer,
                    record: facts.record,
                    open_claims: *open,
                })
            })
            .collect();
        let refused: Vec<Assessment> = assessments.into_iter().filter(|a| !a.eligible).collect();
        if !refused.is_empty() {
            return Err(EngagementError::NotEligible(refused));
        }
        let proposed = |e: &Engagement| -> Option<Usd> {
            let rule = e.payment.as_ref()?;
            let value = facts.record?.value_usd?;
            Some(rule.proposed(reg.planned_hours?, value))
        };
        Ok(engagements
            .into_iter()
            .map(|e| {
                let claim = EngagementClaim {
                    id: ids(),
                    engagement_id: e.id.clone(),
                    engagement_name: e.name.clone(),
                    pay_type: e.pay_type,
                    partner_id: partner.org.clone(),
                    partner_name: partner.org_name.clone(),
                    partner_location_id: reg.location.clone(),
                    created_by: partner.user.clone(),
                    name: reg.name.clone(),
                    source: reg.source,
                    customer: facts.customer.given.clone(),
                    customer_key: facts.customer.checked.clone(),
                    resolved_tenant_id: facts.customer.resolved_tenant_id,
                    tenant_mismatch_reason: reg.tenant_mismatch_reason.clone(),
                    customer_contact: reg.customer_contact.clone(),
                    partner_contact: reg.partner_contact.clone(),
                    planned_hours: reg
                        .planned_hours
                        .filter(|_| e.pay_type == PayType::Variable),
                    proposed_payment_usd: proposed(e),
                    status: EngagementStatus::Registered,
                    consent_due_at: now + Days::new(u64::from(e.consent_days)),
                    submission_days: e.submission_days,
                    referrals: e.referrals.clone(),
                    estimated_deal_size_usd: None,
                    consent_sends: vec![],
                    consented_at: None,
                    submission_due_at: None,
                    submission_reminder_at: None,
                    submitted_at: None,
                    comment: None,
                    rejection_reasons: vec![],
                    referral: None,
                    version: 1,
                    history_seq: 1,
                    created_at: now,
                    updated_at: now,
                };
                let claim_due = claim.next_due();
                EngagementOutcome {
                    history: EngagementHistoryEntry {
                        seq: 1,
                        at: now,
                        actor: actor.reference(),
                        action: EngagementAction::Register,
                        from: None,
                        to: EngagementStatus::Registered,
                        changed_fields: vec![],
                        comment: None,
                    },
                    claim,
                    place: Place::Take {
                        cap: e.customer_cap,
                    },
                    confirm_registration: true,
                    notices: vec![],
                    customer_known: false,
                    schedule: DueChange::between(None, claim_due),
                }
            })
            .collect())
    }

    /// Replaces the contacts (`PATCH`), only before consent is requested.
    pub fn update_contacts(
        &self,
        actor: &Actor,
        change: &ContactsChange,
        now: DateTime<Utc>,
    ) -> Result<EngagementOutcome, EngagementError> {
        actor.authorize(Capability::Engage, &self.partner_id)?;
        self.may(EngagementAction::Edit)?;
        let mut next = self.clone();
        let changed = change.apply(&mut next);
        Ok(next.step(self, actor, EngagementAction::Edit, changed, now))
    }

    /// Cancels the claim (`DELETE`) before it is submitted: `cancelled`, its place freed.
    pub fn cancel(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<EngagementOutcome, EngagementError> {
        actor.authorize(Capability::Engage, &self.partner_id)?;
        self.may(EngagementAction::Cancel)?;
        Ok(self
            .clone()
            .step(self, actor, EngagementAction::Cancel, vec![], now))
    }

    /// Whether the lifecycle lets `action` start from the claim's status.
    pub(crate) fn may(&self, action: EngagementAction) -> Result<(), EngagementError> {
        let m = lifecycle::of(action);
        if m.from.contains(&self.status) {
            Ok(())
        } else {
            Err(EngagementError::NotAllowed {
                action: m.verb,
                status: self.status,
            })
        }
    }

    /// Applies `action` (already allowed): the status the lifecycle leads to, the version and
    /// the history entry; a move into a terminal status frees the claim's place.
    /// `self` is the claim after the command's own edits; `prior` the claim it started from.
    pub(crate) fn step(
        mut self,
        prior: &Self,
        actor: &Actor,
        action: EngagementAction,
        changed_fields: Vec<String>,
        now: DateTime<Utc>,
    ) -> EngagementOutcome {
        let from = prior.status;
        let to = lifecycle::of(action).to(from);
        self.status = to;
        self.version += 1;
        self.history_seq += 1;
        self.updated_at = now;
        let place = if !from.is_terminal() && to.is_terminal() {
            Place::Release
        } else {
            Place::Keep
        };
        let schedule = DueChange::between(prior.next_due(), self.next_due());
        EngagementOutcome {
            history: EngagementHistoryEntry {
                seq: self.history_seq,
                at: now,
                actor: actor.reference(),
                action,
                from: Some(from),
                to,
                changed_fields,
                comment: None,
            },
            claim: self,
            place,
            confirm_registration: false,
            notices: vec![],
            customer_known: false,
            schedule,
        }
    }

    /// Reading: the owning organisation's partners and reviewers, and Microsoft sellers once
    /// the referral is co-sell; anyone else learns nothing (`NotFound`).
    pub fn authorize_read(&self, actor: &Actor) -> Result<(), AccessError> {
        if let Actor::Seller { .. } = actor {
            return if self.is_co_sell() {
                Ok(())
            } else {
                Err(AccessError::NotFound)
            };
        }
        actor.authorize(Capability::Read, &self.partner_id)
    }

    /// Opening the claim's referral: its organisation's referral admins, and Microsoft sellers
    /// once it is co-sell. Without a referral, or for anyone who may not see it, `NotFound`;
    /// the organisation's other roles see the link only (`Forbidden`).
    pub fn authorize_referral(&self, actor: &Actor) -> Result<&progress::Referral, AccessError> {
        let referral = self.referral.as_ref().ok_or(AccessError::NotFound)?;
        match actor {
            Actor::Seller { .. } if self.is_co_sell() => Ok(referral),
            Actor::Seller { .. } => Err(AccessError::NotFound),
            _ => {
                actor.authorize(Capability::OpenReferral, &self.partner_id)?;
                Ok(referral)
            }
        }
    }

    fn is_co_sell(&self) -> bool {
        self.referral
            .as_ref()
            .is_some_and(|r| r.kind == progress::ReferralKind::CoSell)
    }

    pub fn id(&self) -> ClaimId {
        self.id
    }
    pub fn engagement_id(&self) -> &EngagementId {
        &self.engagement_id
    }
    pub fn partner_id(&self) -> &PartnerId {
        &self.partner_id
    }
    pub fn status(&self) -> EngagementStatus {
        self.status
    }
    pub fn customer(&self) -> &CustomerIdentifier {
        &self.customer
    }
    pub fn partner_location_id(&self) -> &LocationId {
        &self.partner_location_id
    }
    pub fn customer_key(&self) -> &CustomerIdentifier {
        &self.customer_key
    }
    pub fn customer_contact(&self) -> &EngagementCustomerContact {
        &self.customer_contact
    }
    pub fn partner_contact(&self) -> &PartnerContact {
        &self.partner_contact
    }
    pub fn name(&self) -> &ClaimName {
        &self.name
    }
    pub fn engagement_name(&self) -> &ShortText {
        &self.engagement_name
    }
    pub fn partner_name(&self) -> Option<&ShortText> {
        self.partner_name.as_ref()
    }
    pub fn proposed_payment_usd(&self) -> Option<Usd> {
        self.proposed_payment_usd
    }
    pub fn consent_due_at(&self) -> DateTime<Utc> {
        self.consent_due_at
    }
    pub fn version(&self) -> u64 {
        self.version
    }
    pub fn history_seq(&self) -> u64 {
        self.history_seq
    }
    pub fn submitted_at(&self) -> Option<DateTime<Utc>> {
        self.submitted_at
    }

    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }
    pub fn updated_at(&self) -> DateTime<Utc> {
        self.updated_at
    }
    pub fn comment(&self) -> Option<&LongText> {
        self.comment.as_ref()
    }
    pub fn submission_due_at(&self) -> Option<DateTime<Utc>> {
        self.submission_due_at
    }
    pub fn referral(&self) -> Option<&progress::Referral> {
        self.referral.as_ref()
    }
    pub fn estimated_deal_size_usd(&self) -> Option<Usd> {
        self.estimated_deal_size_usd
    }
    pub fn submission_reminder_at(&self) -> Option<DateTime<Utc>> {
        self.submission_reminder_at
    }
    /// The deadline the claim's status runs against, if any: consent, then submission.
    pub fn deadline(&self) -> Option<DateTime<Utc>> {
        match self.status {
            EngagementStatus::Registered | EngagementStatus::ConsentRequested => {
                Some(self.consent_due_at)
            }
            EngagementStatus::Consented => self.submission_due_at,
            _ => None,
        }
    }
    /// When the sweep (or the claim's schedule) must look at the claim next: a pending
    /// submission reminder, else its deadline.
    pub fn due_at(&self) -> Option<DateTime<Utc>> {
        self.next_due().map(|d| d.at)
    }
    /// What is due next, and its schedule's name.
    pub fn next_due(&self) -> Option<Due> {
        let deadline = self.deadline()?;
        let (kind, at) = match (self.status, self.submission_reminder_at) {
            (EngagementStatus::Consented, Some(remind)) => (DueKind::Reminder, remind),
            (EngagementStatus::Consented, None) => (DueKind::Submission, deadline),
            _ => (DueKind::Consent, deadline),
        };
        Some(Due {
            schedule: format!("mci-{}-{}", self.id.as_uuid().simple(), kind.code()),
            at,
        })
    }
}

/// Which of an engagement claim's times is next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DueKind {
    Consent,
    Reminder,
    Submission,
}

impl DueKind {
    fn code(self) -> &'static str {
        match self {
            Self::Consent => "consent",
            Self::Reminder => "remind",
            Self::Submission => "submit",
        }
    }
}

/// The next time an engagement claim needs the scheduler, and the one-time schedule's
/// deterministic name for it (`mci-<claim hex>-consent|remind|submit`, at most 64 characters).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Due {
    pub schedule: String,
    pub at: DateTime<Utc>,
}

/// What a change does to the claim's one-time schedule: the old one deleted, a new one created
/// (each by its deterministic name, so repeating either is harmless).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DueChange {
    pub delete: Option<String>,
    pub create: Option<Due>,
}

impl DueChange {
    fn between(before: Option<Due>, after: Option<Due>) -> Self {
        if before == after {
            return Self::default();
        }
        Self {
            delete: before.map(|d| d.schedule),
            create: after,
        }
    }
}
