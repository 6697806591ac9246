//! The reference portal (`portal/`, static files) served at `/portal/` beside the API, as the
//! deployment serves it from S3 behind CloudFront: the same files, the same security headers,
//! and a `config.json` that tells the app where the API is and how people sign in. Locally
//! they sign in on a development page that picks a role and an organisation; its tokens come
//! from the local signer (`POST /portal/dev-token`, which exists only here).

use crate::jwt;
use http_body_util::Full;
use hyper::body::Bytes;
use serde::Deserialize;
use serde_json::json;
use std::path::PathBuf;

type Answer = hyper::Response<Full<Bytes>>;

pub struct Portal {
    /// Where the files are read from, on every request (an edit shows on reload).
    pub dir: PathBuf,
    /// Where the browser sends PoE uploads (the S3 endpoint: moto locally).
    pub upload_origin: String,
    pub jwt_key: Vec<u8>,
}

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
        format!(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             connect-src 'self' {}; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
            self.upload_origin
        )
    }

    /// The answer for `/portal…`, or `None` when the path is not the portal's.
    pub fn handle(&self, method: &hyper::Method, path: &str, body: &[u8]) -> Option<Answer> {
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
            ("GET", "config.json") => answer(
                200,
                "application/json",
                json!({"apiBase": "", "auth": {"kind": "dev"}}).to_string(),
            ),
            ("POST", "dev-token") => self.dev_token(body),
            ("GET", rel) => self.file(if rel.is_empty() { "index.html" } else { rel }),
            _ => answer(405, "text/plain", "method not allowed"),
        })
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
