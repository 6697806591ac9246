//! Who is calling, from the JWT claims the API Gateway authorizer verified and passed in the
//! request context: `sub`, `partner_id`, `partner_name`, `partner_locations`, `roles`. The HTTP
//! API hands array claims over as a string such as `[a b]`; a JSON array string is accepted
//! too, and any other string is one value, never split (`"sales reviewer"` is one unknown
//! role, not a reviewer). Roles match exactly. A request without verified claims is 401; a
//! token that is both a partner's and a reviewer's is 403; unknown roles are ignored (and a
//! partner without a known role is refused by the permission matrix, 403).

use super::Problem;
use crate::domain::{Actor, LocationId, PartnerId, PartnerRole, PartnerUser, ShortText, UserId};
use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};
use std::collections::{BTreeSet, HashMap};

/// The reviewer role (Microsoft staff), beside the partner roles.
pub const REVIEWER_ROLE: &str = "reviewer";
/// Microsoft field sellers (seed 004's co-sell), beside the partner roles.
pub const SELLER_ROLE: &str = "microsoft_seller";

fn claims(req: &Request) -> Option<&HashMap<String, String>> {
    match req.request_context_ref()? {
        RequestContext::ApiGatewayV2(ctx) => ctx
            .authorizer
            .as_ref()
            .and_then(|a| a.jwt.as_ref())
            .map(|j| &j.claims),
        _ => None,
    }
}

/// The values of a claim that holds a list, in the forms that reach us: API Gateway's `[a b]`
/// for a JWT array, a JSON array string, or a plain string, which is one value.
pub fn list_claim(raw: &str) -> Vec<String> {
    let raw = raw.trim();
    let Some(inner) = raw.strip_prefix('[').and_then(|r| r.strip_suffix(']')) else {
        return if raw.is_empty() {
            Vec::new()
        } else {
            vec![raw.to_owned()]
        };
    };
    if let Ok(items) = serde_json::from_str::<Vec<String>>(raw) {
        return items;
    }
    inner.split_whitespace().map(str::to_owned).collect()
}

/// The actor behind a request.
pub fn actor(req: &Request) -> Result<Actor, Problem> {
    let claims = claims(req).ok_or_else(Problem::unauthorized)?;
    from_claims(claims)
}

pub fn from_claims(claims: &HashMap<String, String>) -> Result<Actor, Problem> {
    let user = claims
        .get("sub")
        .and_then(|s| UserId::parse(s).ok())
        .ok_or_else(Problem::unauthorized)?;
    let roles = claims
        .get("roles")
        .map(|r| list_claim(r))
        .unwrap_or_default();
    if roles.iter().any(|r| r == REVIEWER_ROLE) {
        if claims.contains_key("partner_id") {
            return Err(Problem::forbidden(
                "a token may be a partner's or a reviewer's, not both",
            ));
        }
        return Ok(Actor::Reviewer { user });
    }
    if roles.iter().any(|r| r == SELLER_ROLE) {
        if claims.contains_key("partner_id") {
            return Err(Problem::forbidden(
                "a token may be a partner's or a Microsoft seller's, not both",
            ));
        }
        return Ok(Actor::Seller { user });
    }
    let org = claims
        .get("partner_id")
        .and_then(|p| PartnerId::parse(p).ok())
        .ok_or_else(|| Problem::forbidden("no partner organisation in the token"))?;
    let locations: BTreeSet<LocationId> = claims
        .get("partner_locations")
        .map(|l| list_claim(l))
        .unwrap_or_default()
        .iter()
        .filter_map(|l| LocationId::parse(l).ok())
        .collect();
    let roles: BTreeSet<PartnerRole> = roles.iter().filter_map(|r| PartnerRole::parse(r)).collect();
    // The organisation's display name, for customers to see who asks; absent or unusable
    // (blank, too long, control characters) means the partner ID is shown instead.
    let org_name = claims
        .get("partner_name")
        .and_then(|n| ShortText::parse(n).ok());
    Ok(Actor::Partner(PartnerUser {
        user,
        org,
        org_name,
        locations,
        roles,
    }))
}

/// A stable, non-identifying scope for idempotency keys and cursors: the organisation (or
/// `reviewer`) and the user.
pub fn caller_scope(actor: &Actor) -> String {
    match actor {
        Actor::Partner(p) => format!("org:{}:{}", p.org, p.user),
        Actor::Reviewer { user } => format!("reviewer:{user}"),
        Actor::Seller { user } => format!("seller:{user}"),
        Actor::Customer => "customer".into(),
        Actor::Scheduler => "scheduler".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect()
    }

    #[test]
    fn array_claims_arrive_as_api_gateway_or_json_sends_them_and_nothing_else_is_split() {
        for raw in ["[a b]", "[\"a\",\"b\"]", " [a  b] "] {
            assert_eq!(list_claim(raw), vec!["a", "b"], "{raw}");
        }
        assert!(list_claim("[]").is_empty() && list_claim(" ").is_empty());
        assert_eq!(list_claim("a,b"), vec!["a,b"]);
        assert_eq!(list_claim("sales reviewer"), vec!["sales reviewer"]);
        assert_eq!(list_claim("reviewer"), vec!["reviewer"]);
    }

    #[test]
    fn only_an_exact_reviewer_role_makes_a_reviewer_and_never_with_a_partner_id() {
        for roles in [
            "sales reviewer",
            "sales,reviewer",
            "[sales,reviewer]",
            "Reviewer",
            "[reviewers]",
        ] {
            let a = from_claims(&claims(&[("sub", "u"), ("roles", roles)]));
            assert!(
                !matches!(a, Ok(Actor::Reviewer { .. })),
                "{roles:?} must not make a reviewer"
            );
        }
        for roles in [
            "reviewer",
            "[reviewer]",
            "[\"reviewer\"]",
            "[incentives_admin reviewer]",
        ] {
            let with_org = from_claims(&claims(&[
                ("sub", "u"),
                ("partner_id", "4812345"),
                ("roles", roles),
            ]));
            assert_eq!(with_org.map(|_| ()).unwrap_err().status, 403, "{roles}");
        }
        assert!(matches!(
            from_claims(&claims(&[("sub", "u"), ("roles", "reviewer")])),
            Ok(Actor::Reviewer { .. })
        ));
    }

    #[test]
    fn a_microsoft_seller_is_no_partner_and_no_reviewer() {
        let seller =
            from_claims(&claims(&[("sub", "s-1"), ("roles", "[microsoft_seller]")])).unwrap();
        assert!(matches!(seller, Actor::Seller { .. }));
        let both = from_claims(&claims(&[
            ("sub", "s-1"),
            ("roles", "[microsoft_seller]"),
            ("partner_id", "4812345"),
        ]));
        assert_eq!(both.unwrap_err().status, 403);
        assert!(!seller.can(crate::domain::Capability::Read));
    }

    #[test]
    fn a_partner_token_becomes_a_partner_with_known_roles_only() {
        let actor = from_claims(&claims(&[
            ("sub", "user-1"),
            ("partner_id", "4812345"),
            ("partner_locations", "[4812345001 4812345002]"),
            ("roles", "[incentives_admin superuser]"),
        ]))
        .unwrap();
        let Actor::Partner(p) = actor else {
            panic!("partner")
        };
        assert_eq!(p.org.as_str(), "4812345");
        assert_eq!(p.locations.len(), 2);
        assert_eq!(
            p.roles.into_iter().collect::<Vec<_>>(),
            vec![PartnerRole::IncentivesAdmin]
        );
    }

    #[test]
    fn reviewers_and_bad_tokens() {
        let r = from_claims(&claims(&[("sub", "rev-1"), ("roles", "[reviewer]")])).unwrap();
        assert!(matches!(r, Actor::Reviewer { .. }));
        assert_eq!(
            from_claims(&claims(&[("roles", "[reviewer]")]))
                .unwrap_err()
                .status,
            401
        );
        assert_eq!(
            from_claims(&claims(&[("sub", "u"), ("roles", "[incentives_admin]")]))
                .unwrap_err()
                .status,
            403
        );
    }
}
