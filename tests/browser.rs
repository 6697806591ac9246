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

use crate::helpers::mci::{dataset, registration};
use crate::helpers::request;
use crate::helpers::{ORG_A, PARTNER_NAME, customer_email, stack, unique_tenant};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The axe-core `scripts/browser.sh` unpacks (keep the version in step with it).
const AXE: &str = "target/tools/axe-core-4.14.1/axe.min.js";
/// The rules axe runs: WCAG 2.0, 2.1 and 2.2, levels A and AA.
const WCAG_22_AA: [&str; 5] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

struct Driver {
    base: String,
    child: Child,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Driver {
    fn start() -> Self {
        let port = free_port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is installed (scripts/browser.sh)");
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { base, child }
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let headers = vec![("content-type".to_owned(), "application/json".to_owned())];
        let bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
        let r = request(method, &format!("{}{path}", self.base), &headers, &bytes);
        assert!(r.status < 300, "webdriver {method} {path}: {}", r.text());
        r.json()["value"].clone()
    }

    /// A headless Chromium whose language is `lang`.
    fn session(&self, lang: &str) -> Session<'_> {
        let profile = std::env::temp_dir().join(format!("cpor-chromium-{}", uuid::Uuid::new_v4()));
        let session = self.call(
            "POST",
            "/session",
            Some(json!({"capabilities": {"alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": "/usr/bin/chromium",
                    "prefs": {"intl.accept_languages": lang},
                    "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                             format!("--lang={lang}"),
                             "--no-first-run", "--disable-background-networking",
                             "--disable-component-update", "--disable-sync",
                             format!("--user-data-dir={}", profile.display())]
                }
            }}})),
        );
        let id = session["sessionId"].as_str().expect("session").to_owned();
        self.call(
            "POST",
            &format!("/session/{id}/timeouts"),
            Some(json!({"script": 60000})),
        );
        Session {
            driver: self,
            id,
            profile,
        }
    }
}

struct Session<'a> {
    driver: &'a Driver,
    id: String,
    profile: PathBuf,
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        let _ = request(
            "DELETE",
            &format!("{}/session/{}", self.driver.base, self.id),
            &[],
            &[],
        );
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

impl Session<'_> {
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.driver
            .call(method, &format!("/session/{}{path}", self.id), body)
    }

    /// Navigates and waits until the document is complete (a slow machine may otherwise hand
    /// back an empty source between two pages).
    fn open(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": url })));
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let state = self.call(
                "POST",
                "/execute/sync",
                Some(json!({"script": "return document.readyState + '|' + (document.documentElement ? document.documentElement.outerHTML.length : 0);", "args": []})),
            );
            let state = state.as_str().unwrap_or_default().to_owned();
            let (ready, len) = state.split_once('|').unwrap_or(("", "0"));
            if ready == "complete" && len.parse::<usize>().unwrap_or(0) > 100 {
                return;
            }
            assert!(Instant::now() < deadline, "{url} did not load: {state}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Clicks the element `selector` finds.
    fn click(&self, selector: &str) {
        let found = self.call(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": selector})),
        );
        let element = found
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no {selector}"))
            .to_owned();
        self.call(
            "POST",
            &format!("/element/{element}/click"),
            Some(json!({})),
        );
    }

    fn source(&self) -> String {
        self.call("GET", "/source", None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    fn title(&self) -> String {
        self.call("GET", "/title", None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Opens each `(state, path, marker)` page in every language we write, checks it is in
    /// that language and shows its marker, and collects axe-core's violations on it.
    fn axe_in_every_language(&self, base: &str, pages: &[(&str, String, &str)]) -> Vec<String> {
        let mut found = Vec::new();
        for lang in ["en", "es", "fr", "ja"] {
            for (state, path, marker) in pages {
                self.open(&format!("{base}{path}?lang={lang}"));
                let html = self.source();
                assert!(
                    html.contains(&format!("lang=\"{lang}\"")) && html.contains(marker),
                    "{state} in {lang}: {html}"
                );
                for violation in self.axe_violations() {
                    found.push(format!("{state} in {lang}: {violation}"));
                }
            }
        }
        found
    }

    /// axe-core's WCAG 2.2 A/AA violations on the page now, one line each.
    fn axe_violations(&self) -> Vec<String> {
        let axe =
            std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(AXE))
                .expect("axe-core is unpacked (scripts/browser.sh)");
        let loaded = self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": format!("{axe}\n;return typeof axe;"), "args": []})),
        );
        assert_eq!(loaded, "object", "axe-core loaded into the page");
        let found = self.call(
            "POST",
            "/execute/async",
            Some(json!({
                "script": "const done = arguments[arguments.length - 1];\
                    axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})\
                      .then(r => done({passes: r.passes.length, violations: r.violations.map(v =>\
                        v.id + ' (' + v.impact + '): ' + v.nodes.map(n => n.target.join(' ')).join(', '))}))\
                      .catch(e => done({passes: 0, violations: ['axe failed: ' + e]}));",
                "args": [WCAG_22_AA]
            })),
        );
        // A run that checked nothing would find nothing: it must have passed real rules.
        assert!(
            found["passes"].as_u64().unwrap_or_default() >= 5,
            "axe ran its rules: {found}"
        );
        found["violations"]
            .as_array()
            .expect("axe's answer")
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_owned())
            .collect()
    }
}

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
