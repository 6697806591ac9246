//! MCI engagement fixtures: a reference data document for the test partners and a
//! registration body, shared by the end-to-end and hardening tests.

use super::stack::{ORG_A, ORG_B};
use serde_json::{Value, json};

pub const TENANT: &str = "3fa85f64-5717-4562-b3fc-2c963f66afa6";

/// A dataset for the test partners: ORG_A's first location enrolled for everything, its
/// second not enrolled; ORG_B's first enrolled for `mw-usage`; `customers` extra records.
pub fn dataset(customers: Vec<Value>) -> Vec<u8> {
    let mut all = vec![
        json!({"identifierType": "domain", "value": "contoso.com", "tenantId": TENANT}),
        json!({"identifierType": "tenant_id", "value": TENANT, "emailDomains": ["contoso.com"],
               "coSellEligible": true, "eligibility": {"mw-usage": "eligible"}}),
        json!({"identifierType": "tpid", "value": "1234567", "eligibility": {"mw-usage": "criteria_not_met"}}),
        json!({"identifierType": "msx_opportunity_id", "value": "7-3KX9Q2ZP1", "valueUsd": 400000,
               "eligibility": {"azure-migrate": "eligible"}}),
    ];
    all.extend(customers);
    json!({
        "engagements": [
            {"id": "mw-usage", "name": "Modern Work Usage", "payType": "fixed",
             "identifierTypes": ["domain", "tenant_id", "tpid", "azure_subscription_id"],
             "consentDays": 30, "submissionDays": 60, "customerCap": 1,
             "referrals": {"enabled": true, "minDealSizeUsd": 10000}},
            {"id": "azure-migrate", "name": "Azure Migration Assessment", "payType": "variable",
             "identifierTypes": ["msx_opportunity_id"], "consentDays": 14, "submissionDays": 90,
             "customerCap": 1, "referrals": {"enabled": false},
             "payment": {"hourlyRateUsd": 150, "maxShareOfOpportunity": 0.1, "maxPaymentUsd": 50000}}
        ],
        "partnerLocations": [
            {"locationId": format!("{ORG_A}001"), "partnerId": ORG_A, "mciEnrolled": true,
             "engagements": ["mw-usage", "azure-migrate"]},
            {"locationId": format!("{ORG_A}002"), "partnerId": ORG_A, "mciEnrolled": false,
             "engagements": ["mw-usage"]},
            {"locationId": format!("{ORG_B}001"), "partnerId": ORG_B, "mciEnrolled": true,
             "engagements": ["mw-usage"]}
        ],
        "customers": all
    })
    .to_string()
    .into_bytes()
}

/// A registration body for `org`'s first location.
pub fn registration(org: &str, kind: &str, value: &str, engagements: &[&str]) -> Value {
    json!({
        "name": "Contoso rollout",
        "partnerLocationId": format!("{org}001"),
        "source": "add",
        "customer": {"identifierType": kind, "value": value},
        "engagementIds": engagements,
        "customerContact": {"name": "Ana Pérez", "email": "ana@contoso.com"},
        "partnerContact": {"name": "Luis Gómez", "email": format!("mci-{org}@fabrikam.example"), "language": "es-MX"}
    })
}
