//! The consent page in a real browser: headless Debian Chromium driven over WebDriver by
//! ChromeDriver (installed by `scripts/browser.sh`, which `make test` runs).
//!
//! - Set to Japanese, the browser gets the page in Japanese (from its `Accept-Language`: the
//!   contact named no language) and a click on the decline button records the decision.
//! - axe-core (pinned, from npm; `scripts/browser.sh`), injected through WebDriver, finds no
//!   WCAG 2.2 A/AA violation on the page in any language and any state: open, decided, closed
//!   and expired link.
//! - An MCI engagement's page (seed 004, opt-in): a French customer accepts in Chromium, and the
//!   engagement pages (open, accepted, declined, expired) pass axe in every language.

use crate::helpers::browser::Driver;
use crate::helpers::mci::{dataset, registration};
use crate::helpers::{ORG_A, PARTNER_NAME, customer_email, stack, unique_tenant};
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_japanese_customer_declines_in_a_real_browser() {
    let s = stack().await;
    let customer = customer_email();
    let claim = s.submitted(ORG_A, &unique_tenant(), &customer).await;
    let url = format!("{}{}", s.run.base_url, s.consent_path(&customer).await);
    let (title, before, after) = tokio::task::spawn_blocking(move || {
        let d = Driver::start();
        let page = d.session("ja");
        page.open(&url);
        let before = page.source();
        let title = page.title();
        page.click("button[value=decline]");
        // The click submits the form; wait for the receipt page to load.
        let deadline = Instant::now() + Duration::from_secs(20);
        let after = loop {
            if page.title() == "ありがとうございました" || Instant::now() > deadline {
                break page.source();
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        (title, before, after)
    })
    .await
    .expect("browser task");
    assert_eq!(title, "パートナーとの関連付け");
    assert!(before.contains("lang=\"ja\""), "{before}");
    assert!(before.contains("使用状況データとシート数のみ"), "{before}");
    assert!(before.contains("このパートナーを拒否する"));
    assert!(before.contains(PARTNER_NAME), "the partner is named");
    assert!(after.contains("拒否しました"), "{after}");
    let t = s.admin(ORG_A);
    let now = s.get(&t, claim["id"].as_str().unwrap()).await.json();
    assert_eq!(now["status"], "rejected_final");
    assert_eq!(now["statusReason"]["codes"], json!(["customer_declined"]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_consent_page_has_no_wcag_22_aa_violation_in_any_language_or_state() {
    let s = stack().await;
    let t = s.admin(ORG_A);
    // open: a submitted claim's link
    let open_customer = customer_email();
    s.submitted(ORG_A, &unique_tenant(), &open_customer).await;
    let open = s.consent_path(&open_customer).await;
    // decided: the customer declined
    let declined_customer = customer_email();
    s.submitted(ORG_A, &unique_tenant(), &declined_customer)
        .await;
    let decided = s.consent_path(&declined_customer).await;
    s.decide(&decided, "decline").await;
    // closed: the partner withdrew it
    let closed_customer = customer_email();
    let withdrawn = s.submitted(ORG_A, &unique_tenant(), &closed_customer).await;
    let closed = s.consent_path(&closed_customer).await;
    let r = s
        .call(
            "POST",
            &format!("/claims/{}/withdraw", withdrawn["id"].as_str().expect("id")),
            Some(&t),
            Some(&json!({"reason": "Wrong MPN"})),
            &[],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    // expired: a genuine link past its expiry
    let keys = cpor::tokens::KeyRing::parse(cpor_local::DEV_TOKEN_KEYS).expect("keys");
    let claim_id = cpor::domain::ClaimId::parse(withdrawn["id"].as_str().expect("id")).expect("id");
    let expired = format!(
        "/consent/{}",
        keys.consent_token(
            claim_id,
            &closed_customer,
            chrono::Utc::now() - chrono::Duration::days(1)
        )
    );
    let base = s.run.base_url.clone();
    let pages = [
        ("open", open, "value=\"decline\""),
        ("decided", decided, "role=\"status\""),
        ("closed", closed, "role=\"status\""),
        ("expired", expired, "name=\"request\""),
    ];
    let found = tokio::task::spawn_blocking(move || {
        let d = Driver::start();
        let page = d.session("en");
        page.axe_in_every_language(&base, &pages)
    })
    .await
    .expect("browser task");
    assert!(found.is_empty(), "axe found:\n{}", found.join("\n"));
}

/// An engagement claim of ORG_A for `tenant`, its consent requested from `customer`: the link.
async fn engagement_link(
    s: &crate::helpers::Stack,
    tenant: &str,
    customer: &str,
) -> (String, String) {
    let mut body = registration(ORG_A, "tenant_id", tenant, &["mw-usage"]);
    body["customerContact"] = json!({"name": "Ana", "email": customer});
    let id = s.register_engagement(&s.admin(ORG_A), &body).await;
    let asked = s
        .call(
            "POST",
            &format!("/engagement-claims/{id}/consent-request"),
            Some(&s.admin(ORG_A)),
            Some(&json!({"estimatedDealSizeUsd": 500, "disclaimerAccepted": true})),
            &[],
        )
        .await;
    assert_eq!(asked.status, 200, "{}", asked.text());
    (id, s.consent_path(customer).await)
}

/// seed 004's opt-in: a French customer accepts an MCI engagement in Chromium; the engagement
/// pages (open, accepted, declined, expired link) have no WCAG 2.2 A/AA violation in any
/// language.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_customer_accepts_an_engagement_in_a_real_browser_and_its_pages_pass_axe() {
    let s = stack().await;
    let tenants: Vec<String> = (0..3).map(|_| unique_tenant()).collect();
    let records = tenants
        .iter()
        .map(|t| json!({"identifierType": "tenant_id", "value": t, "eligibility": {"mw-usage": "eligible"}}))
        .collect();
    let result = s.import_reference(&dataset(records)).await;
    assert_eq!(result["outcome"], "imported", "{result}");
    let mail = |n: &str| format!("{n}-{}@contoso.example", &unique_tenant()[..8]);
    let (accept_id, accept_link) = engagement_link(&s, &tenants[0], &mail("accept")).await;
    let (_, open) = engagement_link(&s, &tenants[1], &mail("open")).await;
    let (_, declined) = engagement_link(&s, &tenants[2], &mail("decline")).await;
    assert_eq!(s.form(&declined, "decision=decline", &[]).await.status, 200);
    let keys = cpor::tokens::KeyRing::parse(cpor_local::DEV_TOKEN_KEYS).expect("keys");
    let expired = format!(
        "/consent/{}",
        keys.consent_token_for(
            cpor::tokens::ConsentKind::Engagement,
            cpor::domain::ClaimId::parse(&accept_id).expect("id"),
            "accept@contoso.example",
            chrono::Utc::now() - chrono::Duration::days(1)
        )
    );
    let base = s.run.base_url.clone();
    let accept_url = format!("{base}{accept_link}");
    let (before, after, found) = tokio::task::spawn_blocking(move || {
        let d = Driver::start();
        let page = d.session("fr");
        page.open(&accept_url);
        let before = page.source();
        page.click("button[value=accept]");
        let deadline = Instant::now() + Duration::from_secs(20);
        let after = loop {
            let html = page.source();
            if html.contains("a accepté de participer") || Instant::now() > deadline {
                break html;
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        let pages = [
            ("open", open, "value=\"accept\""),
            ("accepted", accept_link, "role=\"status\""),
            ("declined", declined, "role=\"status\""),
            ("expired", expired, "<h1>"),
        ];
        let found = page.axe_in_every_language(&base, &pages);
        (before, after, found)
    })
    .await
    .expect("browser task");
    assert!(before.contains("lang=\"fr\""), "{before}");
    assert!(
        before.contains("Accepter") && before.contains(PARTNER_NAME),
        "{before}"
    );
    assert!(after.contains("a accepté de participer"), "{after}");
    let now = s
        .call(
            "GET",
            &format!("/engagement-claims/{accept_id}"),
            Some(&s.admin(ORG_A)),
            None,
            &[],
        )
        .await
        .json();
    assert_eq!(now["status"], "consented");
    assert!(found.is_empty(), "axe found:\n{}", found.join("\n"));
}
