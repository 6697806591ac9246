//! A local JWT issuer and verifier (HS256 with a development key, by `jsonwebtoken`) standing
//! in for the API Gateway JWT authorizer: it checks signature, issuer, audience and expiry, then
//! hands the claims to the function as API Gateway does — strings as they are, arrays as
//! `[a b]` (the flattening below is the part that is ours).

use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

pub const ISSUER: &str = "cpor-local";
pub const AUDIENCE: &str = "cpor";
/// The development key (not a secret; the local stack only). `CPOR_LOCAL_JWT_KEY` overrides.
pub const DEV_KEY: &str = "cpor-local-development-signing-key-not-a-secret";

/// What a token says about its holder.
#[derive(Debug, Clone, Default)]
pub struct Identity {
    pub sub: String,
    pub partner_id: Option<String>,
    /// The organisation's display name (`partner_name`), shown to customers.
    pub partner_name: Option<String>,
    pub locations: Vec<String>,
    pub roles: Vec<String>,
}

/// The roles a local token may carry.
pub const ROLES: &str = "incentives_admin, incentives_user, global_admin, billing_admin, referral_admin, reviewer or microsoft_seller";

impl Identity {
    /// Who a local sign-in makes: Microsoft staff (reviewers, field sellers) belong to no
    /// partner organisation; partner roles need one, its locations defaulting to `<id>001`
    /// and `<id>002`.
    pub fn signed_in(
        roles: Vec<String>,
        partner: Option<String>,
        name: Option<String>,
        locations: Vec<String>,
        sub: Option<String>,
    ) -> Result<Self, String> {
        if roles.is_empty() {
            return Err(format!("a role is required ({ROLES})"));
        }
        let staff = roles
            .iter()
            .any(|r| r == "reviewer" || r == "microsoft_seller");
        let partner = partner.filter(|p| !p.trim().is_empty() && !staff);
        if partner.is_none() && !staff {
            return Err("a partner ID is required for partner roles".into());
        }
        let locations = match locations {
            l if l.is_empty() => partner
                .iter()
                .flat_map(|p| [format!("{p}001"), format!("{p}002")])
                .collect(),
            l => l,
        };
        Ok(Self {
            sub: sub.filter(|s| !s.trim().is_empty()).unwrap_or_else(|| {
                if staff {
                    "reviewer-1".into()
                } else {
                    "partner-user-1".into()
                }
            }),
            partner_name: name.filter(|n| !n.trim().is_empty() && partner.is_some()),
            partner_id: partner,
            locations,
            roles,
        })
    }
}

pub fn issue(key: &[u8], id: &Identity, now: DateTime<Utc>, ttl: Duration) -> String {
    let mut claims = json!({
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": id.sub,
        "iat": now.timestamp(),
        "exp": (now + ttl).timestamp(),
        "roles": id.roles,
    });
    if let Some(p) = &id.partner_id {
        claims["partner_id"] = json!(p);
        claims["partner_locations"] = json!(id.locations);
        if let Some(name) = &id.partner_name {
            claims["partner_name"] = json!(name);
        }
    }
    // Encoding JSON claims with an HMAC key cannot fail.
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(key),
    )
    .unwrap_or_default()
}

/// Why a token was refused (the gateway answers 401 for all of them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JwtError {
    Malformed,
    Signature,
    Expired,
    Audience,
    Issuer,
}

/// Verifies a token (HS256 only; signature, issuer, audience, and expiry as of `now`) and
/// returns its claims as API Gateway passes them to functions.
pub fn verify(
    key: &[u8],
    token: &str,
    now: DateTime<Utc>,
) -> Result<HashMap<String, String>, JwtError> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_audience(&[AUDIENCE]);
    validation.set_issuer(&[ISSUER]);
    validation.set_required_spec_claims(&["exp", "aud", "iss"]);
    // Expiry is checked against `now` below, so a test can verify "two hours later".
    validation.validate_exp = false;
    let data = jsonwebtoken::decode::<Map<String, Value>>(
        token,
        &DecodingKey::from_secret(key),
        &validation,
    )
    .map_err(|e| match e.kind() {
        ErrorKind::InvalidSignature | ErrorKind::InvalidAlgorithm => JwtError::Signature,
        ErrorKind::InvalidAudience => JwtError::Audience,
        ErrorKind::InvalidIssuer => JwtError::Issuer,
        ErrorKind::MissingRequiredClaim(c) if c == "exp" => JwtError::Expired,
        _ => JwtError::Malformed,
    })?;
    let claims = data.claims;
    if claims
        .get("exp")
        .and_then(Value::as_i64)
        .is_none_or(|exp| exp <= now.timestamp())
    {
        return Err(JwtError::Expired);
    }
    Ok(claims
        .into_iter()
        .map(|(k, v)| {
            let s = match v {
                Value::String(s) => s,
                Value::Array(items) => format!(
                    "[{}]",
                    items
                        .iter()
                        .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                        .collect::<Vec<_>>()
                        .join(" ")
                ),
                other => other.to_string(),
            };
            (k, s)
        })
        .collect())
}
