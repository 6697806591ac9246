//! JSON Schemas (Draft 2020-12) for the `detail` of every event on the bus, one per
//! `detail-type`, generated from the domain: which actions publish it and from and to which
//! statuses come from the transition tables (CPOR claims, source `cpor.claims`; MCI engagement
//! claims and their referrals, source `cpor.engagements`), the codes from the enums. Committed under
//! `shared/schemas/events/` (`cargo run -p cpor --example event_schemas` writes them; a test
//! fails if they drift), catalogued in `docs/events.md`, and every event the end-to-end tests
//! receive from the bus is validated against its schema.
//!
//! `additionalProperties: false` everywhere: an event can carry nothing the schema does not
//! name — in particular no contact name, email address or comment (SPEC §8).

use crate::domain::effects::{EVENT_SCHEMA_VERSION, SOURCE as CLAIM_SOURCE, detail_type};
use crate::domain::engagement::events::{
    REFERRAL_CREATED, REFERRAL_UPGRADED, SCHEMA_VERSION as ENGAGEMENT_SCHEMA_VERSION,
    SOURCE as ENGAGEMENT_SOURCE,
};
use crate::domain::engagement::lifecycle::MOVES;
use crate::domain::engagement::{EngagementAction, IdentifierType, ReferralKind};
use crate::domain::lifecycle::{NON_TRANSITIONS, TRANSITIONS};
use crate::domain::{
    Action, DeadlineKind, PartnerActivity, Product, PurchaseChannel, Reason, SolutionArea, Status,
};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// Where the schemas live, relative to the `shared` crate.
pub const DIRECTORY: &str = "schemas/events";

/// What publishes one detail type: the actions, and the statuses before and after.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Publishers {
    pub actions: BTreeSet<Action>,
    pub from: BTreeSet<Status>,
    pub to: BTreeSet<Status>,
    /// Whether an event may have no `from` (creation).
    pub from_optional: bool,
}

/// Every detail type with what publishes it.
pub fn detail_types() -> BTreeMap<&'static str, Publishers> {
    let mut out: BTreeMap<&'static str, Publishers> = BTreeMap::new();
    let mut add = |action: Action, from: Option<Status>, to: Status| {
        let p = out.entry(detail_type(action, to)).or_default();
        p.actions.insert(action);
        p.to.insert(to);
        match from {
            Some(f) => {
                p.from.insert(f);
            }
            None => p.from_optional = true,
        }
    };
    add(Action::Create, None, Status::Draft);
    for t in TRANSITIONS {
        add(t.action, Some(t.from), t.to);
    }
    for (action, _, statuses) in NON_TRANSITIONS {
        for s in *statuses {
            add(*action, Some(*s), *s);
        }
    }
    out
}

fn codes<T>(items: impl IntoIterator<Item = T>, code: impl Fn(T) -> &'static str) -> Value {
    let mut v: Vec<&str> = items.into_iter().map(code).collect();
    v.sort_unstable();
    v.dedup();
    json!(v)
}

const UUID: &str = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";

fn association() -> Value {
    let text = json!({"type": "string", "minLength": 1, "maxLength": 200});
    json!({
        "type": "object",
        "description": "The association's content a downstream incentive system needs: IDs, codes and organisation names, never a person's.",
        "additionalProperties": false,
        "required": ["partnerId", "partnerName", "partnerLocationId", "tenantId", "solutionArea",
                     "partnerRole", "products", "incentiveOptOut"],
        "properties": {
            "partnerId": {"type": "string", "minLength": 1},
            "partnerName": {"type": "string", "minLength": 1, "description": "the organisation's display name (its partner ID when the creating token had none)"},
            "partnerLocationId": {"type": "string", "minLength": 1},
            "tenantId": {"type": "string", "pattern": UUID},
            "domain": {"type": "string"},
            "solutionArea": {"enum": codes(SolutionArea::ALL, SolutionArea::code)},
            "partnerRole": {"enum": codes(PartnerActivity::ALL, PartnerActivity::code)},
            "products": {
                "type": "array", "minItems": 1,
                "items": {
                    "type": "object", "additionalProperties": false, "required": ["product"],
                    "properties": {
                        "product": {"enum": codes(Product::all(), Product::code)},
                        "subscriptionId": {"type": "string", "pattern": UUID}
                    }
                }
            },
            "purchaseChannel": {"enum": codes([PurchaseChannel::VolumeLicensing, PurchaseChannel::WebDirect], PurchaseChannel::code)},
            "incentiveOptOut": {"type": "boolean"},
            "revenueDetails": {
                "type": "object", "additionalProperties": false,
                "required": ["sellerName", "customerName", "isvProduct"],
                "properties": {"sellerName": text, "customerName": text, "isvProduct": text}
            }
        }
    })
}

/// The schema of one detail type.
pub fn schema(detail_type: &str, p: &Publishers) -> Value {
    let statuses = |set: &BTreeSet<Status>| codes(set.iter().copied(), Status::code);
    let mut required = vec![
        "schemaVersion",
        "id",
        "detailType",
        "claimId",
        "partnerId",
        "sequence",
        "at",
        "action",
        "to",
        "association",
    ];
    if !p.from_optional {
        required.push("from");
    }
    let breaches = p.actions.contains(&Action::RecordSlaBreach);
    if breaches {
        required.push("slaBreaches");
    }
    let mut properties = json!({
        "schemaVersion": {"const": EVENT_SCHEMA_VERSION},
        "id": {"type": "string", "pattern": "^[0-9a-f-]{36}-v[0-9]+$", "description": "stable per change: de-duplicate on it"},
        "detailType": {"const": detail_type},
        "claimId": {"type": "string", "pattern": UUID},
        "partnerId": {"type": "string", "minLength": 1},
        "sequence": {"type": "integer", "minimum": 1, "description": "the claim's version after the change: consecutive per claim"},
        "at": {"type": "string", "format": "date-time"},
        "action": {"enum": codes(p.actions.iter().copied(), Action::code)},
        "from": {"enum": statuses(&p.from)},
        "to": {"enum": statuses(&p.to)},
        "reasons": {"type": "array", "items": {"enum": codes(<Reason as strum::VariantArray>::VARIANTS.iter().copied(), Reason::code)}},
        "association": {"$ref": "#/$defs/association"}
    });
    if breaches {
        properties["slaBreaches"] = json!({
            "type": "array", "minItems": 1,
            "items": {
                "type": "object", "additionalProperties": false, "required": ["kind", "dueAt"],
                "properties": {
                    "kind": {"enum": codes(DeadlineKind::ALL.into_iter().filter(|k| k.effect() == crate::domain::DeadlineEffect::RecordSlaBreach), DeadlineKind::code)},
                    "dueAt": {"type": "string", "format": "date-time"}
                }
            }
        });
    }
    let mut out = envelope(
        CLAIM_SOURCE,
        detail_type,
        EVENT_SCHEMA_VERSION,
        required,
        properties,
    );
    out["$defs"] = json!({"association": association()});
    out
}

/// A detail schema's outer object: what every event schema says besides its properties.
fn envelope(
    source: &str,
    detail_type: &str,
    version: u32,
    required: Vec<&str>,
    properties: Value,
) -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": format!("https://cpor.example/schemas/events/{detail_type}.schema.json"),
        "title": format!("{source} {detail_type}"),
        "description": format!("The detail of a `{detail_type}` event (source `{source}`), schema version {version}."),
        "type": "object",
        "additionalProperties": false,
        "required": required,
        "properties": properties,
    })
}

/// What publishes one engagement detail type: the actions, the statuses before and after, and
/// for a referral's events the type the referral has then.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EngagementPublishers {
    pub actions: BTreeSet<&'static str>,
    pub from: BTreeSet<&'static str>,
    pub to: BTreeSet<&'static str>,
    pub from_optional: bool,
    pub referral: Option<ReferralKind>,
}

/// Every engagement detail type with what publishes it: one per move of the lifecycle table,
/// and the referral's two, published beside the move that creates or upgrades it.
pub fn engagement_detail_types() -> BTreeMap<&'static str, EngagementPublishers> {
    let publishers = |action: EngagementAction, referral: Option<ReferralKind>| {
        let m = crate::domain::engagement::lifecycle::of(action);
        let from: BTreeSet<&str> = m.from.iter().map(|s| s.code()).collect();
        let to = match m.to {
            Some(to) => BTreeSet::from([to.code()]),
            None => from.clone(),
        };
        EngagementPublishers {
            actions: BTreeSet::from([action.code()]),
            from_optional: from.is_empty(),
            from,
            to,
            referral,
        }
    };
    let mut out: BTreeMap<_, _> = MOVES
        .iter()
        .map(|m| (m.detail_type, publishers(m.action, None)))
        .collect();
    out.insert(
        REFERRAL_CREATED,
        publishers(
            EngagementAction::RequestConsent,
            Some(ReferralKind::PartnerLed),
        ),
    );
    out.insert(
        REFERRAL_UPGRADED,
        publishers(EngagementAction::Accept, Some(ReferralKind::CoSell)),
    );
    out
}

/// The schema of one engagement detail type.
pub fn engagement_schema(detail_type: &str, p: &EngagementPublishers) -> Value {
    let mut required = vec![
        "schemaVersion",
        "id",
        "detailType",
        "claimId",
        "partnerId",
        "partnerLocationId",
        "engagementId",
        "customer",
        "sequence",
        "at",
        "action",
        "to",
    ];
    if !p.from_optional {
        required.push("from");
    }
    let id = if p.referral.is_some() {
        "^[0-9a-f-]{36}-v[0-9]+-referral$"
    } else {
        "^[0-9a-f-]{36}-v[0-9]+$"
    };
    let mut properties = json!({
        "schemaVersion": {"const": ENGAGEMENT_SCHEMA_VERSION},
        "id": {"type": "string", "pattern": id, "description": "stable per change: de-duplicate on it"},
        "detailType": {"const": detail_type},
        "claimId": {"type": "string", "pattern": UUID},
        "partnerId": {"type": "string", "minLength": 1},
        "partnerLocationId": {"type": "string", "minLength": 1},
        "engagementId": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"},
        "customer": {
            "type": "object", "additionalProperties": false,
            "description": "the customer as the partner named them: an organisation's identifier, never a person's",
            "required": ["identifierType", "value"],
            "properties": {
                "identifierType": {"enum": codes(IdentifierType::ALL, IdentifierType::code)},
                "value": {"type": "string", "minLength": 1, "maxLength": 253}
            }
        },
        "sequence": {"type": "integer", "minimum": 1, "description": "the claim's history entry number: consecutive per claim"},
        "at": {"type": "string", "format": "date-time"},
        "action": {"enum": p.actions.iter().collect::<Vec<_>>()},
        "from": {"enum": p.from.iter().collect::<Vec<_>>()},
        "to": {"enum": p.to.iter().collect::<Vec<_>>()},
    });
    if let Some(kind) = p.referral {
        required.push("referral");
        let mut referral_required = vec!["id", "type", "estimatedDealSizeUsd", "createdAt"];
        if kind == ReferralKind::CoSell {
            referral_required.push("coSellAt");
        }
        properties["referral"] = json!({
            "type": "object", "additionalProperties": false,
            "required": referral_required,
            "properties": {
                "id": {"type": "string", "pattern": UUID, "description": "the referral's ID: its claim's"},
                "type": {"const": kind},
                "estimatedDealSizeUsd": {"type": "number", "exclusiveMinimum": 0},
                "createdAt": {"type": "string", "format": "date-time"},
                "coSellAt": {"type": "string", "format": "date-time"}
            }
        });
    }
    envelope(
        ENGAGEMENT_SOURCE,
        detail_type,
        ENGAGEMENT_SCHEMA_VERSION,
        required,
        properties,
    )
}

/// Every schema, by file name (`<DetailType>.schema.json`), as written to disk.
pub fn files() -> BTreeMap<String, String> {
    let claims = detail_types()
        .into_iter()
        .map(|(name, p)| (name, schema(name, &p)));
    let engagements = engagement_detail_types()
        .into_iter()
        .map(|(name, p)| (name, engagement_schema(name, &p)));
    claims
        .chain(engagements)
        .map(|(name, schema)| {
            let text = serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n";
            (format!("{name}.schema.json"), text)
        })
        .collect()
}

/// The catalogue of events for `docs/events.md`.
pub fn catalogue_markdown() -> String {
    let mut out =
        String::from("| detail-type | actions | from | to | schema |\n|---|---|---|---|---|\n");
    let list = |v: Vec<&str>| v.join(", ");
    for (name, p) in detail_types() {
        let from: Vec<&str> = p.from.iter().map(|s| s.code()).collect();
        let from = if p.from_optional && from.is_empty() {
            "—".to_owned()
        } else {
            list(from)
        };
        out.push_str(&format!(
            "| `{name}` | {} | {from} | {} | [schema](../shared/{DIRECTORY}/{name}.schema.json) |\n",
            list(p.actions.iter().map(|a| a.code()).collect()),
            list(p.to.iter().map(|s| s.code()).collect()),
        ));
    }
    out
}

/// The catalogue of engagement events (source `cpor.engagements`) for `docs/events.md`.
pub fn engagement_catalogue_markdown() -> String {
    let mut out =
        String::from("| detail-type | action | from | to | schema |\n|---|---|---|---|---|\n");
    let list = |v: &BTreeSet<&str>| v.iter().copied().collect::<Vec<_>>().join(", ");
    for (name, p) in engagement_detail_types() {
        let from = if p.from_optional {
            "—".to_owned()
        } else {
            list(&p.from)
        };
        out.push_str(&format!(
            "| `{name}` | {} | {from} | {} | [schema](../shared/{DIRECTORY}/{name}.schema.json) |\n",
            list(&p.actions),
            list(&p.to),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_that_publishes_has_a_detail_type_and_each_schema_names_its_own() {
        let types = detail_types();
        assert!(types.contains_key("ClaimApproved") && types.contains_key("SlaBreached"));
        for (name, p) in &types {
            let s = schema(name, p);
            assert_eq!(s["properties"]["detailType"]["const"], *name);
            assert_eq!(s["additionalProperties"], false);
        }
        let declined = &types["CustomerDeclined"];
        assert!(declined.to.contains(&Status::RejectedFinal));
        assert!(
            !declined.to.contains(&Status::Rejected),
            "a decline is final"
        );
    }
}
