//! The claimable catalogue, kept as data: solution areas, the partner roles each allows, and the
//! products / workloads each offers (SPEC §3, seeds 000 and 002).
//!
//! Adding a product is one row in [`PRODUCTS`]; nothing else changes. Codes are the snake_case
//! strings the API and storage use.

use super::values::all_variants;
use serde::{Deserialize, Serialize};
use std::fmt;

/// How a Business Applications customer bought the products (seeds 000/002). CSP, managed
/// reseller and hosting purchases are not claimed through CPOR at all.
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
pub enum PurchaseChannel {
    VolumeLicensing,
    WebDirect,
}

impl PurchaseChannel {
    pub fn code(self) -> &'static str {
        self.into()
    }

    pub fn parse(code: &str) -> Option<Self> {
        code.parse().ok()
    }
}

/// The two solution areas CPOR covers.
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
pub enum SolutionArea {
    ModernWorkSecurity,
    BusinessApplications,
}

impl SolutionArea {
    pub const ALL: [Self; <Self as strum::EnumCount>::COUNT] =
        all_variants(<Self as strum::VariantArray>::VARIANTS);

    pub fn code(self) -> &'static str {
        self.into()
    }

    pub fn display_name(self) -> &'static str {
        match self {
            Self::ModernWorkSecurity => "Modern Work & Security",
            Self::BusinessApplications => "Business Applications",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        code.parse().ok()
    }

    /// Whether the partner may opt out of incentive payments (seed 000 step 6: Modern Work &
    /// Security "use or consume" only).
    pub fn allows_incentive_opt_out(self) -> bool {
        matches!(self, Self::ModernWorkSecurity)
    }

    /// Whether each product names a subscription, and so whether the one-partner rule holds per
    /// subscription rather than per (tenant, workload) (SPEC §5).
    pub fn products_need_subscription(self) -> bool {
        matches!(self, Self::BusinessApplications)
    }

    /// Whether a claim names how the customer bought (seeds 000/002: the Business Applications
    /// roles apply only to purchases through Volume Licensing or Web-Direct).
    pub fn needs_purchase_channel(self) -> bool {
        matches!(self, Self::BusinessApplications)
    }

    pub fn products(self) -> impl Iterator<Item = &'static ProductSpec> {
        PRODUCTS.iter().filter(move |p| p.area == self)
    }
}

impl fmt::Display for SolutionArea {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The partner role ("activity") a claim is filed for.
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
pub enum PartnerActivity {
    /// Modern Work & Security: "Use or consume".
    UseOrConsume,
    /// Business Applications: "Build intent – Advisor" (OSA presales, incentive-bearing).
    BuildIntentAdvisor,
    /// Business Applications: "Usage recognition – non-incentive" (OSU).
    UsageRecognition,
    /// Business Applications: "Influenced revenue recognition – non-incentive" (revenue only).
    InfluencedRevenue,
}

impl PartnerActivity {
    pub const ALL: [Self; <Self as strum::EnumCount>::COUNT] =
        all_variants(<Self as strum::VariantArray>::VARIANTS);

    pub fn code(self) -> &'static str {
        self.into()
    }

    pub fn display_name(self) -> &'static str {
        match self {
            Self::UseOrConsume => "Use or consume",
            Self::BuildIntentAdvisor => "Build intent – Advisor",
            Self::UsageRecognition => "Usage recognition – non-incentive",
            Self::InfluencedRevenue => "Influenced revenue recognition – non-incentive",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        code.parse().ok()
    }

    /// The one solution area this role belongs to (SPEC §3 table).
    pub fn area(self) -> SolutionArea {
        match self {
            Self::UseOrConsume => SolutionArea::ModernWorkSecurity,
            Self::BuildIntentAdvisor | Self::UsageRecognition | Self::InfluencedRevenue => {
                SolutionArea::BusinessApplications
            }
        }
    }

    /// Revenue association only: needs seller, customer and ISV product names (seed 000).
    pub fn needs_revenue_details(self) -> bool {
        matches!(self, Self::InfluencedRevenue)
    }
}

impl fmt::Display for PartnerActivity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// One row of the catalogue.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ProductSpec {
    pub code: &'static str,
    pub display_name: &'static str,
    pub area: SolutionArea,
}

use SolutionArea::{BusinessApplications as BA, ModernWorkSecurity as MWS};

/// The catalogue. Codes are unique across areas (checked by a test).
pub static PRODUCTS: &[ProductSpec] = &[
    ProductSpec {
        code: "exchange_online",
        display_name: "Exchange Online",
        area: MWS,
    },
    ProductSpec {
        code: "sharepoint_online",
        display_name: "SharePoint Online",
        area: MWS,
    },
    ProductSpec {
        code: "teams",
        display_name: "Microsoft Teams",
        area: MWS,
    },
    ProductSpec {
        code: "onedrive",
        display_name: "OneDrive for Business",
        area: MWS,
    },
    ProductSpec {
        code: "microsoft_365_apps",
        display_name: "Microsoft 365 Apps",
        area: MWS,
    },
    ProductSpec {
        code: "intune",
        display_name: "Microsoft Intune",
        area: MWS,
    },
    ProductSpec {
        code: "entra_id",
        display_name: "Microsoft Entra ID",
        area: MWS,
    },
    ProductSpec {
        code: "defender_endpoint",
        display_name: "Microsoft Defender for Endpoint",
        area: MWS,
    },
    ProductSpec {
        code: "defender_office_365",
        display_name: "Microsoft Defender for Office 365",
        area: MWS,
    },
    ProductSpec {
        code: "purview",
        display_name: "Microsoft Purview",
        area: MWS,
    },
    ProductSpec {
        code: "dynamics_365_sales",
        display_name: "Dynamics 365 Sales",
        area: BA,
    },
    ProductSpec {
        code: "dynamics_365_customer_service",
        display_name: "Dynamics 365 Customer Service",
        area: BA,
    },
    ProductSpec {
        code: "dynamics_365_field_service",
        display_name: "Dynamics 365 Field Service",
        area: BA,
    },
    ProductSpec {
        code: "dynamics_365_finance",
        display_name: "Dynamics 365 Finance",
        area: BA,
    },
    ProductSpec {
        code: "dynamics_365_supply_chain",
        display_name: "Dynamics 365 Supply Chain Management",
        area: BA,
    },
    ProductSpec {
        code: "dynamics_365_business_central",
        display_name: "Dynamics 365 Business Central",
        area: BA,
    },
    ProductSpec {
        code: "power_apps",
        display_name: "Power Apps",
        area: BA,
    },
    ProductSpec {
        code: "power_automate",
        display_name: "Power Automate",
        area: BA,
    },
    ProductSpec {
        code: "power_bi",
        display_name: "Power BI",
        area: BA,
    },
    ProductSpec {
        code: "copilot_studio",
        display_name: "Microsoft Copilot Studio",
        area: BA,
    },
];

/// A product from the catalogue. Only constructible from a catalogue row, so it is always known.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Product(&'static ProductSpec);

impl Product {
    /// Looks a code up in the whole catalogue.
    pub fn parse(code: &str) -> Option<Self> {
        PRODUCTS.iter().find(|p| p.code == code).map(Self)
    }

    pub fn code(self) -> &'static str {
        self.0.code
    }

    pub fn display_name(self) -> &'static str {
        self.0.display_name
    }

    pub fn area(self) -> SolutionArea {
        self.0.area
    }

    pub fn all() -> impl Iterator<Item = Product> {
        PRODUCTS.iter().map(Self)
    }
}

impl PartialOrd for Product {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Product {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.code().cmp(other.code())
    }
}

impl fmt::Debug for Product {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Product({})", self.code())
    }
}

impl fmt::Display for Product {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl TryFrom<String> for Product {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value).ok_or_else(|| "is not a product in the catalogue".to_owned())
    }
}

impl From<Product> for String {
    fn from(value: Product) -> String {
        value.code().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn catalogue_codes_are_unique_snake_case_and_cover_the_required_products() {
        let codes: BTreeSet<_> = PRODUCTS.iter().map(|p| p.code).collect();
        assert_eq!(
            codes.len(),
            PRODUCTS.len(),
            "duplicate code in the catalogue"
        );
        for code in &codes {
            assert!(
                code.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "{code} is not snake_case"
            );
        }
        let required_mws = [
            "exchange_online",
            "sharepoint_online",
            "teams",
            "onedrive",
            "microsoft_365_apps",
            "intune",
            "entra_id",
            "defender_endpoint",
            "defender_office_365",
            "purview",
        ];
        let required_ba = [
            "dynamics_365_sales",
            "dynamics_365_customer_service",
            "dynamics_365_field_service",
            "dynamics_365_finance",
            "dynamics_365_supply_chain",
            "dynamics_365_business_central",
            "power_apps",
            "power_automate",
            "power_bi",
            "copilot_studio",
        ];
        for code in required_mws {
            assert_eq!(Product::parse(code).map(Product::area), Some(MWS), "{code}");
        }
        for code in required_ba {
            assert_eq!(Product::parse(code).map(Product::area), Some(BA), "{code}");
        }
    }

    #[test]
    fn each_area_offers_products_and_each_role_belongs_to_exactly_one_area() {
        for area in SolutionArea::ALL {
            assert!(area.products().count() >= 10, "{area}");
            assert_eq!(SolutionArea::parse(area.code()), Some(area));
        }
        let mws_roles: Vec<_> = PartnerActivity::ALL
            .into_iter()
            .filter(|r| r.area() == MWS)
            .collect();
        assert_eq!(mws_roles, [PartnerActivity::UseOrConsume]);
        for role in PartnerActivity::ALL {
            assert_eq!(PartnerActivity::parse(role.code()), Some(role));
        }
    }

    #[test]
    fn only_influenced_revenue_needs_revenue_details_and_only_mws_allows_opt_out() {
        for role in PartnerActivity::ALL {
            assert_eq!(
                role.needs_revenue_details(),
                role == PartnerActivity::InfluencedRevenue
            );
        }
        assert!(MWS.allows_incentive_opt_out());
        assert!(!BA.allows_incentive_opt_out());
        assert!(BA.products_need_subscription());
        assert!(!MWS.products_need_subscription());
    }

    #[test]
    fn product_serialises_as_its_code_and_unknown_codes_are_refused() {
        let p = Product::parse("power_bi").unwrap();
        assert_eq!(serde_json::to_string(&p).unwrap(), "\"power_bi\"");
        assert_eq!(serde_json::from_str::<Product>("\"power_bi\"").unwrap(), p);
        assert!(serde_json::from_str::<Product>("\"azure_vm\"").is_err());
        assert_eq!(Product::parse("Power_BI"), None, "codes are exact");
    }
}
