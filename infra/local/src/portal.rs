//! The reference portal (`portal/`, static files) served at `/portal/` beside the API, as the
//! deployment serves it from S3 behind CloudFront: the same files, the same security headers,
//! and a `config.json` that tells the app where the API is and how people sign in. Locally
//! they sign in on a development page that picks a role and an organisation; its tokens come
//! from the local signer (`POST /portal/dev-token`, which exists only here). With
//! `CPOR_PORTAL_SIGN_IN=oidc` the portal signs in as deployed instead — the OpenID Connect code
//! flow with PKCE — against a small provider here (`/portal/dev-oidc/`) that checks the code
//! verifier against the challenge, so the portal's PKCE is exercised for real.

use crate::gateway::form_map;
use crate::jwt;
use http_body_util::Full;
use hyper::body::Bytes;
use serde::Deserialize;
use serde_json::json;
use sha2::Digest;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;

type Answer = hyper::Response<Full<Bytes>>;

pub struct Portal {
    /// Where the files are read from, on every request (an edit shows on reload).
    pub dir: PathBuf,
    /// Where the browser sends PoE uploads (the S3 endpoint: moto locally).
    pub upload_origin: String,
    pub jwt_key: Vec<u8>,
    /// How people sign in: the development page, or OIDC against `/portal/dev-oidc/`.
    pub sign_in: SignInKind,
    /// The stack's own origin (the OIDC provider's issuer is under it).
    pub base_url: String,
    /// Authorization codes issued and not yet exchanged.
    pub codes: Mutex<HashMap<String, Grant>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInKind {
    Dev,
    Oidc,
}

impl SignInKind {
    /// `CPOR_PORTAL_SIGN_IN`: `oidc`, else the development page.
    pub fn from_setting(value: Option<&str>) -> Self {
        if value.is_some_and(|v| v.eq_ignore_ascii_case("oidc")) {
            Self::Oidc
        } else {
            Self::Dev
        }
    }
}

/// What an authorization code stands for until it is exchanged (once).
pub struct Grant {
    challenge: String,
    redirect_uri: String,
    client_id: String,
}

/// The local OIDC provider's client and the one person it signs in.
const OIDC_CLIENT: &str = "cpor-portal-local";
const OIDC_PARTNER: &str = "4812345";
const OIDC_PARTNER_NAME: &str = "Fabrikam Ltd";

/// The repository's `portal/` (`CPOR_PORTAL_DIR` overrides).
pub fn default_dir() -> PathBuf {
    std::env::var_os("CPOR_PORTAL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../portal")))
}

/// What the development sign-in page asks for.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SignIn {
    role: String,
    #[serde(default)]
    partner_id: Option<String>,
    #[serde(default)]
    partner_name: Option<String>,
    #[serde(default)]
    sub: Option<String>,
}

fn answer(status: u16, content_type: &str, body: impl Into<Bytes>) -> Answer {
    hyper::Response::builder()
        .status(status)
        .header("content-type", content_type)
        .header("cache-control", "no-cache")
        .header("x-content-type-options", "nosniff")
        .body(Full::new(body.into()))
        .unwrap_or_default()
}

fn content_type(path: &str) -> Option<&'static str> {
    let ext = path.rsplit_once('.')?.1;
    Some(match ext {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        _ => return None,
    })
}

/// A file name under the portal: letters, digits, `-`, `_`, `.` and `/`, no `..`, no hidden
/// files, a known type.
fn safe(rel: &str) -> bool {
    !rel.is_empty()
        && rel
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./".contains(&b))
        && rel
            .split('/')
            .all(|seg| !seg.is_empty() && !seg.starts_with('.'))
        && content_type(rel).is_some()
}

impl Portal {
    /// The same Content-Security-Policy the deployment's CloudFront response headers policy
    /// sets: scripts and styles from the portal only, API calls to itself, uploads to S3.
    fn csp(&self) -> String {
        cpor::routes::portal_csp(&self.upload_origin)
    }

    /// The answer for `/portal…`, or `None` when the path is not the portal's.
    pub fn handle(
        &self,
        method: &hyper::Method,
        path: &str,
        query: &str,
        body: &[u8],
    ) -> Option<Answer> {
        let rel = path.strip_prefix("/portal")?;
        if !(rel.is_empty() || rel.starts_with('/')) {
            return None;
        }
        let rel = rel.trim_start_matches('/');
        Some(match (method.as_str(), rel) {
            ("GET", "") if path == "/portal" => hyper::Response::builder()
                .status(308)
                .header("location", "/portal/")
                .body(Full::new(Bytes::new()))
                .unwrap_or_default(),
            ("GET", "config.json") => answer(200, "application/json", self.config().to_string()),
            ("POST", "dev-token") => self.dev_token(body),
            ("GET", "dev-oidc/.well-known/openid-configuration") => answer(
                200,
                "application/json",
                json!({
                    "issuer": self.issuer(),
                    "authorization_endpoint": format!("{}/authorize", self.issuer()),
                    "token_endpoint": format!("{}/token", self.issuer()),
                    "response_types_supported": ["code"],
                    "code_challenge_methods_supported": ["S256"],
                })
                .to_string(),
            ),
            ("GET", "dev-oidc/authorize") => self.authorize(query),
            ("POST", "dev-oidc/token") => self.exchange(body),
            ("GET", rel) => self.file(if rel.is_empty() { "index.html" } else { rel }),
            _ => answer(405, "text/plain", "method not allowed"),
        })
    }

    fn issuer(&self) -> String {
        format!("{}/portal/dev-oidc", self.base_url)
    }

    /// The portal's `config.json`: the API is this origin; sign-in as configured.
    fn config(&self) -> serde_json::Value {
        let auth = match self.sign_in {
            SignInKind::Dev => json!({"kind": "dev"}),
            SignInKind::Oidc => json!({"kind": "oidc", "issuer": self.issuer(),
                                       "clientId": OIDC_CLIENT, "scope": "openid"}),
        };
        json!({"apiBase": "", "auth": auth})
    }

    /// The authorization endpoint: checks the request as a provider must (code flow, S256,
    /// this client, a redirect back to this portal) and sends the browser back with a code.
    fn authorize(&self, query: &str) -> Answer {
        let q = form_map(query.as_bytes());
        let get = |k: &str| q.get(k).map(String::as_str).unwrap_or_default();
        let portal = format!("{}/portal/", self.base_url);
        if get("response_type") != "code"
            || get("client_id") != OIDC_CLIENT
            || get("code_challenge_method") != "S256"
            || get("code_challenge").len() != 43
            || get("state").is_empty()
            || get("redirect_uri") != portal
        {
            return answer(400, "text/plain", "invalid authorization request");
        }
        let code = uuid::Uuid::new_v4().simple().to_string();
        if let Ok(mut codes) = self.codes.lock() {
            codes.insert(
                code.clone(),
                Grant {
                    challenge: get("code_challenge").to_owned(),
                    redirect_uri: get("redirect_uri").to_owned(),
                    client_id: get("client_id").to_owned(),
                },
            );
        }
        let back = format!(
            "{}?{}",
            get("redirect_uri"),
            form_urlencoded::Serializer::new(String::new())
                .append_pair("code", &code)
                .append_pair("state", get("state"))
                .finish()
        );
        hyper::Response::builder()
            .status(302)
            .header("location", back)
            .body(Full::new(Bytes::new()))
            .unwrap_or_default()
    }

    /// The token endpoint: a code once, for the client and redirect it was issued to, and only
    /// with the verifier whose SHA-256 is the challenge (RFC 7636).
    fn exchange(&self, body: &[u8]) -> Answer {
        use base64::Engine as _;
        let f = form_map(body);
        let get = |k: &str| f.get(k).map(String::as_str).unwrap_or_default();
        let refuse = || {
            answer(
                400,
                "application/json",
                json!({"error": "invalid_grant"}).to_string(),
            )
        };
        let grant = self
            .codes
            .lock()
            .ok()
            .and_then(|mut c| c.remove(get("code")));
        let Some(grant) = grant else {
            return refuse();
        };
        let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(sha2::Sha256::digest(get("code_verifier").as_bytes()));
        if get("grant_type") != "authorization_code"
            || challenge != grant.challenge
            || get("redirect_uri") != grant.redirect_uri
            || get("client_id") != grant.client_id
        {
            return refuse();
        }
        let id = jwt::Identity {
            sub: "oidc-user-1".into(),
            partner_id: Some(OIDC_PARTNER.into()),
            partner_name: Some(OIDC_PARTNER_NAME.into()),
            locations: vec![format!("{OIDC_PARTNER}001"), format!("{OIDC_PARTNER}002")],
            roles: vec!["incentives_admin".into()],
        };
        let token = jwt::issue(
            &self.jwt_key,
            &id,
            chrono::Utc::now(),
            chrono::Duration::hours(1),
        );
        answer(
            200,
            "application/json",
            json!({"access_token": token, "token_type": "Bearer", "expires_in": 3600}).to_string(),
        )
    }

    fn file(&self, rel: &str) -> Answer {
        if !safe(rel) {
            return answer(404, "text/plain", "not found");
        }
        match std::fs::read(self.dir.join(rel)) {
            Ok(bytes) => {
                let mut a = answer(200, content_type(rel).unwrap_or("text/plain"), bytes);
                if let Ok(v) = self.csp().parse() {
                    a.headers_mut().insert("content-security-policy", v);
                }
                a.headers_mut().insert(
                    "referrer-policy",
                    hyper::header::HeaderValue::from_static("no-referrer"),
                );
                a
            }
            Err(_) => answer(404, "text/plain", "not found"),
        }
    }

    fn dev_token(&self, body: &[u8]) -> Answer {
        let refuse = |m: String| answer(400, "application/json", json!({"message": m}).to_string());
        let Ok(req) = serde_json::from_slice::<SignIn>(body) else {
            return refuse("expected {role, partnerId?, partnerName?, sub?}".into());
        };
        let roles = vec![req.role];
        match jwt::Identity::signed_in(roles, req.partner_id, req.partner_name, Vec::new(), req.sub)
        {
            Ok(id) => {
                let token = jwt::issue(
                    &self.jwt_key,
                    &id,
                    chrono::Utc::now(),
                    chrono::Duration::hours(12),
                );
                answer(200, "application/json", json!({"token": token}).to_string())
            }
            Err(m) => refuse(m),
        }
    }
}
