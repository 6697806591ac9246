//! The wire shape of a claim: what a partner sends to create or edit one. Every field is
//! optional so that a missing one is reported by path together with all the others, not as the
//! first serde error; [`super::content::ClaimContent::validate`] turns it into the validated
//! shape.

use serde::{Deserialize, Deserializer, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ClaimInput {
    pub name: Option<String>,
    pub partner_location_id: Option<String>,
    pub customer: Option<CustomerInput>,
    pub solution_area: Option<String>,
    pub partner_role: Option<String>,
    pub incentive_opt_out: Option<bool>,
    pub products: Option<Vec<ProductInput>>,
    /// Business Applications only: `volume_licensing` or `web_direct`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase_channel: Option<String>,
    pub customer_contact: Option<CustomerContactInput>,
    pub partner_contact: Option<PartnerContactInput>,
    pub revenue_details: Option<RevenueDetailsInput>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CustomerInput {
    pub tenant_id: Option<String>,
    pub domain: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ProductInput {
    pub product: Option<String>,
    pub subscription_id: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CustomerContactInput {
    pub name: Option<String>,
    pub title: Option<String>,
    pub email: Option<String>,
    /// A BCP 47 tag (`es-MX`) for the emails and page this contact reads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct PartnerContactInput {
    pub name: Option<String>,
    pub email: Option<String>,
    /// A BCP 47 tag (`ja`) for the emails this contact reads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct RevenueDetailsInput {
    pub seller_name: Option<String>,
    pub customer_name: Option<String>,
    pub isv_product: Option<String>,
}

/// A partial update (`PATCH`). An absent field stays as it is; `customer.domain` and
/// `revenueDetails` may be set to `null` to remove them. Objects are replaced whole.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ClaimPatch {
    pub name: Option<String>,
    pub partner_location_id: Option<String>,
    pub customer: Option<CustomerInput>,
    pub solution_area: Option<String>,
    pub partner_role: Option<String>,
    pub incentive_opt_out: Option<bool>,
    pub products: Option<Vec<ProductInput>>,
    pub purchase_channel: Option<String>,
    pub customer_contact: Option<CustomerContactInput>,
    pub partner_contact: Option<PartnerContactInput>,
    #[serde(default, deserialize_with = "present_or_null")]
    pub revenue_details: Option<Option<RevenueDetailsInput>>,
}

/// Distinguishes an absent field (`None`, via `#[serde(default)]`) from an explicit `null`
/// (`Some(None)`).
fn present_or_null<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}
