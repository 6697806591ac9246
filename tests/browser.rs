//! The consent page in a real browser: headless Debian Chromium set to Japanese, driven over
//! WebDriver by ChromeDriver, renders the page from the consent email in Japanese (from the
//! browser's `Accept-Language`: the contact named no language) and a click on the decline
//! button records the decision (installed by `scripts/browser.sh`, which `make test` runs).

use crate::helpers::request;
use crate::helpers::{ORG_A, PARTNER_NAME, consent_path, customer_email, stack, unique_tenant};
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_japanese_customer_declines_in_a_real_browser() {
    let s = stack().await;
    let customer = customer_email();
    let claim = s.submitted(ORG_A, &unique_tenant(), &customer).await;
    let url = format!("{}{}", s.run.base_url, consent_path(&customer));
    let profile = std::env::temp_dir().join(format!("cpor-chromium-{}", uuid::Uuid::new_v4()));
    let page = tokio::task::spawn_blocking(move || {
        let d = Driver::start();
        let session = d.call(
            "POST",
            "/session",
            Some(json!({"capabilities": {"alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": "/usr/bin/chromium",
                    "prefs": {"intl.accept_languages": "ja"},
                    "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--lang=ja",
                             "--no-first-run", "--disable-background-networking",
                             "--disable-component-update", "--disable-sync",
                             format!("--user-data-dir={}", profile.display())]
                }
            }}})),
        );
        let id = session["sessionId"].as_str().expect("session").to_owned();
        d.call(
            "POST",
            &format!("/session/{id}/url"),
            Some(json!({"url": url})),
        );
        let before = d.call("GET", &format!("/session/{id}/source"), None);
        let title = d.call("GET", &format!("/session/{id}/title"), None);
        let button = d.call(
            "POST",
            &format!("/session/{id}/element"),
            Some(json!({"using": "css selector", "value": "button[value=decline]"})),
        );
        let element = button
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .expect("the decline button")
            .to_owned();
        d.call(
            "POST",
            &format!("/session/{id}/element/{element}/click"),
            Some(json!({})),
        );
        // The click submits the form; wait for the receipt page to load.
        let deadline = Instant::now() + Duration::from_secs(20);
        let after = loop {
            let title = d.call("GET", &format!("/session/{id}/title"), None);
            if title == "ありがとうございました" || Instant::now() > deadline {
                break d.call("GET", &format!("/session/{id}/source"), None);
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        d.call("DELETE", &format!("/session/{id}"), None);
        let _ = std::fs::remove_dir_all(&profile);
        (title, before, after)
    })
    .await
    .expect("browser task");
    let (title, before, after) = page;
    assert_eq!(title, "パートナーとの関連付け");
    let before = before.as_str().unwrap_or_default().to_owned();
    assert!(before.contains("lang=\"ja\""), "{before}");
    assert!(before.contains("使用状況データとシート数のみ"), "{before}");
    assert!(before.contains("このパートナーを拒否する"));
    assert!(before.contains(PARTNER_NAME), "the partner is named");
    let after = after.as_str().unwrap_or_default().to_owned();
    assert!(after.contains("拒否しました"), "{after}");
    let t = s.admin(ORG_A);
    let now = s.get(&t, claim["id"].as_str().unwrap()).await.json();
    assert_eq!(now["status"], "rejected_final");
    assert_eq!(now["statusReason"]["codes"], json!(["customer_declined"]));
}
