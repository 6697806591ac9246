//! A claim's content (SPEC §3): the validated shape the domain keeps, built from the wire shape
//! ([`super::input`]). [`ClaimContent`] is only built by [`ClaimContent::validate`], which checks every field
//! and every cross-field rule and reports all failures at once, each under its field path.

use super::catalogue::{PartnerActivity, Product, PurchaseChannel, SolutionArea};
pub use super::input::{
    ClaimInput, ClaimPatch, CustomerContactInput, CustomerInput, PartnerContactInput, ProductInput,
    RevenueDetailsInput,
};
pub use super::validation::{FieldError, ValidationErrors};
use super::values::{
    ClaimName, DomainName, EmailAddress, LanguageTag, LocationId, ShortText, SubscriptionId,
    TenantId,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// At most this many products on one claim. The catalogue has ten per area; Business
/// Applications may name one product on several subscriptions.
pub const MAX_PRODUCTS: usize = 25;

// ---------------------------------------------------------------------------------------------
// Validated shape.
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    pub tenant_id: TenantId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<DomainName>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClaimedProduct {
    pub product: Product,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription_id: Option<SubscriptionId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerContact {
    pub name: ShortText,
    pub title: ShortText,
    pub email: EmailAddress,
    pub language: Option<LanguageTag>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct PartnerContact {
    pub name: ShortText,
    pub email: EmailAddress,
    pub language: Option<LanguageTag>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RevenueDetails {
    pub seller_name: ShortText,
    pub customer_name: ShortText,
    pub isv_product: ShortText,
}

/// A claim's content with every rule of SPEC §3 holding. Fields are private: the only way in is
/// [`ClaimContent::validate`] (deserialising re-validates, so stored data is checked too).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", try_from = "ClaimInput")]
pub struct ClaimContent {
    name: ClaimName,
    partner_location_id: LocationId,
    customer: Customer,
    solution_area: SolutionArea,
    partner_role: PartnerActivity,
    incentive_opt_out: bool,
    products: Vec<ClaimedProduct>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    purchase_channel: Option<PurchaseChannel>,
    customer_contact: CustomerContact,
    partner_contact: PartnerContact,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    revenue_details: Option<RevenueDetails>,
}

/// Stored content is checked by every rule except those added after it could have been
/// stored: a Business Applications claim stored before `purchaseChannel` existed still reads
/// (its next edit must name the channel).
impl TryFrom<ClaimInput> for ClaimContent {
    type Error = ValidationErrors;
    fn try_from(input: ClaimInput) -> Result<Self, Self::Error> {
        Self::validate_with(&input, Strictness::Stored)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Strictness {
    /// Input from a caller: every rule.
    Input,
    /// Content read back from the store.
    Stored,
}

/// The top-level fields of a claim, as named on the wire. History records which changed.
pub const CONTENT_FIELDS: [&str; 11] = [
    "name",
    "partnerLocationId",
    "customer",
    "solutionArea",
    "partnerRole",
    "incentiveOptOut",
    "products",
    "purchaseChannel",
    "customerContact",
    "partnerContact",
    "revenueDetails",
];

impl ClaimContent {
    /// Checks every field and rule, reporting all failures at once.
    pub fn validate(input: &ClaimInput) -> Result<Self, ValidationErrors> {
        Self::validate_with(input, Strictness::Input)
    }

    fn validate_with(input: &ClaimInput, strictness: Strictness) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();

        let name = errs.required("name", input.name.as_deref(), ClaimName::parse);
        let location = errs.required(
            "partnerLocationId",
            input.partner_location_id.as_deref(),
            LocationId::parse,
        );

        let customer = match &input.customer {
            None => {
                errs.push("customer", "is required");
                None
            }
            Some(c) => {
                let tenant =
                    errs.required("customer.tenantId", c.tenant_id.as_deref(), TenantId::parse);
                let domain =
                    errs.optional("customer.domain", c.domain.as_deref(), DomainName::parse);
                let domain_ok = c.domain.is_none() || domain.is_some();
                tenant
                    .filter(|_| domain_ok)
                    .map(|tenant_id| Customer { tenant_id, domain })
            }
        };

        let area = match input.solution_area.as_deref() {
            None => {
                errs.push("solutionArea", "is required");
                None
            }
            Some(code) => {
                let area = SolutionArea::parse(code);
                if area.is_none() {
                    errs.push(
                        "solutionArea",
                        "must be one of: modern_work_security, business_applications",
                    );
                }
                area
            }
        };

        let role = match input.partner_role.as_deref() {
            None => {
                errs.push("partnerRole", "is required");
                None
            }
            Some(code) => match PartnerActivity::parse(code) {
                None => {
                    errs.push(
                        "partnerRole",
                        "must be one of: use_or_consume, build_intent_advisor, usage_recognition, influenced_revenue",
                    );
                    None
                }
                Some(role) => match area {
                    Some(a) if role.area() != a => {
                        errs.push(
                            "partnerRole",
                            format!("{} is not a partner role for {}", role.code(), a.code()),
                        );
                        None
                    }
                    _ => Some(role),
                },
            },
        };

        let opt_out = input.incentive_opt_out.unwrap_or(false);
        if opt_out && area.is_some_and(|a| !a.allows_incentive_opt_out()) {
            errs.push(
                "incentiveOptOut",
                "only Modern Work & Security claims may opt out of incentives",
            );
        }

        let products = validate_products(input.products.as_deref(), area, &mut errs);
        let purchase_channel = validate_purchase_channel(
            input.purchase_channel.as_deref(),
            area,
            strictness,
            &mut errs,
        );
        let customer_contact =
            validate_customer_contact(input.customer_contact.as_ref(), &mut errs);
        let partner_contact = validate_partner_contact(input.partner_contact.as_ref(), &mut errs);

        let revenue_details = match (&input.revenue_details, role) {
            (None, Some(r)) if r.needs_revenue_details() => {
                errs.push(
                    "revenueDetails",
                    "is required for the influenced_revenue partner role",
                );
                None
            }
            (Some(_), Some(r)) if !r.needs_revenue_details() => {
                errs.push(
                    "revenueDetails",
                    "is only allowed for the influenced_revenue partner role",
                );
                None
            }
            (Some(rd), _) => validate_revenue_details(rd, &mut errs).map(Some),
            (None, _) => Some(None),
        };

        errs.into_result(|| {
            Some(ClaimContent {
                name: name?,
                partner_location_id: location?,
                customer: customer?,
                solution_area: area?,
                partner_role: role?,
                incentive_opt_out: opt_out,
                products: products?,
                purchase_channel: purchase_channel?,
                customer_contact: customer_contact?,
                partner_contact: partner_contact?,
                revenue_details: revenue_details?,
            })
        })
    }

    /// The wire shape of this content: `validate(&c.to_input()) == Ok(c)`.
    pub fn to_input(&self) -> ClaimInput {
        ClaimInput {
            name: Some(self.name.to_string()),
            partner_location_id: Some(self.partner_location_id.to_string()),
            customer: Some(CustomerInput {
                tenant_id: Some(self.customer.tenant_id.to_string()),
                domain: self.customer.domain.as_ref().map(ToString::to_string),
            }),
            solution_area: Some(self.solution_area.code().to_owned()),
            partner_role: Some(self.partner_role.code().to_owned()),
            incentive_opt_out: Some(self.incentive_opt_out),
            products: Some(
                self.products
                    .iter()
                    .map(|p| ProductInput {
                        product: Some(p.product.code().to_owned()),
                        subscription_id: p.subscription_id.map(|s| s.to_string()),
                    })
                    .collect(),
            ),
            purchase_channel: self.purchase_channel.map(|c| c.code().to_owned()),
            customer_contact: Some(CustomerContactInput {
                name: Some(self.customer_contact.name.to_string()),
                title: Some(self.customer_contact.title.to_string()),
                email: Some(self.customer_contact.email.to_string()),
                language: self
                    .customer_contact
                    .language
                    .as_ref()
                    .map(ToString::to_string),
            }),
            partner_contact: Some(PartnerContactInput {
                name: Some(self.partner_contact.name.to_string()),
                email: Some(self.partner_contact.email.to_string()),
                language: self
                    .partner_contact
                    .language
                    .as_ref()
                    .map(ToString::to_string),
            }),
            revenue_details: self.revenue_details.as_ref().map(|r| RevenueDetailsInput {
                seller_name: Some(r.seller_name.to_string()),
                customer_name: Some(r.customer_name.to_string()),
                isv_product: Some(r.isv_product.to_string()),
            }),
        }
    }

    /// Applies a patch and re-validates the whole result (cross-field rules included).
    /// Returns the new content and the top-level fields whose value changed.
    pub fn apply_patch(
        &self,
        patch: &ClaimPatch,
    ) -> Result<(ClaimContent, Vec<&'static str>), ValidationErrors> {
        let mut input = self.to_input();
        macro_rules! overlay {
            ($($field:ident),*) => {$(
                if let Some(v) = &patch.$field {
                    input.$field = Some(v.clone());
                }
            )*};
        }
        overlay!(
            name,
            partner_location_id,
            customer,
            solution_area,
            partner_role,
            incentive_opt_out,
            products,
            purchase_channel,
            customer_contact,
            partner_contact
        );
        if let Some(rd) = &patch.revenue_details {
            input.revenue_details = rd.clone();
        }
        let next = ClaimContent::validate(&input)?;
        let changed = self.changed_fields(&next);
        Ok((next, changed))
    }

    /// The wire names of the top-level fields that differ between `self` and `other`.
    pub fn changed_fields(&self, other: &ClaimContent) -> Vec<&'static str> {
        let flags = [
            self.name != other.name,
            self.partner_location_id != other.partner_location_id,
            self.customer != other.customer,
            self.solution_area != other.solution_area,
            self.partner_role != other.partner_role,
            self.incentive_opt_out != other.incentive_opt_out,
            self.products != other.products,
            self.purchase_channel != other.purchase_channel,
            self.customer_contact != other.customer_contact,
            self.partner_contact != other.partner_contact,
            self.revenue_details != other.revenue_details,
        ];
        CONTENT_FIELDS
            .into_iter()
            .zip(flags)
            .filter_map(|(f, changed)| changed.then_some(f))
            .collect()
    }

    pub fn name(&self) -> &ClaimName {
        &self.name
    }
    pub fn partner_location_id(&self) -> &LocationId {
        &self.partner_location_id
    }
    pub fn customer(&self) -> &Customer {
        &self.customer
    }
    pub fn solution_area(&self) -> SolutionArea {
        self.solution_area
    }
    pub fn partner_role(&self) -> PartnerActivity {
        self.partner_role
    }
    pub fn incentive_opt_out(&self) -> bool {
        self.incentive_opt_out
    }
    pub fn purchase_channel(&self) -> Option<PurchaseChannel> {
        self.purchase_channel
    }
    pub fn products(&self) -> &[ClaimedProduct] {
        &self.products
    }
    pub fn customer_contact(&self) -> &CustomerContact {
        &self.customer_contact
    }
    pub fn partner_contact(&self) -> &PartnerContact {
        &self.partner_contact
    }
    pub fn revenue_details(&self) -> Option<&RevenueDetails> {
        self.revenue_details.as_ref()
    }
}

fn validate_products(
    input: Option<&[ProductInput]>,
    area: Option<SolutionArea>,
    errs: &mut ValidationErrors,
) -> Option<Vec<ClaimedProduct>> {
    let Some(items) = input else {
        errs.push("products", "is required");
        return None;
    };
    if items.is_empty() {
        errs.push("products", "must name at least one product");
        return None;
    }
    if items.len() > MAX_PRODUCTS {
        errs.push(
            "products",
            format!("must name at most {MAX_PRODUCTS} products"),
        );
        return None;
    }
    let before = errs.0.len();
    let mut out = Vec::with_capacity(items.len());
    // The one-partner rule's identity of each item: the product (Modern Work & Security) or the
    // subscription (Business Applications). Two items with the same identity are duplicates.
    let mut seen_products: BTreeMap<Product, usize> = BTreeMap::new();
    let mut seen_subscriptions: BTreeMap<SubscriptionId, usize> = BTreeMap::new();
    for (i, item) in items.iter().enumerate() {
        let product_path = format!("products[{i}].product");
        let sub_path = format!("products[{i}].subscriptionId");
        let product = match item.product.as_deref().map(|c| (c, Product::parse(c))) {
            None => {
                errs.push(product_path.as_str(), "is required");
                None
            }
            Some((_, None)) => {
                errs.push(product_path.as_str(), "is not a product in the catalogue");
                None
            }
            Some((code, Some(p))) => match area {
                Some(a) if a != p.area() => {
                    errs.push(
                        product_path.as_str(),
                        format!("{code} is not a {} product", a.display_name()),
                    );
                    None
                }
                _ => Some(p),
            },
        };
        // `Err(())` marks a subscription that failed; `Ok(None)` one that is rightly absent.
        let needs_sub = area.map(SolutionArea::products_need_subscription);
        let subscription = match (needs_sub, item.subscription_id.as_deref()) {
            (Some(true), None) => {
                errs.push(
                    sub_path.as_str(),
                    "is required for Business Applications products",
                );
                Err(())
            }
            (Some(false), Some(_)) => {
                errs.push(
                    sub_path.as_str(),
                    "is only allowed for Business Applications products",
                );
                Err(())
            }
            (_, None) => Ok(None),
            (_, Some(raw)) => errs
                .optional(&sub_path, Some(raw), SubscriptionId::parse)
                .map(Some)
                .ok_or(()),
        };
        let Some(product) = product else { continue };
        let Ok(subscription_id) = subscription else {
            continue;
        };
        let duplicate = match subscription_id {
            Some(sub) => seen_subscriptions.insert(sub, i).map(|first| {
                (
                    sub_path,
                    format!("duplicates products[{first}]: a subscription is claimed once"),
                )
            }),
            None => seen_products
                .insert(product, i)
                .map(|first| (product_path, format!("duplicates products[{first}]"))),
        };
        if let Some((path, message)) = duplicate {
            errs.push(path, message);
        }
        out.push(ClaimedProduct {
            product,
            subscription_id,
        });
    }
    (errs.0.len() == before).then_some(out)
}

/// `Some(None)` when no channel is due, `Some(Some(c))` when valid, `None` after an error.
fn validate_purchase_channel(
    raw: Option<&str>,
    area: Option<SolutionArea>,
    strictness: Strictness,
    errs: &mut ValidationErrors,
) -> Option<Option<PurchaseChannel>> {
    const FIELD: &str = "purchaseChannel";
    const OTHER_PROCESS: &str = "the Business Applications partner roles apply only to customers who bought through Volume Licensing or Web-Direct; CSP, managed reseller and hosting purchases use another process (co-op claims), not CPOR";
    let needed = area.map(SolutionArea::needs_purchase_channel);
    match (raw, needed) {
        (Some(_), Some(false)) => {
            errs.push(FIELD, "applies only to business_applications claims");
            None
        }
        (Some(code), _) => match PurchaseChannel::parse(code) {
            Some(c) => Some(Some(c)),
            None => {
                errs.push(
                    FIELD,
                    format!("must be volume_licensing or web_direct: {OTHER_PROCESS}"),
                );
                None
            }
        },
        (None, Some(true)) if strictness == Strictness::Input => {
            errs.push(
                FIELD,
                format!(
                    "is required for business_applications claims (volume_licensing or web_direct): {OTHER_PROCESS}"
                ),
            );
            None
        }
        (None, _) => Some(None),
    }
}

fn validate_customer_contact(
    input: Option<&CustomerContactInput>,
    errs: &mut ValidationErrors,
) -> Option<CustomerContact> {
    let Some(c) = input else {
        errs.push("customerContact", "is required");
        return None;
    };
    let name = errs.required("customerContact.name", c.name.as_deref(), ShortText::parse);
    let title = errs.required(
        "customerContact.title",
        c.title.as_deref(),
        ShortText::parse,
    );
    let email = errs.required(
        "customerContact.email",
        c.email.as_deref(),
        EmailAddress::parse,
    );
    let language = errs.optional(
        "customerContact.language",
        c.language.as_deref(),
        LanguageTag::parse,
    );
    if c.language.is_some() && language.is_none() {
        return None;
    }
    Some(CustomerContact {
        name: name?,
        title: title?,
        email: email?,
        language,
    })
}

fn validate_partner_contact(
    input: Option<&PartnerContactInput>,
    errs: &mut ValidationErrors,
) -> Option<PartnerContact> {
    let Some(c) = input else {
        errs.push("partnerContact", "is required");
        return None;
    };
    let name = errs.required("partnerContact.name", c.name.as_deref(), ShortText::parse);
    let email = errs.required(
        "partnerContact.email",
        c.email.as_deref(),
        EmailAddress::parse,
    );
    let language = errs.optional(
        "partnerContact.language",
        c.language.as_deref(),
        LanguageTag::parse,
    );
    if c.language.is_some() && language.is_none() {
        return None;
    }
    Some(PartnerContact {
        name: name?,
        email: email?,
        language,
    })
}

fn validate_revenue_details(
    r: &RevenueDetailsInput,
    errs: &mut ValidationErrors,
) -> Option<RevenueDetails> {
    let seller_name = errs.required(
        "revenueDetails.sellerName",
        r.seller_name.as_deref(),
        ShortText::parse,
    );
    let customer_name = errs.required(
        "revenueDetails.customerName",
        r.customer_name.as_deref(),
        ShortText::parse,
    );
    let isv_product = errs.required(
        "revenueDetails.isvProduct",
        r.isv_product.as_deref(),
        ShortText::parse,
    );
    Some(RevenueDetails {
        seller_name: seller_name?,
        customer_name: customer_name?,
        isv_product: isv_product?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{SUB_1, ba_input, mws_input};
    use proptest::prelude::*;

    fn fields(input: &ClaimInput) -> Vec<String> {
        match ClaimContent::validate(input) {
            Ok(_) => Vec::new(),
            Err(e) => e.0.into_iter().map(|f| f.field).collect(),
        }
    }

    fn with(mut f: impl FnMut(&mut ClaimInput)) -> ClaimInput {
        let mut i = mws_input();
        f(&mut i);
        i
    }

    fn with_ba(mut f: impl FnMut(&mut ClaimInput)) -> ClaimInput {
        let mut i = ba_input();
        f(&mut i);
        i
    }

    fn product(code: &str, sub: Option<&str>) -> ProductInput {
        ProductInput {
            product: Some(code.into()),
            subscription_id: sub.map(Into::into),
        }
    }

    #[test]
    fn valid_claims_in_both_areas_pass() {
        let mws = ClaimContent::validate(&mws_input()).unwrap();
        assert_eq!(mws.solution_area(), SolutionArea::ModernWorkSecurity);
        assert_eq!(mws.products().len(), 2);
        let ba = ClaimContent::validate(&ba_input()).unwrap();
        assert_eq!(ba.partner_role(), PartnerActivity::InfluencedRevenue);
        assert!(ba.revenue_details().is_some());
    }

    #[test]
    fn an_empty_body_reports_every_required_field_at_once() {
        assert_eq!(
            fields(&ClaimInput::default()),
            [
                "name",
                "partnerLocationId",
                "customer",
                "solutionArea",
                "partnerRole",
                "products",
                "customerContact",
                "partnerContact"
            ]
        );
        let nested = with(|i| {
            i.customer = Some(CustomerInput::default());
            i.customer_contact = Some(CustomerContactInput::default());
            i.partner_contact = Some(PartnerContactInput::default());
            i.products = Some(vec![ProductInput::default()]);
        });
        assert_eq!(
            fields(&nested),
            [
                "customer.tenantId",
                "products[0].product",
                "customerContact.name",
                "customerContact.title",
                "customerContact.email",
                "partnerContact.name",
                "partnerContact.email"
            ]
        );
    }

    #[test]
    fn bad_values_are_reported_by_path() {
        let input = with(|i| {
            i.name = Some("Bad\r\nBcc: x@evil.com".into());
            i.customer = Some(CustomerInput {
                tenant_id: Some("not-a-guid".into()),
                domain: Some("nodot".into()),
            });
            i.customer_contact.as_mut().unwrap().email = Some("ana@".into());
            i.partner_contact.as_mut().unwrap().name = Some(" ".into());
        });
        assert_eq!(
            fields(&input),
            [
                "name",
                "customer.tenantId",
                "customer.domain",
                "customerContact.email",
                "partnerContact.name"
            ]
        );
    }

    #[test]
    fn partner_role_must_belong_to_the_solution_area() {
        let ba_role_on_mws = with(|i| i.partner_role = Some("build_intent_advisor".into()));
        assert_eq!(fields(&ba_role_on_mws), ["partnerRole"]);
        let mws_role_on_ba = with_ba(|i| {
            i.partner_role = Some("use_or_consume".into());
            i.revenue_details = None;
        });
        assert_eq!(fields(&mws_role_on_ba), ["partnerRole"]);
        let unknown = with(|i| i.partner_role = Some("reseller".into()));
        assert_eq!(fields(&unknown), ["partnerRole"]);
        for role in ["build_intent_advisor", "usage_recognition"] {
            let ok = with_ba(|i| {
                i.partner_role = Some(role.into());
                i.revenue_details = None;
            });
            assert_eq!(fields(&ok), Vec::<String>::new(), "{role}");
        }
    }

    #[test]
    fn business_applications_claims_name_a_volume_licensing_or_web_direct_purchase() {
        let web = with_ba(|i| i.purchase_channel = Some("web_direct".into()));
        assert_eq!(fields(&web), Vec::<String>::new());
        let missing = with_ba(|i| i.purchase_channel = None);
        assert_eq!(fields(&missing), ["purchaseChannel"]);
        let csp = with_ba(|i| i.purchase_channel = Some("csp".into()));
        assert_eq!(fields(&csp), ["purchaseChannel"]);
        let message = ClaimContent::validate(&{
            let mut i = ba_input();
            i.purchase_channel = Some("csp".into());
            i
        })
        .unwrap_err()
        .0[0]
            .message
            .clone();
        assert!(
            message.contains("CSP, managed reseller and hosting purchases use another process"),
            "{message}"
        );
        let on_mws = with(|i| i.purchase_channel = Some("web_direct".into()));
        assert_eq!(fields(&on_mws), ["purchaseChannel"]);
        // A Business Applications claim stored before the field existed still reads.
        let mut old = ba_input();
        old.purchase_channel = None;
        let stored: Result<ClaimContent, _> = ClaimContent::try_from(old);
        assert_eq!(stored.map(|c| c.purchase_channel()), Ok(None));
    }

    #[test]
    fn business_applications_products_each_name_a_subscription() {
        let missing = with_ba(|i| i.products = Some(vec![product("power_bi", None)]));
        assert_eq!(fields(&missing), ["products[0].subscriptionId"]);
        let bad = with_ba(|i| i.products = Some(vec![product("power_bi", Some("x"))]));
        assert_eq!(fields(&bad), ["products[0].subscriptionId"]);
        let on_mws = with(|i| i.products = Some(vec![product("teams", Some(SUB_1))]));
        assert_eq!(fields(&on_mws), ["products[0].subscriptionId"]);
    }

    #[test]
    fn products_come_from_the_areas_catalogue_without_duplicates() {
        let wrong_area = with(|i| i.products = Some(vec![product("power_bi", None)]));
        assert_eq!(fields(&wrong_area), ["products[0].product"]);
        let unknown = with(|i| i.products = Some(vec![product("azure_vm", None)]));
        assert_eq!(fields(&unknown), ["products[0].product"]);
        let dup = with(|i| {
            i.products = Some(vec![
                product("teams", None),
                product("intune", None),
                product("teams", None),
            ])
        });
        assert_eq!(fields(&dup), ["products[2].product"]);
        let dup_sub = with_ba(|i| {
            i.products = Some(vec![
                product("power_bi", Some(SUB_1)),
                product("power_apps", Some(SUB_1)),
            ])
        });
        assert_eq!(fields(&dup_sub), ["products[1].subscriptionId"]);
        // One product on two subscriptions is two workloads, not a duplicate.
        let two_subs = with_ba(|i| {
            i.products = Some(vec![
                product("power_bi", Some(SUB_1)),
                product("power_bi", Some("1c3e5a7b-9d0f-4a2c-8e4b-6d8f0a2c4e22")),
            ])
        });
        assert_eq!(fields(&two_subs), Vec::<String>::new());
        let empty = with(|i| i.products = Some(vec![]));
        assert_eq!(fields(&empty), ["products"]);
        let too_many = with(|i| i.products = Some(vec![product("teams", None); MAX_PRODUCTS + 1]));
        assert_eq!(fields(&too_many), ["products"]);
    }

    #[test]
    fn revenue_details_are_required_for_influenced_revenue_only() {
        let missing = with_ba(|i| i.revenue_details = None);
        assert_eq!(fields(&missing), ["revenueDetails"]);
        let partial = with_ba(|i| {
            i.revenue_details = Some(RevenueDetailsInput {
                seller_name: Some("Fabrikam".into()),
                ..Default::default()
            })
        });
        assert_eq!(
            fields(&partial),
            ["revenueDetails.customerName", "revenueDetails.isvProduct"]
        );
        let extra = with(|i| i.revenue_details = ba_input().revenue_details);
        assert_eq!(fields(&extra), ["revenueDetails"]);
    }

    #[test]
    fn incentive_opt_out_is_only_for_modern_work_and_security() {
        let mws = with(|i| i.incentive_opt_out = Some(true));
        assert!(ClaimContent::validate(&mws).unwrap().incentive_opt_out());
        let ba = with_ba(|i| i.incentive_opt_out = Some(true));
        assert_eq!(fields(&ba), ["incentiveOptOut"]);
    }

    #[test]
    fn unknown_fields_are_refused_when_parsing_the_body() {
        let err =
            serde_json::from_value::<ClaimInput>(serde_json::json!({"name": "x", "isAdmin": true}))
                .unwrap_err();
        assert!(err.to_string().contains("isAdmin"), "{err}");
        let nested = serde_json::from_value::<ClaimInput>(
            serde_json::json!({"customer": {"tenantId": "x", "tpid": 1}}),
        );
        assert!(nested.is_err());
    }

    #[test]
    fn stored_content_is_revalidated_when_read_back() {
        let content = ClaimContent::validate(&mws_input()).unwrap();
        let json = serde_json::to_value(&content).unwrap();
        assert_eq!(
            serde_json::from_value::<ClaimContent>(json.clone()).unwrap(),
            content
        );
        let mut tampered = json;
        tampered["products"][0]["product"] = "power_bi".into();
        assert!(serde_json::from_value::<ClaimContent>(tampered).is_err());
    }

    #[test]
    fn a_patch_overlays_fields_revalidates_and_lists_what_changed() {
        let content = ClaimContent::validate(&ba_input()).unwrap();
        let patch: ClaimPatch = serde_json::from_value(serde_json::json!({
            "name": "Renamed",
            "partnerRole": "usage_recognition",
            "revenueDetails": null
        }))
        .unwrap();
        let (next, changed) = content.apply_patch(&patch).unwrap();
        assert_eq!(changed, ["name", "partnerRole", "revenueDetails"]);
        assert!(next.revenue_details().is_none());
        // Dropping revenue details while keeping the influenced-revenue role breaks a rule.
        let bad: ClaimPatch =
            serde_json::from_value(serde_json::json!({"revenueDetails": null})).unwrap();
        assert_eq!(
            content
                .apply_patch(&bad)
                .unwrap_err()
                .fields()
                .collect::<Vec<_>>(),
            ["revenueDetails"]
        );
        // A patch repeating current values changes nothing.
        let same: ClaimPatch =
            serde_json::from_value(serde_json::json!({"name": "Contoso Dynamics"})).unwrap();
        assert_eq!(content.apply_patch(&same).unwrap().1, Vec::<&str>::new());
    }

    proptest! {
        #[test]
        fn validation_never_panics_and_errors_always_name_a_field(
            name in proptest::option::of("\\PC{0,120}"),
            area in proptest::option::of("[a-z_]{0,25}|modern_work_security|business_applications"),
            role in proptest::option::of("[a-z_]{0,25}|use_or_consume|influenced_revenue"),
            codes in proptest::collection::vec(("[a-z_0-9]{0,30}|teams|power_bi", proptest::option::of("[0-9a-f-]{0,40}")), 0..30),
            email in proptest::option::of("\\PC{0,60}"),
        ) {
            let mut input = mws_input();
            input.name = name;
            input.solution_area = area;
            input.partner_role = role;
            input.products = Some(codes.into_iter().map(|(p, s)| ProductInput { product: Some(p), subscription_id: s }).collect());
            if let Some(c) = input.customer_contact.as_mut() { c.email = email; }
            match ClaimContent::validate(&input) {
                Ok(content) => prop_assert_eq!(ClaimContent::validate(&content.to_input()), Ok(content)),
                Err(errs) => {
                    prop_assert!(!errs.is_empty());
                    for f in errs.fields() {
                        prop_assert!(CONTENT_FIELDS.iter().any(|top| f.starts_with(top)), "{}", f);
                    }
                }
            }
        }
    }
}
