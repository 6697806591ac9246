//! Reference data: what Microsoft's systems know about MCI engagements, partner locations and
//! customers (SPEC §9). We hold it as a dataset imported whole from a JSON document; this module
//! parses and checks that document, and the rest of the domain reads it through these types.
//!
//! A document is valid only as a whole: every error is reported by JSON path and nothing of a
//! bad document is used.

use crate::domain::validation::ValidationErrors;
use crate::domain::values::{
    DomainName, LocationId, PartnerId, ShortText, TenantId, ValueError, all_variants,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// An engagement's ID in the catalogue (`mw-usage`): letters, digits, `-` and `_`, at most 64.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct EngagementId(String);

impl EngagementId {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        PartnerId::parse(raw).map(|p| Self(String::from(p)))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EngagementId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl TryFrom<String> for EngagementId {
    type Error = ValueError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}
impl From<EngagementId> for String {
    fn from(value: EngagementId) -> String {
        value.0
    }
}

/// How a customer is named (seed 004).
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
    strum::EnumCount,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub enum IdentifierType {
    Domain,
    TenantId,
    /// Top parent ID.
    Tpid,
    AzureSubscriptionId,
    /// A Microsoft Sales Experience opportunity: the only way to name a customer for variable pay.
    MsxOpportunityId,
}

impl IdentifierType {
    pub const ALL: [Self; <Self as strum::EnumCount>::COUNT] =
        all_variants(<Self as strum::VariantArray>::VARIANTS);

    pub fn code(self) -> &'static str {
        self.into()
    }
}

/// A customer identifier in its one canonical spelling (domains and GUIDs lower-case, MSX
/// opportunity IDs upper-case), so the same customer is always the same key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CustomerIdentifier {
    #[serde(rename = "identifierType")]
    pub kind: IdentifierType,
    pub value: String,
}

impl CustomerIdentifier {
    pub fn parse(kind: IdentifierType, raw: &str) -> Result<Self, ValueError> {
        let raw = raw.trim();
        let value = match kind {
            IdentifierType::Domain => DomainName::parse(raw)?.to_string(),
            IdentifierType::TenantId | IdentifierType::AzureSubscriptionId => {
                TenantId::parse(raw)?.to_string()
            }
            IdentifierType::Tpid => {
                if raw.is_empty() {
                    return Err(ValueError::Empty);
                }
                if raw.len() > 20 || !raw.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(ValueError::NotATpid);
                }
                raw.to_owned()
            }
            IdentifierType::MsxOpportunityId => {
                if raw.is_empty() {
                    return Err(ValueError::Empty);
                }
                if raw.len() > 32 || !raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                    return Err(ValueError::NotAnOpportunityId);
                }
                raw.to_ascii_uppercase()
            }
        };
        Ok(Self { kind, value })
    }

    pub fn tenant(id: TenantId) -> Self {
        Self {
            kind: IdentifierType::TenantId,
            value: id.to_string(),
        }
    }

    /// `tenant_id#3fa8…`: unique per customer identifier, safe inside storage keys.
    pub fn storage_key(&self) -> String {
        format!("{}#{}", self.kind.code(), self.value)
    }
}

impl fmt::Display for CustomerIdentifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind.code(), self.value)
    }
}

/// An amount of US dollars, held in cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Usd(i64);

impl Usd {
    /// The largest amount we accept anywhere (a trillion dollars).
    const MAX_CENTS: i64 = 100_000_000_000_000;

    pub fn from_cents(cents: i64) -> Self {
        Self(cents)
    }
    pub fn cents(self) -> i64 {
        self.0
    }
    /// A JSON number of dollars, rounded to cents: finite, not negative, at most a trillion.
    pub fn from_dollars(dollars: f64) -> Result<Self, ValueError> {
        let cents = (dollars * 100.0).round();
        if !dollars.is_finite() || cents < 0.0 || cents > Self::MAX_CENTS as f64 {
            return Err(ValueError::NotAnAmount);
        }
        Ok(Self(cents as i64))
    }
    pub fn dollars(self) -> f64 {
        self.0 as f64 / 100.0
    }
}

impl Serialize for Usd {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.dollars())
    }
}

impl<'de> Deserialize<'de> for Usd {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::from_dollars(f64::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for Usd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02} USD", self.0 / 100, self.0 % 100)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub enum PayType {
    Fixed,
    Variable,
}

/// When consent is requested on an engagement with referrals on, a partner-led referral is
/// created if the deal size is at least `min_deal_size_usd` (SPEC §9).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Referrals {
    pub enabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_deal_size_usd: Option<Usd>,
}

/// Variable pay: `min(hours × hourly rate, share × opportunity value, maximum)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct PaymentRule {
    pub hourly_rate_usd: Usd,
    pub max_share_of_opportunity: f64,
    pub max_payment_usd: Usd,
}

impl PaymentRule {
    /// The proposed payment for `hours` on an opportunity worth `opportunity`, rounded to cents.
    pub fn proposed(&self, hours: PlannedHours, opportunity: Usd) -> Usd {
        let by_hours = self
            .hourly_rate_usd
            .cents()
            .saturating_mul(i64::from(hours.get()));
        let by_share = (opportunity.cents() as f64 * self.max_share_of_opportunity).round() as i64;
        Usd(by_hours.min(by_share).min(self.max_payment_usd.cents()))
    }
}

/// Hours a partner plans for a variable-pay engagement: a positive whole number (at most 10 000).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct PlannedHours(u32);

impl PlannedHours {
    pub const MAX: u32 = 10_000;
    pub fn new(hours: u32) -> Result<Self, ValueError> {
        if (1..=Self::MAX).contains(&hours) {
            Ok(Self(hours))
        } else {
            Err(ValueError::OutOfRange {
                min: 1,
                max: Self::MAX as i64,
            })
        }
    }
    pub fn get(self) -> u32 {
        self.0
    }
}
impl TryFrom<u32> for PlannedHours {
    type Error = ValueError;
    fn try_from(v: u32) -> Result<Self, ValueError> {
        Self::new(v)
    }
}
impl From<PlannedHours> for u32 {
    fn from(v: PlannedHours) -> u32 {
        v.0
    }
}

/// One engagement of the catalogue, with the numbers seed 004 leaves to configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Engagement {
    pub id: EngagementId,
    pub name: ShortText,
    pub pay_type: PayType,
    pub identifier_types: Vec<IdentifierType>,
    /// Calendar days to obtain consent, counted from registration.
    pub consent_days: u32,
    /// Calendar days to submit, counted from consent.
    pub submission_days: u32,
    /// Non-terminal engagement claims allowed per customer identifier, across all partners.
    pub customer_cap: u32,
    pub referrals: Referrals,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment: Option<PaymentRule>,
}

impl Engagement {
    pub fn accepts(&self, kind: IdentifierType) -> bool {
        self.identifier_types.contains(&kind)
    }
    /// Engagements that name customers only by MSX opportunity (left off the "not eligible" tab).
    pub fn only_opportunities(&self) -> bool {
        self.identifier_types == [IdentifierType::MsxOpportunityId]
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartnerLocation {
    pub location_id: LocationId,
    pub partner_id: PartnerId,
    pub mci_enrolled: bool,
    /// The engagements this location is eligible for.
    pub engagements: BTreeSet<EngagementId>,
}

/// What Microsoft's systems say about one identifier's eligibility for one engagement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Eligibility {
    Eligible,
    CriteriaNotMet,
}

/// One customer identifier as Microsoft's systems know it. A domain record resolves to its
/// tenant; the others carry their own eligibility (never the customer's other identifiers').
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerRecord {
    #[serde(flatten)]
    pub identifier: CustomerIdentifier,
    /// A domain's tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<TenantId>,
    /// A tenant's email domains (compared with the customer contact's address).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub email_domains: Vec<DomainName>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub co_sell_eligible: bool,
    /// An MSX opportunity's value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_usd: Option<Usd>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub eligibility: BTreeMap<EngagementId, Eligibility>,
}

impl CustomerRecord {
    pub fn eligibility_for(&self, engagement: &EngagementId) -> Option<Eligibility> {
        self.eligibility.get(engagement).copied()
    }
}

/// A whole, checked dataset.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReferenceData {
    pub engagements: Vec<Engagement>,
    pub partner_locations: Vec<PartnerLocation>,
    pub customers: Vec<CustomerRecord>,
}

/// The document as written, every field optional so each error is reported by path.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Document {
    engagements: Vec<serde_json::Value>,
    partner_locations: Vec<serde_json::Value>,
    customers: Vec<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct EngagementDoc {
    id: String,
    name: String,
    pay_type: PayType,
    identifier_types: Vec<IdentifierType>,
    consent_days: u32,
    submission_days: u32,
    customer_cap: u32,
    referrals: ReferralsDoc,
    #[serde(default)]
    payment: Option<PaymentDoc>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ReferralsDoc {
    enabled: bool,
    #[serde(default)]
    min_deal_size_usd: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PaymentDoc {
    hourly_rate_usd: f64,
    max_share_of_opportunity: f64,
    max_payment_usd: f64,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct LocationDoc {
    location_id: String,
    partner_id: String,
    mci_enrolled: bool,
    engagements: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CustomerDoc {
    identifier_type: IdentifierType,
    value: String,
    #[serde(default)]
    tenant_id: Option<String>,
    #[serde(default)]
    email_domains: Vec<String>,
    #[serde(default)]
    co_sell_eligible: bool,
    #[serde(default)]
    value_usd: Option<f64>,
    #[serde(default)]
    eligibility: BTreeMap<String, Eligibility>,
}

/// Days an engagement may give for consent or submission.
const MAX_DAYS: u32 = 3650;
/// How many engagements, locations and customers one document may hold.
pub const MAX_RECORDS: usize = 100_000;

impl ReferenceData {
    /// The dataset's record of one identifier.
    pub fn customer(&self, id: &CustomerIdentifier) -> Option<&CustomerRecord> {
        self.customers.iter().find(|c| &c.identifier == id)
    }

    /// Parses and checks a whole document. Every problem is reported under its JSON path.
    pub fn parse(json: &[u8]) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let doc: Document = match serde_json::from_slice(json) {
            Ok(d) => d,
            Err(e) => {
                errs.push("", format!("is not a reference data document: {e}"));
                return Err(errs);
            }
        };
        let total = doc.engagements.len() + doc.partner_locations.len() + doc.customers.len();
        if total > MAX_RECORDS {
            errs.push("", format!("holds more than {MAX_RECORDS} records"));
            return Err(errs);
        }
        let engagements: Vec<Engagement> = doc
            .engagements
            .into_iter()
            .enumerate()
            .filter_map(|(i, v)| engagement(&format!("engagements[{i}]"), v, &mut errs))
            .collect();
        let mut ids = BTreeSet::new();
        for (i, e) in engagements.iter().enumerate() {
            if !ids.insert(e.id.clone()) {
                errs.push(format!("engagements[{i}].id"), "is a duplicate");
            }
        }
        let partner_locations: Vec<PartnerLocation> = doc
            .partner_locations
            .into_iter()
            .enumerate()
            .filter_map(|(i, v)| location(&format!("partnerLocations[{i}]"), v, &ids, &mut errs))
            .collect();
        let mut seen = BTreeSet::new();
        for (i, l) in partner_locations.iter().enumerate() {
            if !seen.insert(l.location_id.clone()) {
                errs.push(
                    format!("partnerLocations[{i}].locationId"),
                    "is a duplicate",
                );
            }
        }
        let customers: Vec<CustomerRecord> = doc
            .customers
            .into_iter()
            .enumerate()
            .filter_map(|(i, v)| customer(&format!("customers[{i}]"), v, &ids, &mut errs))
            .collect();
        let mut seen = BTreeSet::new();
        for (i, c) in customers.iter().enumerate() {
            if !seen.insert(c.identifier.clone()) {
                errs.push(format!("customers[{i}].value"), "is a duplicate");
            }
        }
        errs.into_result(|| {
            Some(Self {
                engagements,
                partner_locations,
                customers,
            })
        })
    }
}

fn typed<T: serde::de::DeserializeOwned>(
    path: &str,
    v: serde_json::Value,
    errs: &mut ValidationErrors,
) -> Option<T> {
    match serde_json::from_value(v) {
        Ok(t) => Some(t),
        Err(e) => {
            errs.push(path, e.to_string());
            None
        }
    }
}

fn field<T>(errs: &mut ValidationErrors, path: String, r: Result<T, ValueError>) -> Option<T> {
    r.map_err(|e| errs.push(path, e.to_string())).ok()
}

fn engagement(path: &str, v: serde_json::Value, errs: &mut ValidationErrors) -> Option<Engagement> {
    let d: EngagementDoc = typed(path, v, errs)?;
    let before = errs.0.len();
    let id = field(errs, format!("{path}.id"), EngagementId::parse(&d.id));
    let name = field(errs, format!("{path}.name"), ShortText::parse(&d.name));
    for (f, days) in [
        ("consentDays", d.consent_days),
        ("submissionDays", d.submission_days),
    ] {
        if !(1..=MAX_DAYS).contains(&days) {
            errs.push(
                format!("{path}.{f}"),
                format!("must be between 1 and {MAX_DAYS}"),
            );
        }
    }
    if d.customer_cap == 0 {
        errs.push(format!("{path}.customerCap"), "must be at least 1");
    }
    let mut types = d.identifier_types.clone();
    types.sort();
    types.dedup();
    if types.len() != d.identifier_types.len() || types.is_empty() {
        errs.push(
            format!("{path}.identifierTypes"),
            "must list at least one identifier type, each once",
        );
    }
    let only_msx = d.identifier_types == [IdentifierType::MsxOpportunityId];
    let has_msx = d
        .identifier_types
        .contains(&IdentifierType::MsxOpportunityId);
    match d.pay_type {
        PayType::Variable if !only_msx => errs.push(
            format!("{path}.identifierTypes"),
            "a variable-pay engagement names customers by msx_opportunity_id only",
        ),
        PayType::Fixed if has_msx => errs.push(
            format!("{path}.identifierTypes"),
            "a fixed-pay engagement cannot name customers by msx_opportunity_id",
        ),
        _ => {}
    }
    let payment = match (d.pay_type, d.payment) {
        (PayType::Variable, None) => {
            errs.push(format!("{path}.payment"), "is required for variable pay");
            None
        }
        (PayType::Fixed, Some(_)) => {
            errs.push(format!("{path}.payment"), "is only for variable pay");
            None
        }
        (_, None) => None,
        (_, Some(p)) => {
            let rate = field(
                errs,
                format!("{path}.payment.hourlyRateUsd"),
                Usd::from_dollars(p.hourly_rate_usd),
            );
            let max = field(
                errs,
                format!("{path}.payment.maxPaymentUsd"),
                Usd::from_dollars(p.max_payment_usd),
            );
            let share = p.max_share_of_opportunity;
            if !(share > 0.0 && share <= 1.0) {
                errs.push(
                    format!("{path}.payment.maxShareOfOpportunity"),
                    "must be more than 0 and at most 1",
                );
            }
            Some(PaymentRule {
                hourly_rate_usd: rate?,
                max_share_of_opportunity: share,
                max_payment_usd: max?,
            })
        }
    };
    let min_deal = match (d.referrals.enabled, d.referrals.min_deal_size_usd) {
        (true, None) => {
            errs.push(
                format!("{path}.referrals.minDealSizeUsd"),
                "is required when referrals are enabled",
            );
            None
        }
        (_, Some(v)) => field(
            errs,
            format!("{path}.referrals.minDealSizeUsd"),
            Usd::from_dollars(v),
        ),
        (false, None) => None,
    };
    if errs.0.len() > before {
        return None;
    }
    Some(Engagement {
        id: id?,
        name: name?,
        pay_type: d.pay_type,
        identifier_types: d.identifier_types,
        consent_days: d.consent_days,
        submission_days: d.submission_days,
        customer_cap: d.customer_cap,
        referrals: Referrals {
            enabled: d.referrals.enabled,
            min_deal_size_usd: min_deal,
        },
        payment,
    })
}

fn location(
    path: &str,
    v: serde_json::Value,
    known: &BTreeSet<EngagementId>,
    errs: &mut ValidationErrors,
) -> Option<PartnerLocation> {
    let d: LocationDoc = typed(path, v, errs)?;
    let before = errs.0.len();
    let location_id = field(
        errs,
        format!("{path}.locationId"),
        LocationId::parse(&d.location_id),
    );
    let partner_id = field(
        errs,
        format!("{path}.partnerId"),
        PartnerId::parse(&d.partner_id),
    );
    let mut engagements = BTreeSet::new();
    for (i, e) in d.engagements.iter().enumerate() {
        let p = format!("{path}.engagements[{i}]");
        if let Some(id) = field(errs, p.clone(), EngagementId::parse(e)) {
            if known.contains(&id) {
                engagements.insert(id);
            } else {
                errs.push(p, "is not an engagement of this document");
            }
        }
    }
    if errs.0.len() > before {
        return None;
    }
    Some(PartnerLocation {
        location_id: location_id?,
        partner_id: partner_id?,
        mci_enrolled: d.mci_enrolled,
        engagements,
    })
}

fn customer(
    path: &str,
    v: serde_json::Value,
    known: &BTreeSet<EngagementId>,
    errs: &mut ValidationErrors,
) -> Option<CustomerRecord> {
    let d: CustomerDoc = typed(path, v, errs)?;
    let before = errs.0.len();
    let identifier = field(
        errs,
        format!("{path}.value"),
        CustomerIdentifier::parse(d.identifier_type, &d.value),
    );
    let tenant_id = match (d.identifier_type, d.tenant_id.as_deref()) {
        (IdentifierType::Domain, None) => {
            errs.push(format!("{path}.tenantId"), "is required for a domain");
            None
        }
        (IdentifierType::Domain, Some(t)) => {
            field(errs, format!("{path}.tenantId"), TenantId::parse(t))
        }
        (_, Some(_)) => {
            errs.push(format!("{path}.tenantId"), "is only for a domain");
            None
        }
        (_, None) => None,
    };
    if d.identifier_type == IdentifierType::Domain && !d.eligibility.is_empty() {
        errs.push(
            format!("{path}.eligibility"),
            "a domain is checked as its tenant: give eligibility on the tenant",
        );
    }
    let email_domains: Vec<DomainName> = d
        .email_domains
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            field(
                errs,
                format!("{path}.emailDomains[{i}]"),
                DomainName::parse(e),
            )
        })
        .collect();
    if !email_domains.is_empty() && d.identifier_type != IdentifierType::TenantId {
        errs.push(format!("{path}.emailDomains"), "is only for a tenant");
    }
    let value_usd = match (d.identifier_type, d.value_usd) {
        (IdentifierType::MsxOpportunityId, None) => {
            errs.push(
                format!("{path}.valueUsd"),
                "is required for an MSX opportunity",
            );
            None
        }
        (IdentifierType::MsxOpportunityId, Some(v)) => {
            field(errs, format!("{path}.valueUsd"), Usd::from_dollars(v))
        }
        (_, Some(_)) => {
            errs.push(format!("{path}.valueUsd"), "is only for an MSX opportunity");
            None
        }
        (_, None) => None,
    };
    let mut eligibility = BTreeMap::new();
    for (k, v) in d.eligibility {
        let p = format!("{path}.eligibility.{k}");
        if let Some(id) = field(errs, p.clone(), EngagementId::parse(&k)) {
            if known.contains(&id) {
                eligibility.insert(id, v);
            } else {
                errs.push(p, "is not an engagement of this document");
            }
        }
    }
    if errs.0.len() > before {
        return None;
    }
    Some(CustomerRecord {
        identifier: identifier?,
        tenant_id,
        email_domains,
        co_sell_eligible: d.co_sell_eligible,
        value_usd,
        eligibility,
    })
}
