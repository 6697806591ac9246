//! Secrets and personal data stay out of the logs: a whole claim life (contacts, consent
//! token, comments, a failed email) runs with every log line captured, and none carries an
//! email address, a contact name, a comment, a consent token or a JWT.

use crate::helpers::{ORG_A, mws_body, stack, unique_tenant};
use serde_json::json;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every log line of this test process, from the first call on.
fn captured() -> &'static Capture {
    static CAPTURE: OnceLock<Capture> = OnceLock::new();
    CAPTURE.get_or_init(|| {
        let capture = Capture::default();
        let writer = capture.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        let _ = tracing::subscriber::set_global_default(subscriber);
        capture
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_token_email_or_contact_detail_is_logged() {
    let capture = captured();
    let s = stack().await;
    let marker = uuid::Uuid::new_v4().simple().to_string()[..10].to_owned();
    let customer = format!("cust-{marker}@contoso.example");
    let mut body = mws_body(ORG_A, &unique_tenant(), &customer);
    body["customerContact"]["name"] = json!(format!("Ana {marker}"));
    body["partnerContact"]["email"] = json!(format!("partner-{marker}@fabrikam.example"));
    let admin = s.admin(ORG_A);
    let c = s.create(&admin, &body).await;
    let id = c["id"].as_str().expect("id").to_owned();
    s.upload_poe(&admin, &id, b"%PDF logs").await;
    assert_eq!(s.submit(&admin, &id).await.status, 200);
    let comment = format!("secret comment {marker}");
    s.call(
        "POST",
        &format!("/claims/{id}/comments"),
        Some(&admin),
        Some(&json!({"text": comment})),
        &[],
    )
    .await;
    s.review(&id, json!({"action": "start"})).await;
    s.review(&id, json!({"action": "request_info", "reasons": ["missing_products"], "comment": format!("reviewer {marker}")})).await;
    let link = s.consent_path(&customer).await;
    let token = link.trim_start_matches("/consent/").to_owned();
    s.raw("GET", &link, vec![], vec![]).await;
    s.decide(&link, "decline").await;
    // a rejected body with the address in it
    let mut bad = body.clone();
    bad["customerContact"]["email"] = json!(format!("not an email {marker}"));
    s.call("POST", "/claims", Some(&admin), Some(&bad), &[])
        .await;
    let logs = String::from_utf8_lossy(&capture.0.lock().expect("log buffer")).into_owned();
    assert!(logs.contains(&id), "the flow was logged (by claim ID)");
    for secret in [
        customer.as_str(),
        &format!("partner-{marker}"),
        &format!("Ana {marker}"),
        &comment,
        &format!("reviewer {marker}"),
        &token,
        &admin,
        &format!("not an email {marker}"),
    ] {
        assert!(!logs.contains(secret), "logged: {secret}");
    }
    println!(
        "hardening | secrets in logs | {} log bytes checked for 8 values | 0 found",
        logs.len()
    );
}
