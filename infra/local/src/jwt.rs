//! A local JWT issuer and verifier (HS256 with a development key) standing in for the API
//! Gateway JWT authorizer: it checks signature, issuer, audience and expiry, then hands the
//! claims to the function as API Gateway does — strings as they are, arrays as `[a b]`.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use serde_json::{Map, Value, json};
use sha2::Sha256;
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
    pub locations: Vec<String>,
    pub roles: Vec<String>,
}

fn mac(key: &[u8]) -> Hmac<Sha256> {
    // HMAC takes keys of any length.
    Hmac::<Sha256>::new_from_slice(key).unwrap_or_else(|_| unreachable!())
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
    }
    let header = B64.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = B64.encode(claims.to_string());
    let signing_input = format!("{header}.{payload}");
    let mut m = mac(key);
    m.update(signing_input.as_bytes());
    let sig = B64.encode(m.finalize().into_bytes());
    format!("{signing_input}.{sig}")
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

/// Verifies a token and returns its claims as API Gateway passes them to functions.
pub fn verify(
    key: &[u8],
    token: &str,
    now: DateTime<Utc>,
) -> Result<HashMap<String, String>, JwtError> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtError::Malformed);
    };
    let header: Value = serde_json::from_slice(&B64.decode(h).map_err(|_| JwtError::Malformed)?)
        .map_err(|_| JwtError::Malformed)?;
    if header["alg"] != "HS256" {
        return Err(JwtError::Signature);
    }
    let sig = B64.decode(s).map_err(|_| JwtError::Malformed)?;
    let mut m = mac(key);
    m.update(format!("{h}.{p}").as_bytes());
    m.verify_slice(&sig).map_err(|_| JwtError::Signature)?;
    let claims: Map<String, Value> =
        serde_json::from_slice(&B64.decode(p).map_err(|_| JwtError::Malformed)?)
            .map_err(|_| JwtError::Malformed)?;
    if claims
        .get("exp")
        .and_then(Value::as_i64)
        .is_none_or(|exp| exp <= now.timestamp())
    {
        return Err(JwtError::Expired);
    }
    let aud_ok = match claims.get("aud") {
        Some(Value::String(a)) => a == AUDIENCE,
        Some(Value::Array(a)) => a.iter().any(|v| v == AUDIENCE),
        _ => false,
    };
    if !aud_ok {
        return Err(JwtError::Audience);
    }
    if claims.get("iss").and_then(Value::as_str) != Some(ISSUER) {
        return Err(JwtError::Issuer);
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
