//! The one moto server of the test process (installed into `.venv` by `scripts/moto.sh`,
//! started on a free loopback port on first use, stopped when the process exits), unique
//! resource names so tests run in parallel, and what moto captured (emails).

use super::http::http;
use std::sync::OnceLock;

/// The process-wide moto server, started on first use on a free port (see
/// `cpor_local::moto`: it stops when the test process exits).
pub fn moto() -> &'static cpor_local::moto::Moto {
    static MOTO: OnceLock<cpor_local::moto::Moto> = OnceLock::new();
    MOTO.get_or_init(|| cpor_local::moto::Moto::start(0).unwrap_or_else(|e| panic!("{e}")))
}

/// A short unique suffix for resource names.
pub fn unique(prefix: &str) -> String {
    format!(
        "{prefix}-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    )
}

/// A JSON document the moto server serves at `path`.
fn moto_json(path: &str) -> serde_json::Value {
    let (status, body) = http("GET", &format!("{}{path}", moto().endpoint), &[], b"");
    assert_eq!(status, 200, "{path}");
    serde_json::from_slice(&body).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// moto's view of everything it holds (`GET /moto-api/data.json`).
pub fn moto_data() -> serde_json::Value {
    moto_json("/moto-api/data.json")
}

/// Emails moto captured for `to`: (subject, body), in the order they were sent (from
/// `scripts/moto_server.py`'s `/_cpor/emails`, which reads only SES).
pub fn emails_to(to: &str) -> Vec<(String, String)> {
    moto_json("/_cpor/emails")
        .as_array()
        .map(|ms| {
            ms.iter()
                .filter(|m| m["to"][0] == to)
                .map(|m| {
                    (
                        m["subject"].as_str().unwrap_or_default().to_owned(),
                        m["body"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The consent link path (`/consent/<token>`) in the latest email to `to`.
pub fn consent_path(to: &str) -> String {
    let mails = emails_to(to);
    let (_, body) = mails.last().expect("a consent email");
    let start = body.find("/consent/").expect("a consent link");
    body[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "/-_".contains(*c))
        .collect()
}
